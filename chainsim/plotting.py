"""Figures: data preparation apart from drawing, every drawing on an optional ``ax``.

Each figure has a ``*_data`` function that returns a tidy pandas frame (what
the tests check) and a drawing function that takes that frame -- or results
-- and an optional matplotlib axes (STYLE.md habit 10).
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from chainsim.core.measurement import STAGES
from chainsim.core.population import Kind
from chainsim.results import Results, mean_ci

def _band(ci: dict) -> dict:
    """Mean and interval as floats for drawing: no interval (one replication) becomes NaN, drawn as no band."""
    lo, hi = ci["ci95"]
    return {"mean": np.nan if ci["mean"] is None else ci["mean"],
            "low": np.nan if lo is None else lo, "high": np.nan if hi is None else hi}


STAGE_COLOURS = {"coordinated": "#1b7837", "middle": "#f1a340", "little": "#b2182b"}


def stage_share_data(results: Results) -> pd.DataFrame:
    """Per month and stage: mean share of regions and its 95% confidence interval."""
    shares = results.stage_shares()
    rows = []
    for t, month in enumerate(results.calendar.months):
        for k, stage in enumerate(STAGES):
            ci = mean_ci(shares[:, t, k], 0.0, 1.0)
            rows.append({"month": pd.Timestamp(month.year, month.month, 1), "stage": stage,
                         **_band(ci)})
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
    cal = results.calendar
    if observed:
        at = cal.observed_at
        x = pd.Timestamp(at.year, at.month, 1)
        # equal observed shares (coordinated and little are both 0.25) would hide each other:
        # each stage's marker sits a little to the side, with its value written beside it
        for k, stage in enumerate(STAGES):
            xk = x + pd.Timedelta(days=45 * (k - 1))
            ax.scatter([xk], [observed[stage]], marker="D", s=60, color=STAGE_COLOURS[stage],
                       edgecolor="black", zorder=5)
            ax.annotate(f"{observed[stage]:.2f}", (xk, observed[stage]), textcoords="offset points",
                        xytext=(0, 7), ha="center", fontsize=7, color=STAGE_COLOURS[stage])
        ax.scatter([], [], marker="D", color="white", edgecolor="black",
                   label=f"observed {at} (Inspectie SZW)")
        ax.axvline(x, color="grey", lw=0.8, ls=":")
    mark_levers(ax, results.config.levers, cal.end)
    ax.set_ylim(0, 1)
    ax.set_ylabel("share of regions")
    ax.set_title(f"Stage of the coordinated approach, {results.n_regions} regions, {cal.start} to {cal.end}\n"
                 f"({len(results.runs)} replications, mean and 95% CI)", fontsize=10)
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    return ax


def _month_end(month) -> pd.Timestamp:
    return pd.Timestamp(month.year, month.month, 1) + pd.offsets.MonthEnd(0)


def mark_levers(ax, levers, until) -> None:
    """Shade the months each lever is on (start to end; to ``until`` when it has no end), labelled."""
    for i, lever in enumerate(levers):
        start = pd.Timestamp(lever.start.year, lever.start.month, 1)
        right = _month_end(lever.end if lever.end is not None else until)
        ax.axvspan(start, right, color="grey", alpha=0.07, lw=0)
        ax.axvline(start, color="grey", lw=0.8, ls="--")
        ax.annotate(f"{lever.kind} from {lever.start}" + (f" to {lever.end}" if lever.end else ""),
                    (start, 0.02 + 0.05 * i), xycoords=("data", "axes fraction"), fontsize=7,
                    color="dimgrey", xytext=(3, 0), textcoords="offset points", va="bottom")


def coordinated_share_data(comparison) -> pd.DataFrame:
    """Per scenario and month: mean share of coordinated regions and its 95% CI."""
    rows = []
    months = comparison.calendar.months
    for name in comparison.results:
        share = comparison.coordinated(name)
        for t, month in enumerate(months):
            ci = mean_ci(share[:, t], 0.0, 1.0)
            rows.append({"scenario": name, "month": pd.Timestamp(month.year, month.month, 1),
                         **_band(ci)})
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
    cal = comparison.calendar
    at = cal.observed_at
    x = pd.Timestamp(at.year, at.month, 1)
    ax.axvline(x, color="grey", lw=0.8, ls=":")
    if observed is not None:
        ax.scatter([x], [observed], marker="D", s=60, color="white", edgecolor="black", zorder=5,
                   label=f"observed {at} (Inspectie SZW)")
    mark_levers(ax, _levers_beyond_base(comparison), cal.end)
    ax.set_ylim(0, 1)
    ax.set_ylabel("share of regions with a coordinated approach")
    n = len(next(iter(comparison.results.values())).runs)
    ax.set_title(f"Scenarios compared, {cal.start} to {cal.end} ({n} replications each, "
                 "common random numbers; mean and 95% CI)", fontsize=10)
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    return ax


def _levers_beyond_base(comparison) -> list:
    base = set(comparison.results[comparison.base].config.levers)
    seen, levers = set(), []
    for name, results in comparison.results.items():
        for lever in results.config.levers:
            if lever not in base and lever not in seen:
                seen.add(lever)
                levers.append(lever)
    return levers


def comparison_difference_data(comparison) -> pd.DataFrame:
    """Per scenario other than the base and month: the paired difference in the share of
    coordinated regions (scenario minus base, replication by replication) and its 95% CI."""
    rows = []
    base = comparison.coordinated(comparison.base)
    for name in comparison.results:
        if name == comparison.base:
            continue
        diff = comparison.coordinated(name) - base
        for t, month in enumerate(comparison.calendar.months):
            ci = mean_ci(diff[:, t], -1.0, 1.0)
            rows.append({"scenario": name, "month": pd.Timestamp(month.year, month.month, 1),
                         **_band(ci)})
    return pd.DataFrame(rows)


def plot_comparison_difference(comparison, ax=None):
    """Each scenario minus the base (paired by replication) over time, with its 95% band."""
    data = comparison_difference_data(comparison)
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 3))
    colours = plt.get_cmap("tab10")
    names = list(comparison.results)
    for name, part in data.groupby("scenario", sort=False):
        colour = colours(names.index(name) % 10)
        ax.fill_between(part["month"], part["low"], part["high"], color=colour, alpha=0.2, lw=0)
        ax.plot(part["month"], part["mean"], color=colour, lw=1.8, label=f"{name} minus {comparison.base}")
    ax.axhline(0.0, color="black", lw=0.8)
    at = comparison.calendar.observed_at
    ax.axvline(pd.Timestamp(at.year, at.month, 1), color="grey", lw=0.8, ls=":")
    ax.set_ylabel("difference in share coordinated")
    ax.set_title("Paired difference with the base, by month (95% CI of the per-replication differences)",
                 fontsize=10)
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    return ax


def comparison_figure(comparison, observed: float | None = None):
    """A figure of two panels: the scenarios' shares, and their paired differences with the base."""
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 7.5), sharex=True, height_ratios=(3, 2))
    plot_comparison(comparison, observed, ax=top)
    plot_comparison_difference(comparison, ax=bottom)
    fig.tight_layout()
    return fig


