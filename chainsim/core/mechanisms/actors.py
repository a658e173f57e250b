"""Stances of single actors: SW companies, employers, municipalities, UWV systems.

Whether an SW company acts as partner or competitor (M8), whether the
employer organisation engages (M9), whether a municipality takes part in
the regional table at all (M4, M12), and whether municipalities start using
UWV's systems (M7).
"""

from __future__ import annotations

import numpy as np

from chainsim.core.mechanisms.trust import NO_TIE_TRUST
from chainsim.core.network import TieKind
from chainsim.core.population import Kind
from chainsim.core.ties import scale_ties
from chainsim.core.world import World

ICT_SAY_COST = {"uses_sonar": 0.5, "uses_wbs": 0.35}
"""Say a municipality gives up by working in UWV's system, per system: the
share of its autonomy guard that holds it back (estimate; 004 §4.2:
municipalities fear losing room and find the systems unfit; Sonar, the
registration of jobseekers and vacancies, reaches further into their own
work than the client-tracking WBS). A table per system, not a scalar."""


def update_sw_stance(world: World) -> None:
    """M8: each SW company weighs its business interest against a regional role.

    Trust with its owner municipalities and the transition forced by the
    Participatiewet (the Wsw closes to newcomers in 2015) pull it towards a
    partner role; its own business interest and competition with other SW
    companies in the region pull it towards acting as a competitor. An SW
    company on whose board the centre's alderman sits leans towards the
    centre's line (the double role, 004 §4.3).
    """
    t, p, pop, rs = world.t, world.params, world.population, world.regions_state
    sw = np.flatnonzero(pop.kind == Kind.SW_COMPANY)
    if len(sw) == 0:
        return
    if world.off("M8"):
        pop.partner[sw] = True
        return
    transition = world.calendar.drivers.sw_transition[t]
    others = rs.n_sw[pop.region[sw]] - 1
    score = (np.nan_to_num(world.trust.sw_owner[sw], nan=NO_TIE_TRUST)
             + p.sw_transition_pull * transition
             + p.sw_double_role_pull * pop.double_role[sw]
             - pop.business_interest[sw]
             - p.sw_competition * others * p.sw_stance_competition
             + pop.partner_offset[sw])
    pop.partner[sw] = score > 0


def strain_of_competing_sw(world: World) -> None:
    """M8, M3: an SW company that competes puts its owners' relations at the table on edge.

    Municipalities have a business interest in a financially healthy SW
    company as well as in regional placements (004 §4.3); where their SW
    company competes with its own employer team, that interest pulls
    against the regional table, and "in one region the centre meets a
    competing SW company, whereby relations worsened" (004 §4.3; §4.6: the
    SW company's position can put relations in the region on edge). Each
    month a tie between a municipality and the centre loses
    ``sw_rivalry_trust_loss`` x its trust per competing SW company that one
    of the two owns; where the centre owns the competing company (its
    alderman's double role, 004 §4.3), all the centre's ties do. A company
    both ends own counts once: it strains the tie, but not twice.
    """
    p, pop, ix, ties = world.params, world.population, world.tie_index, world.ties
    if world.off("M8") or world.off("M3") or p.sw_rivalry_trust_loss <= 0:
        return
    so = ix.by_kind[TieKind.SW_OWNER]
    cm = ix.by_kind[TieKind.CENTRE_MUNICIPALITY]
    competing = (pop.kind == Kind.SW_COMPANY) & ~pop.partner
    if len(cm) == 0 or not competing[ties.u[so]].any():
        return
    owned = np.bincount(ties.v[so], competing[ties.u[so]], pop.n)   # competing SW companies each one owns
    tie, company = _co_owned(world)
    both = np.bincount(tie, competing[company], len(cm))
    strained = owned[ties.u[cm]] + owned[ties.v[cm]] - both
    scale_ties(ties.trust, cm, 0.0, p.sw_rivalry_trust_loss * strained)


def _co_owned(world: World) -> tuple[np.ndarray, np.ndarray]:
    """Every SW company both ends of a centre-municipality tie own: (the tie's position among those ties,
    the company). Ownership does not change during a run, so this is worked out once per world."""
    ix, ties = world.tie_index, world.ties
    if "sw_co_owned" not in ix.derived:
        so = ix.by_kind[TieKind.SW_OWNER]
        cm = ix.by_kind[TieKind.CENTRE_MUNICIPALITY]
        ix.derived["sw_co_owned"] = _shared_companies(ties.u[so], ties.v[so], ties.u[cm], ties.v[cm],
                                                      world.population.n)
    return ix.derived["sw_co_owned"]


