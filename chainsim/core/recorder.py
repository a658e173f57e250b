"""The monthly record of a run: every unit's items, class, stage and diagnostics.

What the items are is the era's measurement (:mod:`chainsim.core.eras`); the
diagnostics read the state every era shares.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from chainsim.core import measurement
from chainsim.core.world import World

DIAGNOSTICS = ("trust_uwv_municipalities", "trust_centre_municipalities", "belief", "pressure",
               "evidence", "arrangements_in_force", "employer_engaged", "sw_partners",
               "participation", "rivalry")


class Recorder:
    """Per-month record of every region's items, class, stage and a few diagnostics."""

    def __init__(self, n_months: int, n_regions: int, indicators: tuple[str, ...] = measurement.INDICATORS,
                 measure: Callable[[World], tuple] = measurement.measure) -> None:
        self.indicators, self.measure = indicators, measure
        self.items = np.zeros((n_months, n_regions, len(indicators)), dtype=bool)
        self.levels = np.zeros((n_months, n_regions, 3), dtype=bool)
        self.level_class = np.zeros((n_months, n_regions), dtype=np.int8)
        self.stage = np.zeros((n_months, n_regions), dtype=np.int8)
        self.diagnostics = np.zeros((n_months, n_regions, len(DIAGNOSTICS)), dtype=np.float32)

    def record(self, world: World) -> None:
        t, rs, pop = world.t, world.regions_state, world.population
        items, levels, level_class, stage = self.measure(world)
        self.items[t], self.levels[t] = items, levels
        self.level_class[t], self.stage[t] = level_class, stage
        n_org = np.maximum(rs.n_organisations, 1)
        municipal = world.tie_index.municipal
        n_muni = np.maximum(np.bincount(pop.region[municipal], None, rs.n), 1)
        sw = world.tie_index.is_sw
        self.diagnostics[t] = np.stack([
            rs.trust_uwv, rs.trust_centre,
            np.bincount(pop.region, pop.belief, rs.n) / n_org,
            rs.pressure, rs.evidence, rs.in_force.sum(axis=1),
            pop.engaged[rs.employer_row],
            np.bincount(pop.region[sw], pop.partner[sw], rs.n),
            np.bincount(pop.region[municipal], pop.participates[municipal], rs.n) / n_muni,
            np.bincount(pop.region[municipal], pop.rivalry[municipal], rs.n) / n_muni,
        ], axis=1)
