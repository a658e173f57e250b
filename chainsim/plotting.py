"""Figures: data preparation apart from drawing, every drawing on an optional ``ax``.

Each figure has a ``*_data`` function that returns a tidy pandas frame (what
the tests check) and a drawing function that takes that frame -- or results
-- and an optional matplotlib axes (STYLE.md habit 10).
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.cm import ScalarMappable
from matplotlib.colors import ListedColormap, Normalize
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from chainsim.core.calendar import NATIONAL_EVENTS, Month
from chainsim.core.eras import REGIONS
from chainsim.core.location_measurement import LOCATION_ITEM_NAMES, survey_figures
from chainsim.core.locations import region_of
from chainsim.core.measurement import STAGES
from chainsim.core.population import Kind
from chainsim.core.regions import load_regions
from chainsim.results import Results, load_observed, mean_ci
from chainsim.statistics import estimate


def _effect_band(values, bounds: tuple[float, float]) -> dict:
    """:func:`_band` of a paired difference, by the rule of comparison.json (chainsim.statistics.estimate):
    no band where every replication gives the same difference."""
    e = estimate(values, bounds)
    return _band({"mean": e.mean, "ci95": e.ci() or [None, None]})


def _band(ci: dict) -> dict:
    """Mean and interval as floats for drawing: no interval (one replication, or every replication the same
    value) becomes NaN, drawn as no band."""
    lo, hi = ci["ci95"]
    return {"mean": np.nan if ci["mean"] is None else ci["mean"],
            "low": np.nan if lo is None else lo, "high": np.nan if hi is None else hi}


STAGE_COLOURS = {"coordinated": "#1b7837", "middle": "#f1a340", "little": "#b2182b"}


RUN_TABLE = "region_months.parquet"
"""The table of a run folder (``chainsim run``) that :func:`plot_stage_shares` reads."""

_RUN_COLUMNS = ("replication", "month", "region_code", "stage")


def _bands(shares: np.ndarray, months, draws=None) -> pd.DataFrame:
    """Per month and stage: the mean of (replications x months x stages) shares and its 95% interval.

    With ``draws`` (the posterior draw of each replication) the unit is the
    draw, as in ``summary.json``: its replications' mean.
    """
    if draws is not None:
        draws = np.asarray(draws)
        shares = np.stack([shares[draws == d].mean(axis=0) for d in np.unique(draws)])
    rows = []
    for t, month in enumerate(months):
        for k, stage in enumerate(STAGES):
            ci = mean_ci(shares[:, t, k], 0.0, 1.0)
            rows.append({"month": pd.Timestamp(month.year, month.month, 1), "stage": stage, **_band(ci)})
    return pd.DataFrame(rows)


def _run_rows(source) -> pd.DataFrame:
    """The rows of a run: ``source`` is a run folder, its Parquet file, or those rows as a frame."""
    if isinstance(source, pd.DataFrame):
        frame, name, have = source, "the frame", set(source.columns)
    else:
        path = Path(source)
        path = path / RUN_TABLE if path.is_dir() else path
        if not path.is_file():
            era = " (a werkplein-era run has location_shares.csv instead: this figure shows the regions' stages)" \
                if (path.parent / "location_shares.csv").is_file() else ""
            raise FileNotFoundError(f"{path}: not found{era}; give a Results, the folder `chainsim run` wrote "
                                    f"(it holds {RUN_TABLE}) or its rows as a frame")
        import pyarrow.parquet as pq

        frame, name, have = None, str(path), set(pq.read_schema(path).names)   # checked before it is read
    missing = [c for c in _RUN_COLUMNS if c not in have]
    if missing:
        raise ValueError(f"{name}: no column {', '.join(missing)}; expected the rows of {RUN_TABLE} "
                         "(docs/outputs.md)")
    if frame is None:
        frame = pd.read_parquet(name, columns=list(_RUN_COLUMNS))
    other = sorted(set(frame["stage"].astype(str)) - set(STAGES))
    if other:
        raise ValueError(f"{name}: stage {', '.join(other)} is not a region stage ({', '.join(STAGES)}); "
                         "this figure shows the labour market regions' stages")
    return frame


def stage_share_data(source) -> pd.DataFrame:
    """Per month and stage: mean share of regions and its 95% confidence interval.

    ``source`` is a :class:`~chainsim.results.Results`, the folder ``chainsim
    run`` wrote (or its ``region_months.parquet``), or those rows as a frame.
    For a run over posterior draws (``--posterior``) the interval is taken
    over the draws' means, as in ``summary.json``. ``low`` and ``high`` are
    NaN (drawn as no band) where there is no interval: one replication, or a
    month where every replication gave the same share (often the first months,
    before any region moves).
    """
    if isinstance(source, Results):
        draws = [run.draw for run in source.runs] if source.posterior else None
        return _bands(source.stage_shares(), source.calendar.months, draws)
    return _row_bands(_run_rows(source), _run_summary(source))


def _row_bands(frame: pd.DataFrame, summary: dict | None) -> pd.DataFrame:
    """:func:`stage_share_data` of a run's rows (and its summary, which says whether it ran posterior draws)."""
    counts = (frame.groupby(["replication", "month"], observed=True)["stage"].value_counts(normalize=True)
              .unstack(fill_value=0.0).reindex(columns=list(STAGES), fill_value=0.0))
    replications = counts.index.get_level_values("replication").unique()
    months = pd.DatetimeIndex(counts.index.get_level_values("month").unique()).sort_values()
    shares = np.stack([counts.loc[r].reindex(months).to_numpy(dtype=float) for r in replications])
    if np.isnan(shares).any():
        raise ValueError("the replications cover different months; a run's rows cover the same months")
    posterior = (summary or {}).get("posterior")
    draws = np.asarray(replications) // posterior["replications_per_draw"] if posterior else None
    return _bands(shares, [Month(m.year, m.month) for m in months], draws)