# --- one model, as it runs (the browser app, notebooks) ------------------------
KIND_COLOURS = {Kind.MUNICIPALITY: "#9ecae1", Kind.CENTRE: "#08519c", Kind.UWV: "#e6550d",
                Kind.SW_COMPANY: "#31a354", Kind.EMPLOYER_ORGANISATION: "#756bb1"}
KIND_LABELS = {Kind.MUNICIPALITY: "municipality", Kind.CENTRE: "centre municipality", Kind.UWV: "UWV",
               Kind.SW_COMPANY: "SW company", Kind.EMPLOYER_ORGANISATION: "employer organisation"}
TRUST_CMAP = "RdYlGn"
NOT_SIMULATED = "not simulated yet"
NOT_IN_RUN = "not in this run"
STAGE_COLOURS_ALL = {**STAGE_COLOURS, NOT_SIMULATED: "#d9d9d9", NOT_IN_RUN: "#ffffff"}
STAGE_TEXT_COLOURS = {"coordinated": "white", "middle": "black", "little": "white", NOT_SIMULATED: "black",
                      NOT_IN_RUN: "grey"}


def stage_share_series(model) -> dict[str, np.ndarray]:
    """Share of regions per stage for every month simulated so far."""
    stage = model.recorder.stage[: model.t]
    return {name: (stage == k).mean(axis=1) for k, name in enumerate(STAGES)}


