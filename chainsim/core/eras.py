"""Eras: one core, several configurations of units, arrangements and measurement.

An era says what a run's units can adopt (its :class:`~chainsim.core.arrangements.Catalogue`),
how they are measured each month (indicators and the rule that scores them)
and what the stages are called. The mechanisms are the same in every era;
they read arrangements by role, never by name. The labour market regions of
2012-2016 (seed 004) are one era, the werkplein locations of 2005-2011 (seeds
000-003) the other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from chainsim.core import measurement
from chainsim.core.arrangements import REGION_CATALOGUE, Catalogue
from chainsim.core.calendar import Calendar, Month
from chainsim.core.client_groups import LOCATION_GROUPS, REGION_GROUPS, ClientGroups
from chainsim.core.location_arrangements import LOCATION_CATALOGUE
from chainsim.core.location_measurement import (
    LOCATION_INDICATORS,
    LOCATION_STAGES,
    SURVEY_MONTHS,
    measure_locations,
)
from chainsim.core.locations import select_locations
from chainsim.core.regions import RegionInfo, select_regions
from chainsim.core.world import World

Measure = Callable[[World], tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]
"""A month's measurement of every unit: (items, levels, level class, stage)."""


@dataclass(frozen=True)
class Era:
    """The configuration of one era: catalogue, indicators, measurement and stage names."""

    name: str
    catalogue: Catalogue
    indicators: tuple[str, ...]
    measure: Measure
    stages: tuple[str, ...]
    unit: str            # what one unit is called in reports ("region", "location")
    select: Callable[[list[str] | None], tuple[RegionInfo, ...]]   # units in the named regions (None: all)
    calendar: Calendar   # the era's months and the month it is observed in
    fieldwork: tuple[str, str] | None = None   # months its observed figures were gathered in (YYYY-MM)
    groups: ClientGroups = REGION_GROUPS       # the client groups its organisations serve

    def calendar_problem(self, calendar: Calendar) -> str | None:
        """Why ``calendar`` cannot run this era (None when it can): an era with figures observed in a
        fieldwork window must cover the window and be observed in the month the era is."""
        if self.fieldwork is None:
            return None
        first, last = (Month.parse(m) for m in self.fieldwork)
        if not (calendar.start <= first and last <= calendar.end) or calendar.observed_at != self.calendar.observed_at:
            return (f"the era {self.name} is compared with figures gathered {first}..{last} (allowed: start at or "
                    f"before {first}, end at or after {last}, observed_at = \"{self.calendar.observed_at}\")")
        return None


REGIONS = Era("regions_2012", REGION_CATALOGUE, measurement.INDICATORS, measurement.measure,
              measurement.STAGES, "region", select_regions, Calendar())
"""The 35 labour market regions, measured as the Inspectorate measured them in 2014 (004 §2.4, §3)."""

LOCATIONS = Era("werkpleinen_2005", LOCATION_CATALOGUE, LOCATION_INDICATORS, measure_locations,
                LOCATION_STAGES, "location", select_locations,
                Calendar(Month(2005, 1), Month(2011, 12), Month(2007, 4)), SURVEY_MONTHS, LOCATION_GROUPS)
"""The werkplein locations of 2005-2011, measured as the Inspectorate's 2007 survey asked (001 §4),
in April 2007, the middle of its fieldwork (001 §1.4)."""

ERAS: dict[str, Era] = {era.name: era for era in (REGIONS, LOCATIONS)}
"""Every era by name (a scenario's ``era`` key)."""
