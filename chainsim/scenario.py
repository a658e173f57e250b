"""Scenario files: what a run simulates, written in TOML and checked on load.

A scenario file describes itself, cites its sources, and may set the
calendar, the regions and parameter values by the names of docs/ODD.md::

    description = "The Netherlands 2012-2016, default parameters"
    sources = ["Inspectie SZW (2015) Samen voor werkgevers (seed 004)"]
    regions = "all"                       # or a list of names or codes

    [calendar]
    start = "2012-01"
    end = "2016-12"
    observed_at = "2014-11"

    [parameters]
    weight_pressure = 0.8

Every problem is reported as one line ``FILE: key: what is wrong (allowed:
...)``, all problems of a file at once, as a :class:`ScenarioError`.
"""

from __future__ import annotations

import difflib
import tomllib
from pathlib import Path

from chainsim.calendar import Calendar, Month
from chainsim.parameters import SPECS, Parameters
from chainsim.regions import UnknownRegionError, find_region
from chainsim.runner import RunConfig

TOP_KEYS = {"description": str, "sources": list, "regions": (str, list),
            "calendar": dict, "parameters": dict}
CALENDAR_KEYS = ("start", "end", "observed_at")


class ScenarioError(ValueError):
    """One or more problems in a scenario file; ``problems`` has one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _suggest(key: str, allowed) -> str:
    close = difflib.get_close_matches(key, list(allowed), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def load_scenario(path: str | Path) -> RunConfig:
    """Read and check a scenario file; raise :class:`ScenarioError` on any problem."""
    path = Path(path)
    where = str(path)
    if not path.is_file():
        raise ScenarioError([f"{where}: file not found"])
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError([f"{where}: TOML syntax error: {exc}"]) from None
    except UnicodeDecodeError:
        raise ScenarioError([f"{where}: not a UTF-8 text file"]) from None
    return config_from_mapping(data, where, name=path.stem)


def config_from_mapping(data: dict, where: str, name: str) -> RunConfig:
    """Build a run configuration from a parsed scenario (shared by files and tests)."""
    problems: list[str] = []
    for key, value in data.items():
        if key not in TOP_KEYS:
            problems.append(f"{where}: {key}: unknown key (allowed: {', '.join(TOP_KEYS)})"
                            + _suggest(key, TOP_KEYS))
        elif not isinstance(value, TOP_KEYS[key]):
            problems.append(f"{where}: {key}: wrong type {type(value).__name__}")
    for key in ("description", "sources"):
        if key not in data:
            problems.append(f"{where}: {key}: missing (every scenario describes itself and cites its sources)")
    if isinstance(data.get("sources"), list) and not all(isinstance(s, str) for s in data["sources"]):
        problems.append(f"{where}: sources: must be a list of strings")

    calendar = Calendar()
    cal = data.get("calendar", {})
    if isinstance(cal, dict):
        values = {}
        for key, value in cal.items():
            if key not in CALENDAR_KEYS:
                problems.append(f"{where}: calendar.{key}: unknown key (allowed: {', '.join(CALENDAR_KEYS)})"
                                + _suggest(key, CALENDAR_KEYS))
                continue
            try:
                values[key] = Month.parse(value)
            except ValueError:
                problems.append(f"{where}: calendar.{key}: {value!r} is not a month (allowed: YYYY-MM)")
        if not any(p.startswith(f"{where}: calendar.") for p in problems):
            defaults = Calendar()
            try:
                calendar = Calendar(values.get("start", defaults.start), values.get("end", defaults.end),
                                    values.get("observed_at", defaults.observed_at))
            except ValueError as exc:
                problems.append(f"{where}: calendar: {exc}")

    params = Parameters()
    overrides = data.get("parameters", {})
    if isinstance(overrides, dict):
        good = {}
        for key, value in overrides.items():
            spec = SPECS.get(key)
            if spec is None:
                problems.append(f"{where}: parameters.{key}: unknown parameter{_suggest(key, SPECS)}")
            elif isinstance(value, bool) or not isinstance(value, (int, float)):
                problems.append(f"{where}: parameters.{key}: must be a number, got {value!r}")
            elif not spec.low <= value <= spec.high:
                problems.append(f"{where}: parameters.{key}: {value} out of range "
                                f"(allowed: {spec.low} to {spec.high})")
            else:
                good[key] = float(value)
        params = Parameters.from_mapping(good)

    regions = None
    chosen = data.get("regions", "all")
    if isinstance(chosen, str) and chosen != "all":
        problems.append(f"{where}: regions: {chosen!r} (allowed: \"all\" or a list of region names)")
    elif isinstance(chosen, list):
        codes = []
        for item in chosen:
            try:
                codes.append(find_region(str(item)).code)
            except UnknownRegionError:
                problems.append(f"{where}: regions: unknown region {item!r}")
        regions = tuple(codes) if codes else None
        if not chosen:
            problems.append(f"{where}: regions: empty list (allowed: \"all\" or region names)")

    if problems:
        raise ScenarioError(problems)
    return RunConfig(params=params, calendar=calendar, regions=regions, scenario=name)
