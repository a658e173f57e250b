"""`chainsim run --posterior N`: parameter sets drawn from the posterior, every interval over the draws."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from chainsim.cli import main
from chainsim.posterior import posterior_configs, write_particles
from chainsim.results import mean_ci
from chainsim.runner import RunConfig, iter_replications, iter_runs

REGIONS = "AM02,AM06,AM12"


def _particles(tmp_path):
    frame = pd.DataFrame({"weight_trust": [0.4, 1.8], "belief_initial": [0.30, 0.60], "weight": [1.0, 1.0]})
    return write_particles(tmp_path / "particles.csv", frame, {"method": "test"})


def _run(tmp_path, *extra, out="out"):
    return main(["run", "--regions", REGIONS, "--replications", "2", "--seed", "5", "--workers", "1", "--quiet",
                 "--out", str(tmp_path / out), *extra])


def test_draws_come_from_the_particles_and_the_seed(tmp_path):
    particles = _particles(tmp_path)
    configs, table = posterior_configs(RunConfig(), 40, seed=3, source=particles)
    assert list(table["draw"]) == list(range(40))
    pairs = set(zip(table["weight_trust"], table["belief_initial"]))
    assert pairs == {(0.4, 0.30), (1.8, 0.60)}                 # whole particles, both drawn
    assert [c.params.weight_trust for c in configs] == list(table["weight_trust"])
    again, _ = posterior_configs(RunConfig(), 40, seed=3, source=particles)
    assert again == configs
    other, _ = posterior_configs(RunConfig(), 40, seed=4, source=particles)
    assert other != configs
    kept, kept_table = posterior_configs(RunConfig(), 5, seed=3, source=particles, keep=("weight_trust",))
    assert {c.params.weight_trust for c in kept} == {RunConfig().params.weight_trust}
    assert set(kept_table["weight_trust"]) == {RunConfig().params.weight_trust}


def test_runs_of_several_configurations_keep_their_seeds():
    config = RunConfig(regions=("AM02", "AM06"))
    one = list(iter_replications(config, 4, seed=9))
    same = list(iter_runs([config, config], 2, seed=9, workers=2))
    assert [r.replication for r in same] == [0, 1, 2, 3] and [r.draw for r in same] == [0, 0, 1, 1]
    assert all(np.array_equal(a.stage, b.stage) for a, b in zip(one, same))


def test_run_with_the_posterior_writes_draws_and_intervals_over_them(tmp_path, capsys):
    particles = _particles(tmp_path)
    assert _run(tmp_path, "--posterior", "3", "--particles", str(particles)) == 0
    printed = capsys.readouterr().out
    assert "3 draws from the posterior" in printed and "parameter uncertainty" in printed
    out = tmp_path / "out"
    summary = json.loads((out / "summary.json").read_text())
    assert summary["replications"] == 6
    post = summary["posterior"]
    assert post["draws"] == 3 and post["replications_per_draw"] == 2
    assert post["parameters"] == ["weight_trust", "belief_initial"] and len(post["particles_sha256"]) == 64
    draws = pd.read_csv(out / "posterior_draws.csv")
    assert list(draws.columns) == ["draw", "weight_trust", "belief_initial"] and len(draws) == 3
    rows = pd.read_parquet(out / "region_months.parquet")
    assert sorted(rows["replication"].unique()) == list(range(6))
    assert json.loads(pq.read_metadata(out / "region_months.parquet").metadata[b"posterior"])["draws"] == 3
    # the interval is that of the draws' means (clustered), not of six independent runs
    month = summary["observed_at"] + "-01"
    at = rows[rows["month"].astype(str) == month]
    share = at.groupby("replication")["stage"].apply(lambda s: (s.astype(str) == "coordinated").mean())
    per_draw = share.groupby(np.arange(6) // 2).mean()
    expected = mean_ci(per_draw.to_numpy(), 0.0, 1.0)
    got = summary["stage_shares"]["coordinated"]
    assert got["mean"] == pytest.approx(expected["mean"])
    assert _bounds(got["ci95"]) == pytest.approx(_bounds(expected["ci95"]), nan_ok=True)
    assert got.get("no_interval") == expected.get("no_interval")      # none, or the same reason

    # the same run from Python (the README's recipe) gives the command's numbers
    from chainsim.core.regions import find_region
    from chainsim.posterior import posterior_results

    config = RunConfig(regions=tuple(find_region(code).code for code in REGIONS.split(",")))
    results, table = posterior_results(config, 3, 2, seed=5, source=particles)
    pd.testing.assert_frame_equal(table, draws, check_dtype=False)
    python = results.summary()
    for key in ("stage_shares", "cooperation_levels", "stage_shares_end"):
        assert python[key] == summary[key]
    # the figure's band, from the folder or from Python, is the summary's interval over the draws
    from chainsim.plotting import stage_share_data

    for source in (out, results):
        data = stage_share_data(source)
        band = data[(data["month"] == pd.Timestamp(month)) & (data["stage"] == "coordinated")].iloc[0]
        assert band["mean"] == pytest.approx(got["mean"])
        assert [band["low"], band["high"]] == pytest.approx(_bounds(got["ci95"]), nan_ok=True)   # no band: NaN


def _bounds(ci95) -> list[float]:
    """An interval's bounds as numbers, NaN where there is no interval ([None, None])."""
    return [np.nan if b is None else b for b in ci95]


def test_posterior_refusals_are_one_line(tmp_path, capsys):
    assert _run(tmp_path, "--particles", str(tmp_path / "x.csv"), out="a") == 2
    assert "give --posterior N" in capsys.readouterr().err
    assert _run(tmp_path, "--posterior", "2", "--particles", str(tmp_path / "missing.csv"), out="b") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--particles" in err[0] and "missing.csv: not found" in err[0]
    assert main(["run", "--regions", REGIONS, "--replications", "3000", "--posterior", "2", "--quiet",
                 "--out", str(tmp_path / "c")]) == 2
    assert "6000 runs (allowed: at most 5000" in capsys.readouterr().err
    assert not any((tmp_path / name).exists() for name in ("a", "b", "c"))


def test_particles_fitted_to_other_data_are_refused_from_the_command_and_from_python(tmp_path, capsys):
    from chainsim.posterior import PosteriorError, posterior_results

    other = tmp_path / "werkplein.csv"
    other.write_text("# data_file = survey_2007.toml\nweight_trust,weight\n0.5,1.0\n")
    with pytest.raises(PosteriorError, match="was fitted to survey_2007.toml"):
        posterior_results(RunConfig(regions=("AM02",)), 2, 1, source=other)
    assert _run(tmp_path, "--posterior", "2", "--particles", str(other), out="w") == 2
    assert "--particles" in capsys.readouterr().err
