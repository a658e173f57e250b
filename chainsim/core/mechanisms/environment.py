"""What the national time line does to the regions each month.

Outside pressure (M10), turbulence (M15), own-target rivalry with its relief
by joint targets (M1, M2), cost shifting (M14), the 2014 elections (M6) and
UWV's office closures (M7, M3).
"""

from __future__ import annotations

import numpy as np

from chainsim.core.mechanisms import execution
from chainsim.core.network import TieKind
from chainsim.core.parameters import TRAIT_SHAPES
from chainsim.core.population import Kind
from chainsim.core.state import IN_FORCE
from chainsim.core.ties import learn_from_record, scale_ties
from chainsim.core.world import World


def apply_subsidy_windows(world: World) -> None:
    """M10: joint subsidy applications (sector plans 2013-14, ESF 2014).

    In an application window, a region whose parties already meet at a
    governance table, or whose employers are engaged, applies jointly with
    some chance (``subsidy_application_chance``); an application is granted
    with chance ``subsidy_approval`` (24 of 37 sector plans, 004 App. 2) and
    binds the partners to a concrete shared goal for ``subsidy_months``,
    which the seed found a strong impulse for result-oriented regional
    steering (004 §3.1, §4.5, App. 2).
    """
    t, d, p, rs, rng = world.t, world.calendar.drivers, world.params, world.regions_state, world.streams.events
    window = max(d.subsidy_window[t], d.esf_window[t])
    # not a parameter: 2 draws per region, to apply and to be granted
    draws = rng.random((2, rs.n), split=world.layout.regions, axis=1)
    if window <= 0 or world.off("M10"):
        return
    employers = world.population.engaged[rs.employer_row]
    able = world.catalogue.any_in_force(rs.status == IN_FORCE, "governing_table") | employers
    applies = able & (rs.subsidy_until < t) & (draws[0] < p.subsidy_application_chance)
    granted = applies & (draws[1] < p.subsidy_approval)
    rs.subsidy_until[granted] = t + round(p.subsidy_months)


def update_outside_pressure(world: World) -> None:
    """M10: outside pressure in force in each region this month.

    The sum of the Participatiewet deadline (rising towards 2015-01-01), the
    social accord, a running joint subsidy, an engaged employer organisation
    (M9), the urgency that budget cuts on a large caseload give
    (``cut_urgency`` x cuts x assistance caseload; 004 §1.1) and any pressure
    a scenario adds (minister visits, employer demand).
    Pressure moves governance-level agreements more than execution; the
    decision rule weighs it by level (004 §4.5, §4.6).
    """
    t, d, p, rs = world.t, world.calendar.drivers, world.params, world.regions_state
    engaged = world.population.engaged[rs.employer_row]
    if world.off("M10"):
        rs.pressure[:] = 0.0
        return
    rs.pressure[:] = (p.deadline_pressure * d.deadline[t]
                      + p.accord_pressure * d.accord[t]
                      + p.subsidy_pressure * (rs.subsidy_until >= t)
                      + p.employer_pressure * engaged
                      + p.cut_urgency * (d.budget_cuts[t] + rs.budget_cut_extra) * rs.jobseekers[:, world.groups.assistance]
                      + rs.extra_pressure)


def update_turbulence(world: World) -> None:
    """M15: attention lost to reorganisations, decentralisations and caseloads.

    UWV is absorbed by its redesign (2012-2014), municipalities by the three
    decentralisations of 2015 and by caseloads that grow when jobs are scarce,
    SW companies by their transition once the Wsw closes (000; 001 §5.1;
    004 §1.1, §4.3). Municipalities add ``caseload_turbulence`` x their
    assistance caseload (the labour market's stock, 1 = an average region in
    2012: 001 §5.6, joint casework declines as caseloads rise) and
    ``budget_cut_turbulence`` x extra budget cuts.
    """
    t, d, p, pop, rs = world.t, world.calendar.drivers, world.params, world.population, world.regions_state
    caseload = rs.jobseekers[:, world.groups.assistance]
    turb = np.zeros(pop.n)
    kind = pop.kind
    municipal = (kind == Kind.MUNICIPALITY) | (kind == Kind.CENTRE)
    r = pop.region[municipal]
    turb[municipal] = (d.turbulence_municipality[t] + p.caseload_turbulence * caseload[r]
                       + p.budget_cut_turbulence * rs.budget_cut_extra[r])
    turb[kind == Kind.UWV] = d.turbulence_uwv[t]
    turb[kind == Kind.SW_COMPANY] = d.turbulence_sw[t]
    pop.turbulence[:] = 0.0 if world.off("M15") else np.clip(p.turbulence_scale * turb, 0.0, 1.0)


