"""The monthly record of a run: every region's items, class, stage and diagnostics."""

from __future__ import annotations

import numpy as np

from chainsim.core.measurement import INDICATORS, measure
from chainsim.core.world import World

DIAGNOSTICS = ("trust_uwv_municipalities", "trust_centre_municipalities", "belief", "pressure",
               "evidence", "arrangements_in_force", "employer_engaged", "sw_partners",
               "participation", "rivalry")


class Recorder:
    """Per-month record of every region's items, class, stage and a few diagnostics."""

    def __init__(self, n_months: int, n_regions: int) -> None:
        self.items = np.zeros((n_months, n_regions, len(INDICATORS)), dtype=bool)
        self.levels = np.zeros((n_months, n_regions, 3), dtype=bool)
        self.level_class = np.zeros((n_months, n_regions), dtype=np.int8)
        self.stage = np.zeros((n_months, n_regions), dtype=np.int8)
        self.diagnostics = np.zeros((n_months, n_regions, len(DIAGNOSTICS)), dtype=np.float32)

    def record(self, world: World) -> None:
        t, rs, pop = world.t, world.regions_state, world.population
        items, levels, level_class, stage = measure(world)
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
