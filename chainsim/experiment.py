"""Experiment files: factors, a design, replications and seeds for a sweep.

An experiment varies model parameters and lever settings around a base
scenario of any era (:data:`chainsim.core.eras.ERAS`: the regions of 2012-2016,
or the werkplein locations of 2005-2011)::

    description = "Which levers matter? Each lever against the baseline"
    base = "../scenarios/netherlands_2012.toml"     # relative to this file, or "chainsim:netherlands_2012"
    seed = 2015
    replications = 10
    keep = "regions"            # "regions": stage and class per region and month; "national": shares
                                # per month; "patterns": the observation month's counts (calibration)

    [design]
    kind = "grid"               # grid, lhs, sobol, morris
    samples = 32                # lhs: points; sobol: base sample N; morris: trajectories

    [[factors]]
    name = "weight_pressure"    # a parameter (docs/ODD.md §7.2) ...
    low = 0.6
    high = 1.4
    levels = 3                  # grid: number of levels between low and high (or a list)

    [[factors]]
    name = "lever.joint_targets"   # ... or the strength of a lever (0 = off)
    levels = [0.0, 1.0]
    start = "2013-01"              # as in a scenario's [[levers]]: start (default 2013-01, or the
    end = "2016-12"                # calendar's first month where 2013-01 lies outside it), end,
                                   # regions (default "all") and the kind's options, e.g. interval
    regions = { rule = "n_municipalities > 15" }

    [[factors]]
    name = "lever"              # ... or which single lever is on (grid only); start, end,
    levels = ["none", "joint_targets", "minister_visits"]   # regions and strength as above

A lever factor is one lever definition: it is checked by the same code as a
scenario's ``[[levers]]`` (:func:`chainsim.scenario._build_lever`), and each
design point adds that lever with the point's strength (or kind). Lever
factors offer the levers built for the base scenario's era (``LEVERS[k].eras``;
``chainsim list levers``); in the werkplein era, as in its scenarios, a lever
selects locations by their region (names or a fraction), never by a rule. A
base that starts from a simulated era (``start_from``) cannot be swept yet.

Seeds: one ``numpy.random.SeedSequence`` tree per experiment. Replication
*j* of design point *i* runs on the child with spawn key (i, j) -- its own
child -- or, with ``common_random_numbers = true`` (the default), on the
child (j,) shared by every design point, so that points are compared on the
same random numbers. Either way a run's seed depends only on (i, j), never
on workers, order or interruptions.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from chainsim.core.calendar import Month
from chainsim.core.config import RunConfig
from chainsim.core.eras import ERAS, REGIONS
from chainsim.core.levers import LEVERS, Lever, built_for
from chainsim.core.parameters import SPECS
from chainsim.scenario import (
    LEVER_KEYS,
    Scenario,
    ScenarioError,
    _build_lever,
    load_scenario,
    missing_reference,
    resolve_beside,
)
from chainsim.tomlcheck import TomlFile, check_number, check_whole, read_toml, suggest, type_name

DESIGNS = ("grid", "lhs", "sobol", "morris")
SCENARIO_SIGNS = {"extends", "sources", "era", "start_from", "regions", "calendar", "parameters", "levers"}
"""Top-level keys of a scenario file that an experiment never has."""
TOP_KEYS = ("description", "base", "seed", "replications", "keep", "common_random_numbers", "design",
            "factors")
DESIGN_KEYS = ("kind", "samples", "levels", "second_order")
FACTOR_KEYS = ("name", "low", "high", "levels")
LEVER_FACTOR_KEYS = ("start", "end", "regions")          # plus strength (for "lever") or the kind's options
DEFAULT_START = "2013-01"
KEEP = ("regions", "national", "patterns")


class ExperimentError(ScenarioError):
    """Problems in an experiment file, one line each."""


@dataclass(frozen=True)
class Factor:
    """One thing an experiment varies."""

    name: str
    low: float | None = None
    high: float | None = None
    levels: tuple | None = None          # explicit levels (numbers, or lever names for "lever")
    lever: Lever | None = None           # lever factors: the lever a point adds, with its strength or kind set

    @property
    def is_lever(self) -> bool:
        return self.name.startswith("lever.")

    @property
    def categorical(self) -> bool:
        return self.name == "lever"

    @property
    def start(self) -> Month | None:
        return self.lever.start if self.lever else None

    def lever_at(self, value) -> Lever | None:
        """The lever this factor adds at a level (None: off, or not a lever factor)."""
        if self.categorical:
            return None if value == "none" else replace(self.lever, kind=value)
        if self.is_lever and value > 0:
            return replace(self.lever, strength=float(value))
        return None


@dataclass(frozen=True)
class Experiment:
    """A checked experiment: base scenario, factors, design points and seeds."""

    name: str
    path: Path
    text: str
    description: str
    base: Scenario
    seed: int
    replications: int
    keep: str
    common_random_numbers: bool
    design: str
    factors: tuple[Factor, ...]
    points: tuple[tuple, ...]          # one value per factor per design point
    sampler: dict                      # what SALib needs to analyse (problem, settings)

    @property
    def era(self) -> str:
        """The era the experiment runs (its base scenario's; :data:`chainsim.core.eras.ERAS`)."""
        return self.base.era

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def n_runs(self) -> int:
        return len(self.points) * self.replications

    def run_key(self, run_id: int) -> tuple[int, int]:
        """(design point, replication) of a run."""
        return divmod(run_id, self.replications)

    def seed_sequence(self, run_id: int) -> np.random.SeedSequence:
        point, replication = self.run_key(run_id)
        key = (replication,) if self.common_random_numbers else (point, replication)
        return np.random.SeedSequence(self.seed, spawn_key=key)

    def point_values(self, point: int) -> dict[str, Any]:
        return {f.name: v for f, v in zip(self.factors, self.points[point])}

    def config(self, point: int) -> RunConfig:
        """The run configuration of a design point: base scenario with the factors applied."""
        scenario = self.base
        params = scenario.params.as_dict()
        levers = list(scenario.levers)
        for factor, value in zip(self.factors, self.points[point]):
            if factor.categorical or factor.is_lever:
                if (lever := factor.lever_at(value)) is not None:
                    levers.append(lever)
            else:
                params[factor.name] = float(value)
        from chainsim.core.parameters import Parameters
        return replace(scenario.run_config(), params=Parameters.from_mapping(params), levers=tuple(levers),
                       scenario=f"{self.name}[{point}]")


class _AsFactor:
    """An experiment file as the scenario's lever checker sees it: its ``levers[i]`` keys are ``factors[i]``."""

    def __init__(self, f: TomlFile, i: int) -> None:
        self.f, self.problems = f, f.problems
        self.lever_key, self.factor_key = f"levers[{i}]", f"factors[{i}]"

    def problem(self, key: str, what: str) -> None:
        self.f.problem(self.factor_key + key.removeprefix(self.lever_key), what)


def _factor_keys(name: str) -> tuple[str, ...]:
    """The keys a factor of this name may have."""
    if name == "lever":
        return FACTOR_KEYS + LEVER_FACTOR_KEYS + ("strength",)
    if name.startswith("lever."):
        return FACTOR_KEYS + LEVER_FACTOR_KEYS + tuple(LEVERS[name.removeprefix("lever.")].options)
    return FACTOR_KEYS


def _lever_template(f: TomlFile, i: int, raw: dict, kind: str, calendar, era: str | None) -> Lever | None:
    """The lever a lever factor adds, checked by the scenario's lever checker (start defaults to 2013-01,
    or to the calendar's first month where 2013-01 lies outside it, as in the werkplein era)."""
    default = Month.parse(DEFAULT_START)
    if not calendar.start <= default <= calendar.end:
        default = calendar.start
    lever_raw = {"kind": kind, "start": str(default),
                 **{k: v for k, v in raw.items() if k in LEVER_KEYS or k in LEVERS[kind].options}}
    lever = _build_lever(_AsFactor(f, i), i, lever_raw, calendar)
    if lever is not None and lever.regions.rule is not None and era not in (None, REGIONS.name):
        f.problem(f"factors[{i}].regions", f"a rule selects regions by their structure, which the units of the "
                                           f"era {era} do not share (allowed there: \"all\", a list of region "
                                           "names, or { fraction = x })")
        return None
    return lever


def _factor(f: TomlFile, i: int, raw: Any, design: str, calendar, era: str | None = RunConfig.era) -> Factor | None:
    key = f"factors[{i}]"
    if not isinstance(raw, dict):
        f.problem(key, f"must be a table, written [[factors]], got {type_name(raw)}")
        return None
    before = len(f.problems)
    name = raw.get("name")
    built = built_for(era)                           # the levers of the base scenario's era
    allowed_names = [*SPECS, *(f"lever.{k}" for k in built), "lever"]
    other = name.removeprefix("lever.") if isinstance(name, str) and name.startswith("lever.") else None
    if other in LEVERS and other not in built:
        f.problem(f"{key}.name", f"the lever {other} is not built for the era {era} of the base scenario "
                                 f"(allowed there: {', '.join(f'lever.{k}' for k in built)}, lever or a parameter)")
        return None
    known = _factor_keys(name) if name in allowed_names else FACTOR_KEYS + LEVER_FACTOR_KEYS
    for k in raw:
        if k in LEVER_FACTOR_KEYS and k not in known:
            f.problem(f"{key}.{k}", "only lever factors (lever.<kind> or lever) have start, end and regions")
        elif k not in known:
            f.problem(f"{key}.{k}", f"unknown key (allowed: {', '.join(known)}){suggest(k, known)}")
    if not isinstance(name, str) or name not in allowed_names:
        f.problem(f"{key}.name", f"unknown factor {name!r} (allowed: a parameter name, lever.<kind> or lever)"
                                 + suggest(name, allowed_names))
        return None
    if name == "lever":
        levels = raw.get("levels")
        choices = ["none", *built]
        if design != "grid":
            f.problem(f"{key}.name", f"'lever' (which lever is on) needs design kind \"grid\", not {design!r}")
        if not isinstance(levels, list) or not levels or not all(isinstance(v, str) for v in levels):
            f.problem(f"{key}.levels", "must be a list of lever kinds, e.g. [\"none\", \"joint_targets\"]")
            return None
        for v in levels:
            if v in LEVERS and v not in built:
                f.problem(f"{key}.levels", f"the lever {v} is not built for the era {era} of the base scenario "
                                           f"(allowed there: {', '.join(choices)})")
            elif v not in choices:
                f.problem(f"{key}.levels", f"unknown lever {v!r} (allowed: {', '.join(choices)}){suggest(v, choices)}")
        kinds = [v for v in levels if v in built] or [built[0]]
        lever = _lever_template(f, i, raw, kinds[0], calendar, era)
        return None if len(f.problems) > before else Factor(name, levels=tuple(levels), lever=lever)
    lever = (_lever_template(f, i, raw, name.removeprefix("lever."), calendar, era) if name.startswith("lever.")
             else None)
    low, high = (0.0, 1.0) if name.startswith("lever.") else (SPECS[name].low, SPECS[name].high)
    lo = check_number(f, f"{key}.low", raw["low"], low, high) if "low" in raw else None
    hi = check_number(f, f"{key}.high", raw["high"], low, high) if "high" in raw else None
    if lo is not None and hi is not None and hi <= lo:
        f.problem(f"{key}.high", f"{hi:g} must be above low {lo:g}")
    levels = raw.get("levels")
    explicit = None
    if isinstance(levels, list):
        values = [check_number(f, f"{key}.levels", v, low, high) for v in levels]
        if not levels:
            f.problem(f"{key}.levels", "empty list")
        explicit = tuple(values)
    elif levels is not None and not (isinstance(levels, int) and not isinstance(levels, bool) and 2 <= levels <= 50):
        f.problem(f"{key}.levels", f"must be a list of values or a whole number 2 to 50, got {levels!r}")
    if design == "grid" and explicit is None and (lo is None or hi is None):
        f.problem(key, "a grid factor needs levels = [...] or low, high (and levels = number)")
    if design != "grid" and (lo is None or hi is None):
        f.problem(key, f"a {design} factor needs low and high")
    if len(f.problems) > before:
        return None
    if explicit is None and design == "grid":
        count = levels if isinstance(levels, int) else 3
        explicit = tuple(float(v) for v in np.linspace(lo, hi, count))
    return Factor(name, lo, hi, explicit, lever)


MAX_POINTS = 100_000
"""Design points an experiment may have (each is a configuration kept in the manifest)."""
MAX_RUNS = 1_000_000
"""Runs an experiment may ask for: about two weeks on 16 cores at a tenth of a second a run."""


def _number_of_points(design: str, settings: dict, factors: list[Factor]) -> int:
    k, samples = len(factors), settings.get("samples", 16)
    if design == "grid":
        return math.prod(len(factor.levels) for factor in factors)
    if design == "sobol":
        return samples * (2 * k + 2 if settings.get("second_order", False) else k + 2)
    return samples * (k + 1) if design == "morris" else samples


def _design_points(f: TomlFile, design: str, settings: dict, factors: list[Factor], seed: int):
    """Design points and what SALib needs to analyse them."""
    n = _number_of_points(design, settings, factors)
    if n > MAX_POINTS:
        f.problem("design", f"{n:,} design points (allowed: at most {MAX_POINTS:,}; fewer levels or samples)")
        return (), {}
    if design == "grid":
        return tuple(itertools.product(*(factor.levels for factor in factors))), {}
    problem = {"num_vars": len(factors), "names": [fa.name for fa in factors],
               "bounds": [[fa.low, fa.high] for fa in factors]}
    samples = settings.get("samples", 16)
    if design == "lhs":
        from SALib.sample import latin
        x = latin.sample(problem, samples, seed=seed)
    elif design == "sobol":
        from SALib.sample import sobol
        if samples & (samples - 1):
            f.problem("design.samples", f"{samples} is not a power of 2 (allowed: 2, 4, 8, ... for sobol)")
            return (), {}
        x = sobol.sample(problem, samples, calc_second_order=settings.get("second_order", False), seed=seed)
    else:
        from SALib.sample import morris
        x = morris.sample(problem, samples, num_levels=settings.get("levels", 4), seed=seed)
    return tuple(tuple(float(v) for v in row) for row in x), {"problem": problem, **settings}


def load_experiment(path: str | Path, text: str | None = None) -> Experiment:
    """Read and check an experiment file; raise :class:`ExperimentError` listing every problem.

    With ``text``, check that text as if it were the file at ``path`` (the
    base scenario is looked up beside ``path``): what a sweep's manifest
    recorded, even where the file has changed since.
    """
    path = Path(path)
    if text is None:
        f, problems = read_toml(path)
        if f is None:
            raise ExperimentError(problems)
    else:
        try:
            f = TomlFile(path, text, tomllib.loads(text))
        except tomllib.TOMLDecodeError as exc:
            raise ExperimentError([f"{path}:1: TOML syntax error: {exc}"]) from None
    data = f.data
    if "base" not in data and "factors" not in data and SCENARIO_SIGNS & set(data):
        signs = ", ".join(sorted(SCENARIO_SIGNS & set(data)))
        raise ExperimentError([f"{path}:1: this is a scenario file (it has {signs} and no base or factors): run "
                               f"it with `chainsim run` or compare it with `chainsim compare`; a sweep needs an "
                               f"experiment file (base, factors, design)"])
    for key in data:
        if key not in TOP_KEYS:
            f.problem(key, f"unknown key (allowed: {', '.join(TOP_KEYS)}){suggest(key, TOP_KEYS)}")
    for key in ("description", "base", "factors", "design"):
        if key not in data:
            f.problems.append(f"{path}:1: {key}: missing")
    description = data.get("description", "")
    if not isinstance(description, str):
        f.problem("description", "must be a text")
    seed = check_whole(f, "seed", data.get("seed", 0), 0, 2**63 - 1) or 0
    replications = check_whole(f, "replications", data.get("replications", 10), 1, 10_000) or 1
    keep = data.get("keep", "regions")
    if keep not in KEEP:
        f.problem("keep", f"{keep!r} (allowed: {', '.join(KEEP)})")
    crn = data.get("common_random_numbers", True)
    if not isinstance(crn, bool):
        f.problem("common_random_numbers", f"must be true or false, got {crn!r}")

    base = None
    if isinstance(data.get("base"), str):
        base_path = resolve_beside(data["base"], path.parent)
        if not base_path.is_file():
            f.problem("base", missing_reference(data["base"], base_path))
        else:
            try:
                base = load_scenario(base_path)
            except ScenarioError as exc:
                f.problem("base", f"base scenario has problems: {exc.problems[0]}")
        if base is not None and base.start_from is not None:
            f.problem("base", f"{base.name} starts from the simulated era {base.start_from} (start_from), which "
                              f"cannot be swept yet (allowed: a scenario without start_from, of the era "
                              f"{' or '.join(ERAS)})")
            base = None
    elif "base" in data:
        f.problem("base", f"must be a scenario file name in quotes, got {type_name(data['base'])}")

    settings = data.get("design", {})
    design = "grid"
    if not isinstance(settings, dict):
        f.problem("design", f"must be a table [design], got {type_name(settings)}")
        settings = {}
    for key in settings:
        if key not in DESIGN_KEYS:
            f.problem(f"design.{key}", f"unknown key (allowed: {', '.join(DESIGN_KEYS)}){suggest(key, DESIGN_KEYS)}")
    if "kind" in settings:
        if settings["kind"] in DESIGNS:
            design = settings["kind"]
        else:
            f.problem("design.kind", f"{settings['kind']!r} (allowed: {', '.join(DESIGNS)})"
                                     + suggest(settings["kind"], DESIGNS))
    clean = {}
    for key, low, high in (("samples", 1, 100_000), ("levels", 2, 20)):
        if key in settings and (n := check_whole(f, f"design.{key}", settings[key], low, high)) is not None:
            clean[key] = n
    if "second_order" in settings:
        if isinstance(settings["second_order"], bool):
            clean["second_order"] = settings["second_order"]
        else:
            f.problem("design.second_order", "must be true or false")

    factors: list[Factor] = []
    raw_factors = data.get("factors", [])
    if not isinstance(raw_factors, list) or not raw_factors:
        if "factors" in data:
            f.problem("factors", "must be one or more tables, written [[factors]]")
        raw_factors = []
    calendar = base.calendar if base else None
    era = base.era if base else (None if "base" in data else RunConfig.era)   # None: the base did not load
    from chainsim.core.calendar import Calendar
    for i, raw in enumerate(raw_factors):
        factor = _factor(f, i, raw, design, calendar or Calendar(), era)
        if factor is not None:
            factors.append(factor)
    names = [fa.name for fa in factors]
    for name in {n for n in names if names.count(n) > 1}:
        f.problem("factors", f"factor {name!r} appears more than once")

    points, sampler = ((), {})
    if not f.problems and factors:
        points, sampler = _design_points(f, design, clean, factors, seed)
    if points and len(points) * replications > MAX_RUNS:
        f.problem("replications", f"{len(points):,} design points x {replications:,} replications = "
                                  f"{len(points) * replications:,} runs (allowed: at most {MAX_RUNS:,})")
    if f.problems:
        raise ExperimentError(f.sorted_problems())
    source = text if text is not None else path.read_text(encoding="utf-8")
    return Experiment(name=path.stem, path=path, text=source, description=description,
                      base=base, seed=seed, replications=replications, keep=keep, common_random_numbers=crn,
                      design=design, factors=tuple(factors), points=points, sampler=sampler)
