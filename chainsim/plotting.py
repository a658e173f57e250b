"""Figures: data preparation apart from drawing, every drawing on an optional ``ax``.

Each figure has a ``*_data`` function that returns a tidy pandas frame (what
the tests check) and a drawing function that takes that frame -- or results
-- and an optional matplotlib axes (STYLE.md habit 10).
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # files only; the browser app brings its own backend
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from chainsim.measurement import STAGES  # noqa: E402
from chainsim.results import Results, mean_ci  # noqa: E402

STAGE_COLOURS = {"coordinated": "#1b7837", "middle": "#f1a340", "little": "#b2182b"}


def stage_share_data(results: Results) -> pd.DataFrame:
    """Per month and stage: mean share of regions and its 95% confidence interval."""
    shares = results.stage_shares()
    rows = []
    for t, month in enumerate(results.calendar.months):
        for k, stage in enumerate(STAGES):
            ci = mean_ci(shares[:, t, k], 0.0, 1.0)
            rows.append({"month": pd.Timestamp(month.year, month.month, 1), "stage": stage,
                         "mean": ci["mean"], "low": ci["ci95"][0], "high": ci["ci95"][1]})
    return pd.DataFrame(rows)


def plot_stage_shares(results: Results, observed: dict | None = None, ax=None):
    """Share of regions per stage over time, mean and 95% band; observed shares marked."""
    data = stage_share_data(results)
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 5))
    for stage in STAGES:
        part = data[data["stage"] == stage]
        colour = STAGE_COLOURS[stage]
        ax.fill_between(part["month"], part["low"], part["high"], color=colour, alpha=0.25, lw=0)
        ax.plot(part["month"], part["mean"], color=colour, lw=2, label=f"{stage} (simulated)")
    if observed:
        at = results.calendar.observed_at
        x = pd.Timestamp(at.year, at.month, 1)
        for stage in STAGES:
            ax.scatter([x], [observed[stage]], marker="D", s=60, color=STAGE_COLOURS[stage],
                       edgecolor="black", zorder=5)
        ax.scatter([], [], marker="D", color="white", edgecolor="black",
                   label=f"observed {at} (Inspectie SZW)")
        ax.axvline(x, color="grey", lw=0.8, ls=":")
    ax.set_ylim(0, 1)
    ax.set_ylabel("share of regions")
    ax.set_title(f"Stage of the coordinated approach, {results.n_regions} regions "
                 f"({len(results.runs)} replications, mean and 95% CI)")
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    return ax


def coordinated_share_data(comparison) -> pd.DataFrame:
    """Per scenario and month: mean share of coordinated regions and its 95% CI."""
    rows = []
    months = comparison.calendar.months
    for name in comparison.results:
        share = comparison.coordinated(name)
        for t, month in enumerate(months):
            ci = mean_ci(share[:, t], 0.0, 1.0)
            rows.append({"scenario": name, "month": pd.Timestamp(month.year, month.month, 1),
                         "mean": ci["mean"], "low": ci["ci95"][0], "high": ci["ci95"][1]})
    return pd.DataFrame(rows)


def plot_comparison(comparison, observed: float | None = None, ax=None):
    """Share of coordinated regions over time per scenario, mean and 95% band."""
    data = coordinated_share_data(comparison)
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 5))
    colours = plt.get_cmap("tab10")
    for i, (name, part) in enumerate(data.groupby("scenario", sort=False)):
        style = {"lw": 2.5, "ls": "-"} if name == comparison.base else {"lw": 1.8, "ls": "--"}
        ax.fill_between(part["month"], part["low"], part["high"], color=colours(i % 10), alpha=0.2, lw=0)
        ax.plot(part["month"], part["mean"], color=colours(i % 10), label=name, **style)
    at = comparison.calendar.observed_at
    x = pd.Timestamp(at.year, at.month, 1)
    ax.axvline(x, color="grey", lw=0.8, ls=":")
    if observed is not None:
        ax.scatter([x], [observed], marker="D", s=60, color="white", edgecolor="black", zorder=5,
                   label=f"observed {at} (Inspectie SZW)")
    ax.set_ylim(0, 1)
    ax.set_ylabel("share of regions with a coordinated approach")
    n = len(next(iter(comparison.results.values())).runs)
    ax.set_title(f"Scenarios compared ({n} replications each, common random numbers; mean and 95% CI)")
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    return ax
