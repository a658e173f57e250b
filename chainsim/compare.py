"""Comparing scenarios with common random numbers, nationally and where the levers act.

Every scenario runs with the same replication seeds, so replication *i* of
the base and of another scenario share their random draws as far as the
runs stay alike; differences are taken per replication (paired), which
gives much narrower intervals than comparing two independent means.

A lever that acts in seven of 35 regions moves the national share by a
fifth of what it does where it acts, so each scenario's effect is reported
for three groups of regions, paired by replication and month:

- ``national``: all simulated regions;
- ``treated``: the regions where what acts differs from the base -- a
  region is treated in a replication when the levers acting on it there
  (kind, period, strength, options) are not the same as in the base run,
  or when the scenario changes a parameter (parameters act everywhere).
  A lever that selects a random fraction of the regions draws it per
  replication, so the treated set may differ between replications; it is
  recomputed per replication exactly as the model draws it
  (:func:`lever_masks`);
- ``untreated``: the other regions (spill-overs and noise).

Per replication the effect on a group is the share of its regions with a
coordinated approach in the scenario minus that share in the base run;
:mod:`chainsim.statistics` turns the replications into an interval, and
adjusts for the number of effects shown at once.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

import numpy as np

from chainsim.core.levers import Lever, RegionSelection
from chainsim.core.measurement import COORDINATED
from chainsim.core.regions import RegionInfo, find_region
from chainsim.core.streams import RandomStreams
from chainsim.results import SPACE_FIXED, SPACE_MARGIN, ReplicationDigest, Results
from chainsim.runner import RunConfig, iter_replications
from chainsim.scenario import Scenario
from chainsim.statistics import (
    Estimate,
    all_equal,
    chance_finding,
    estimate,
    holm,
    seed_sensitive,
    simultaneous_level,
)

GROUPS = ("national", "treated", "untreated")
WHEN = ("observed_at", "end")
TREATED = ("treated: the regions where what acts differs from the base in that replication (another set of "
           "levers, or any changed parameter, which acts everywhere); untreated: the others")


class ComparisonError(ValueError):
    """Scenarios that cannot be compared (different calendars or regions)."""


# --- which regions a run's levers act on -------------------------------------
def lever_masks(levers: tuple[Lever, ...], infos: tuple[RegionInfo, ...],
                seed_seq: np.random.SeedSequence) -> list[np.ndarray]:
    """The regions each lever acts on in the run seeded by ``seed_seq``, as the model draws them.

    The model's generator spawns one stream per monthly process
    (:meth:`RandomStreams.from_generator`), and the lever schedule draws the
    random-fraction selections from the ``levers`` stream in lever order
    before the first month (:class:`chainsim.core.levers.LeverSchedule`);
    named, rule and all-region selections draw nothing. This repeats that
    on a copy of the seed. ``infos`` must be in the model's region order.
    """
    fresh = np.random.SeedSequence(seed_seq.entropy, spawn_key=seed_seq.spawn_key, pool_size=seed_seq.pool_size)
    stream = RandomStreams.from_generator(np.random.default_rng(fresh)).levers.single
    return [lever.regions.mask(infos, stream) for lever in levers]


def _acting(config: RunConfig, infos, seed_seq) -> list[Counter]:
    """Per region: the levers acting on it (their settings apart from the selection)."""
    acting = [Counter() for _ in infos]
    for lever, mask in zip(config.levers, lever_masks(config.levers, infos, seed_seq)):
        for r in np.flatnonzero(mask):
            acting[r][replace(lever, regions=RegionSelection())] += 1
    return acting


def treated_mask(config: RunConfig, base: RunConfig, infos: tuple[RegionInfo, ...],
                 seed_seq: np.random.SeedSequence, base_seed_seq: np.random.SeedSequence | None = None) -> np.ndarray:
    """Regions where what acts in the run of ``config`` differs from the run of ``base`` (see the module)."""
    if changes_everywhere(config, base):
        return np.ones(len(infos), dtype=bool)
    if config.levers == base.levers and (base_seed_seq is None or base_seed_seq is seed_seq):
        return np.zeros(len(infos), dtype=bool)
    mine = _acting(config, infos, seed_seq)
    theirs = _acting(base, infos, base_seed_seq or seed_seq)
    return np.array([a != b for a, b in zip(mine, theirs)], dtype=bool)


def changes_everywhere(config: RunConfig, base: RunConfig) -> dict:
    """What a scenario changes beyond its levers, which acts in every region: parameters whose value
    differs from the base's ({name: [base, scenario]}), mechanisms switched off in one run only, and the
    history a run starts from (``start_from``: [base, scenario], None for the drawn legacy of 2012,
    with ``history_parameters`` where the two simulated histories run on different parameters)."""
    def changed(mine, theirs) -> dict:
        mine, theirs = mine.as_dict(), theirs.as_dict()
        return {name: [theirs[name], value] for name, value in mine.items() if value != theirs[name]}

    out = {}
    if params := changed(config.params, base.params):
        out["parameters"] = params
    if off := sorted(set(config.mechanisms_off) ^ set(base.mechanisms_off)):
        out["mechanisms_off"] = off
    if config.start_from != base.start_from:
        out["start_from"] = [base.start_from, config.start_from]
    elif config.history_params != base.history_params:
        out["history_parameters"] = (changed(config.history_params, base.history_params)
                                     if config.history_params is not None and base.history_params is not None
                                     else "one of the two histories runs on its own era's parameters")
    return out


def region_infos(codes) -> tuple[RegionInfo, ...]:
    """The regions of a run, in the run's order (its recorded region codes)."""
    return tuple(find_region(code) for code in codes)


