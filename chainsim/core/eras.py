"""Eras: one core, several configurations of units, arrangements and measurement.

An era says what a run's units can adopt (its :class:`~chainsim.core.arrangements.Catalogue`),
how they are measured each month (indicators and the rule that scores them)
and what the stages are called. The mechanisms are the same in every era;
they read arrangements by role, never by name. The labour market regions of
2012-2016 (seed 004) are the first era.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from chainsim.core import measurement
from chainsim.core.arrangements import REGION_CATALOGUE, Catalogue
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


REGIONS = Era("regions_2012", REGION_CATALOGUE, measurement.INDICATORS, measurement.measure,
              measurement.STAGES, "region")
"""The 35 labour market regions, measured as the Inspectorate measured them in 2014 (004 §2.4, §3)."""