def region_tiles(model) -> list[tuple[str, str]]:
    """(region name, current stage) for every region, in table order."""
    if model.t == 0:
        return [(name, "little") for name in model.regions_state.names]
    stage = model.recorder.stage[model.t - 1]
    return [(name, STAGES[s]) for name, s in zip(model.regions_state.names, stage)]


@cache
def region_tile_layout() -> pd.DataFrame:
    """The 35 regions as tiles on a grid laid out like the Netherlands (``data/region_tiles.csv``).

    Columns code, name, label (short, for the tile), row, col (0 = north,
    west) and basis. An approximate hand layout, not to scale: regions that
    share a border share a side or a corner where the grid allows; the basis
    column names the few neighbours that do not touch.
    """
    with resources.files("chainsim.data").joinpath("region_tiles.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    frame = pd.DataFrame(rows)
    frame[["row", "col"]] = frame[["row", "col"]].astype(int)
    return frame


def region_tile_map(model) -> pd.DataFrame:
    """One row per region tile: code, name, label, row, col and stage.

    The stage is the one measured in the last simulated month;
    ``"not simulated yet"`` before the first step, ``"not in this run"`` for
    a region the run leaves out.
    """
    tiles = region_tile_layout().drop(columns="basis").copy()
    codes = list(model.regions_state.codes)
    if model.t == 0:
        current = {code: NOT_SIMULATED for code in codes}
    else:
        current = {code: STAGES[s] for code, s in zip(codes, model.recorder.stage[model.t - 1])}
    tiles["stage"] = [current.get(code, NOT_IN_RUN) for code in tiles["code"]]
    return tiles


def plot_region_tile_map(tiles: pd.DataFrame, selected: str | None = None, ax=None):
    """The regions as tiles coloured by stage (from :func:`region_tile_map`), short labels and a stage legend."""
    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 6.5))
    for tile in tiles.itertuples():
        edge = "black" if tile.name == selected else "white"
        ax.add_patch(Rectangle((tile.col, -tile.row), 0.95, -0.95, facecolor=STAGE_COLOURS_ALL[tile.stage],
                               edgecolor=edge, lw=2.5 if tile.name == selected else 0.5))
        ax.text(tile.col + 0.475, -tile.row - 0.475, tile.label.replace(" ", "\n", 1), ha="center", va="center",
                fontsize=6.5, color=STAGE_TEXT_COLOURS[tile.stage])
    ax.set_xlim(-0.1, tiles["col"].max() + 1.05)
    ax.set_ylim(-tiles["row"].max() - 1.1, 0.1)
    ax.set_aspect("equal")
    ax.axis("off")
    counts = tiles["stage"].value_counts()
    handles = [Patch(facecolor=STAGE_COLOURS_ALL[stage], edgecolor="grey", label=f"{stage} ({counts[stage]})")
               for stage in STAGE_COLOURS_ALL if stage in counts]
    ax.legend(handles=handles, loc="lower left", fontsize=7, frameon=False, title="stage", title_fontsize=8)
    return ax