def plot_stage_shares(source, observed: dict | None = None, ax=None):
    """Share of regions per stage over time, mean and 95% band; observed shares marked.

    ``source`` as :func:`stage_share_data` takes it. The levers are shaded
    for a ``Results`` and for a run folder (from its ``summary.json``).
    """
    if isinstance(source, Results):
        data = stage_share_data(source)
        cal = source.calendar
        start, end, observed_at, levers = cal.start, cal.end, cal.observed_at, source.config.levers
        n_regions, replications = source.n_regions, len(source.runs)
    else:
        frame, summary = _run_rows(source), _run_summary(source)      # the file is read once
        data = _row_bands(frame, summary)
        first, last = data["month"].min(), data["month"].max()
        start, end = Month(first.year, first.month), Month(last.year, last.month)
        n_regions, replications = frame["region_code"].nunique(), frame["replication"].nunique()
        observed_at = Month.parse(summary["observed_at"]) if summary else REGIONS.calendar.observed_at
        levers = [_LeverSpan.of(lever) for lever in summary["config"]["levers"]] if summary else []
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 5))
    for stage in STAGES:
        part = data[data["stage"] == stage]
        colour = STAGE_COLOURS[stage]
        ax.fill_between(part["month"], part["low"], part["high"], color=colour, alpha=0.25, lw=0)
        ax.plot(part["month"], part["mean"], color=colour, lw=2, label=f"{stage} (simulated)")
    if observed:
        x = pd.Timestamp(observed_at.year, observed_at.month, 1)
        # equal observed shares (coordinated and little are both 0.25) would hide each other:
        # each stage's marker sits a little to the side, with its value written beside it
        for k, stage in enumerate(STAGES):
            xk = x + pd.Timedelta(days=45 * (k - 1))
            ax.scatter([xk], [observed[stage]], marker="D", s=60, color=STAGE_COLOURS[stage],
                       edgecolor="black", zorder=5)
            ax.annotate(f"{observed[stage]:.2f}", (xk, observed[stage]), textcoords="offset points",
                        xytext=(0, 7), ha="center", fontsize=7, color=STAGE_COLOURS[stage])
        ax.scatter([], [], marker="D", color="white", edgecolor="black",
                   label=f"observed {observed_at} (Inspectie SZW)")
        ax.axvline(x, color="grey", lw=0.8, ls=":")
    mark_levers(ax, levers, end)
    ax.set_ylim(0, 1)
    ax.set_ylabel("share of regions")
    ax.set_title(f"Stage of the coordinated approach, {n_regions} regions, {start} to {end}\n"
                 f"({replications} replications, mean and 95% CI)", fontsize=10)
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    return ax


