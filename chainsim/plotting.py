"""Figures: data preparation apart from drawing, every drawing on an optional ``ax``.

Each figure has a ``*_data`` function that returns a tidy pandas frame (what
the tests check) and a drawing function that takes that frame -- or results
-- and an optional matplotlib axes (STYLE.md habit 10).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd

from chainsim.core.measurement import STAGES
from chainsim.core.population import Kind
from chainsim.results import Results, mean_ci

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


# --- one model, as it runs (the browser app, notebooks) ------------------------
KIND_COLOURS = {Kind.MUNICIPALITY: "#9ecae1", Kind.CENTRE: "#08519c", Kind.UWV: "#e6550d",
                Kind.SW_COMPANY: "#31a354", Kind.EMPLOYER_ORGANISATION: "#756bb1"}


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
    for name, values in stage_share_series(model).items():
        ax.plot(months, values, color=STAGE_COLOURS[name], lw=2, label=name)
    ax.axvline(model.calendar.observed_index, color="grey", ls=":", lw=0.8)
    ax.set_xlim(0, model.calendar.n_months)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel(f"months since {model.calendar.start} (dotted: observation month)")
    ax.set_ylabel("share of regions")
    ax.legend(fontsize=8, frameon=False, loc="center right")
    ax.set_title(f"Stage shares, month {model.t} ({model.calendar.months[max(model.t - 1, 0)]})", fontsize=10)
    return ax


def plot_region_network(model, region: str, ax=None):
    """The region's network: nodes coloured by kind of actor, ties by trust (red low, green high)."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4.5))
    sub = region_network(model, region)
    pos = nx.spring_layout(sub, seed=1)
    trust = [d["trust"] for _, _, d in sub.edges(data=True)]
    nx.draw_networkx_edges(sub, pos, ax=ax, edge_color=trust, edge_cmap=plt.get_cmap("RdYlGn"),
                           edge_vmin=0, edge_vmax=1, width=1.5)
    nx.draw_networkx_nodes(sub, pos, ax=ax, node_size=60,
                           node_color=[KIND_COLOURS[d["kind"]] for _, d in sub.nodes(data=True)])
    ax.set_title(f"{region}: ties coloured by trust (red low, green high)", fontsize=10)
    ax.axis("off")
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
