"""Measurement at the werkplein locations, as the Inspectorate's 2007 survey asked (001 §4).

Each month every location is scored on the forms of cooperation the 2007
survey counted -- a regional form at all, a shared building, one counter,
composed and integrated teams, one contact person, electronic chain
messages, a joint local vision and personnel plan (001 §4.1, §4.3) -- and on
the Inspectorate's own definition of integrated guidance to work: one
contact person who can use all partners' instruments, no visible
distinction between the organisations, and shared ICT (001 §1.3), read as
one contact person, one counter, and electronic chain messages or shared
ICT. Nothing
here sets an outcome: it reads the arrangements the mechanisms produced.

The stages:

- ``integrated``: integrated guidance to work by the definition above;
- ``partly``: some shop-floor integration (a shared building, one counter or
  composed teams) without the whole of it;
- ``separate``: the partners work side by side, at most consulting.

The survey's unit is the responding organisation, not the location
(docs/research/werkplein_sources.md §6): its shares are compared with shares
of locations, which docs/validation_werkplein.md states as a limit of the comparison.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

from chainsim.core.location_arrangements import LOCATION_CATALOGUE
from chainsim.core.world import World

LOCATION_INDICATORS: tuple[str, ...] = (
    "regional_form", "shared_building", "other_regional_form", "no_regional_form", "one_counter",
    "composed_teams", "integrated_teams", "one_contact_person", "chain_messages", "local_vision",
    "joint_personnel_plan", "tripartite_management", "chain_indicators", "shared_ict", "integrated_service",
)
LOCATION_INDICATOR_INDEX = {name: k for k, name in enumerate(LOCATION_INDICATORS)}

LOCATION_ITEM_NAMES: dict[str, str] = {
    "regional_form": "some regional form of cooperation",
    "shared_building": "the partners in one building",
    "other_regional_form": "a regional form of cooperation without a shared building",
    "no_regional_form": "no regional form of cooperation",
    "one_counter": "one counter for all clients",
    "composed_teams": "composed teams (each partner its own tasks)",
    "integrated_teams": "integrated teams (the same tasks)",
    "one_contact_person": "one contact person for a client, on behalf of all partners",
    "chain_messages": "electronic chain messages",
    "local_vision": "a jointly developed local vision",
    "joint_personnel_plan": "a joint personnel plan",
    "tripartite_management": "local tripartite management",
    "chain_indicators": "joint results against chain indicators",
    "shared_ict": "shared ICT (the digital client file)",
    "integrated_service": "integrated guidance to work (001 §1.3)",
}
"""Each item in plain words (001 §1.3, §4.1, §4.3)."""

LOCATION_STAGES = ("integrated", "partly", "separate")
INTEGRATED, PARTLY, SEPARATE = 0, 1, 2

_DIRECT = ("shared_building", "one_counter", "composed_teams", "integrated_teams", "one_contact_person",
           "chain_messages", "local_vision", "joint_personnel_plan", "tripartite_management",
           "chain_indicators", "shared_ict")
_COLUMNS = np.array([LOCATION_CATALOGUE.index[a] for a in _DIRECT])
_ITEMS = np.array([LOCATION_INDICATOR_INDEX[a] for a in _DIRECT])


@dataclass(frozen=True)
class Figure:
    """One figure of the 2007 survey as an interval of shares of locations."""

    item: str
    low: float
    high: float
    words: str
    passage: str
    use: str          # "calibrate": a calibration may fit it; "test": kept to test what the model predicts

    @property
    def middle(self) -> float:
        return (self.low + self.high) / 2.0


@cache
def survey_figures() -> tuple[Figure, ...]:
    """The figures of ``chainsim/data/werkplein_2007.toml`` (001 §4.1-§4.3), checked against the items."""
    with resources.files("chainsim.data").joinpath("werkplein_2007.toml").open("rb") as fh:
        data = tomllib.load(fh)
    figures = tuple(Figure(item, float(f["low"]), float(f["high"]), f["words"], f["passage"], f["use"])
                    for item, f in data["figures"].items())
    for f in figures:
        if f.item not in LOCATION_INDICATOR_INDEX or not 0.0 <= f.low < f.high <= 1.0 \
                or f.use not in ("calibrate", "test"):
            raise ValueError(f"werkplein_2007.toml: figures.{f.item}: needs an item of the measurement, "
                             "0 <= low < high <= 1 and use \"calibrate\" or \"test\"")
    return figures


SURVEY_MONTHS = ("2007-03", "2007-05")
"""The survey's fieldwork, March to May 2007 (001 §1.4): simulated shares are averaged over it."""


def measure_locations(world: World) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Score every location this month: (items, levels, level class, stage).

    Levels are the three of the region era read at a location: governance
    (the chain consultation), tactical (tripartite management or a shared
    building) and operational (composed teams or one counter); the class is
    the number of levels missing (0 all three .. 3 none).
    """
    in_force = world.regions_state.in_force
    index = LOCATION_CATALOGUE.index
    n = in_force.shape[0]
    items = np.zeros((n, len(LOCATION_INDICATORS)), dtype=bool)
    items[:, _ITEMS] = in_force[:, _COLUMNS]

    def col(name: str) -> np.ndarray:
        return in_force[:, index[name]]

    regional = col("chain_consultation")
    building = col("shared_building")
    integrated = col("one_contact_person") & col("one_counter") & (col("chain_messages") | col("shared_ict"))
    items[:, LOCATION_INDICATOR_INDEX["regional_form"]] = regional
    items[:, LOCATION_INDICATOR_INDEX["other_regional_form"]] = regional & ~building
    items[:, LOCATION_INDICATOR_INDEX["no_regional_form"]] = ~regional
    items[:, LOCATION_INDICATOR_INDEX["integrated_service"]] = integrated
    levels = np.stack([regional, col("tripartite_management") | building,
                       col("composed_teams") | col("one_counter")], axis=1)
    level_class = (3 - levels.sum(axis=1)).astype(np.int8)
    partly = building | col("one_counter") | col("composed_teams")
    stage = np.select([integrated, partly], [INTEGRATED, PARTLY], default=SEPARATE)
    return items, levels, level_class, stage