def _run_summary(source) -> dict | None:
    """The ``summary.json`` beside a run's table (None for a frame or a table without one)."""
    if isinstance(source, pd.DataFrame):
        return None
    path = Path(source)
    summary = (path if path.is_dir() else path.parent) / "summary.json"
    return json.loads(summary.read_text()) if summary.is_file() else None


@dataclass(frozen=True)
class _LeverSpan:
    """What :func:`mark_levers` reads of a lever, from a run's ``summary.json``."""

    kind: str
    start: Month
    end: Month | None

    @classmethod
    def of(cls, record: dict) -> "_LeverSpan":
        end = record.get("end")
        return cls(record["kind"], Month.parse(record["start"]), Month.parse(end) if end else None)


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
    coordinated regions (scenario minus base, replication by replication) and its 95% CI, by the
    rule of comparison.json (:func:`chainsim.statistics.estimate`: no band where every replication
    gives the same difference)."""
    rows = []
    base = comparison.coordinated(comparison.base)
    for name in comparison.results:
        if name == comparison.base:
            continue
        diff = comparison.coordinated(name) - base
        for t, month in enumerate(comparison.calendar.months):
            rows.append({"scenario": name, "month": pd.Timestamp(month.year, month.month, 1),
                         **_effect_band(diff[:, t], (-1.0, 1.0))})
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


LOCATION_STAGE_COLOURS = {"integrated": "#1b7837", "partly": "#f1a340", "separate": "#b2182b"}
"""The werkplein era's stages (docs/ODD.md §8.3), from the top stage down in the region era's colours."""
LOCATION_STAGE_TEXT_COLOURS = {"integrated": "white", "partly": "black", "separate": "white"}
LOCATION_KIND_LABELS = {**KIND_LABELS, Kind.CENTRE: "host municipality",
                        Kind.UWV: "agency: CWI + UWV"}
"""The actors of a werkplein location: its agency is CWI's branch with UWV's coaches until their merger."""
SURVEY_STAGE_ITEMS = {"integrated": "integrated_service"}
"""Stages that are a survey item: a location is integrated exactly when it has the survey's integrated
guidance to work (:func:`chainsim.core.location_measurement.measure_locations`)."""
SURVEY_NAME = "observed: IWI survey"


def model_era(model):
    """The era a model runs (:class:`chainsim.core.eras.Era`); the region era for a model without one."""
    return getattr(model, "era", REGIONS)


def stage_colours(stages, extra: bool = False) -> dict[str, str]:
    """Colour of each stage (either era's); with ``extra``, also "not simulated yet" and "not in this run"."""
    colours = {**STAGE_COLOURS, **LOCATION_STAGE_COLOURS}
    out = {stage: colours[stage] for stage in stages}
    return {**out, NOT_SIMULATED: STAGE_COLOURS_ALL[NOT_SIMULATED], NOT_IN_RUN: STAGE_COLOURS_ALL[NOT_IN_RUN]} \
        if extra else out


def stage_text_colours(stages) -> dict[str, str]:
    """Colour of a tile's text on each stage's colour (either era's), and on the two extra tiles."""
    colours = {**STAGE_TEXT_COLOURS, **LOCATION_STAGE_TEXT_COLOURS}
    return {stage: colours[stage] for stage in (*stages, NOT_SIMULATED, NOT_IN_RUN)}


MERGER = next(event.start for event in NATIONAL_EVENTS if event.name == "cwi_uwv_merger")
"""CWI and UWV merge on 2009-01-01: from then on a location's agency is UWV."""


def last_month(model) -> Month:
    """The month the model simulated last (its first month before the first step)."""
    return model.calendar.months[max(model.t - 1, 0)]


def month_words(model) -> str:
    """Where a running model stands, for a title: "month 14 (2013-02)", or "before its first month (2012-01)"."""
    return f"month {model.t} ({last_month(model)})" if model.t else f"before its first month ({last_month(model)})"


def kind_labels(model) -> dict[Kind, str]:
    """What the actors are called in the model's era: a location's host municipality, and its agency (CWI's
    branch with UWV's coaches, UWV from the merger of 2009 on)."""
    if model_era(model).name == REGIONS.name:
        return KIND_LABELS
    if last_month(model) >= MERGER:
        return {**LOCATION_KIND_LABELS, Kind.UWV: "agency: UWV"}
    return LOCATION_KIND_LABELS


def unit_index(model, unit: str | int) -> int:
    """The row of a unit (a region or location) in the run: by name, by code or by index."""
    if isinstance(unit, (int, np.integer)):
        return int(unit)
    state = model.regions_state
    if unit in state.codes:
        return state.codes.index(unit)
    if unit in state.names:
        return state.names.index(unit)
    raise ValueError(f"{unit!r} is not a {model_era(model).unit} of this run (allowed: its names or codes)")


def stage_share_series(model) -> dict[str, np.ndarray]:
    """Share of units (regions, or locations) per stage of the model's era for every month simulated so far."""
    stage = model.recorder.stage[: model.t]
    return {name: (stage == k).mean(axis=1) for k, name in enumerate(model_era(model).stages)}


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
    """The region's (or location's: name or code) own ties (not those to other units), with each node's kind
    and the trust on each tie."""
    code = model.regions_state.codes[unit_index(model, region)]
    sub = nx.Graph()
    for u, v, d in model.graph.edges(data=True):
        if d["region"] != code:
            continue
        for node in (u, v):
            sub.add_node(node, name=model.agent_by_row[node].name, kind=Kind(int(model.population.kind[node])))
        sub.add_edge(u, v, trust=d["trust"])
    return sub


def plot_model_stage_shares(model, ax=None):
    """Share of units per stage so far in one running model, in the colours of its era's stages.

    In the werkplein era the survey's interval for a stage that is one of its
    items (:data:`SURVEY_STAGE_ITEMS`) is drawn as a band over its fieldwork
    months (:func:`stage_band_data`); in the region era, for a model of all
    35 regions, the Inspectorate's 2014 shares are marked at the observation
    month (they are national, so a model of fewer regions has no marks).
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.2))
    era = model_era(model)
    colours = stage_colours(era.stages)
    months = np.arange(model.t)
    marker = "o" if model.t < 6 else None          # a line of one month would not show
    for name, values in stage_share_series(model).items():
        ax.plot(months, values, color=colours[name], lw=2, marker=marker, ms=4, label=name)
    bands = stage_band_data(model)
    for band in bands.itertuples():
        _draw_band(ax, band.first, band.last, band.low, band.high, colours[band.stage],
                   f"{band.stage}: survey 2007, {band.low:.2f}-{band.high:.2f}")
    observed = load_observed()
    when = Month.parse(observed["meta"]["observed_at"])
    if era.name == REGIONS.name and sorted(model.regions_state.codes) == sorted(r.code for r in load_regions()) and \
            model.calendar.start <= when <= model.calendar.end:
        for i, (name, share) in enumerate(observed["stage_shares"].items()):
            ax.plot([model.calendar.index(when)], [share], marker="D", ls="", color=colours[name], ms=7,
                    markeredgecolor="black", label=f"observed {observed['meta']['observed_at']} (Inspectie SZW)"
                    if i == 0 else None)
    return _month_axes(ax, model, "dotted: observation month", 8, "center right",
                       f"Stage shares, {month_words(model)}")


def _month_axes(ax, model, note: str, legend_size: int, legend_loc: str, title: str):
    """The month axis of a running model's share plot: observation month dotted, shares 0 to 1 of the era's units."""
    ax.axvline(model.calendar.observed_index, color="grey", ls=":", lw=0.8)
    ax.set_xlim(-1, model.calendar.n_months)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel(f"months since {model.calendar.start} ({note})")
    ax.set_ylabel(f"share of {model_era(model).unit}s")
    ax.legend(fontsize=legend_size, frameon=False, loc=legend_loc)
    ax.set_title(title, fontsize=10)
    return ax


def plot_region_network(model, region: str, ax=None, legend: bool = True):
    """The region's network: nodes coloured by kind of actor, ties by trust (red low, green high).

    With ``legend``, a legend of the kinds of actor (with their numbers) and
    a colour bar of trust on the ties (0 to 1).
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4.5))
    sub = region_network(model, region)
    labels = kind_labels(model)
    if model_era(model).name != REGIONS.name:
        region = model.regions_state.names[unit_index(model, region)]
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
                          markeredgecolor="#444444", label=f"{labels[kind]} ({kinds.count(kind)})")
                   for kind in KIND_COLOURS if kind in kinds]
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False,
                  title="actors", title_fontsize=8, alignment="left")
        bar = ax.figure.colorbar(ScalarMappable(Normalize(0, 1), plt.get_cmap(TRUST_CMAP)), ax=ax,
                                 orientation="horizontal", fraction=0.05, pad=0.02, aspect=40)
        bar.set_label("trust on a tie (0 = none, 1 = full)", fontsize=8)
        bar.ax.tick_params(labelsize=7)
    return ax


