"""What chainsim offers, as tables: levers, parameters, regions, shipped scenarios.

The data behind ``chainsim list …`` and the lever lines of ``chainsim
validate``: plain rows (dicts) built from the declared tables -- the lever
kinds of :mod:`chainsim.core.levers`, the parameter specs of
:mod:`chainsim.core.parameters`, the regions of ``chainsim/data`` and the
shipped scenarios -- so what a user reads is what the model uses.
"""

from __future__ import annotations

import numpy as np

from chainsim.core.calendar import Calendar
from chainsim.core.eras import ERAS, REGIONS
from chainsim.core.levers import LEVERS, Lever
from chainsim.core.parameters import SPECS
from chainsim.core.regions import load_regions
from chainsim.scenario import ScenarioError, load_scenario, shipped_scenarios

WHAT = ("levers", "parameters", "regions", "scenarios")


def lever_rows() -> list[dict]:
    rows = []
    for kind, lever in LEVERS.items():
        options = "; ".join(f"{name} = {default:g} ({low:g}..{high:g}): {meaning}"
                            for name, (default, low, high, meaning) in lever.options.items())
        rows.append({"kind": kind, "eras": ", ".join(lever.eras), "mechanisms": lever.mechanisms,
                     "source": lever.source,
                     "what": (lever.__doc__ or "").strip().splitlines()[0], "options": options})
    return rows


def parameter_rows() -> list[dict]:
    return [{"name": s.name, "default": s.default, "low": s.low, "high": s.high, "mechanism": s.mechanism,
             "source": s.source, "what": s.description} for s in SPECS.values()]


def region_rows() -> list[dict]:
    return [{"code": r.code, "name": r.name, "centre": r.centre, "municipalities": r.n_municipalities,
             "labour_market": r.labour_market, "sw_companies": r.n_sw_companies, "subregions": r.n_subregions}
            for r in load_regions()]


def scenario_rows() -> list[dict]:
    rows = []
    for name, path in shipped_scenarios().items():
        try:
            scenario = load_scenario(path)
            era = scenario.era + (f" (from {scenario.start_from})" if scenario.start_from else "")
            rows.append({"name": name, "era": era, "levers": len(scenario.levers),
                         "description": scenario.description})
        except ScenarioError as exc:
            rows.append({"name": name, "era": None, "levers": None, "description": f"invalid: {exc.problems[0]}"})
    return rows


ROWS = {"levers": lever_rows, "parameters": parameter_rows, "regions": region_rows, "scenarios": scenario_rows}


def describe_lever(lever: Lever, calendar: Calendar, era: str = REGIONS.name) -> str:
    """One line: the lever, its period and the units it applies to (named where the rule fixes them)."""
    return f"lever {lever.kind} (strength {lever.strength:g}) {lever_reach(lever, calendar, era)}"


def lever_reach(lever: Lever, calendar: Calendar, era: str = REGIONS.name) -> str:
    """A lever's period and the units it applies to: ``from 2013-01 to 2016-12: applies to ...``."""
    end = str(lever.end) if lever.end is not None else f"{calendar.end} (no end given: to the end of the calendar)"
    head = f"from {lever.start} to {end}"
    selection = lever.regions
    unit = ERAS[era].unit
    if selection.fraction is not None:
        return f"{head}: a random {selection.fraction:g} of the {unit}s, drawn anew in every replication"
    infos = ERAS[era].select(None)
    mask = selection.mask(infos, np.random.default_rng(0))   # names, rules and "all" draw nothing
    names = [info.name for info, chosen in zip(infos, mask) if chosen]
    if len(names) == len(infos):
        return f"{head}: applies to all {len(names)} {unit}s"
    if not names:
        return f"{head}: applies to no {unit} ({selection.describe()})"
    return f"{head}: applies to {len(names)} {unit}{'s' if len(names) > 1 else ''}: {', '.join(names)}"
