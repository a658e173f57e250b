import json

import numpy as np
import pytest

from chainsim.core.calendar import Calendar, Month
from chainsim.core.measurement import INDICATORS
from chainsim.plotting import plot_stage_shares, stage_share_data
from chainsim.results import Results, fmt_mean_ci, mean_ci, write_json
from chainsim.runner import RunConfig, run_replications

CONFIG = RunConfig(regions=("AM02", "AM12", "AM22"), calendar=Calendar(Month(2014, 1), Month(2015, 2), Month(2014, 11)))


@pytest.fixture(scope="module")
def results():
    return Results(CONFIG, run_replications(CONFIG, 4, seed=11), seed=11)


def test_mean_ci_known_answer():
    stat = mean_ci([1.0, 2.0, 3.0])
    assert stat["mean"] == pytest.approx(2.0)
    # t(0.975, 2) = 4.302653; sd = 1; half width = 4.302653 / sqrt(3)
    assert stat["ci95"][1] - 2.0 == pytest.approx(4.302653 / np.sqrt(3), rel=1e-5)
    assert mean_ci([0.5], 0, 1) == {"mean": 0.5, "ci95": [None, None], "no_interval": "1 replication"}
    assert mean_ci([0.25, 0.25, np.nan, 0.25]) == {"mean": 0.25, "ci95": [None, None],     # never [x, x]
                                                "no_interval": "all 3 values equal"}
    assert fmt_mean_ci(mean_ci([0.25, 0.25]), 3) == "0.250 [n/a: all equal]"
    assert fmt_mean_ci(mean_ci([0.5])) == "0.50 [n/a: 1 replication]"
    assert fmt_mean_ci(mean_ci([1.0, 2.0, 3.0]), 1) == "2.0 [-0.5, 4.5]"
    assert mean_ci([0.9, 1.0, 1.0], 0.0, 1.0)["ci95"][1] == 1.0
    assert mean_ci([np.nan, np.nan])["mean"] is None


def test_summary_has_what_the_cli_promises(results):
    s = results.summary()
    for key in ("chainsim_version", "scenario", "replications", "seed", "observed_at"):
        assert key in s
    assert s["observed_at"] == "2014-11" and s["replications"] == 4
    assert set(s["stage_shares"]) == {"coordinated", "middle", "little"}
    assert set(s["cooperation_levels"]) == {"all_levels", "intermediate", "hardly", "none"}
    assert set(s["indicators"]) == set(INDICATORS)
    for stat in s["stage_shares"].values():
        if stat["ci95"][0] is None:      # every replication the same: said, never a zero-width interval
            assert stat["no_interval"] == "all 4 values equal"
        else:
            assert stat["ci95"][0] <= stat["mean"] <= stat["ci95"][1]
    json.dumps(s)          # serialisable


def test_region_month_table(results):
    table = results.region_month_table()
    assert len(table) == 4 * CONFIG.calendar.n_months * 3
    assert set(INDICATORS) <= set(table.columns)
    assert set(table["stage"].unique()) <= {"coordinated", "middle", "little"}
    assert table.groupby(["replication", "month"], observed=True).size().eq(3).all()


def test_plot_data_and_drawing(results):
    data = stage_share_data(results)
    assert len(data) == CONFIG.calendar.n_months * 3
    assert data["mean"].between(0, 1).all()
    banded = data["low"].notna()
    assert banded.any() and banded.eq(data["high"].notna()).all()
    assert (data["low"] <= data["mean"])[banded].all() and (data["mean"] <= data["high"])[banded].all()
    assert (data.loc[banded, ["low", "high"]].apply(lambda c: c.between(0, 1))).all().all()
    shares = results.stage_shares()           # no band exactly where every replication gave the same share
    same = (shares == shares[:1]).all(axis=0).reshape(-1)
    assert np.array_equal(~banded.to_numpy(), same)
    sums = data.groupby("month")["mean"].sum()
    assert np.allclose(sums, 1.0)
    ax = plot_stage_shares(results, {"coordinated": 0.25, "middle": 0.5, "little": 0.25})
    assert len(ax.lines) == 4        # three stages and the observation line


def test_a_saved_run_plots_as_its_results_do(results, tmp_path):
    """A run folder (or its rows) gives the figure's data to the bit, its levers and its observation month."""
    import pandas as pd

    from chainsim.core.levers import Lever

    results.write_tables(tmp_path)
    write_json(tmp_path / "summary.json", results.summary())
    expected = stage_share_data(results)
    pd.testing.assert_frame_equal(stage_share_data(tmp_path), expected)
    rows = pd.read_parquet(tmp_path / "region_months.parquet")
    pd.testing.assert_frame_equal(stage_share_data(rows), expected)
    pd.testing.assert_frame_equal(stage_share_data(rows.sample(frac=1.0, random_state=1)), expected)   # any order
    ax = plot_stage_shares(tmp_path, {"coordinated": 0.25, "middle": 0.5, "little": 0.25})
    assert len(ax.lines) == 4 and "3 regions, 2014-01 to 2015-02" in ax.get_title()
    assert "4 replications" in ax.get_title()
    with_lever = Results(RunConfig(regions=CONFIG.regions, calendar=CONFIG.calendar,
                                   levers=(Lever("joint_targets", Month(2014, 6)),)), results.runs, seed=11)
    summary = with_lever.summary()
    (tmp_path / "summary.json").write_text(json.dumps(summary))
    ax = plot_stage_shares(tmp_path)
    assert [t.get_text() for t in ax.texts] == ["joint_targets from 2014-06"]


def test_plotting_a_folder_without_a_run_says_what_it_needs(tmp_path):
    import pandas as pd

    with pytest.raises(FileNotFoundError, match="region_months.parquet.*not found"):
        stage_share_data(tmp_path)
    with pytest.raises(ValueError, match="no column stage"):
        stage_share_data(pd.DataFrame({"replication": [0], "month": ["2014-01"], "region_code": ["AM02"]}))
    with pytest.raises(ValueError, match="'open' is not a region stage|open is not a region stage"):
        stage_share_data(pd.DataFrame({"replication": [0], "month": [pd.Timestamp("2005-01-01")],
                                       "region_code": ["AM02/1"], "stage": ["open"]}))


def test_atomic_write_leaves_no_partial_file(tmp_path):
    target = tmp_path / "summary.json"
    write_json(target, {"a": 1})
    with pytest.raises(TypeError):
        write_json(target, {"b": object()})
    assert json.loads(target.read_text()) == {"a": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["summary.json"]