# --- the werkplein era's locations in one running model (the browser app) ---------
def _month_index(model, month: str) -> int:
    return model.calendar.index(Month.parse(month))


def location_tile_map(model) -> pd.DataFrame:
    """One row per unit of the model's era (every location, in or out of the run): code, name, region
    (code), region_name, region_label (short), row and col of its region's tile (:func:`region_tile_layout`),
    number (its place in the region, from 1) and stage (as in :func:`region_tile_map`)."""
    era = model_era(model)
    layout = region_tile_layout().set_index("code")
    codes = list(model.regions_state.codes)
    if model.t == 0:
        current = {code: NOT_SIMULATED for code in codes}
    else:
        current = {code: era.stages[s] for code, s in zip(codes, model.recorder.stage[model.t - 1])}
    rows, count = [], {}
    for unit in era.select(None):
        region = region_of(unit.code)
        count[region] = count.get(region, 0) + 1
        tile = layout.loc[region]
        rows.append({"code": unit.code, "name": unit.name, "region": region, "region_name": tile["name"],
                     "region_label": tile["label"], "row": int(tile["row"]), "col": int(tile["col"]),
                     "number": count[region], "stage": current.get(unit.code, NOT_IN_RUN)})
    return pd.DataFrame(rows)


def survey_band_data(model) -> pd.DataFrame:
    """The era's observed figures as bands over their fieldwork months: one row per figure of the 2007
    survey (item, label, low, high, words, passage, use, first and last month index, first_month,
    last_month); none in an era without fieldwork (the region era) or a calendar without its months."""
    era = model_era(model)
    columns = ["item", "label", "low", "high", "words", "passage", "use", "first", "last", "first_month",
               "last_month"]
    if era.fieldwork is None or era.calendar_problem(model.calendar) is not None:
        return pd.DataFrame(columns=columns)
    first, last = (_month_index(model, m) for m in era.fieldwork)
    return pd.DataFrame([{"item": f.item, "label": LOCATION_ITEM_NAMES[f.item], "low": f.low, "high": f.high,
                          "words": f.words, "passage": f.passage, "use": f.use, "first": first, "last": last,
                          "first_month": era.fieldwork[0], "last_month": era.fieldwork[1]}
                         for f in survey_figures()], columns=columns)