def seed_of(run) -> np.random.SeedSequence:
    """The seed sequence a replication ran with (its recorded entropy and spawn key)."""
    return np.random.SeedSequence(run.seed_entropy, spawn_key=tuple(run.spawn_key))


def group_differences(done, base_done, treated) -> dict[str, np.ndarray]:
    """Per pair of runs and month, coordinated share in the scenario minus the base, per group of regions.

    ``done`` and ``base_done`` (pairs x months x regions) say which regions
    have a coordinated approach, ``treated`` (pairs x regions) which are
    treated; a group without regions in a pair gives NaN there.
    """
    out = {}
    for group, mask in (("national", np.ones_like(treated)), ("treated", treated), ("untreated", ~treated)):
        n = mask.sum(axis=1)[:, None].astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[group] = ((done & mask[:, None, :]).sum(axis=2) - (base_done & mask[:, None, :]).sum(axis=2)) / n
        out[group][np.broadcast_to(n == 0, out[group].shape)] = np.nan
    return out


# --- the comparison --------------------------------------------------------------
def equal_values(unit: str = "region") -> str:
    """The reports' note on ``n/a (all equal)``, in the words of the era's ``unit`` (region, location)."""
    return (f"n/a (all equal): every replication gave the same value (often 0: no replication changed a "
            f"{unit}'s stage there), so its spread cannot be estimated (shares move in steps of one {unit}); "
            "add replications.")


EQUAL_VALUES = equal_values()
"""The note for the region era's reports."""


def stat_json(e: Estimate) -> dict:
    """An estimate as ``{"mean": x, "ci95": [lo, hi]}``; without an interval ``ci95`` is null and
    ``no_interval`` says why."""
    return {"mean": e.mean, "ci95": e.ci(), **e.reason_field()}


