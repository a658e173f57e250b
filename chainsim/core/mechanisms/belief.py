"""Belief that cooperation pays, fed by evidence from the own and other regions (M11).

Parties cooperate when they believe it pays, and belief follows visible
results: "in that region placements tripled since they work together"
(004 §4.5). Results come from pooling vacancies and candidates -- the scale
argument of seed 003 -- and need jobs to fill, so they show more in a tight
labour market. Learning between regions (000 'Leren van elkaar'; the
Programmaraad's aanjagers, 004 §2.3) carries evidence across borders,
weighted by trust between the centres.
"""

from __future__ import annotations

import numpy as np

from chainsim.core.network import TieKind
from chainsim.core.world import World


def gather_evidence(world: World) -> None:
    """Per region, the visible result of pooling: own and in bordering regions.

    Own evidence is the result the labour market shows (``results``: the
    placements made through the pooled file, per placement the own target
    asks, averaged over recent months; chainsim.core.mechanisms.labour_market).
    Neighbour evidence is the trust-weighted mean over bordering regions.
    """
    rs = world.regions_state
    rs.evidence[:] = rs.results
    ties = world.ties
    bc = world.tie_index.by_kind[TieKind.BORDERING_CENTRES]
    if len(bc) == 0:
        rs.neighbour_evidence[:] = 0.0
        return
    ru = world.population.region[ties.u[bc]]
    rv = world.population.region[ties.v[bc]]
    w = ties.trust[bc]
    total = np.bincount(ru, w * rs.evidence[rv], rs.n) + np.bincount(rv, w * rs.evidence[ru], rs.n)
    weight = np.bincount(ru, w, rs.n) + np.bincount(rv, w, rs.n)
    # 1e-12: a guard against dividing by zero where np.where discards the result anyway
    rs.neighbour_evidence[:] = np.where(weight > 0, total / np.maximum(weight, 1e-12), 0.0)


def update_belief(world: World) -> None:
    """M11: each organisation's belief moves towards what the evidence suggests.

    The target is the organisation's own disposition plus the evidence from
    its region, from bordering regions and -- carried by national learning
    programmes (``knowledge_sharing``, and a knowledge-sharing lever's boost)
    -- from the country's best-performing region; a lever's boost also
    widens the reach of the bordering regions' results. Belief moves a
    fraction ``belief_learning_rate`` of the way each month.
    """
    p, pop, rs = world.params, world.population, world.regions_state
    if world.off("M11"):
        return
    r = pop.region
    showcase = world.layout.region_max(rs.evidence)   # per region: its replication's best region
    target = (pop.belief_prior
              + p.evidence_own_weight * rs.evidence[r]
              + p.evidence_neighbour_weight * (1.0 + rs.knowledge_boost[r]) * rs.neighbour_evidence[r]
              + (p.knowledge_sharing * world.calendar.drivers.learning_support[world.t]
                 + rs.knowledge_boost[r]) * showcase[r])
    pop.belief += p.belief_learning_rate * (np.clip(target, 0.0, 1.0) - pop.belief)
