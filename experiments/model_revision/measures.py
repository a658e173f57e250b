"""Does the model explain what it fits?  The measures of the model-revision issue.

Computed over many replications of the default scenario (the calibrated
defaults) and written to ``docs/measures.md`` and ``docs/measures.json``:

1. **The five case regions** (004 App. 3). Their observed quality (good,
   fair, not good) is never an input: the regions' inputs are structural
   facts and the traits 004 §4.5 describes. Each region's outcome is its
   *cooperation score* over the fieldwork window (September-December 2014,
   004 App. 3): the stage (coordinated 2, middle 1, little 0) plus the share
   of the Inspectorate's items it meets (0-1, times 0.99), so that the stage
   ranks first and the items break ties within a stage. Reported: the
   Spearman correlation between observed quality and the mean score, and
   P(both good regions score above Gooi en Vechtstreek) over replications.
2. **What known inputs explain.** A variance decomposition of the score
   over regions x replications: the share between regions (intra-class
   correlation), the share a linear model of the regions' known inputs
   (data and described traits) explains, and what the draws of unknown
   traits and chance add. Per input, what that linear model gives one
   standard deviation of it; per case region, which inputs it says push
   the region up or down. And the case measures once more with the
   largest draw of an unknown trait (UWV's person) fixed at its mean: do
   the case regions come out in the wrong order because the draw hides
   their differences, or because the known inputs order them so?
3. **Effects of mechanisms and levers.** Each mechanism switched off, and
   each shipped lever scenario, against the default with the same seeds
   (common random numbers): the paired difference in the share of regions
   at the coordinated stage and in the mean score, with 95% t intervals.
   The mechanisms the seeds call decisive get the direction the seeds give.

Usage::

    python experiments/model_revision/measures.py --replications 100 --workers 2 --out docs
    python experiments/model_revision/measures.py --replications 30 --only cases   # quick look
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

import numpy as np
from scipy import stats

from chainsim.core.config import RunConfig
from chainsim.core.regions import find_region, load_regions
from chainsim.core.simulation import new_world, run
from chainsim.core.world import MECHANISMS
from chainsim.runner import worker_context
from chainsim.scenario import load_scenario, shipped_scenarios
from chainsim.statistics import estimate

FIELDWORK = ("2014-09", "2014-12")
"""The Inspectorate's fieldwork (004 App. 3): October-December 2014 for the
case interviews, September for the questionnaire to the centres."""

QUALITY = {"good": 2, "fair": 1, "not good": 0}
CASES = {"Friesland": "good", "Helmond-De Peel": "good", "Stedendriehoek en Noordwest Veluwe": "fair",
         "Rijnmond": "fair", "Gooi en Vechtstreek": "not good"}
"""The five case regions and their quality as the Programmaraad's aanjagers saw
it (004 App. 3): an outcome, used here only to check the model."""

class SetRegions:
    """An intervention that sets region attributes in the first month (picklable)."""

    def __init__(self, **values: float) -> None:
        self.values = values

    def __call__(self, world) -> None:
        if world.t == 0:
            for name, value in self.values.items():
                getattr(world.regions_state, name)[...] = value


DECISIVE = {
    "leadership": ("a facilitating, skilled centre (style and skill 0.8) against a dominating, unskilled one (0.2)",
                   "004 summary, §4.5, §4.6: the centre's ability to connect the region",
                   ({}, SetRegions(leadership_style=0.8, strategic_skill=0.8)),
                   ({}, SetRegions(leadership_style=0.2, strategic_skill=0.2))),
    "trust": ("initial trust 0.6 against 0.3 (trust_initial)",
              "004 §4.2, §4.5: cooperation is largely about relations and trust",
              ({"trust_initial": 0.6}, None), ({"trust_initial": 0.3}, None)),
    "UWV's person": ("UWV's representatives one standard deviation more committed against one less",
                     "004 §4.2: the person of UWV has a large influence",
                     ({}, SetRegions(uwv_stance=1.0)), ({}, SetRegions(uwv_stance=-1.0))),
    "outside pressure": ("outside pressure (M10) on against off", "004 §4.5 'Katalyserend effect landelijke kaders'",
                         ({}, None), ({"__off__": "M10"}, None)),
    "the SW company": ("SW companies leaning to partnership (business interest 0.2) against to competition (0.8)",
                       "004 §4.3: SW companies at the table as partners; a competing SW company worsens relations",
                       ({"sw_business_interest": 0.2}, None), ({"sw_business_interest": 0.8}, None)),
}
"""Factors 004 calls decisive, each as a contrast of a high and a low
setting (parameters, intervention); the seed's direction is that the high
setting raises cooperation."""

KNOWN_INPUTS = ("tightness", "identity", "concentration", "commuting_out", "history", "n_municipalities",
                "n_sw", "n_subregions", "formal_mandate", "aldermen_platform")
"""Region inputs taken from data (regions.csv) for the variance decomposition."""

_COORDINATED = 0


def window(calendar) -> np.ndarray:
    months = [str(m) for m in calendar.months]
    first, last = months.index(FIELDWORK[0]), months.index(FIELDWORK[1])
    return np.arange(first, last + 1)


WITHHOLDERS = ("UWV", "the centre", "the municipalities")
"""Who can withhold consent from a proposal (chainsim.core.mechanisms.table.consent)."""


def rejections(events) -> np.ndarray:
    """From a run's events: proposals not agreed up to the fieldwork's end; per party, how many it was against,
    and how many it alone was against."""
    out = np.zeros(1 + 2 * len(WITHHOLDERS))
    for month, kind, text in events:
        if kind == "rejected" and month <= FIELDWORK[1]:
            against = text.rpartition("against: ")[2].split(", ")
            alone = len(against) == 1
            out += [1.0] + [who in against for who in WITHHOLDERS] + [alone and who in against for who in WITHHOLDERS]
    return out


def _simulate(task) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One replication: per region, the mean score and coordinated share over the window; the rejections."""
    config, seed_seq, intervention = task
    world = new_world(config.params, config.calendar, _infos(config), np.random.default_rng(seed_seq),
                      config.levers, (intervention,) if intervention else (), config.mechanisms_off)
    run(world)
    rec, w = world.recorder, window(config.calendar)
    stage = rec.stage[w].astype(float)
    share_items = rec.items[w].mean(axis=2)
    score = (2.0 - stage) + 0.99 * share_items
    return score.mean(axis=0), (rec.stage[w] == _COORDINATED).mean(axis=0), rejections(world.events)