@dataclass
class Comparison:
    base: str
    results: dict[str, Results]   # scenario name -> results, base first
    seed: int

    @property
    def calendar(self):
        return self.results[self.base].calendar

    def coordinated(self, name: str) -> np.ndarray:
        """(replications x months) share of coordinated regions."""
        return self.results[name].stage_shares()[:, :, COORDINATED]

    def _stage(self, name: str) -> np.ndarray:
        return np.stack([run.stage for run in self.results[name].runs])

    def treated(self, name: str) -> np.ndarray:
        """(replications x regions) the regions treated in each replication (see the module)."""
        return self._treated[name]

    @cached_property
    def _treated(self) -> dict[str, np.ndarray]:
        base = self.results[self.base]
        infos = region_infos(base.region_codes)
        return {name: np.stack([treated_mask(results.config, base.config, infos, seed_of(run))
                                for run in results.runs])
                for name, results in self.results.items()}

    @cached_property
    def differences(self) -> dict[str, dict[str, np.ndarray]]:
        """Scenario (not the base) -> group -> (replications x months) paired differences."""
        base = self._stage(self.base)
        return {name: group_differences(self._stage(name) == COORDINATED, base == COORDINATED, self.treated(name))
                for name in self.results if name != self.base}

    def groups_shown(self, name: str) -> tuple[str, ...]:
        """national, plus treated and untreated when the levers act on some regions only."""
        treated = self.treated(name)
        some = treated.any(axis=1) & ~treated.all(axis=1)
        return GROUPS if some.any() else ("national",)

    def summary(self) -> dict:
        """Everything ``comparison.json`` holds (see the README for the fields)."""
        from chainsim import __version__

        cal = self.calendar
        points = {"observed_at": cal.observed_index, "end": cal.n_months - 1}
        base = self.coordinated(self.base)
        scenarios = {}
        for name in self.results:
            share = self.coordinated(name)
            scenarios[name] = {
                "share_coordinated": {k: stat_json(estimate(share[:, t], (0.0, 1.0))) for k, t in points.items()},
                "difference_vs_base": {k: stat_json(estimate(share[:, t] - base[:, t], (-1.0, 1.0)))
                                       for k, t in points.items()},
                "changes_everywhere": changes_everywhere(self.results[name].config,
                                                         self.results[self.base].config),
            }
        family = []                               # (scenario, group, when, values) of every effect shown
        for name, diffs in self.differences.items():
            treated = self.treated(name)
            effects = {}
            for group in self.groups_shown(name):
                d = diffs[group]
                effects[group] = _group_regions(group, treated, self.results[self.base].region_codes)
                for when, t in points.items():
                    family.append((name, group, when, d[:, t]))
            scenarios[name]["effects"] = effects
            counts = treated.sum(axis=1)
            scenarios[name]["treated_regions_range"] = [int(counts.min()), int(counts.max())]
        pvalues = [estimate(values).p for *_, values in family]
        m = sum(p is not None for p in pvalues)
        adjusted = holm(pvalues)
        for (name, group, when, values), p_holm in zip(family, adjusted):
            scenarios[name]["effects"][group][when] = _effect_json(values, m, p_holm)
        for name, diffs in self.differences.items():
            for group, effect in scenarios[name]["effects"].items():
                effect["monthly"] = _monthly(diffs[group])
        return {"chainsim_version": __version__, "base": self.base, "seed": self.seed,
                "replications": len(self.results[self.base].runs), "observed_at": str(cal.observed_at),
                "end": str(cal.end), "regions": self.results[self.base].n_regions,
                "months": [str(month) for month in cal.months], "treated": TREATED,
                "multiplicity": {"effects": m, "p_holm": f"Holm-adjusted over the {m} effects shown with an interval",
                                 "ci95_simultaneous": f"Bonferroni: each interval at level "
                                                      f"{simultaneous_level(m):.4f}, all {m} together 95%"},
                "scenarios": scenarios}


def _group_regions(group: str, treated: np.ndarray, codes: list[str]) -> dict:
    mask = {"national": np.ones_like(treated), "treated": treated, "untreated": ~treated}[group]
    counts = mask.sum(axis=1)
    same = bool((mask == mask[0]).all())
    return {"regions": int(counts[0]) if counts.min() == counts.max() else float(counts.mean()),
            "regions_range": [int(counts.min()), int(counts.max())],
            "region_codes": [c for c, m in zip(codes, mask[0]) if m] if same else None}


def _effect_json(values: np.ndarray, m: int, p_holm: float | None) -> dict:
    e = estimate(values, (-1.0, 1.0))
    return {"mean": e.mean, "ci95": e.ci(), "ci95_simultaneous": e.ci(simultaneous_level(m)),
            "p": e.p, "p_holm": p_holm, "replications": e.n, "halves": [e.first_half, e.second_half],
            "seed_sensitive": seed_sensitive(e), **e.reason_field()}


def _monthly(d: np.ndarray) -> dict:
    months = [estimate(d[:, t], (-1.0, 1.0)) for t in range(d.shape[1])]
    return {"mean": [e.mean for e in months], "ci95_low": [e.low for e in months],
            "ci95_high": [e.high for e in months]}


