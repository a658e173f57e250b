"""Scenario files: what-if cases written in TOML, checked on every load.

A scenario describes itself, cites its sources, may build on another
scenario, and may set the calendar, the regions, parameter values (by the
names of docs/ODD.md §7.2) and levers (:mod:`chainsim.core.levers`)::

    extends = "netherlands_2012.toml"      # relative to this file, else a shipped scenario; chains allowed
    description = "Joint placement targets from 2013 in half of the regions"
    sources = ["Inspectie SZW (2015) Samen voor werkgevers, §4.2 (seed 004)"]

    [parameters]
    weight_pressure = 1.0

    [[levers]]
    kind = "joint_targets"
    start = "2013-01"
    end = "2016-12"                        # optional
    regions = { fraction = 0.5 }           # "all", ["Friesland", ...], { rule = "n_municipalities > 15" }
    strength = 0.8                         # 0..1, default 1

A scenario may also name its era (``era = "werkpleinen_2005"``; default
``regions_2012``, :data:`chainsim.core.eras.ERAS`): the era sets the units
(regions, or the werkplein locations of the named regions), what they can
adopt, how they are measured and the default calendar. A region scenario may start from a simulated werkplein
era instead of a drawn legacy (``start_from = "werkpleinen_2005"``,
:mod:`chainsim.core.handover`).

A child scenario's calendar and parameters update its base's, its levers
come after the base's, its regions and era (if given) replace the base's. Every
problem of a file is reported at once, one line each:
``FILE:LINE: key.path: what is wrong (allowed: ...)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chainsim.core.calendar import Calendar, Month
from chainsim.core.config import RunConfig
from chainsim.core.eras import ERAS, LOCATIONS, REGIONS
from chainsim.core.levers import LEVERS, RULE_ATTRIBUTES, RULE_PATTERN, Lever, RegionSelection, era_mismatch
from chainsim.core.parameters import SPECS, Parameters
from chainsim.core.regions import UnknownRegionError, find_region
from chainsim.tomlcheck import TomlFile, check_month, check_number, check_whole, read_toml, suggest, type_name

EXPERIMENT_SIGNS = ("base", "factors", "design")
"""Top keys of an experiment file (chainsim.experiment), which a scenario file does not have."""
TOP_KEYS = ("extends", "description", "sources", "era", "start_from", "regions", "calendar", "parameters", "levers")
CALENDAR_KEYS = ("start", "end", "observed_at")
LEVER_KEYS = ("kind", "start", "end", "regions", "strength")

HISTORIES = (LOCATIONS.name,)
"""Eras a region run can start from (``start_from``; chainsim.core.handover)."""
MAX_EXTENDS_DEPTH = 20
SHIPPED_DIR = Path(__file__).resolve().parent / "scenarios"
"""The scenarios that ship with chainsim (package data; the repository's top-level ``scenarios/`` links here)."""
SHIPPED_PREFIX = "chainsim:"


def shipped_scenarios() -> dict[str, Path]:
    """The shipped scenarios by name (file name without ``.toml``), sorted."""
    if not SHIPPED_DIR.is_dir():
        return {}
    return {p.stem: p for p in sorted(SHIPPED_DIR.glob("*.toml"))}


def _shipped(reference: str) -> Path | None:
    name = reference.removeprefix(SHIPPED_PREFIX).removesuffix(".toml")
    return shipped_scenarios().get(name)


def resolve_scenario(reference: str | Path) -> Path:
    """The file a scenario reference names: a path, or a shipped scenario by name.

    ``"scenarios/lever_joint_targets.toml"`` and ``"lever_joint_targets"``
    name the same shipped file; ``"chainsim:lever_joint_targets"`` names the
    shipped one even where a file of that name lies in the working folder.
    """
    text = str(reference)
    if not text.startswith(SHIPPED_PREFIX) and Path(text).exists():
        return Path(text)
    shipped = _shipped(text) if "/" not in text else None
    if shipped is not None:
        return shipped
    if not text.startswith(SHIPPED_PREFIX) and ("/" in text or text.endswith(".toml")):
        return Path(text)          # a file that is not there: the reader says so, with the path
    names = ", ".join(shipped_scenarios()) or "none found"
    raise ScenarioError([f"{text}: no such scenario file, nor a shipped scenario "
                         f"(allowed: a path to a .toml file, or one of: {names})"])


def resolve_beside(reference: str, folder: Path) -> Path:
    """The file a reference inside a file names (``extends``, an experiment's ``base``).

    A path relative to ``folder`` (the folder of the file that holds the
    reference), or a shipped scenario: ``"chainsim:NAME"`` always, a bare
    ``"NAME"`` where no such file lies in ``folder``.
    """
    path = (folder / reference).resolve()
    if reference.startswith(SHIPPED_PREFIX) or (not path.is_file() and _shipped(reference) is not None):
        path = (_shipped(reference) or path).resolve()
    return path


def missing_reference(reference: str, looked_for: Path) -> str:
    """The problem of a reference (``extends``, an experiment's ``base``) that names no file: what is allowed,
    and the shipped scenario it may have meant."""
    names = list(shipped_scenarios())
    hint = suggest(reference.removeprefix(SHIPPED_PREFIX).removesuffix(".toml"), names)
    return (f"base scenario {reference!r} not found (looked for {looked_for}; allowed: a path relative to this "
            f"file, or chainsim:NAME with NAME one of: {', '.join(names) or 'none found'}){hint}")


MAX_PROBLEMS = 50
"""At most this many problems are listed; the rest are counted."""


class ScenarioError(ValueError):
    """Problems in one or more scenario files; ``problems`` holds one line each (at most MAX_PROBLEMS + 1)."""

    def __init__(self, problems: list[str]) -> None:
        if len(problems) > MAX_PROBLEMS:
            problems = problems[:MAX_PROBLEMS] + [f"... and {len(problems) - MAX_PROBLEMS} more problems"]
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Scenario:
    """A checked scenario, with its bases merged in."""

    name: str
    description: str
    sources: tuple[str, ...]
    calendar: Calendar = field(default_factory=Calendar)
    params: Parameters = field(default_factory=Parameters)
    regions: tuple[str, ...] | None = None
    levers: tuple[Lever, ...] = ()
    path: Path | None = None
    parameters_set: frozenset[str] = frozenset()   # parameters the file (or a base) sets itself
    era: str = REGIONS.name                         # chainsim.core.eras.ERAS
    start_from: str | None = None                   # an era simulated first (chainsim.core.handover)
    history_params: Parameters | None = None        # the parameters of that era's own shipped scenario

    def run_config(self) -> RunConfig:
        return RunConfig(params=self.params, calendar=self.calendar, regions=self.regions,
                         scenario=self.name, levers=self.levers, era=self.era, start_from=self.start_from,
                         history_params=self.history_params)


def _region_codes(f: TomlFile, key: str, names: list) -> tuple[str, ...] | None:
    if not names:
        f.problem(key, "empty list (allowed: \"all\" or a list of region names)")
        return None
    codes = []
    for i, name in enumerate(names):
        if not isinstance(name, str):
            f.problem(key, f"item {i + 1} must be a region name in quotes, got {type_name(name)}")
            continue
        try:
            codes.append(find_region(name).code)
        except UnknownRegionError:
            from chainsim.core.regions import load_regions
            names = [r.name for r in load_regions()]
            f.problem(key, f"unknown region {name!r} (allowed: the names or codes of `chainsim list regions`)"
                           f"{suggest(name, names)}")
    return tuple(dict.fromkeys(codes)) if len(codes) == len(names) else None


def _selection(f: TomlFile, key: str, value: Any) -> RegionSelection | None:
    """Lever regions: "all", a list of names, { fraction = x } or { rule = "..." }."""
    if value == "all":
        return RegionSelection()
    if isinstance(value, list):
        codes = _region_codes(f, key, value)
        return RegionSelection(codes=codes) if codes else None
    if isinstance(value, dict):
        if set(value) == {"fraction"}:
            share = check_number(f, f"{key}.fraction", value["fraction"], 0.0, 1.0)
            return RegionSelection(fraction=share) if share is not None else None
        if set(value) == {"rule"}:
            rule = value["rule"]
            match = RULE_PATTERN.match(rule) if isinstance(rule, str) else None
            if not match:
                f.problem(f"{key}.rule", f"{rule!r} is not a rule (allowed: \"ATTRIBUTE OP NUMBER\", "
                                         "OP one of > >= < <= == !=)")
                return None
            if match.group(1) not in RULE_ATTRIBUTES:
                f.problem(f"{key}.rule", f"unknown attribute {match.group(1)!r} (allowed: "
                                         f"{', '.join(RULE_ATTRIBUTES)}){suggest(match.group(1), RULE_ATTRIBUTES)}")
                return None
            return RegionSelection(rule=rule)
    f.problem(key, "must be \"all\", a list of region names, { fraction = 0.5 } or "
                   "{ rule = \"n_municipalities > 15\" }")
    return None


def _check_file(f: TomlFile) -> dict:
    """Check one file on its own; return its usable parts."""
    data, out = f.data, {}
    for key in data:
        if key not in TOP_KEYS:
            f.problem(key, f"unknown key (allowed: {', '.join(TOP_KEYS)}){suggest(key, TOP_KEYS)}")
    for key in ("description", "sources"):
        if key not in data:
            f.problems.append(f"{f.path}:1: {key}: missing (every scenario describes itself and cites its sources)")
    if "description" in data and (not isinstance(data["description"], str) or not data["description"].strip()):
        f.problem("description", "must be a non-empty text")
    if "sources" in data:
        sources = data["sources"]
        if not isinstance(sources, list) or not sources or not all(isinstance(s, str) and s.strip() for s in sources):
            f.problem("sources", "must be a non-empty list of texts, one per source")
        else:
            out["sources"] = tuple(sources)
    if isinstance(data.get("description"), str):
        out["description"] = data["description"]
    if "era" in data:
        if data["era"] in ERAS:
            out["era"] = data["era"]
        else:
            f.problem("era", f"unknown era {data['era']!r} (allowed: {', '.join(ERAS)})")
    if "start_from" in data:
        if data["start_from"] in HISTORIES:
            out["start_from"] = data["start_from"]
        else:
            f.problem("start_from", f"{data['start_from']!r} is no era a run can start from "
                                    f"(allowed: {', '.join(HISTORIES)})")
    if "extends" in data and not isinstance(data["extends"], str):
        f.problem("extends", f"must be a file name in quotes, got {type_name(data['extends'])}")

    cal = data.get("calendar", {})
    out["calendar"] = {}
    if not isinstance(cal, dict):
        f.problem("calendar", f"must be a table [calendar], got {type_name(cal)}")
    else:
        for key, value in cal.items():
            if key not in CALENDAR_KEYS:
                f.problem(f"calendar.{key}", f"unknown key (allowed: {', '.join(CALENDAR_KEYS)})"
                                             + suggest(key, CALENDAR_KEYS))
            elif (month := check_month(f, f"calendar.{key}", value)) is not None:
                out["calendar"][key] = month

    params = data.get("parameters", {})
    out["parameters"] = {}
    if not isinstance(params, dict):
        f.problem("parameters", f"must be a table [parameters], got {type_name(params)}")
    else:
        for key, value in params.items():
            spec = SPECS.get(key)
            if spec is None:
                f.problem(f"parameters.{key}", "unknown parameter (allowed: the names in docs/ODD.md §7.2)"
                                                + suggest(key, SPECS))
            elif (number := check_number(f, f"parameters.{key}", value, spec.low, spec.high)) is not None:
                out["parameters"][key] = number

    if "regions" in data:
        regions = data["regions"]
        if regions == "all":
            out["regions"] = None
        elif isinstance(regions, list):
            codes = _region_codes(f, "regions", regions)
            if codes:
                out["regions"] = codes
        else:
            f.problem("regions", f"must be \"all\" or a list of region names, got {type_name(regions)}")

    out["levers"] = []
    levers = data.get("levers", [])
    if not isinstance(levers, list):
        f.problem("levers", "must be an array of tables, written [[levers]]")
        levers = []
    for i, raw in enumerate(levers):
        key = f"levers[{i}]"
        if not isinstance(raw, dict):
            f.problem(key, f"must be a table, written [[levers]], got {type_name(raw)}")
            continue
        out["levers"].append((i, raw))
    return out


def _build_lever(f: TomlFile, i: int, raw: dict, calendar: Calendar) -> Lever | None:
    key = f"levers[{i}]"
    before = len(f.problems)
    kind = raw.get("kind")
    spec = LEVERS.get(kind) if isinstance(kind, str) else None
    if spec is None:            # the keys every lever has are still checked, so that one pass finds all
        if kind is None:
            f.problem(key, f"missing kind (allowed: {', '.join(LEVERS)})")
        else:
            f.problem(f"{key}.kind", f"unknown lever kind {kind!r} (allowed: {', '.join(LEVERS)})"
                                     + suggest(kind, LEVERS))
        # without a kind the options are not known: a key no lever has is still a slip
        any_lever = tuple(dict.fromkeys(LEVER_KEYS + tuple(o for s in LEVERS.values() for o in s.options)))
        for k in raw:
            if k not in any_lever:
                f.problem(f"{key}.{k}", f"unknown key for any lever (allowed: {', '.join(any_lever)})"
                                        + suggest(k, any_lever))
    else:
        allowed = LEVER_KEYS + tuple(spec.options)
        for k in raw:
            if k not in allowed:
                f.problem(f"{key}.{k}", f"unknown key for a {kind} lever (allowed: {', '.join(allowed)})"
                                        + suggest(k, allowed))
    if "start" not in raw:
        f.problem(key, "missing start (allowed: a month \"YYYY-MM\" within the calendar)")
    start = check_month(f, f"{key}.start", raw["start"]) if "start" in raw else None
    end = check_month(f, f"{key}.end", raw["end"]) if "end" in raw else None
    window = f"(allowed: {calendar.start} to {calendar.end})"
    if start is not None and not calendar.start <= start <= calendar.end:
        f.problem(f"{key}.start", f"{start} lies outside the calendar {window}")
    if end is not None and not calendar.start <= end <= calendar.end:
        f.problem(f"{key}.end", f"{end} lies outside the calendar {window}")
    if start is not None and end is not None and end < start:
        f.problem(f"{key}.end", f"{end} lies before the start {start}")
    strength = check_number(f, f"{key}.strength", raw.get("strength", 1.0), 0.0, 1.0)
    regions = _selection(f, f"{key}.regions", raw.get("regions", "all"))
    options = []
    for name, (_, low, high, _meaning) in (spec.options if spec is not None else {}).items():
        if name not in raw:
            continue
        if name in spec.whole_options:
            value = check_whole(f, f"{key}.{name}", raw[name], int(low), int(high))
        else:
            value = check_number(f, f"{key}.{name}", raw[name], low, high)
        if value is not None:
            options.append((name, float(value)))
    if len(f.problems) > before:
        return None
    return Lever(kind, start, end, regions, strength, tuple(options))


def _load_chain(path: Path, seen: tuple[Path, ...]) -> tuple[list[tuple[TomlFile, dict]], list[str]]:
    """The file and its bases, base first, each checked on its own."""
    f, problems = read_toml(path)
    if f is None:
        return [], problems
    signs = sorted(set(EXPERIMENT_SIGNS) & set(f.data))
    # factors and design make an experiment file; a base alone may be a slip for extends
    if not seen and {"factors", "design"} & set(f.data) and not (set(TOP_KEYS) - {"description"}) & set(f.data):
        return [], [f"{path}:1: this is an experiment file (it has {', '.join(signs)}): run it with `chainsim "
                    "sweep`; run and compare take scenario files (extends, levers, parameters, ...)"]
    checked = _check_file(f)
    chain: list[tuple[TomlFile, dict]] = []
    base = f.data.get("extends")
    if isinstance(base, str):
        base_path = resolve_beside(base, path.parent)
        if base_path in seen or base_path == path.resolve():
            cycle = " -> ".join(p.name for p in (*seen, path.resolve(), base_path))
            f.problem("extends", f"cycle of extends: {cycle}")
        elif len(seen) >= MAX_EXTENDS_DEPTH:
            f.problem("extends", f"more than {MAX_EXTENDS_DEPTH} levels of extends")
        elif not base_path.is_file():
            f.problem("extends", missing_reference(base, base_path))
        else:
            chain, problems = _load_chain(base_path, (*seen, path.resolve()))
    return chain + [(f, checked)], problems


def load_scenario(path: str | Path) -> Scenario:
    """Read, merge and check a scenario; raise :class:`ScenarioError` listing every problem.

    ``path`` is a file, or the name of a shipped scenario (:func:`resolve_scenario`).
    """
    path = resolve_scenario(path)
    chain, problems = _load_chain(path, ())
    if not chain:
        raise ScenarioError(problems)
    calendar_values: dict[str, Month] = {}
    parameters: dict[str, float] = {}
    regions, era, start_from = None, REGIONS, None
    for _, checked in chain:
        era = ERAS[checked.get("era", era.name)]
        start_from = checked.get("start_from", start_from)
        calendar_values.update(checked["calendar"])
        parameters.update(checked["parameters"])
        if "regions" in checked:
            regions = checked["regions"]
    own, top = chain[-1]
    calendar = era.calendar
    try:
        calendar = Calendar(calendar_values.get("start", calendar.start), calendar_values.get("end", calendar.end),
                            calendar_values.get("observed_at", calendar.observed_at))
    except ValueError as exc:
        own.problem("calendar", f"{exc} (allowed: start <= observed_at <= end)")
    levers = []
    for f, checked in chain:
        for i, raw in checked["levers"]:
            kind = raw.get("kind")
            if isinstance(kind, str) and (problem := era_mismatch(kind, era.name)) is not None:
                f.problem(f"levers[{i}].kind", problem)
                continue
            lever = _build_lever(f, i, raw, calendar)
            if lever is not None and lever.regions.rule is not None and era.name != REGIONS.name:
                f.problem(f"levers[{i}].regions", f"a rule selects regions by their structure, which the units "
                                                  f"of the era {era.name} do not share (allowed there: \"all\", a "
                                                  "list of region names, or { fraction = x })")
                continue
            if lever is not None:
                levers.append(lever)
    if start_from is not None and era.name != REGIONS.name:
        own.problem("start_from", f"only a run of {REGIONS.name} starts from another era (this one is {era.name})")
    elif start_from is not None and calendar.start != ERAS[start_from].calendar.end.plus(1):
        own.problem("calendar.start", f"{calendar.start}: a run that starts from {start_from} begins the month "
                                      f"after it ends (allowed: {ERAS[start_from].calendar.end.plus(1)})")
    if (problem := era.calendar_problem(calendar)) is not None:
        own.problem("calendar", problem)
    for f, _ in chain:
        problems.extend(f.sorted_problems())
    if problems:
        raise ScenarioError(list(dict.fromkeys(problems)))
    # the era a run starts from runs on the parameters of that era's shipped scenario (its calibration),
    # with the values this scenario (or one of its bases) sets itself laid over them
    history = None
    if start_from is not None:
        history = load_scenario(SHIPPED_DIR / f"{start_from}.toml").params.with_values(**parameters)
    return Scenario(name=path.stem, description=top["description"], sources=top["sources"],
                    calendar=calendar, params=Parameters.from_mapping(parameters), regions=regions,
                    levers=tuple(levers), path=path, parameters_set=frozenset(parameters), era=era.name,
                    start_from=start_from, history_params=history)


def default_scenario() -> Scenario:
    """The built-in Netherlands 2012-2016 scenario (what scenarios/netherlands_2012.toml restates)."""
    return Scenario(
        name="netherlands_2012",
        description="The Netherlands 2012-2016: 35 labour market regions under the national time line.",
        sources=("Inspectie SZW (2015) Samen voor werkgevers, R16/10a (seed 004)",),
    )