_INFOS = {}


def _infos(config: RunConfig):
    key = config.regions
    if key not in _INFOS:
        infos = load_regions()
        _INFOS[key] = infos if key is None else tuple(i for i in infos if i.code in key)
    return _INFOS[key]


def simulate(config: RunConfig, replications: int, seed: int, pool,
             intervention=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(replications x regions) score and coordinated share, seeds shared by every configuration;
    (replications x 7) the rejections (:func:`rejections`)."""
    seeds = np.random.SeedSequence(seed).spawn(replications)
    out = list(pool.map(_simulate, [(config, s, intervention) for s in seeds], chunksize=max(1, replications // 8)))
    return tuple(np.array([o[k] for o in out]) for k in range(3))


def consent_measures(counts: np.ndarray, n_regions: int, months: int) -> dict:
    """Proposals not agreed per region and year, and the share of them each party was against."""
    total, n = counts[:, 0].sum(), len(WITHHOLDERS)
    return {"rejected_per_region_year": float(counts[:, 0].mean() / n_regions / (months / 12)),
            "share_against": {who: float(counts[:, 1 + k].sum() / max(total, 1))
                              for k, who in enumerate(WITHHOLDERS)},
            "share_alone_against": {who: float(counts[:, 1 + n + k].sum() / max(total, 1))
                                    for k, who in enumerate(WITHHOLDERS)}}


def paired(diff: np.ndarray) -> dict:
    """Mean paired difference and its 95% t interval (None where there is none: one replication, or every
    replication the same; chainsim.statistics)."""
    e = estimate(diff)
    low, high = e.interval()
    return {"mean": e.mean, "low": low, "high": high, "n": e.n, **e.reason_field()}


def case_measures(score: np.ndarray) -> dict:
    infos = load_regions()
    codes = [i.code for i in infos]
    col = {name: codes.index(find_region(name).code) for name in CASES}
    means = {name: float(score[:, col[name]].mean()) for name in CASES}
    rho = float(stats.spearmanr([QUALITY[q] for q in CASES.values()], [means[n] for n in CASES]).statistic)
    gooi = score[:, col["Gooi en Vechtstreek"]]
    both = (score[:, col["Friesland"]] > gooi) & (score[:, col["Helmond-De Peel"]] > gooi)
    ranks = (-score.mean(axis=0)).argsort().argsort() + 1
    return {"spearman": rho, "p_both_good_above_gooi": float(both.mean()), "mean_score": means,
            "rank_of_35": {name: int(ranks[col[name]]) for name in CASES}}


def variance_measures(score: np.ndarray) -> dict:
    """The variance decomposition, and what the linear model of the known inputs says per input and case region.

    ``per_sd``: the change in a region's mean score the model gives one
    standard deviation (over the 35 regions) of each input, the others held.
    ``contributions``: per case region, each input's part of its fitted
    score's distance from the regions' mean (they add up to that distance).
    """
    from chainsim.core.arrangements import N_ARRANGEMENTS
    from chainsim.core.client_groups import REGION_GROUPS
    from chainsim.core.state import RegionState
    infos = load_regions()
    rs = RegionState(infos, N_ARRANGEMENTS, len(REGION_GROUPS))
    reps, n = score.shape
    total = float(score.var())
    region_mean = score.mean(axis=0)
    between = float(region_mean.var())
    inputs = np.column_stack([np.asarray(getattr(rs, k), float) for k in KNOWN_INPUTS])
    x = np.column_stack([np.ones(n), inputs])
    beta, *_ = np.linalg.lstsq(x, region_mean, rcond=None)
    fitted = x @ beta
    explained = float(fitted.var())
    codes = [i.code for i in infos]
    centred = (inputs - inputs.mean(axis=0)) * beta[1:]
    contributions = {}
    for name in CASES:
        row = codes.index(find_region(name).code)
        contributions[name] = {"simulated_minus_all": float(region_mean[row] - region_mean.mean()),
                               "fitted_minus_all": float(fitted[row] - fitted.mean()),
                               "by_input": {k: float(c) for k, c in zip(KNOWN_INPUTS, centred[row], strict=True)}}
    return {"total_variance": total, "between_regions_share": between / total,
            "known_inputs_share": explained / total, "within_region_share": 1.0 - between / total,
            "replications": reps,
            "per_sd": {k: float(b * sd) for k, b, sd in zip(KNOWN_INPUTS, beta[1:], inputs.std(axis=0), strict=True)},
            "contributions": contributions}


def effects(base_cfg: RunConfig, base: tuple, others: dict[str, RunConfig], replications: int, seed: int,
            pool, log) -> dict:
    out = {}
    for name, cfg in others.items():
        t0 = time.time()
        score, coord, _ = simulate(cfg, replications, seed, pool)
        out[name] = {"coordinated_share": paired(coord.mean(axis=1) - base[1].mean(axis=1)),
                     "mean_score": paired(score.mean(axis=1) - base[0].mean(axis=1))}
        log(f"{name}: {out[name]['coordinated_share']['mean']:+.3f} ({time.time() - t0:.0f} s)")
    return out


def fmt(e: dict) -> str:
    if e["low"] is None:
        return f"{e['mean']:+.3f} n/a ({e['no_interval']})"
    return f"{e['mean']:+.3f} [{e['low']:+.3f}, {e['high']:+.3f}]"


def report(m: dict) -> str:
    c, v = m["cases"], m["variance"]
    lines = ["# Does the model explain what it fits?", "",
             f"Computed by `experiments/model_revision/measures.py` on {m['date']} ({m['replications']} "
             f"replications, seed {m['seed']}, chainsim {m['version']}). Outcome per region: the cooperation "
             f"score over the fieldwork window {FIELDWORK[0]} – {FIELDWORK[1]} (stage 0–2 plus 0.99 × the share "
             "of the Inspectorate's items met; see the script's docstring).", "",
             "## The five case regions (004 App. 3)", "",
             "Observed quality is never an input; the goal of the issue is ≥ 0.8 on both measures.", "",
             f"- Spearman correlation, observed quality vs mean score: **{c['spearman']:.2f}**",
             f"- P(Friesland and Helmond-De Peel both score above Gooi en Vechtstreek): "
             f"**{c['p_both_good_above_gooi']:.2f}**",
             f"- goal met: **{'yes' if min(c['spearman'], c['p_both_good_above_gooi']) >= 0.8 else 'no'}**", "",
             "| region | observed | mean score | rank of 35 |", "|---|---|---|---|"]
    for name, q in CASES.items():
        lines.append(f"| {name} | {q} | {c['mean_score'][name]:.2f} | {c['rank_of_35'][name]} |")
    lines += ["", "A Spearman correlation of 0.8 or more needs Gooi en Vechtstreek below both fair regions (with "
              "Gooi between them it is 0.79). Whether any parameter set reaches the goal, in the declared ranges "
              "and among the posterior's particles: docs/reachability.md, docs/reachability_posterior.md "
              "(`experiments/model_revision/reachability.py`).",
              "", "## What the regions' known inputs explain", "",
              "Reported, not targeted: unknown traits are drawn anew in every replication.", "",
              f"- between regions (share of the total variance of the score): **{v['between_regions_share']:.1%}**",
              f"- of which a linear model of the regions' data inputs ({', '.join(KNOWN_INPUTS)}) explains: "
              f"**{v['known_inputs_share']:.1%}** of the total",
              f"- within regions (draws of unknown traits and chance): **{v['within_region_share']:.1%}**", ""]
    if "per_sd" in v:
        lines += ["What the linear model of the known inputs gives one standard deviation (over the 35 regions) "
                  "of each input, the others held (a description of the simulated regions, not of the model's "
                  "mechanisms, which act jointly):", "",
                  "| input | Δ mean score per SD |", "|---|---|"]
        lines += [f"| {k} | {b:+.3f} |" for k, b in v["per_sd"].items()]
        lines += ["", "`formal_mandate` and `aldermen_platform` are 1 in one region each (Helmond-De Peel, "
                  "Friesland): the linear model fits those two regions exactly, and their parts are the regions' "
                  "own distance from the rest, not a measured effect of the input.", "",
                  "Per case region: its mean score's distance from the mean of all regions, the part of it "
                  "the known inputs fit, and the two inputs that fit most of it:", "",
                  "| region | observed | score − all | fitted − all | largest parts |", "|---|---|---|---|---|"]
        for name, row in v["contributions"].items():
            top = sorted(row["by_input"].items(), key=lambda kv: -abs(kv[1]))[:2]
            parts = ", ".join(f"{k} {c:+.3f}" for k, c in top)
            lines.append(f"| {name} | {CASES[name]} | {row['simulated_minus_all']:+.3f} | "
                         f"{row['fitted_minus_all']:+.3f} | {parts} |")
        lines.append("")
    if "cases_without_person_draw" in m:
        w = m["cases_without_person_draw"]
        lines += ["### Without the draw of UWV's person", "",
                  "The largest draw of an unknown trait is the commitment of UWV's representatives "
                  "(`uwv_person_spread`, 004 §4.2). Run again with it fixed at the mean (spread 0), same "
                  "seeds: if the case regions came out in the wrong order because this draw hides their "
                  "differences, they would now come out in the right one.", "",
                  f"- Spearman correlation: **{w['spearman']:.2f}** (with the draw {c['spearman']:.2f})",
                  f"- P(both good regions above Gooi): **{w['p_both_good_above_gooi']:.2f}** "
                  f"(with the draw {c['p_both_good_above_gooi']:.2f})",
                  f"- between regions: **{m['variance_without_person_draw']['between_regions_share']:.1%}** of "
                  f"the variance (with the draw {v['between_regions_share']:.1%})",
                  "- ranks of 35: " + ", ".join(f"{k} {r}" for k, r in w["rank_of_35"].items()), ""]
    if "consent" in m:
        k = m["consent"]
        alone = k.get("share_alone_against", {})
        lines += ["## Who withholds consent", "",
                  "A proposal needs UWV (where the arrangement needs it), the centre and a quorum of the "
                  "participating municipalities, the centre counted among them (004 §4.1, §4.2). Counted from "
                  "the runs' `rejected` events up to the end of the fieldwork; a proposal can lack more than "
                  "one, and a 'no' of the centre also lowers the municipalities' share (under the governance "
                  "table's unanimity it always fails that too). Where UWV alone refuses most proposals, what "
                  "moves the municipalities (leadership, the SW company, aldermen, say) mostly changes which "
                  "proposal the centre puts on the table, not whether it is agreed.", "",
                  f"- proposals not agreed per region and year: **{k['rejected_per_region_year']:.2f}**", "",
                  "| against | share of the proposals not agreed | the only party against |", "|---|---|---|"]
        lines += [f"| {who} | {share:.1%} | {alone[who]:.1%} |" if who in alone else f"| {who} | {share:.1%} | – |"
                  for who, share in k["share_against"].items()]
        lines.append("")
    for title, key in (("Mechanisms switched off", "mechanisms"), ("Levers (shipped scenarios)", "levers")):
        if key not in m:
            continue
        lines += [f"## {title}", "", "Paired with the default (same seeds); 95% t intervals.", "",
                  "| case | Δ share coordinated | Δ mean score |", "|---|---|---|"]
        for name, e in m[key].items():
            lines.append(f"| {name} | {fmt(e['coordinated_share'])} | {fmt(e['mean_score'])} |")
        lines.append("")
    if "decisive" in m:
        lines += ["## The factors 004 calls decisive", "",
                  "Each as a contrast of a high and a low setting, paired (same seeds); the seed's direction "
                  "is that the high setting raises cooperation. 'Clear and right': the 95% interval of the "
                  "difference in mean score lies above zero.", "",
                  "| factor | contrast | source | Δ share coordinated | Δ mean score | clear and right |",
                  "|---|---|---|---|---|---|"]
        for name, row in m["decisive"].items():
            lines.append(f"| {name} | {row['label']} | {row['source']} | {fmt(row['coordinated_share'])} | "
                         f"{fmt(row['mean_score'])} | {row['ok']} |")
        lines.append("")
    return "\n".join(lines)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replications", type=int, default=100)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=20141101)
    ap.add_argument("--only", choices=("cases", "decisive", "all"), default="all",
                    help="cases: the case regions and the variance only; decisive: also the decisive factors")
    ap.add_argument("--out", type=Path, default=None, help="folder for measures.md and measures.json")
    ap.add_argument("--from-json", type=Path, default=None, metavar="FILE",
                    help="write the report again from a measures.json, without simulating")
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                    help="run with a parameter changed (exploration; the report says so)")
    args = ap.parse_args(argv)
    if args.replications < 2:
        ap.error(f"--replications: {args.replications} (allowed: 2 or more, for an interval)")
    if args.workers < 1:
        ap.error(f"--workers: {args.workers} (allowed: 1 or more)")
    from chainsim.version import version

    def log(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    if args.from_json:
        try:
            text = report(json.loads(args.from_json.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            ap.error(f"--from-json: {args.from_json} is not a measures.json of this script ({exc})")
        (args.out / "measures.md").write_text(text + "\n", encoding="utf-8") if args.out else print(text)
        return
    from chainsim.core.parameters import Parameters
    changes = {}
    for item in args.set:
        name, _, value = item.partition("=")
        from chainsim.core.parameters import SPECS
        if name.strip() not in SPECS:
            ap.error(f"--set: {name.strip()!r} is not a parameter (allowed: a name of docs/ODD.md §7.2)")
        try:
            changes[name.strip()] = float(value)
        except ValueError:
            ap.error(f"--set: {item!r} (allowed: NAME=NUMBER, a parameter of docs/ODD.md §7.2)")
    try:
        base = RunConfig(params=Parameters().with_values(**changes))
    except (ValueError, TypeError) as exc:
        ap.error(f"--set: {exc} (allowed: a parameter of docs/ODD.md §7.2 within its range)")
    m = {"date": time.strftime("%Y-%m-%d"), "replications": args.replications, "seed": args.seed,
         "version": version(), "parameters_changed": changes}
    with ProcessPoolExecutor(args.workers, mp_context=worker_context()) as pool:
        t0 = time.time()
        score, coord, rejected = simulate(base, args.replications, args.seed, pool)
        log(f"default: {time.time() - t0:.0f} s; national coordinated share {coord.mean():.3f}")
        m["coordinated_share"] = float(coord.mean())
        months = [str(month) for month in base.calendar.months]
        m["consent"] = consent_measures(rejected, score.shape[1], months.index(FIELDWORK[1]) + 1)
        m["cases"] = case_measures(score)
        m["variance"] = variance_measures(score)
        log(json.dumps(m["cases"], indent=1))
        log(json.dumps(m["variance"], indent=1))
        fixed = replace(base, params=base.params.with_values(uwv_person_spread=0.0))
        score_fixed, *_ = simulate(fixed, args.replications, args.seed, pool)
        m["cases_without_person_draw"] = case_measures(score_fixed)
        m["variance_without_person_draw"] = variance_measures(score_fixed)
        log(f"without the person draw: {json.dumps(m['cases_without_person_draw'])}")
        if args.only == "all":
            mechs = {f"{k} {v} off": replace(base, mechanisms_off=(k,)) for k, v in MECHANISMS.items()}
            m["mechanisms"] = effects(base, (score, coord), mechs, args.replications, args.seed, pool, log)
            levers = {}
            for name in sorted(shipped_scenarios()):
                if name.startswith("lever_"):
                    sc = load_scenario(name)
                    levers[name] = RunConfig(params=sc.params.with_values(**changes), calendar=sc.calendar,
                                             regions=sc.regions, levers=sc.levers)
            m["levers"] = effects(base, (score, coord), levers, args.replications, args.seed, pool, log)
        if args.only in ("decisive", "all"):
            m["decisive"] = {}
            for name, (label, source, high, low) in DECISIVE.items():
                runs = []
                for values, intervention in (high, low):
                    values = dict(values)
                    off = values.pop("__off__", None)
                    cfg = replace(base, params=base.params.with_values(**values),
                                  mechanisms_off=(off,) if off else ())
                    runs.append(simulate(cfg, args.replications, args.seed, pool, intervention))
                e = {"coordinated_share": paired(runs[0][1].mean(axis=1) - runs[1][1].mean(axis=1)),
                     "mean_score": paired(runs[0][0].mean(axis=1) - runs[1][0].mean(axis=1))}
                ok = "yes" if e["mean_score"]["low"] is not None and e["mean_score"]["low"] > 0 else "no"
                m["decisive"][name] = {"label": label, "source": source, **e, "ok": ok}
                log(f"{name}: {e['mean_score']['mean']:+.3f} {ok}")
    text = report(m)
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "measures.md").write_text(text + "\n", encoding="utf-8")
        (args.out / "measures.json").write_text(json.dumps(m, indent=1) + "\n", encoding="utf-8")
        log(f"wrote {args.out / 'measures.md'}")
    else:
        print(text)


if __name__ == "__main__":
    main()