# --- running one ---------------------------------------------------------------------
def _check_comparable(configs: dict[str, RunConfig], base: str) -> None:
    ref = configs[base]
    for name, config in configs.items():
        if config.calendar != ref.calendar:
            raise ComparisonError(f"scenario {name} runs {config.calendar.start}..{config.calendar.end} "
                                  f"(observed {config.calendar.observed_at}), the base {base} "
                                  f"{ref.calendar.start}..{ref.calendar.end} (observed {ref.calendar.observed_at}); "
                                  "compared scenarios must share their calendar")
        if config.regions != ref.regions:
            raise ComparisonError(f"scenario {name} simulates other regions than the base {base}; "
                                  "compared scenarios must simulate the same regions")


def compare(scenarios: list[Scenario], replications: int, seed: int = 0, workers: int = 1,
            regions: tuple[str, ...] | None = None, progress=None) -> Comparison:
    """Run the base (first) and every other scenario with the same seeds."""
    configs: dict[str, RunConfig] = {}
    for scenario in scenarios:
        config = scenario.run_config()
        if regions:
            config = replace(config, regions=regions)
        name = scenario.name
        while name in configs:          # two files with the same name
            name += "'"
        configs[name] = replace(config, scenario=name)
    base = next(iter(configs))
    _check_comparable(configs, base)
    results = {}
    for i, (name, config) in enumerate(configs.items()):
        # only each replication's digest is kept (a few KB): memory stays flat in the replications
        digests: list[ReplicationDigest] = []
        for run in iter_replications(config, replications, seed, workers):
            digests.append(ReplicationDigest.of(run, digests[0].region_codes if digests else None))
            del run
            if progress:
                progress(i * replications + len(digests))
        results[name] = Results(config, digests, seed)
    return Comparison(base, results, seed)


def comparison_output_bytes(n_scenarios: int, months: int) -> int:
    """Bytes ``chainsim compare`` may write: comparison.json (a few numbers per scenario, group and month,
    at most 40 bytes each) and the figure, with the margin of :func:`chainsim.results.run_output_bytes`."""
    numbers = n_scenarios * len(GROUPS) * (3 * months + 40)
    return int(numbers * 40 * SPACE_MARGIN) + SPACE_FIXED


# --- the printed report ------------------------------------------------------------
def fmt(stat: dict, signed: bool = False, digits: int = 3) -> str:
    """``0.265 [0.250, 0.280]``; ``+0.048 [+0.015, +0.080]``; n/a for the interval of one replication.

    A bound that is not zero but would round to it gets more digits, up to
    six (``+0.0004 [+0.0001, +0.0007]``, ``+0.0370 [-0.0001, +0.0750]``),
    so that whether the interval excludes zero, and what the ``!`` flag
    says, can be read off the numbers; nothing prints as -0.
    """
    if stat["mean"] is None:
        return "n/a (no regions)"
    sign = ("+" if signed else "") + "z"           # z: a value that rounds to zero shows as 0, never as -0
    if stat["ci95"] is None:
        why = stat.get("no_interval", "1 replication")
        return f"{stat['mean']:{sign}.{digits}f} n/a ({'all equal' if all_equal(why) else why})"
    lo, hi = stat["ci95"]
    # a bound that is not 0 (beyond rounding) does not show as 0.000, so that whether the interval excludes
    # zero can be read off the numbers (not a parameter: at most 6 decimals, and 1e-12 is rounding)
    near = [abs(b) for b in (lo, hi) if abs(b) > 1e-12]
    while near and min(near) < 0.5 * 10 ** -digits and digits < 6:
        digits += 1
    return f"{stat['mean']:{sign}.{digits}f} [{lo:{sign}.{digits}f}, {hi:{sign}.{digits}f}]"


def fmt_p(p: float | None) -> str:
    return "" if p is None else ("p<0.001" if p < 0.001 else f"p={p:.3f}")


def group_label(group: str, effect: dict) -> str:
    lo, hi = effect["regions_range"]
    count = f"{lo}" if lo == hi else f"{lo}-{hi}"
    return {"national": f"all ({count} regions)", "treated": f"treated ({count})",
            "untreated": f"untreated ({count})"}[group]