def stage_band_data(model) -> pd.DataFrame:
    """The survey bands of the stages that are survey items (:data:`SURVEY_STAGE_ITEMS`), with a stage column."""
    bands = survey_band_data(model)
    item_stage = {item: stage for stage, item in SURVEY_STAGE_ITEMS.items() if stage in model_era(model).stages}
    bands = bands[bands["item"].isin(list(item_stage))].copy()
    bands.insert(0, "stage", [item_stage[item] for item in bands["item"]])
    return bands.reset_index(drop=True)


def item_share_series(model, items) -> dict[str, np.ndarray]:
    """Share of units with each measured item (the era's indicators) for every month simulated so far."""
    indicators = list(model.recorder.indicators)
    unknown = [item for item in items if item not in indicators]
    if unknown:
        raise ValueError(f"items {', '.join(unknown)} are not measured in this era (allowed: "
                         f"{', '.join(indicators)})")
    got = model.recorder.items[: model.t]
    return {item: got[:, :, indicators.index(item)].mean(axis=1) for item in items}


def _draw_band(ax, first: int, last: int, low: float, high: float, colour, label) -> None:
    """An observed interval as a band over its months (indices ``first`` to ``last``)."""
    ax.fill_between([first - 0.5, last + 0.5], low, high, color=colour, alpha=0.3, lw=0.8, edgecolor=colour,
                    label=label)


