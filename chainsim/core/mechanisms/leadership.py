"""Leadership of the centre municipality, as 004 describes it (M5).

The centre has no formal powers; it "must earn" its lead (004 §4.1,
summary) by persuasion and seduction. What it does at the table decides
whether it does:

- **facilitating or dominating** -- at each meeting the centre acts
  facilitatively with a chance equal to its style (the agenda is chosen in
  :func:`chainsim.core.mechanisms.table.choose_proposals`). A facilitating
  centre whose members carry a proposal earns standing with those who
  supported it (``earned_lead_gain``); a dominating centre that pushes a
  proposal provokes the "big brother" reflex in the members who opposed it,
  the more so the smaller they are and the more the economy turns around the
  centre city (004 §4.1, §4.5; ``trust_dominance_loss``). Standing is the
  member's trust in the centre, through which the centre persuades.
- **rotating chairs and divided responsibilities** -- a strategically
  skilled centre chairs in turn, meets in a different municipality each
  time and lets working groups be led by others (004 §4.5 quote; the
  Friesland box), which takes the sting out of dominance
  (``rotation_relief`` x skill).
- **white ravens** -- the centre should find allies enthusiastic about the
  region: someone from UWV, the employers, or an alderman of another, often
  larger, municipality (004 §4.5 recommendations). Each month the region's
  strongest candidate ally is the best of: UWV's regional manager as
  connector where UWV sits at a table (004 §4.2, §4.5 "verbindingsofficier"),
  an engaged and active employer organisation (004 §4.4-4.5), and the most
  regional, strongest alderman of another municipality (004 §4.1); a
  skilled centre finds and uses that ally (skill x ally). The ally's weight
  adds to the persuasion term of the decision rule (``ally_weight``).
"""

from __future__ import annotations

import numpy as np

from chainsim.core.network import TieKind
from chainsim.core.population import Kind
from chainsim.core.ties import scale_ties
from chainsim.core.world import World


def find_allies(world: World) -> None:
    """The strength of the ally each centre has found this month (0-1), per region."""
    rs, pop = world.regions_state, world.population
    if world.off("M5"):
        rs.allies[:] = 0.0
        return
    at_table = world.catalogue.any_in_force(rs.in_force, "meets_agency")
    uwv = rs.uwv_connector * at_table
    employers = pop.engaged[rs.employer_row] * rs.employer_activism
    others = pop.kind == Kind.MUNICIPALITY
    regional = np.clip(2.0 * pop.alderman_orientation - 1.0, 0.0, 1.0)   # not a parameter: as in the rule
    alderman = np.zeros(rs.n)
    np.maximum.at(alderman, pop.region[others], (regional * pop.alderman_strength)[others])
    rs.allies[:] = rs.strategic_skill * np.maximum(np.maximum(uwv, employers), alderman)


def after_the_vote(world: World, proposal: np.ndarray, support: np.ndarray, carried: np.ndarray,
                   meeting: np.ndarray) -> None:
    """Standing earned or lost on each member's tie with the centre, by how the centre acted."""
    p, rs, pop, ix = world.params, world.regions_state, world.population, world.tie_index
    if world.off("M3") or world.off("M5"):
        return
    ties = world.ties
    cm = ix.by_kind[TieKind.CENTRE_MUNICIPALITY]
    r = ties.region[cm]
    member = ties.v[cm]
    voted = meeting[r] & (proposal[r] >= 0) & pop.participates[member]
    in_favour = support[member] > 0
    facilitating = rs.facilitating[r]
    # 1e-9: a guard against dividing by a zero size, not a parameter
    smallness = 1.0 - np.minimum(1.0, pop.size[member] / np.maximum(pop.size[ties.u[cm]], 1e-9))
    loss = (p.trust_dominance_loss * (p.dominance_base + rs.concentration[r]) * smallness
            * (1.0 - p.rotation_relief * rs.strategic_skill[r]) * (voted & ~facilitating & ~in_favour))
    gain = p.earned_lead_gain * (voted & facilitating & carried[r] & in_favour)
    scale_ties(ties.trust, cm, gain, loss)