def _everywhere_lines(changes: dict) -> list[str]:
    """The report's note that a scenario changes more than its levers (parameters, mechanisms)."""
    lines = []
    if changes.get("parameters"):
        values = ", ".join(f"{name} {old:.4g} -> {new:.4g}" for name, (old, new) in changes["parameters"].items())
        lines.append(f"    also changes, in every region (all treated): {values}")
    if changes.get("mechanisms_off"):
        lines.append(f"    also switches mechanisms on or off, in every region: {', '.join(changes['mechanisms_off'])}")
    if changes.get("start_from"):
        base, mine = (f"the simulated {era} era" if era else "the drawn legacy of 2012"
                      for era in changes["start_from"])
        lines.append(f"    also starts from {mine} (the base: {base}), in every region (all treated)")
    if changes.get("history_parameters"):
        lines.append("    also simulates the history it starts from on other parameters, in every region (all treated)")
    return lines


def report_text(summary: dict, out: Path) -> str:
    """The plain-text tables printed after a comparison."""
    obs, end = summary["observed_at"], summary["end"]
    n = summary["replications"]
    lines = [f"Share of regions with a coordinated approach, {n} replication{'s' * (n != 1)} per "
             f"scenario (seed {summary['seed']}, common random numbers); mean [95% CI]", "",
             f"  {'scenario':<44}{'at ' + obs:<28}at {end}"]
    equal = False
    for name, s in summary["scenarios"].items():
        label = f"{name} (base)" if name == summary["base"] else name
        share = s["share_coordinated"]
        lines.append(f"  {label[:43]:<44}{fmt(share['observed_at']):<28}{fmt(share['end'])}")
        equal = equal or any(all_equal(share[w].get("no_interval")) for w in WHEN)
    flagged, seed_flags = [], []
    lines += ["", "Difference to the base, paired by replication: mean [95% CI], p Holm-adjusted",
              f"  {'scenario / regions':<34}{'at ' + obs:<40}at {end}"]
    for name, s in summary["scenarios"].items():
        if name == summary["base"]:
            continue
        lines.append(f"  {name[:70]}")
        lines += _everywhere_lines(s.get("changes_everywhere", {}))
        if s.get("treated_regions_range", [1, 1])[1] == 0:
            lines.append(f"    acts on none of the {summary['regions']} regions simulated: its levers are the base's "
                         "there, so the runs are the same and every difference is 0")
        for group, effect in s["effects"].items():
            cells = []
            for when in WHEN:
                e = effect[when]
                where = f"{name}, {group}, {summary[when]}: {fmt(e, signed=True)}, Holm {fmt_p(e['p_holm'])}"
                chance = chance_finding(e["ci95"], e["p_holm"])
                if chance:
                    flagged.append(where)
                if e["seed_sensitive"]:
                    seed_flags.append(f"{where} (halves {e['halves'][0]:+.3f}, {e['halves'][1]:+.3f})")
                equal = equal or all_equal(e.get("no_interval"))
                flags = ("!" if chance else "") + ("~" if e["seed_sensitive"] else "")
                cells.append(f"{fmt(e, signed=True) + ' ':<27}{fmt_p(e['p_holm']):<10}{flags:<3}")
            lines.append(f"    {group_label(group, effect):<32}{cells[0]}{cells[1].rstrip()}")
    m = summary["multiplicity"]["effects"]
    lines += ["", "Treated: regions where the scenario's levers differ from the base's (drawn per replication "
                  "for a random fraction); untreated: the others. A changed parameter, mechanism or history "
                  "acts in every region: all are treated."]
    if m > 1:
        lines.append(f"{m} effects with an interval are shown at once: p is Holm-adjusted over these {m}; "
                     f"comparison.json also "
                     f"holds simultaneous 95% intervals (Bonferroni) as ci95_simultaneous.")
    lines.append("! excludes zero on its own but not after adjustment; ~ changes sign between the first and the "
                 "second half of the replications.")
    if equal:
        lines.append(EQUAL_VALUES)
    if flagged:
        lines.append(f"WARNING: {len(flagged)} interval(s) exclude zero on their own but not after adjusting for "
                     f"the {m} effects shown (Holm p >= 0.05): they may be chance findings:")
        lines += [f"  - {where}" for where in flagged]
    if seed_flags:
        lines.append("WARNING: the sign depends on the replications (the first and the second half of them "
                     "disagree although the interval excludes zero):")
        lines += [f"  - {where}" for where in seed_flags]
    if summary["replications"] < 2:
        lines.append("One replication: no intervals (n/a); use --replications 2 or more.")
    lines += ["", f"Written: {out / 'comparison.json'}, {out / 'comparison.png'}"]
    return "\n".join(lines)