def plot_model_item_shares(model, items, ax=None):
    """Share of locations with each of ``items`` so far, and the survey's interval for each as a band over
    its fieldwork months (March-May 2007) in the item's colour."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 3.6))
    colours = plt.get_cmap("tab10")
    bands = survey_band_data(model).set_index("item")
    months = np.arange(model.t)
    marker = "o" if model.t < 6 else None
    for i, (item, values) in enumerate(item_share_series(model, items).items()):
        colour = colours(i % 10)
        ax.plot(months, values, color=colour, lw=1.8, marker=marker, ms=3, label=item.replace("_", " "))
        if item in bands.index:
            band = bands.loc[item]
            _draw_band(ax, int(band["first"]), int(band["last"]), band["low"], band["high"], colour, None)
    if len(bands):
        ax.fill_between([], [], [], color="grey", alpha=0.3, label=f"{SURVEY_NAME} "
                        f"({bands['first_month'].iloc[0]}..{bands['last_month'].iloc[0]})")
    return _month_axes(ax, model, "dotted: observation month; bands: the survey", 7, "upper left",
                       f"Survey items, {month_words(model)}")


ARRANGEMENT_ITEMS = {"chain_consultation": "regional_form"}
"""A location arrangement measured under another item's name (the survey asked for 'a regional form')."""


def location_history_data(model, location: str) -> pd.DataFrame:
    """Per month simulated so far at one location: its stage and, per arrangement of the era's catalogue,
    whether it was in force (read from the recorded items: each arrangement is one item)."""
    r = unit_index(model, location)
    indicators = list(model.recorder.indicators)
    ids = list(model.catalogue.ids)
    items = model.recorder.items[: model.t, r]
    frame = pd.DataFrame({a: items[:, indicators.index(ARRANGEMENT_ITEMS.get(a, a))] for a in ids},
                         index=pd.Index([str(m) for m in model.calendar.months[: model.t]], name="month"))
    frame.insert(0, "stage", [model_era(model).stages[s] for s in model.recorder.stage[: model.t, r]])
    return frame