def update_rivalry(world: World) -> None:
    """M1, M2, M14: own-target rivalry each organisation feels this month.

    Each organisation is judged on placing its own clients (WW for UWV,
    assistance for municipalities, SW staff for SW companies); the fear of
    placing fewer of them is ``fear_base`` plus ``fear_of_shortfall`` x how
    far its recent placements fall short of its target (the labour market,
    chainsim.core.mechanisms.labour_market), and it is stronger when
    municipal budgets are cut, when SW companies compete for the same
    vacancies and when costs are shifted onto municipalities (004 §4.1-4.3;
    003). Joint
    placement targets remove part of the rivalry -- "100 WWB + 500 WW = 600
    together" -- but only as far as UWV and municipalities trust each other
    (004 §4.2).

    Cost shifting (003 'Kostenafwenteling'): without joint steering UWV has
    little reason to invest in WW clients near the end of their entitlement
    and municipalities place clients just long enough to regain WW rights;
    each month this wears down trust on UWV-municipality ties, in proportion
    to the region's WW stock (1 = an average region in 2012). Joint targets
    (fully) or FTE agreements (``fte_steering``, half) reduce it.
    """
    t, d, p, pop, rs, ix = (world.t, world.calendar.drivers, world.params, world.population,
                            world.regions_state, world.tie_index)
    in_force = rs.in_force
    joint_targets = world.catalogue.any_in_force(in_force, "joint_targets")
    fte = world.catalogue.any_in_force(in_force, "shared_staffing")
    joint_targets = np.maximum(joint_targets.astype(float), rs.imposed_joint_targets)
    steering = np.maximum(joint_targets, p.fte_steering * fte)
    # the more WW clients whose entitlement runs out, the more there is to shift (labour market)
    rs.cost_shifting[:] = (0.0 if world.off("M14")
                           else p.cost_shifting * (1.0 - steering) * rs.jobseekers[:, world.groups.ww])
    um = ix.by_kind[TieKind.UWV_MUNICIPALITY]
    if not world.off("M3"):
        scale_ties(world.ties.trust, um, 0.0,
                   p.cost_shifting_trust_loss * rs.cost_shifting[world.ties.region[um]])

    sw = pop.kind == Kind.SW_COMPANY
    competing = np.bincount(pop.region[sw], ~pop.partner[sw], rs.n)
    relief = p.joint_target_relief * joint_targets * np.nan_to_num(rs.trust_uwv, nan=0.0)   # no ties: no relief
    if world.off("M2"):
        relief = np.zeros(rs.n)
    r = pop.region
    municipal = ix.municipal
    shortfall = rs.shortfall[r, world.groups.owner_of_kind[pop.kind]]
    rivalry = (pop.own_target * (p.fear_base + p.fear_of_shortfall * shortfall)
               * (1.0 + p.sw_competition * np.sqrt(competing[r]))
               * (1.0 - relief[r]))
    cuts = d.budget_cuts[t] + rs.budget_cut_extra[r]
    rivalry = np.where(municipal, rivalry * (1.0 + p.budget_cut_effect * cuts) * (1.0 + rs.cost_shifting[r]),
                       rivalry)
    # 2.0: not a parameter, a safeguard that keeps rivalry of the order of the
    # other support terms; it does not bind in the shipped scenarios (max ~1.3)
    pop.rivalry[:] = 0.0 if world.off("M1") else np.clip(rivalry, 0.0, 2.0)