def _shared_companies(company: np.ndarray, owner: np.ndarray, a: np.ndarray, b: np.ndarray,
                      n: int) -> tuple[np.ndarray, np.ndarray]:
    """Per pair (a[i], b[i]), the companies in the ownership list (company, owner) that both own:
    (i, company) once for each."""
    keys = np.sort(owner.astype(np.int64) * n + company)          # (owner, company), sorted
    first = a.astype(np.int64) * n
    start = np.searchsorted(keys, first)                          # a's companies: keys[start:stop]
    counts = np.searchsorted(keys, first + n) - start
    pair = np.repeat(np.arange(len(a)), counts)                   # one row per company a owns
    offsets = np.arange(len(pair)) - np.repeat(np.cumsum(counts) - counts, counts)
    held = keys[start[pair] + offsets] % n
    wanted = b[pair].astype(np.int64) * n + held                  # does b own it too?
    at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)   # (no keys: no pairs either)
    shared = keys[at] == wanted
    return pair[shared], held[shared]


def update_employer_engagement(world: World) -> None:
    """M9: the employer organisation engages once public cooperation passes its threshold.

    Employer organisations wait while UWV and municipalities still have a lot
    to settle between themselves (004 summary, §4.4); the region's public
    cooperation is the share of core arrangements in force, weighted by
    trust between UWV and municipalities. Active employers lower the
    threshold (Stedendriehoek's accord, 004 §4.5), and the Werkbedrijf decree
    draws employer organisations in from September 2014 (004 §4.4).
    """
    t, p, pop, rs = world.t, world.params, world.population, world.regions_state
    core = world.catalogue.share_in_force(rs.in_force, "public_core")   # what employers watch (004 §4.4)
    share = p.employer_trust_share
    public = core * ((1.0 - share) + share * np.nan_to_num(rs.trust_uwv, nan=NO_TIE_TRUST))
    rs.public_cooperation[:] = public
    werkbedrijf = world.calendar.drivers.werkbedrijf[t]
    threshold = (p.employer_threshold * (1.0 - p.employer_activism_effect * rs.employer_activism)
                 * (1.0 - p.werkbedrijf_effect * werkbedrijf))
    rows = rs.employer_row
    if world.off("M9"):
        pop.engaged[rows] = False
        return
    engaged = pop.engaged[rows]
    pop.engaged[rows] = np.where(engaged, public >= threshold - p.employer_hysteresis, public >= threshold)


def update_participation(world: World, regions: np.ndarray) -> None:
    """M4, M12: a municipality decides whether it takes part in the regional table.

    A municipality stays out when the pull of a neighbouring region (it
    commutes there, 004 §3.1) and the say it guards outweigh its trust in
    the centre, its belief that cooperation pays and the pressure to join
    (004 §3.1, §4.1). Evaluated at governance meetings; a municipality can
    join later.
    """
    p, pop, rs = world.params, world.population, world.regions_state
    rows = np.flatnonzero((pop.kind == Kind.MUNICIPALITY) & regions[pop.region])
    stay_out = (p.outside_pull * pop.outside_orientation[rows]
                + p.participation_guard_weight * pop.autonomy_guard[rows]
                - np.nan_to_num(world.trust.in_centre[rows], nan=NO_TIE_TRUST)
                - p.participation_belief_weight * pop.belief[rows]
                - p.participation_pressure_weight * rs.pressure[pop.region[rows]]
                + world.streams.actors.normal(0.0, p.participation_noise, pop.n,
                                                split=world.layout.organisations)[rows])
    pop.participates[rows] = True if world.off("M4") else stay_out < 0


def adopt_uwv_systems(world: World) -> None:
    """M7: municipalities start using UWV's systems Sonar and WBS, or resist.

    UWV pushes its national systems; municipalities use their own and fear
    losing room (004 §4.2; 001 §5.5). Each month a participating municipality
    starts using a system with a small chance that grows with its trust in
    UWV and shrinks with the say it guards. Where the region agreed on shared
    systems, every participating municipality uses them.
    """
    p, pop, rs, rng = world.params, world.population, world.regions_state, world.streams.actors
    rows = np.flatnonzero(world.tie_index.municipal & pop.participates)
    agreed = world.catalogue.any_in_force(rs.in_force, "shared_ict")[pop.region[rows]]
    trust = np.nan_to_num(world.trust.in_uwv[rows], nan=NO_TIE_TRUST)
    push = 0.0 if world.off("M7") else p.ict_uptake_rate
    for column, say in ICT_SAY_COST.items():
        uses = getattr(pop, column)
        chance = push * rs.ict_push[pop.region[rows]] * trust * (1.0 - say * pop.autonomy_guard[rows])
        starts = rng.random(pop.n, split=world.layout.organisations)[rows] < chance
        uses[rows] |= starts | agreed