def plot_location_history(model, location: str, ax=None):
    """A location over the months: its stage (a strip in the stage colours) above the arrangements in force
    (green); the observation month dotted, the CWI-UWV merger dashed. ``ax`` is a pair (top, bottom)."""
    if ax is None:
        _, ax = plt.subplots(2, 1, figsize=(7, 4.6), sharex=True, height_ratios=(1, 5))
    top, bottom = ax
    era = model_era(model)
    data = location_history_data(model, location)
    colours = stage_colours(era.stages)
    for t, stage in enumerate(data["stage"]):
        top.add_patch(Rectangle((t - 0.5, 0), 1, 1, facecolor=colours[stage], lw=0))
    top.add_patch(Rectangle((model.t - 0.5, 0), model.calendar.n_months - model.t, 1,
                            facecolor=STAGE_COLOURS_ALL[NOT_SIMULATED], lw=0))
    top.set_ylim(0, 1)
    top.set_yticks([])
    top.set_ylabel("stage", rotation=0, ha="right", va="center", fontsize=8)
    top.legend(handles=[Patch(facecolor=colours[s], label=s) for s in era.stages], fontsize=7, frameon=False,
               ncols=len(era.stages), loc="lower left", bbox_to_anchor=(0, 1.0))
    ids = list(model.catalogue.ids)
    grid = np.full((len(ids), model.calendar.n_months), np.nan)
    grid[:, : model.t] = data[ids].to_numpy(dtype=float).T
    cmap = ListedColormap(["white", "#238b45"]).with_extremes(bad=STAGE_COLOURS_ALL[NOT_SIMULATED])
    bottom.imshow(np.ma.masked_invalid(grid), aspect="auto", cmap=cmap, vmin=0, vmax=1, interpolation="nearest",
                  extent=(-0.5, model.calendar.n_months - 0.5, len(ids) - 0.5, -0.5))
    bottom.set_yticks(range(len(ids)), [a.replace("_", " ") for a in ids], fontsize=7)
    months = model.calendar.months
    ticks = [t for t, m in enumerate(months) if m.month == 1]
    bottom.set_xticks(ticks, [str(months[t].year) for t in ticks], fontsize=8)
    for a in (top, bottom):
        a.axvline(model.calendar.observed_index, color="grey", ls=":", lw=0.8)
        if months[0] <= MERGER <= months[-1]:
            a.axvline(model.calendar.index(MERGER) - 0.5, color="grey", ls="--", lw=0.8)
        a.set_xlim(-0.5, model.calendar.n_months - 0.5)
    r = unit_index(model, location)
    bottom.set_xlabel("green: in force; grey: not simulated yet; dotted: observation month; dashed: CWI-UWV merger",
                      fontsize=7.5)
    top.set_title(f"{model.regions_state.names[r]} ({model.regions_state.codes[r]}), {month_words(model)}",
                  fontsize=10, pad=18)
    return ax


# --- what-if against the baseline, same seeds (the browser app) ------------------
COMPARISON_SERIES = ("baseline", "what-if", "difference")
STAGE_PHRASES = {"coordinated": "with a coordinated approach", "integrated": "with integrated service"}
"""The top stage of each era in words, for titles."""


def baseline_comparison_data(months, baseline, whatif) -> pd.DataFrame:
    """Share of coordinated regions per month for the baseline, the what-if and their paired difference.

    ``baseline`` and ``whatif`` are (replications x months) arrays whose
    replication ``i`` ran with the same seed (common random numbers), so the
    difference is taken per replication before averaging. Rows per month and
    series ("baseline", "what-if", "difference"): mean and 95% CI; a series
    has no interval (NaN) where every replication gives the same value, as in
    ``chainsim compare`` and ``summary.json`` (:mod:`chainsim.statistics`).
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
            band = _effect_band(values, bounds) if series == "difference" else _band(mean_ci(values, *bounds))
            rows.append({"month": when, "series": series, **band, "replications": len(values)})
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
    stage, unit = data.attrs.get("stage", "coordinated"), data.attrs.get("unit", "region")
    for series, colour, style in (("baseline", "#404040", "-"), ("what-if", "#2166ac", "--")):
        part = data[data["series"] == series]
        top.fill_between(part["month"], part["low"], part["high"], color=colour, alpha=0.2, lw=0)
        top.plot(part["month"], part["mean"], color=colour, ls=style, lw=2, label=series)
    top.set_ylim(0, 1)
    top.set_ylabel(f"share {stage}")
    top.set_title(f"Share of {unit}s {STAGE_PHRASES.get(stage, f'in the {stage} stage')} ({n} replications each, "
                  f"same seeds; mean and 95% CI)", fontsize=10)
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
