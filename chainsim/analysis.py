"""What a sweep says: the effect of each factor on the share of units in the era's first stage.

The outcome is the share of the units of the sweep's era (its manifest's
``era``, the base scenario's) in the era's first stage: coordinated regions
in the region era, integrated locations in the werkplein era
(:data:`chainsim.core.eras.ERAS`, ``Era.stages[0]``). For every factor, the
effect on that share at the observation month and the end month (and, in
``effects_by_month``, every month the sweep kept), with 95% intervals:

- grid designs: the paired difference between a factor's levels (each
  level against the first, e.g. a lever against "none"), matched on the
  other factors and the replication. With common random numbers all
  design points of one replication share their random numbers, so the
  several pairs of a replication (one per combination of the other
  factors) are not independent draws: they are averaged per replication
  and the interval comes from the spread of those means -- the
  replication is the cluster, n is the number of replications (without
  common random numbers the pairs are independent, and this still holds).
  Where a lever factor acts on some regions only (``regions`` in the
  experiment), the effect is also given for the treated and the untreated
  regions (as :mod:`chainsim.compare` defines them);
- Latin hypercube, Sobol and Morris designs: the change over the factor's
  whole range from a least-squares fit of the run outcomes on all factors
  with one intercept per replication (its runs share random numbers, so
  the replication is a block), coefficient x range with its t interval;
- Sobol designs also get first-order and total indices, Morris designs mu*
  and sigma (SALib), computed on the mean over replications per point.

All effects shown with an interval form one family: their p-values are
Holm-adjusted and their simultaneous intervals Bonferroni's, and effects
that pass at 95% on their own but not after adjustment, or whose sign
differs between the first and second half of the replications, are flagged
(:mod:`chainsim.statistics`). A grid of two or more factors also gets its
interactions (:func:`interaction_records`), adjusted and flagged the same
way as a family of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from chainsim.compare import equal_values, fmt, fmt_p, group_differences, treated_mask
from chainsim.core.eras import ERAS, REGIONS, Era
from chainsim.core.levers import RegionSelection
from chainsim.core.measurement import COORDINATED
from chainsim.core.regions import select_regions
from chainsim.experiment import ExperimentError, load_experiment
from chainsim.statistics import (
    Estimate,
    all_equal,
    chance_finding,
    estimate,
    holm,
    seed_sensitive,
    simultaneous_level,
)
from chainsim.sweep import load_results, manifest_era, read_manifest

OUTCOMES = {"observed_at": "coordinated_observed_at", "end": "coordinated_end"}
"""The outcome columns of a region sweep's runs (:func:`outcome_columns` gives any era's)."""
BOUNDS = (-1.0, 1.0)
RESUME = "finish the sweep with chainsim sweep EXPERIMENT --out DIR --resume"


class AnalysisError(ValueError):
    """Stored runs that cannot answer what ``analyse`` asks: one line saying why and what to do."""


def outcome_columns(era: Era = REGIONS) -> dict[str, str]:
    """The outcome columns of the runs: ``<first stage>_observed_at`` and ``<first stage>_end``."""
    return {when: f"{era.stages[0]}_{when}" for when in ("observed_at", "end")}


def outcome_words(era: Era = REGIONS) -> str:
    """The outcome in words: "share of coordinated regions", "share of integrated locations"."""
    return f"share of {era.stages[0]} {era.unit}s"


@dataclass
class Outcomes:
    """The share of units in the era's first stage (coordinated regions, integrated locations) of every
    stored run, as arrays."""

    runs: pd.DataFrame                 # one row per run: run_id, point, replication, factors, outcome_columns
    months: list[str]                  # the months the arrays hold
    at: dict[str, int]                 # "observed_at", "end" -> index into months (as far as kept)
    national: np.ndarray               # (runs x months) share of units in the first stage
    first_stage: np.ndarray | None = None   # (runs x months x units) in the first stage or not, where kept
    codes: list[str] = field(default_factory=list)
    era: Era = REGIONS


def load_outcomes(out: str | Path) -> Outcomes:
    """Per run and month: the national share and, where the sweep kept units, each unit's stage.

    ``keep = "patterns"`` holds the observation month only (for regions each
    region's stage and the numbers per stage, for werkplein locations the
    shares per stage), ``"national"`` the shares per month.
    """
    manifest = read_manifest(Path(out))
    era = manifest_era(manifest)
    first = era.stages[0]
    frame = load_results(out)
    months, obs = manifest["months"], manifest["observed_index"]
    in_first, codes = None, []
    if frame.empty:
        runs = pd.DataFrame(columns=["run_id", "point", "replication", *manifest["factors"]])
        return Outcomes(runs, months, {}, np.zeros((0, len(months))), era=era)
    if "month" not in frame:                                  # keep = "patterns"
        stages = [c for c in frame if c.startswith("stage_")]
        if stages:                                            # regions: each region's stage, numbers per stage
            codes = [c.removeprefix("stage_") for c in stages]
            in_first = (frame[stages].to_numpy() == COORDINATED)[:, None, :]
            counted = frame[["n_coordinated", "n_middle", "n_little"]].sum(axis=1).to_numpy()
            national = (frame["n_coordinated"].to_numpy() / counted)[:, None]
        else:                                                 # another era: the shares of its units
            national = frame[f"share_{first}"].to_numpy(dtype=float)[:, None]
        months, at = [months[obs]], {"observed_at": 0}
    else:
        at = {"observed_at": obs, "end": len(months) - 1}
        n = frame["run_id"].nunique()
        unit = next((c for c in (f"{era.unit}_code", "region_code", "region") if c in frame), None)
        if unit:                                              # keep = "regions": sorted by run, month, unit
            codes = [str(c) for c in frame[unit].iloc[:frame[unit].nunique()]]
            in_first = _in_first_stage(frame["stage"], era).reshape(n, len(months), len(codes))
            national = in_first.mean(axis=2)
        else:                                                 # keep = "national"
            national = frame[f"share_{first}"].to_numpy(dtype=float).reshape(n, len(months))
    runs = frame.drop_duplicates("run_id")[["run_id", "point", "replication", *manifest["factors"]]]
    runs = runs.reset_index(drop=True)
    for when, t in at.items():
        runs[outcome_columns(era)[when]] = national[:, t]
    return Outcomes(runs, months, at, national, in_first, codes, era)


def _in_first_stage(stage: pd.Series, era: Era = REGIONS) -> np.ndarray:
    """Stages stored as labels ("coordinated", "integrated", ...) or as numbers (0: the era's first stage)."""
    if isinstance(stage.dtype, pd.CategoricalDtype) or stage.dtype == object:
        return stage.astype(str).to_numpy() == era.stages[0]
    return stage.to_numpy() == 0


# --- grids: paired differences, the replication as the cluster ------------------------
def _treated_regions(out: Path, manifest: dict, o: Outcomes):
    """A function (row, reference row) -> treated units, or None where all units are treated.

    It needs the experiment (from the text the manifest recorded) when a
    lever factor acts on some units only; returns a note when it cannot.
    """
    if o.first_stage is None:
        return None, None
    try:
        experiment = load_experiment(manifest["experiment_file"], manifest["experiment_text"])
    except ExperimentError as exc:
        return None, f"treated {o.era.unit}s not recomputed, the experiment no longer loads: {exc.problems[0]}"
    if all(f.lever is None or f.lever.regions == RegionSelection() for f in experiment.factors):
        return None, None
    if o.era.name == REGIONS.name:
        infos = select_regions(o.codes)
    else:                                       # the era's units in their table order, as the run had them
        infos = tuple(info for info in o.era.select(None) if info.code in set(o.codes))
    order = [[info.code for info in infos].index(code) for code in o.codes]
    config = cache(experiment.config)
    run_ids = o.runs["run_id"].to_numpy()

    def treated(row: int, ref: int) -> np.ndarray:
        a, b = int(run_ids[row]), int(run_ids[ref])
        mask = treated_mask(config(experiment.run_key(a)[0]), config(experiment.run_key(b)[0]), infos,
                            experiment.seed_sequence(a), experiment.seed_sequence(b))
        return mask[order]
    return treated, None


def _pairs(manifest: dict, o: Outcomes, k: int):
    """Per other level of factor ``k``: (level, reference level, [(row, reference row, replication)]).

    A level listed twice is one level: all its design points pair with all
    reference points that share the other factors' values; the pairs of one
    replication are averaged (:func:`grid_records`), so the copies are pooled.
    """
    points = manifest["points"]
    levels = list(dict.fromkeys(p[k] for p in points))           # design order: the first is the reference
    row_of = {(p, r): i for i, (p, r) in enumerate(zip(o.runs["point"], o.runs["replication"]))}

    def rest(point: list) -> tuple:                              # the other factors' values
        return tuple(v for j, v in enumerate(point) if j != k)
    reference: dict[tuple, list[int]] = {}
    for i, p in enumerate(points):
        if p[k] == levels[0]:
            reference.setdefault(rest(p), []).append(i)
    for level in levels[1:]:
        pairs = []
        for i, p in enumerate(points):
            for ref in reference.get(rest(p), []) if p[k] == level else []:
                for r in range(manifest["replications"]):
                    if (i, r) in row_of and (ref, r) in row_of:
                        pairs.append((row_of[i, r], row_of[ref, r], r))
        yield level, levels[0], pairs


def grid_gaps(manifest: dict, o: Outcomes) -> list[str]:
    """What a grid cannot show: factors with one level, levels listed twice, contrasts without finished pairs."""
    points, gaps = manifest["points"], []
    finished = set(o.runs["point"].tolist())
    for k, factor in enumerate(manifest["factors"]):
        count = pd.Series([p[k] for p in points]).value_counts(sort=False)   # equal, but for levels listed twice
        if len(count) == 1:
            gaps.append(f"{factor} has one level ({count.index[0]}): it has no effect to report")
            continue
        twice = [str(v) for v, n in count.items() if n > count.min()]
        if twice:
            gaps.append(f"{factor} lists level {', '.join(twice)} more than once: the runs of the copies are pooled")
        done = {p[k] for i, p in enumerate(points) if i in finished}
        for level, ref, pairs in _pairs(manifest, o, k):
            if not pairs:
                missing = [str(v) for v in (ref, level) if v not in done]
                why = (f"no finished runs at {factor} = {' or '.join(missing)}" if missing
                       else "no finished runs that differ in this factor only")
                gaps.append(f"no effect of {factor} {level} vs {ref} yet: {why}; {RESUME}")
    return gaps


def grid_records(manifest: dict, o: Outcomes, treated=None) -> list[dict]:
    """Paired effects of every factor's levels against its first, per group of regions."""
    records = []
    for k, factor in enumerate(manifest["factors"]):
        for level, ref, pairs in _pairs(manifest, o, k):
            if not pairs:                                        # named by grid_gaps
                continue
            rows, refs, reps = (np.array(v, dtype=int) for v in zip(*pairs))
            diffs = {"national": o.national[rows] - o.national[refs]}
            counts = {"national": (len(o.codes) or None,) * 2}
            if treated is not None:
                mask = np.stack([treated(a, b) for a, b in zip(rows, refs)])
                if (mask.any(axis=1) & ~mask.all(axis=1)).any():
                    diffs = group_differences(o.first_stage[rows], o.first_stage[refs], mask)
                    n = mask.sum(axis=1)
                    lo, hi, regions = int(n.min()), int(n.max()), len(o.codes)
                    counts.update(treated=(lo, hi), untreated=(regions - hi, regions - lo))
            for group, d in diffs.items():
                by_rep = pd.DataFrame(d).groupby(np.asarray(reps)).mean().to_numpy()   # one value per replication
                records.append({"factor": factor, "contrast": f"{level} vs {ref}", "regions": group,
                                "region_count": counts[group], "pairs": len(pairs), "replications": len(by_rep),
                                "monthly": [estimate(by_rep[:, t], BOUNDS) for t in range(len(o.months))]})
    return records


def interaction_records(manifest: dict, o: Outcomes) -> tuple[list[dict], list[str]]:
    """Per pair of a grid's factors and pair of their non-reference levels: what the two do together
    beyond the sum of each alone; and what cannot be shown yet (one line each).

    The difference of differences y(a, b) - y(a, b0) - y(a0, b) + y(a0, b0)
    (a0, b0 the factors' first levels), at equal levels of the other
    factors, paired by replication (the four runs share their random
    numbers) and averaged per replication as :func:`grid_records` averages
    its pairs (the copies of a level listed twice are pooled; a run without
    a value is left out). Positive: the combination does more than both alone.
    """
    from itertools import combinations

    points, factors = [tuple(p) for p in manifest["points"]], manifest["factors"]
    row_of = {(p, r): i for i, (p, r) in enumerate(zip(o.runs["point"], o.runs["replication"]))}
    copies: dict[tuple, list[int]] = {}
    for i, p in enumerate(points):
        copies.setdefault(p, []).append(i)           # a level listed twice: every copy

    def corner(point: tuple, r: int) -> np.ndarray | None:
        values = [o.national[row_of[i, r]] for i in copies.get(point, []) if (i, r) in row_of]
        return np.nanmean(values, axis=0) if values else None

    records, gaps = [], []
    for j, k in combinations(range(len(factors)), 2):
        levels_j = list(dict.fromkeys(p[j] for p in points))
        levels_k = list(dict.fromkeys(p[k] for p in points))
        for a in levels_j[1:]:
            for b in levels_k[1:]:
                by_rep: dict[int, list[np.ndarray]] = {}
                for p in dict.fromkeys(p for p in points if p[j] == a and p[k] == b):
                    def at(x, y, p=p) -> tuple:
                        q = list(p)
                        q[j], q[k] = x, y
                        return tuple(q)
                    four = [at(a, b), at(a, levels_k[0]), at(levels_j[0], b), at(levels_j[0], levels_k[0])]
                    for r in range(manifest["replications"]):
                        y = [corner(q, r) for q in four]
                        if all(v is not None for v in y):
                            by_rep.setdefault(r, []).append(y[0] - y[1] - y[2] + y[3])
                name, levels = f"{factors[j]} x {factors[k]}", f"{a} and {b} (against {levels_j[0]} and {levels_k[0]})"
                if not by_rep:
                    gaps.append(f"no interaction of {name} at {levels} yet: no replication has finished runs at all "
                                f"four combinations; {RESUME}")
                    continue
                means = np.array([np.nanmean(v, axis=0) for _, v in sorted(by_rep.items())])
                records.append({"factor": name, "contrast": levels, "regions": "national",
                                "region_count": (len(o.codes) or None,) * 2, "pairs": sum(map(len, by_rep.values())),
                                "replications": len(means),
                                "monthly": [estimate(means[:, t], (-2.0, 2.0)) for t in range(len(o.months))]})
    return records, gaps


# --- sampled designs: a fit with the replication as a block -------------------------------
def _fit(z: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Least squares of every column of y on z: coefficients, standard errors, degrees of freedom."""
    coef, *_ = np.linalg.lstsq(z, y, rcond=None)
    dof = len(y) - np.linalg.matrix_rank(z)
    if dof < 1:
        return coef, np.full_like(coef, np.nan), 0
    sigma2 = ((y - z @ coef) ** 2).sum(axis=0) / dof
    se = np.sqrt(np.outer(np.diag(np.linalg.pinv(z.T @ z)), sigma2))
    return coef, se, dof


def _estimable(x: np.ndarray, reps: np.ndarray) -> np.ndarray:
    """Per factor: whether the fit with one intercept per replication identifies its coefficient.

    It does when dropping the factor lowers the rank of the design matrix;
    the intercepts are taken out first (each factor less its mean per
    replication), which leaves the rank of the factors' part unchanged.
    """
    x = x - pd.DataFrame(x).groupby(reps).transform("mean").to_numpy()
    rank = np.linalg.matrix_rank(x)
    return np.array([np.linalg.matrix_rank(np.delete(x, j, axis=1)) < rank for j in range(x.shape[1])])


def _not_estimable(x: np.ndarray, reps: np.ndarray, factors: list[str]) -> str | None:
    """Why some factors' effects cannot be estimated from the finished runs (None when all can)."""
    bad = [f for f, ok in zip(factors, _estimable(x, reps)) if not ok]
    if not bad:
        return None
    distinct = len(np.unique(x, axis=0))
    if distinct < len(factors) + 1:
        why = (f"the finished runs sit at {distinct} distinct design point(s), fewer than the {len(factors) + 1} "
               f"(factors + 1) a fit of {len(factors)} factor(s) needs")
    elif constant := [f for f, column in zip(factors, x.T) if np.ptp(column) == 0]:
        why = f"{', '.join(constant)} does not vary among the finished runs"
    else:
        why = "among the finished runs they are confounded with the other factors or the replications"
    return (f"cannot estimate the effect of {', '.join(bad)}: {why}; "
            f"{RESUME}, or sample more points (design.samples)")


def regression_records(o: Outcomes, factors: list[str], bounds: list[list[float]]) -> list[dict]:
    """Change over each factor's range from a fit on all factors and one intercept per replication.

    Raises :class:`AnalysisError` when the design matrix of the finished runs
    does not identify every factor (a rank-deficient fit would print an
    arbitrary effect).
    """
    lows, ranges = np.array([lo for lo, _ in bounds]), np.array([hi - lo for lo, hi in bounds])
    x = (o.runs[factors].to_numpy(dtype=float) - lows) / ranges              # each factor on 0..1
    reps = o.runs["replication"].to_numpy()
    blocks = (reps[:, None] == np.unique(reps)[None, 1:]).astype(float)       # one intercept per replication
    z = np.column_stack([np.ones(len(x)), x, blocks])
    if problem := _not_estimable(x, reps, factors):
        raise AnalysisError(problem)
    coef, se, dof = _fit(z, o.national)
    halves = []
    kept = np.unique(reps)
    if len(kept) >= 2:
        for part in np.array_split(kept, 2):
            rows = np.isin(reps, part)
            b = (reps[rows][:, None] == part[None, 1:]).astype(float)
            c, _, d = _fit(np.column_stack([np.ones(rows.sum()), x[rows], b]), o.national[rows])
            identified = np.r_[True, _estimable(x[rows], reps[rows]), [True] * b.shape[1]]
            halves.append(np.where(identified[:, None], c, np.nan) if d >= 1 else None)
    records = []
    for i, factor in enumerate(factors, start=1):
        monthly = []
        for t in range(len(o.months)):
            half = [h[i, t] if h is not None and np.isfinite(h[i, t]) else None for h in halves] or [None, None]
            ok = dof >= 1 and np.isfinite(se[i, t])
            monthly.append(Estimate(float(coef[i, t]), float(se[i, t]) if ok else None, dof if ok else None,
                                    len(x), half[0], half[1], regression=True))
        records.append({"factor": factor, "contrast": f"{bounds[i - 1][0]:g} to {bounds[i - 1][1]:g}",
                        "regions": "national", "region_count": (len(o.codes) or None,) * 2, "pairs": len(x),
                        "replications": len(kept), "monthly": monthly})
    return records


# --- the family of effects shown ------------------------------------------------------------
def effect_tables(records: list[dict], o: Outcomes) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """The effects at the observation and end month (with Holm p and simultaneous intervals) and per month."""
    rows = []
    for rec in records:
        for when, t in o.at.items():
            e: Estimate = rec["monthly"][t]
            rows.append({"factor": rec["factor"], "contrast": rec["contrast"], "regions": rec["regions"],
                         "region_count": rec["region_count"], "when": when, "month": o.months[t],
                         "effect": e.mean, "low": e.low, "high": e.high, "p": e.p, "pairs": rec["pairs"],
                         "replications": rec["replications"], "first_half": e.first_half,
                         "second_half": e.second_half, "seed_sensitive": seed_sensitive(e),
                         "no_interval": e.why_no_interval, "_e": e})
    m = sum(row["p"] is not None for row in rows)
    for row, p_holm in zip(rows, holm([row["p"] for row in rows])):
        low, high = row.pop("_e").interval(simultaneous_level(m))
        row.update(p_holm=p_holm, low_simultaneous=low, high_simultaneous=high)
    by_month = [{"factor": rec["factor"], "contrast": rec["contrast"], "regions": rec["regions"], "month": month,
                 "effect": e.mean, "low": e.low, "high": e.high, "p": e.p, "replications": rec["replications"]}
                for rec in records for month, e in zip(o.months, rec["monthly"])]
    return pd.DataFrame(rows), pd.DataFrame(by_month), m


def _stat(row) -> dict:
    """A row of the effects table as :func:`chainsim.compare.fmt` takes it."""
    missing = row.low is None or np.isnan(row.low)
    stat = {"mean": None if row.effect is None or np.isnan(row.effect) else row.effect,
            "ci95": None if missing else [row.low, row.high]}
    if missing and isinstance(getattr(row, "no_interval", None), str):
        stat["no_interval"] = row.no_interval
    return stat


def _chance(row) -> bool:
    """A row of an effects table that is a possible chance finding (:func:`chainsim.statistics.chance_finding`)."""
    return chance_finding(_stat(row)["ci95"], _p(row.p_holm))


def warnings_for(effects: pd.DataFrame, m: int) -> list[dict]:
    """Effects that pass at 95% on their own but not after Holm, and effects whose sign rests on the seeds.

    Each warning is ``{"warning": text, "effects": [one line per effect]}``.
    """
    def name(row) -> str:
        group = "" if row.regions == "national" else f" [{row.regions}]"
        return (f"{row.factor} {row.contrast}{group} at {row.month}: {fmt(_stat(row), True)}, "
                f"Holm {fmt_p(row.p_holm)}")

    chance = [name(r) for r in effects.itertuples() if _chance(r)]
    seeds = [f"{name(r)}; halves {r.first_half:+.3f} and {r.second_half:+.3f}"
             for r in effects.itertuples() if r.seed_sensitive]
    out = []
    if chance:
        out.append({"warning": f"{len(chance)} of the {m} effects shown exclude zero on their own but not after "
                               f"adjusting for all {m} (Holm p >= 0.05; marked !): they may be chance findings; "
                               "add replications or rerun with another seed before relying on them",
                    "effects": chance})
    if seeds:
        out.append({"warning": f"{len(seeds)} effect(s) exclude zero but change sign between the first and the "
                               "second half of the replications (marked ~): their sign depends on the seeds",
                    "effects": seeds})
    return out


def sensitivity_indices(runs: pd.DataFrame, manifest: dict, sampler: dict) -> pd.DataFrame:
    """Sobol or Morris indices (SALib) on the mean outcome per design point."""
    problem = sampler["problem"]
    columns = outcome_columns(manifest_era(manifest))
    outcomes = {when: column for when, column in columns.items() if column in runs}
    means = runs.groupby("point")[list(outcomes.values())].mean().sort_index()
    if len(means) != len(manifest["points"]):
        raise AnalysisError(f"sensitivity indices need every design point ({len(means)} of "
                            f"{len(manifest['points'])} finished); {RESUME}")
    rows = []
    for when, column in outcomes.items():
        y = means[column].to_numpy()
        if manifest["design"] == "sobol":
            from SALib.analyze import sobol
            res = sobol.analyze(problem, y, calc_second_order=sampler.get("second_order", False), seed=1)
            for i, name in enumerate(problem["names"]):
                rows.append({"factor": name, "when": when, "index": "S1", "value": res["S1"][i],
                             "conf95": res["S1_conf"][i]})
                rows.append({"factor": name, "when": when, "index": "ST", "value": res["ST"][i],
                             "conf95": res["ST_conf"][i]})
        else:
            from SALib.analyze import morris
            x = np.array(manifest["points"], dtype=float)
            res = morris.analyze(problem, x, y, num_levels=sampler.get("levels", 4), seed=1)
            for i, name in enumerate(problem["names"]):
                rows.append({"factor": name, "when": when, "index": "mu_star", "value": res["mu_star"][i],
                             "conf95": res["mu_star_conf"][i]})
                rows.append({"factor": name, "when": when, "index": "sigma", "value": res["sigma"][i],
                             "conf95": np.nan})
    return pd.DataFrame(rows)


def analyse(out: str | Path) -> dict:
    """Effects (and indices where the design has them) of a finished or partial sweep.

    Returns ``era`` (the sweep's; the outcome is the share of its units in
    its first stage), ``runs`` (one row per run), ``effects`` (one row per factor,
    contrast, group of units and month shown; the groups are in the column
    ``regions`` whatever the era), ``effects_by_month``,
    ``multiplicity`` (how many effects are shown), ``warnings`` and
    ``notes`` (what the sweep's ``keep`` allows, grid factors or contrasts
    without an effect), and ``indices`` for Sobol and Morris designs.
    Raises :class:`AnalysisError` (one line) where the stored runs show no
    effect at all or cannot identify one: no runs yet, a sampled design
    whose finished runs do not identify every factor, no grid contrast with
    a finished pair of runs.
    """
    out = Path(out)
    manifest = read_manifest(out)
    try:
        result = _analyse(out, manifest)
    except AnalysisError as exc:
        raise AnalysisError(_with_paths(str(exc), manifest, out)) from None
    result["notes"] = [_with_paths(note, manifest, out) for note in result["notes"]]
    return result


def _with_paths(text: str, manifest: dict, out: Path) -> str:
    """``text`` with the placeholders of its resume command replaced by this sweep's experiment file and folder."""
    import shlex

    experiment = shlex.quote(manifest["experiment_file"]) if manifest.get("experiment_file") else "EXPERIMENT"
    return (text.replace("chainsim sweep EXPERIMENT --out DIR",
                         f"chainsim sweep {experiment} --out {shlex.quote(str(out))}")
            .replace("chainsim sweep EXPERIMENT", f"chainsim sweep {experiment}"))


def _analyse(out: Path, manifest: dict) -> dict:
    o = load_outcomes(out)
    notes, extra_warnings = [], []
    if manifest["keep"] == "patterns":
        notes.append('the sweep kept "patterns": the observation month only, no end month')
    result = {"runs": o.runs, "notes": notes, "warnings": [], "era": o.era.name, "planned_runs": manifest.get("n_runs")}
    if o.runs.empty:
        raise AnalysisError(f"{out}: no runs stored yet (a manifest but no chunks); start it with "
                            f"chainsim sweep EXPERIMENT --out {out} --resume")
    if manifest["design"] == "grid":
        treated, note = _treated_regions(out, manifest, o)
        notes += [note] if note else []
        records = grid_records(manifest, o, treated)
        gaps = grid_gaps(manifest, o)
        if not records:
            raise AnalysisError(f"{out}: nothing to show: {'; '.join(gaps)}")
        notes += gaps
        interactions, interaction_gaps = interaction_records(manifest, o)
        notes += interaction_gaps
        if interactions:
            table, _, n = effect_tables(interactions, o)         # Holm-adjusted as a family of their own
            result.update(interactions=table, interaction_multiplicity=n)
            extra_warnings += [{**w, "warning": "interactions: " + w["warning"]} for w in warnings_for(table, n)]
        if len(manifest["factors"]) > 1:
            notes.append("each contrast is matched on the other factors' levels and averaged over them (a main "
                         "effect); the interactions below say what two levels do together, and the runs of each "
                         f"combination are in chainsim.load_results({str(out)!r})")
    else:
        sampler = manifest["sampler"]
        records = regression_records(o, manifest["factors"], sampler["problem"]["bounds"])
        if manifest["design"] in ("sobol", "morris"):
            result["indices"] = sensitivity_indices(o.runs, manifest, sampler)
            counts = o.runs.groupby("point").size()
            if counts.min() != counts.max():
                notes.append(f"the design points have {counts.min()} to {counts.max()} finished replications: "
                             "the indices rest on unequal numbers of runs until the sweep is finished")
    effects, by_month, m = effect_tables(records, o)
    result.update(effects=effects, effects_by_month=by_month, multiplicity=m,
                  warnings=warnings_for(effects, m) + extra_warnings)
    return result


# --- the printed report ---------------------------------------------------------------------
def _label(row) -> str:
    lo, hi = row.region_count
    count = "" if lo is None else (f" ({lo})" if lo == hi else f" ({lo}-{hi})")
    return {"national": "all", "treated": "treated", "untreated": "untreated"}[row.regions] + count


def _p(value) -> float | None:
    return None if value is None or np.isnan(value) else value


def _cells(part: pd.DataFrame) -> str:
    """An effect's cells at its months: mean [95% CI], Holm p and its flags."""
    cells = ""
    for row in part.itertuples():
        flags = ("!" if _chance(row) else "") + ("~" if row.seed_sensitive else "")
        cells += f"{fmt(_stat(row), True) + ' ':<27}{fmt_p(_p(row.p_holm)):<9}{flags:<3}"
    return cells


def report_text(result: dict, written: list[Path]) -> str:
    """The plain-text table printed by ``chainsim analyse``."""
    effects, m = result["effects"], result["multiplicity"]
    runs = result["runs"]
    era = ERAS[result.get("era", REGIONS.name)]
    months = dict(zip(effects["when"], effects["month"]))
    reps = runs["replication"].nunique()
    planned = result.get("planned_runs")
    of = f" of {planned}" if planned is not None and planned != len(runs) else ""
    lines = [f"Effect on the {outcome_words(era)} ({len(runs)}{of} runs, {reps} replications); "
             "mean [95% CI], p Holm-adjusted", "",
             f"  {'factor / contrast':<40}{era.unit + 's':<16}" + "".join(
                 f"{'at ' + months[w]:<39}" for w in ("observed_at", "end") if w in months).rstrip()]
    factor = None
    for (fac, contrast, group), part in effects.groupby(["factor", "contrast", "regions"], sort=False):
        if fac != factor:
            lines.append(f"  {fac}")
            factor = fac
        cells = _cells(part)
        label = str(contrast) if group == "national" else ""
        lines.append(f"    {label[:37]:<38}{_label(next(part.itertuples())):<16}{cells.rstrip()}")
    lines += ["", f"{m} effects with an interval are shown at once: p is Holm-adjusted over these {m}; "
                  "analysis.json also holds "
                  "simultaneous 95% intervals (Bonferroni).",
              "! excludes zero on its own but not after adjustment; ~ changes sign between the first and the "
              "second half of the replications."]
    if reps < 2:
        lines.append("One replication: no intervals for paired effects (n/a).")
    if any(all_equal(reason) for reason in effects["no_interval"]):
        lines.append(equal_values(ERAS[result.get("era", REGIONS.name)].unit))
    lines += [f"Note: {note}." for note in result["notes"]]
    for warning in result["warnings"]:
        lines += [f"WARNING: {warning['warning']}:", *(f"  - {effect}" for effect in warning["effects"])]
    if "interactions" in result:
        table, n = result["interactions"], result["interaction_multiplicity"]
        lines += ["", f"Interactions: what two levels do together beyond the sum of each alone (difference of "
                      f"differences, paired by replication); p Holm-adjusted over these {n}, flagged as above:"]
        for (factor, contrast), part in table.groupby(["factor", "contrast"], sort=False):
            lines += [f"  {factor}: {contrast}", f"    {'':<54}{_cells(part).rstrip()}"]
    if "indices" in result:
        lines += ["", "Sensitivity indices (mean outcome per design point):"]
        for row in result["indices"].itertuples():
            lines.append(f"  {row.factor:<34}{row.when:<12}{row.index:<8}{row.value:.3f} ± {row.conf95:.3f}")
    lines += ["", "Written: " + ", ".join(str(p) for p in written)]
    return "\n".join(lines)


def json_records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts with None (JSON null) for missing values."""
    return [{k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in row.items()}
            for row in frame.to_dict(orient="records")]