def region_network(model, region: str) -> nx.Graph:
    """The region's own ties (not those to other regions), with each node's kind and the trust on each tie."""
    r = model.regions_state.names.index(region)
    sub = nx.Graph()
    for u, v, d in model.graph.edges(data=True):
        if d["region"] != r:
            continue
        for node in (u, v):
            sub.add_node(node, name=model.agent_by_row[node].name, kind=Kind(int(model.population.kind[node])))
        sub.add_edge(u, v, trust=d["trust"])
    return sub


def plot_model_stage_shares(model, ax=None):
    """Share of regions per stage so far in one running model."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.2))
    months = np.arange(model.t)
    marker = "o" if model.t < 6 else None          # a line of one month would not show
    for name, values in stage_share_series(model).items():
        ax.plot(months, values, color=STAGE_COLOURS[name], lw=2, marker=marker, ms=4, label=name)
    ax.axvline(model.calendar.observed_index, color="grey", ls=":", lw=0.8)
    ax.set_xlim(-1, model.calendar.n_months)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel(f"months since {model.calendar.start} (dotted: observation month)")
    ax.set_ylabel("share of regions")
    ax.legend(fontsize=8, frameon=False, loc="center right")
    ax.set_title(f"Stage shares, month {model.t} ({model.calendar.months[max(model.t - 1, 0)]})", fontsize=10)
    return ax


def plot_region_network(model, region: str, ax=None, legend: bool = True):
    """The region's network: nodes coloured by kind of actor, ties by trust (red low, green high).

    With ``legend``, a legend of the kinds of actor (with their numbers) and
    a colour bar of trust on the ties (0 to 1).
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4.5))
    sub = region_network(model, region)
    pos = nx.spring_layout(sub, seed=1)
    trust = [d["trust"] for _, _, d in sub.edges(data=True)]
    nx.draw_networkx_edges(sub, pos, ax=ax, edge_color=trust, edge_cmap=plt.get_cmap(TRUST_CMAP),
                           edge_vmin=0, edge_vmax=1, width=1.5)
    nx.draw_networkx_nodes(sub, pos, ax=ax, node_size=60, edgecolors="#444444", linewidths=0.5,
                           node_color=[KIND_COLOURS[d["kind"]] for _, d in sub.nodes(data=True)])
    ax.set_title(f"{region}: ties coloured by trust (red low, green high)", fontsize=10)
    ax.axis("off")
    if legend:
        kinds = [d["kind"] for _, d in sub.nodes(data=True)]
        handles = [Line2D([], [], ls="", marker="o", markersize=7, markerfacecolor=KIND_COLOURS[kind],
                          markeredgecolor="#444444", label=f"{KIND_LABELS[kind]} ({kinds.count(kind)})")
                   for kind in KIND_COLOURS if kind in kinds]
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False,
                  title="actors", title_fontsize=8, alignment="left")
        bar = ax.figure.colorbar(ScalarMappable(Normalize(0, 1), plt.get_cmap(TRUST_CMAP)), ax=ax,
                                 orientation="horizontal", fraction=0.05, pad=0.02, aspect=40)
        bar.set_label("trust on a tie (0 = none, 1 = full)", fontsize=8)
        bar.ax.tick_params(labelsize=7)
    return ax


# --- what-if against the baseline, same seeds (the browser app) ------------------
COMPARISON_SERIES = ("baseline", "what-if", "difference")