def hold_elections(world: World) -> None:
    """M6: municipal elections (March 2014) change some aldermen.

    A municipality's alderman for work and income changes with probability
    ``alderman_turnover`` (the centre's not, where a source says the
    coalition continued). A new alderman brings a new orientation and
    strength (drawn as at the start, ``TRAIT_SHAPES``), and the municipality's ties lose part of the trust built above
    or below the starting level: relations have to be built anew. Continuity
    keeps the agenda going (004 §4.1, §4.5).
    """
    t, d = world.t, world.calendar.drivers
    if d.elections[t] <= 0:
        return
    rng, p, pop, rs = world.streams.events, world.params, world.population, world.regions_state
    municipal = np.flatnonzero(world.tie_index.municipal)
    split = world.layout.rows(municipal)
    changes = (rng.random(len(municipal), split=split)
               < p.alderman_turnover * rs.turnover_factor[pop.region[municipal]])
    orientation = rng.beta(*TRAIT_SHAPES["alderman_orientation"], len(municipal), split=split)
    strength = rng.beta(*TRAIT_SHAPES["alderman_strength"], len(municipal), split=split)
    if world.off("M6"):
        return
    protected = pop.kind[municipal] == Kind.CENTRE
    protected &= rs.alderman_continuity[pop.region[municipal]]
    change = changes & ~protected
    new = municipal[change]
    if len(new) == 0:
        return
    pop.alderman_orientation[new] = orientation[change]
    pop.alderman_strength[new] = strength[change]
    ties = world.ties
    u_new = np.isin(ties.u, new)
    touched = (u_new | np.isin(ties.v, new)) & (ties.kind >= 0)
    region = np.where(u_new, pop.region[ties.u], pop.region[ties.v])[touched]
    reset = p.trust_reset_on_turnover * rs.reset_factor[region]
    if not world.off("M3"):
        ties.trust[touched] -= reset * (ties.trust[touched] - p.trust_initial)
    np.clip(ties.trust, 0.0, 1.0, out=ties.trust)
    for k, count in enumerate(world.layout.rows(new)):
        if count:
            world.record_event("elections", f"{count} aldermen changed", k)


def close_uwv_offices(world: World) -> None:
    """M7, M3: UWV closes the region's local offices (2012-2014).

    UWV went from about 100 werkpleinen to 35 regional offices (004 §4.6).
    The regional office stays in the centre; the other municipalities lose
    the office they shared with UWV, and with it the contacts and agreements
    that lived there (004 §1.1). Two things follow, the more so the more
    offices the region lost (``closure_severity``) and the less UWV keeps
    staff on site (``uwv_withdrawal``; 004 §4.2):

    - a broken commitment on the ties of those municipalities with UWV:
      trust drops (``trust_withdrawal_loss``; 004 §4.2 "fantastic agreements
      ... and soon UWV was gone", §4.6), learned like any other broken
      promise (:func:`chainsim.core.ties.learn_from_record`);
    - arrangements that rest on UWV staff at a local office (joint
      consultation, joint staff, several public counters) lapse, each with
      chance ``closure_lapse_share`` x severity x withdrawal.
    """
    rs = world.regions_state
    closing = np.flatnonzero(rs.closure_month == world.t)
    uniform = world.streams.events.random((rs.n, len(world.catalogue)), split=world.layout.regions)
    if len(closing) == 0 or world.off("M7"):
        return
    chance = rs.closure_severity * rs.uwv_withdrawal
    if not world.off("M3"):
        ties, pop = world.ties, world.population
        um = world.tie_index.by_kind[TieKind.UWV_MUNICIPALITY]
        hit = um[np.isin(ties.region[um], closing) & (pop.kind[ties.v[um]] != Kind.CENTRE)]
        loss = world.params.trust_withdrawal_loss * chance[ties.region[hit]]
        learn_from_record(ties.trust, ties.experience, hit, 0.0, loss, world.params.trust_record_damping)
    gone = (world.catalogue.table.on_site[None, :] & rs.in_force[closing]
            & (uniform[closing] < world.params.closure_lapse_share * chance[closing, None]))
    at, arrangements = np.nonzero(gone)
    execution.drop(world, closing[at], arrangements, "closed")
