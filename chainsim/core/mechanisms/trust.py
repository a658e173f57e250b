"""Trust that grows with time spent together (M3).

Trust between two organisations rises with the time they spend together at
a working table (004 §4.2, §4.5, §4.6). Kept and broken commitments
(deliveries, M13; closures, M7), dominance at the table (M5,
:mod:`chainsim.core.mechanisms.leadership`), cost shifting (M14) and new
aldermen (M6) move trust too; they live with their mechanisms.
"""

from __future__ import annotations

import numpy as np

from chainsim.core.network import TieKind
from chainsim.core.ties import scale_ties
from chainsim.core.world import World

NO_TIE_TRUST = 0.5
"""Trust read where an organisation has no tie of the kind asked for (the
centre has no tie with itself; a region could lack a kind of tie): the
middle of the 0-1 trust scale, neither trust nor distrust. Not a parameter:
a neutral fill for a missing value, not a claim about behaviour
(chainsim.agents reads the same value)."""


def build_trust_through_contact(world: World) -> None:
    """M3, M7, M5: parties that meet regularly come to trust each other.

    Only municipalities that take part in the regional table meet there.

    - UWV and municipalities, where they meet at a tactical or governance
      table; faster with a connecting UWV regional manager (004 §4.2, §4.6;
      ``contact_base_uwv`` + connector) and with the attention left after
      turbulence (M15); where they share a building (the werkplein era),
      ``co_location_trust`` times more (001 §5.6, contested: 0 reads it as
      CWI did);
    - centre and municipalities, where a governance table meets; faster
      under a facilitating centre (004 §4.5; ``contact_base_centre`` + style);
    - municipalities of one subregion, which already work together
      (``peer_contact_share``);
    - SW companies and their owners, where the SW company acts as partner;
    - an engaged employer organisation with the centre and UWV;
    - centres of bordering regions, through national learning (M11;
      ``border_contact_share``).
    """
    p, rs, pop, ix = world.params, world.regions_state, world.population, world.tie_index
    ties, gain = world.ties, p.trust_contact_gain
    if world.off("M3"):
        return
    in_force = rs.in_force
    meets_uwv = world.catalogue.any_in_force(in_force, "meets_agency")
    # a shared building adds daily contact in one reading of 001 §5.6 (co_location_trust = 0: the other)
    co_located = world.catalogue.any_in_force(in_force, "co_location")
    governance = world.catalogue.any_in_force(in_force, "governing_table")
    attention = 1.0 - np.bincount(pop.region, pop.turbulence, rs.n) / np.maximum(rs.n_organisations, 1)

    at_table = pop.participates
    um = ix.by_kind[TieKind.UWV_MUNICIPALITY]
    r = ties.region[um]
    scale_ties(ties.trust, um, gain * (meets_uwv[r] + p.co_location_trust * co_located[r]) * at_table[ties.v[um]]
               * (p.contact_base_uwv + rs.uwv_connector[r]) * attention[r] * rs.contact_factor[r])
    cm = ix.by_kind[TieKind.CENTRE_MUNICIPALITY]
    r = ties.region[cm]
    scale_ties(ties.trust, cm, gain * governance[r] * at_table[ties.v[cm]]
               * (p.contact_base_centre + rs.leadership_style[r]))
    scale_ties(ties.trust, ix.by_kind[TieKind.SUBREGION_PEERS], p.peer_contact_share * gain)
    so = ix.by_kind[TieKind.SW_OWNER]
    scale_ties(ties.trust, so, gain * pop.partner[ties.u[so]])
    engaged = pop.engaged
    for kind in (TieKind.EMPLOYER_CENTRE, TieKind.EMPLOYER_UWV):
        idx = ix.by_kind[kind]
        scale_ties(ties.trust, idx, gain * engaged[ties.u[idx]])
    bc = ix.by_kind[TieKind.BORDERING_CENTRES]
    boost = rs.knowledge_boost[pop.region[ties.u[bc]]] + rs.knowledge_boost[pop.region[ties.v[bc]]]
    scale_ties(ties.trust, bc, p.border_contact_share * gain * (1.0 + boost))