def baseline_comparison_data(months, baseline, whatif) -> pd.DataFrame:
    """Share of coordinated regions per month for the baseline, the what-if and their paired difference.

    ``baseline`` and ``whatif`` are (replications x months) arrays whose
    replication ``i`` ran with the same seed (common random numbers), so the
    difference is taken per replication before averaging. Rows per month and
    series ("baseline", "what-if", "difference"): mean and 95% CI.
    """
    baseline, whatif = np.asarray(baseline, dtype=float), np.asarray(whatif, dtype=float)
    if baseline.shape != whatif.shape or baseline.ndim != 2 or baseline.shape[1] != len(months):
        raise ValueError(f"baseline {baseline.shape} and what-if {whatif.shape} must both be "
                         f"(replications x {len(months)} months)")
    rows = []
    for t, month in enumerate(months):
        when = pd.Timestamp(month.year, month.month, 1)
        for series, values, bounds in (("baseline", baseline[:, t], (0.0, 1.0)), ("what-if", whatif[:, t], (0.0, 1.0)),
                                       ("difference", whatif[:, t] - baseline[:, t], (-1.0, 1.0))):
            ci = mean_ci(values, *bounds)
            rows.append({"month": when, "series": series, **_band(ci), "replications": len(values)})
    return pd.DataFrame(rows)


def plot_baseline_comparison(data: pd.DataFrame, ax=None, observed_at=None):
    """Two panels from :func:`baseline_comparison_data`: both series over time, and their paired difference.

    ``ax`` is a pair of axes (top, bottom); None makes a new figure. The
    bands are 95% confidence intervals of the mean over the replications.
    """
    if ax is None:
        _, ax = plt.subplots(2, 1, figsize=(8, 5.5), sharex=True)
    top, bottom = ax
    n = int(data["replications"].iloc[0])
    for series, colour, style in (("baseline", "#404040", "-"), ("what-if", "#2166ac", "--")):
        part = data[data["series"] == series]
        top.fill_between(part["month"], part["low"], part["high"], color=colour, alpha=0.2, lw=0)
        top.plot(part["month"], part["mean"], color=colour, ls=style, lw=2, label=series)
    top.set_ylim(0, 1)
    top.set_ylabel("share coordinated")
    top.set_title(f"Share of regions with a coordinated approach ({n} replications each, same seeds; "
                  f"mean and 95% CI)", fontsize=10)
    diff = data[data["series"] == "difference"]
    bottom.fill_between(diff["month"], diff["low"], diff["high"], color="#762a83", alpha=0.25, lw=0,
                        label="95% CI of the paired difference")
    bottom.plot(diff["month"], diff["mean"], color="#762a83", lw=2, label="what-if minus baseline")
    bottom.axhline(0, color="grey", lw=0.8)
    bottom.set_ylabel("difference in share")
    if observed_at is not None:
        x = pd.Timestamp(observed_at.year, observed_at.month, 1)
        for a in (top, bottom):
            a.axvline(x, color="grey", lw=0.8, ls=":", label=f"observation month ({observed_at})" if a is top else None)
    top.legend(loc="upper left", fontsize=8, frameon=False)
    bottom.legend(loc="upper left", fontsize=8, frameon=False)
    return ax


# --- sweeps -------------------------------------------------------------------
def plot_effects(effects: pd.DataFrame, ax=None):
    """Effects with 95% intervals, one row per factor contrast, both moments."""
    labels = list(dict.fromkeys(effects["factor"] + ": " + effects["contrast"].astype(str)))
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 0.45 * len(labels) + 1.5))
    y = np.arange(len(labels))
    for offset, (when, colour) in zip((-0.15, 0.15), (("observed_at", "#2166ac"), ("end", "#b2182b"))):
        part = effects[effects["when"] == when]
        keys = (part["factor"] + ": " + part["contrast"].astype(str)).map({k: i for i, k in enumerate(labels)})
        ax.errorbar(part["effect"], keys + offset, xerr=[part["effect"] - part["low"], part["high"] - part["effect"]],
                    fmt="o", color=colour, capsize=3, label={"observed_at": "at the observation month",
                                                             "end": "at the end"}[when])
    ax.axvline(0, color="grey", lw=0.8)
    ax.set_yticks(y, labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("effect on the share of coordinated regions (95% CI)")
    ax.legend(fontsize=8, frameon=False)
    return ax
