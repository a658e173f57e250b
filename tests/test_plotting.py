"""Figures a researcher would put in a paper: the data behind them, and what each panel marks."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")       # tests draw into files only
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from chainsim.compare import compare  # noqa: E402
from chainsim.core.calendar import Calendar, Month  # noqa: E402
from chainsim.core.levers import Lever, RegionSelection  # noqa: E402
from chainsim.plotting import comparison_difference_data, comparison_figure, plot_stage_shares  # noqa: E402
from chainsim.scenario import Scenario  # noqa: E402

CAL = Calendar(Month(2012, 1), Month(2013, 12), Month(2013, 6))
LEVER = Lever("legal_deadline", Month(2012, 7), Month(2013, 3), RegionSelection(), 1.0)


@pytest.fixture(scope="module")
def comparison():
    base = Scenario("base", "base", ("x",), calendar=CAL, regions=("AM02", "AM12", "AM32"))
    lever = Scenario("deadline", "deadline", ("x",), calendar=CAL, regions=("AM02", "AM12", "AM32"), levers=(LEVER,))
    return compare([base, lever], 4, seed=3)


def test_the_difference_panel_is_the_paired_difference(comparison):
    data = comparison_difference_data(comparison)
    assert set(data["scenario"]) == {"deadline"} and len(data) == CAL.n_months
    paired = comparison.coordinated("deadline") - comparison.coordinated("base")
    assert np.allclose(data["mean"], paired.mean(axis=0))
    banded = data["low"].notna()
    assert (data.loc[banded, "low"] <= data.loc[banded, "mean"] + 1e-12).all()
    assert (data.loc[banded, "mean"] <= data.loc[banded, "high"] + 1e-12).all()
    # no band where every replication gives the same difference, as in comparison.json
    assert (data["low"].isna() == (np.ptp(paired, axis=0) == 0)).all()


def test_compare_figure_marks_levers_and_months(comparison):
    fig = comparison_figure(comparison, observed=0.25)
    top, bottom = fig.axes
    assert "2012-01 to 2013-12" in top.get_title()
    texts = [t.get_text() for t in top.texts]
    assert "legal_deadline from 2012-07 to 2013-03" in texts
    assert bottom.get_lines() and "Paired difference" in bottom.get_title()
    plt.close(fig)


def test_every_observed_stage_marker_is_visible(comparison):
    fig, ax = plt.subplots()
    plot_stage_shares(comparison.results["deadline"], {"coordinated": 0.25, "middle": 0.5, "little": 0.25}, ax=ax)
    markers = [c.get_offsets()[0] for c in ax.collections if len(c.get_offsets()) == 1]
    xs = {round(float(x), 3) for x, y in markers if y == 0.25}
    assert len(xs) == 2                       # coordinated and little side by side, not on top of each other
    assert "2012-01 to 2013-12" in ax.get_title()
    plt.close(fig)
