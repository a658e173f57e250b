"""Each lever moves the mechanism it claims, in the expected direction, on a small hand-built region."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import (
    at_month,
    clear_arrangements,
    mean_support,
    set_all_trust,
    small_region,
    small_world,
)

from chainsim.core import simulation
from chainsim.core.arrangements import INDEX
from chainsim.core.calendar import Month
from chainsim.core.levers import LEVERS, Lever, RegionSelection
from chainsim.core.mechanisms import actors, belief, environment, labour_market, trust
from chainsim.core.mechanisms.table import expected_support
from chainsim.core.network import TieKind
from chainsim.core.parameters import Parameters
from chainsim.core.population import Kind
from chainsim.core.state import IN_FORCE

REGION = small_region("XX01", n_municipalities=8, n_sw=2, n_subregions=2)


def pair(kind: str, month: str = "2014-06", strength: float = 1.0, params: Parameters | None = None,
         region=REGION, start: str = "2013-01", **options):
    """The same model without and with the lever (from ``start``), both at ``month`` with levers applied."""
    lever = Lever(kind, Month.parse(start), None, RegionSelection(), strength, tuple(options.items()))
    models = []
    for levers in ((), (lever,)):
        m = small_world([region], seed=5, params=params, levers=levers)
        at_month(m, month)
        for intervention in m.interventions:
            intervention(m)
        models.append(m)
    return models


def municipal(m):
    return np.flatnonzero(m.tie_index.municipal)


def um_trust(m):
    return m.graph.ties.trust[m.tie_index.by_kind[TieKind.UWV_MUNICIPALITY]].mean()


def test_every_lever_kind_has_a_test_and_a_source():
    tested = {name.removeprefix("test_") for name in globals() if name.startswith("test_")}
    for kind, cls in LEVERS.items():
        assert kind in tested, f"no direction test for lever {kind}"
        assert cls.source and cls.mechanisms and cls.__doc__


def test_joint_targets():
    base, lever = pair("joint_targets")
    for m in (base, lever):
        clear_arrangements(m)
        set_all_trust(m, 0.7)
        environment.update_rivalry(m)
    assert lever.population.rivalry[municipal(lever)].mean() < base.population.rivalry[municipal(base)].mean()
    assert lever.regions_state.cost_shifting[0] < base.regions_state.cost_shifting[0]


def test_legal_deadline():
    base, lever = pair("legal_deadline", month="2013-06")
    for m in (base, lever):
        environment.update_outside_pressure(m)
    assert lever.regions_state.pressure[0] > base.regions_state.pressure[0]
    assert lever.regions_state.deadline_push[0] > 0 == base.regions_state.deadline_push[0]


def test_cooperation_subsidy():
    base, lever = pair("cooperation_subsidy", month="2013-03")
    for m in (base, lever):
        m.regions_state.status[:, INDEX["governance_table"]] = IN_FORCE
        for _ in range(24):                         # two years of monthly chances
            m.interventions and m.interventions[0](m)
        environment.update_outside_pressure(m)
    assert lever.regions_state.subsidy_until[0] >= lever.t > base.regions_state.subsidy_until[0]
    assert lever.regions_state.pressure[0] > base.regions_state.pressure[0]


def test_minister_visits():
    base, lever = pair("minister_visits", month="2013-04", interval=3)     # a visit month
    for m in (base, lever):
        environment.update_outside_pressure(m)
    visit = lever.regions_state.pressure[0] - base.regions_state.pressure[0]
    _, later = pair("minister_visits", month="2013-05", interval=3)
    environment.update_outside_pressure(later)
    base_later, _ = pair("minister_visits", month="2013-05")
    environment.update_outside_pressure(base_later)
    assert visit > later.regions_state.pressure[0] - base_later.regions_state.pressure[0] > 0


def test_employer_demand():
    # half the public core in force (the consultation, not projects): a threshold above it keeps the base's
    # employers out, so only the lever's activism can bring them in (the calibrated default moves with
    # every calibration, so the test sets its own)
    base, lever = pair("employer_demand", region=small_region(employer_activism=0.0),
                       params=Parameters(employer_threshold=0.64))
    for m in (base, lever):
        clear_arrangements(m)
        for a in ("governance_table", "tactical_meeting", "joint_consultation"):
            m.regions_state.status[:, INDEX[a]] = IN_FORCE
        set_all_trust(m, 1.0)
        actors.update_employer_engagement(m)
    rows = base.regions_state.employer_row
    assert lever.population.engaged[rows].all() and not base.population.engaged[rows].any()


def test_ict_harmonisation():
    base, lever = pair("ict_harmonisation", params=Parameters(ict_uptake_rate=0.1))
    for m in (base, lever):
        for _ in range(6):
            actors.adopt_uwv_systems(m)
    users = [m.population.uses_sonar[municipal(m)].sum() for m in (base, lever)]
    assert users[1] > users[0]
    assert expected_support(lever)[0, INDEX["shared_systems"]] > expected_support(base)[0, INDEX["shared_systems"]]


def test_facilitative_leadership():
    base, lever = pair("facilitative_leadership", strength=0.5,
                       region=small_region(leadership_style=0.2, strategic_skill=0.2))
    assert lever.regions_state.leadership_style[0] == pytest.approx(0.6)
    # a dominating centre overrules its members: the coached one, rotating chairs, loses less standing
    from chainsim.core.mechanisms import leadership
    for m in (base, lever):
        set_all_trust(m, 0.6)
        m.regions_state.facilitating[:] = False
        leadership.after_the_vote(m, np.array([INDEX["shared_vision"]]), np.full(m.population.n, -1.0),
                                  np.array([True]), np.ones(1, dtype=bool))
    cm = lambda m: m.graph.ties.trust[m.tie_index.by_kind[TieKind.CENTRE_MUNICIPALITY]].mean()  # noqa: E731
    assert cm(lever) > cm(base)
    villages = np.flatnonzero(base.population.kind == Kind.MUNICIPALITY)
    assert mean_support(lever, "shared_vision", villages) > mean_support(base, "shared_vision", villages)


def test_formal_powers():
    base, lever = pair("formal_powers")
    assert mean_support(lever, "regional_wsp") > mean_support(base, "regional_wsp")
    assert lever.regions_state.formal_mandate[0] == 1.0 and base.regions_state.formal_mandate[0] == 0.0


def test_subregion_design():
    base, lever = pair("subregion_design")
    a = INDEX["subregion_single_contact"]
    assert expected_support(lever)[0, a] > expected_support(base)[0, a]
    flat = small_region("XX02", n_subregions=0)
    base_flat, lever_flat = pair("subregion_design", region=flat)
    assert np.array_equal(lever_flat.regions_state.effort_factor, base_flat.regions_state.effort_factor)


def test_alderman_continuity():
    p = Parameters(alderman_turnover=0.8, trust_reset_on_turnover=1.0)
    base, lever = pair("alderman_continuity", month="2014-03", params=p)
    for m in (base, lever):
        set_all_trust(m, 0.9)
        environment.hold_elections(m)
    assert um_trust(lever) == pytest.approx(0.9) and um_trust(base) < 0.9


def test_uwv_presence():
    big = small_region("XX03", n_municipalities=12)
    base, lever = pair("uwv_presence", region=big, start="2012-01")
    for m in (base, lever):
        m.t = int(m.regions_state.closure_month[0])
        for intervention in m.interventions:
            intervention(m)
        set_all_trust(m, 0.6)
        environment.close_uwv_offices(m)
    assert um_trust(lever) == pytest.approx(0.6) and um_trust(base) < 0.6


def test_knowledge_sharing():
    base, lever = pair("knowledge_sharing")
    for m in (base, lever):
        for name in ("joint_placement_targets", "regional_wsp", "joint_staff"):
            m.regions_state.status[:, INDEX[name]] = IN_FORCE     # results to learn from
        for _ in range(12):
            labour_market.update_labour_market(m)
            belief.gather_evidence(m)
            belief.update_belief(m)
    assert lever.population.belief.mean() > base.population.belief.mean()


def test_sw_partnership():
    base, lever = pair("sw_partnership")
    sw = base.population.kind == Kind.SW_COMPANY
    partners = []
    for interest in np.linspace(0.0, 2.0, 21):       # from every company a partner to none
        for m in (base, lever):
            m.population.business_interest[sw] = interest
            actors.update_sw_stance(m)
        partners.append((base.population.partner[sw].sum(), lever.population.partner[sw].sum()))
    assert all(with_lever >= without for without, with_lever in partners)
    assert any(with_lever > without for without, with_lever in partners)


def test_budget_cuts():
    base, lever = pair("budget_cuts", month="2016-06")
    for m in (base, lever):
        environment.update_turbulence(m)
        environment.update_rivalry(m)
    rows = municipal(base)
    assert lever.population.rivalry[rows].mean() > base.population.rivalry[rows].mean()
    assert lever.population.turbulence[rows].mean() > base.population.turbulence[rows].mean()


def test_co_location():
    base, lever = pair("co_location")
    for m in (base, lever):
        clear_arrangements(m)
        m.regions_state.status[:, INDEX["tactical_meeting"]] = IN_FORCE
        set_all_trust(m, 0.5)
        trust.build_trust_through_contact(m)
    assert um_trust(lever) > um_trust(base) > 0.5


def test_written_agreements():
    p = Parameters(alderman_turnover=0.8, trust_reset_on_turnover=1.0)
    base, lever = pair("written_agreements", month="2014-03", params=p, strength=0.5)
    for m in (base, lever):
        set_all_trust(m, 0.9)
        environment.hold_elections(m)
    assert um_trust(base) < um_trust(lever) < 0.9


# --- the lever machinery ----------------------------------------------------
def test_levers_switch_off_after_their_end_and_combine():
    lever = Lever("knowledge_sharing", Month(2013, 1), Month(2013, 6), RegionSelection(), 1.0)
    again = Lever("knowledge_sharing", Month(2013, 3), Month(2013, 4), RegionSelection(), 1.0)
    m = small_world([REGION], seed=1, levers=(lever, again))
    schedule = m.interventions[0]
    boost = m.params.knowledge_sharing_boost
    for month, expected in (("2012-12", 0.0), ("2013-01", boost), ("2013-03", 2 * boost), ("2013-06", boost),
                            ("2013-07", 0.0)):
        at_month(m, month)
        schedule(m)
        assert m.regions_state.knowledge_boost[0] == pytest.approx(expected), month


def test_region_selections():
    from chainsim.core.regions import load_regions

    infos = load_regions()
    rng = np.random.default_rng(0)
    assert RegionSelection().mask(infos, rng).all()
    assert RegionSelection(codes=("AM02",)).mask(infos, rng).sum() == 1
    assert RegionSelection(fraction=0.5).mask(infos, rng).sum() == 18
    big = RegionSelection(rule="n_municipalities > 15").mask(infos, rng)
    assert all((info.n_municipalities > 15) == chosen for info, chosen in zip(infos, big))


def test_a_lever_that_touches_no_region_changes_nothing():
    nowhere = Lever("joint_targets", Month(2013, 1), None, RegionSelection(rule="n_municipalities > 99"), 1.0)
    plain = simulation.run(small_world([REGION], seed=9))
    with_lever = simulation.run(small_world([REGION], seed=9, levers=(nowhere,)))
    assert np.array_equal(plain.recorder.items, with_lever.recorder.items)


# --- levers of the werkplein era ----------------------------------------------
def werkplein_pair(kind: str, month: str, start: str = "2006-01", strength: float = 1.0):
    """Two worlds of werkplein locations (Friesland's), without and with the lever, at ``month``."""
    from chainsim.core.eras import LOCATIONS

    lever = Lever(kind, Month.parse(start), None, RegionSelection(), strength)
    worlds = []
    for levers in ((), (lever,)):
        w = simulation.new_world(calendar=LOCATIONS.calendar, regions=LOCATIONS.select(["Friesland"]),
                                 rng=np.random.default_rng(5), levers=levers, era=LOCATIONS)
        at_month(w, month)
        for intervention in w.interventions:
            intervention(w)
        worlds.append(w)
    return worlds


def test_support_structure():
    # before 1 July 2007 the support structure runs anyway: the lever adds nothing
    base, lever = werkplein_pair("support_structure", "2007-03")
    assert np.array_equal(base.regions_state.knowledge_boost, lever.regions_state.knowledge_boost)
    # after it, the lever makes up what the national learning lost
    base, lever = werkplein_pair("support_structure", "2008-01")
    assert (lever.regions_state.knowledge_boost == pytest.approx(lever.params.knowledge_sharing))
    assert (base.regions_state.knowledge_boost == 0).all()
    for w in (base, lever):
        w.regions_state.evidence[:] = np.linspace(0.0, 0.5, w.regions_state.n)
        before = w.population.belief.copy()
        belief.update_belief(w)
        w.belief_gain = (w.population.belief - before).mean()
    assert lever.belief_gain > base.belief_gain


def test_shared_budgets():
    base, lever = werkplein_pair("shared_budgets", "2008-01")
    index = lever.catalogue.index["chain_indicators"]
    assert (lever.regions_state.effort_factor[:, index] < 1.0).all()
    assert (base.regions_state.effort_factor[:, index] == 1.0).all()
    other = [i for i in range(len(lever.catalogue)) if i != index]
    assert (lever.regions_state.effort_factor[:, other] == 1.0).all()


def test_levers_of_both_eras_act_on_the_werkplein_catalogue_too():
    base, lever = werkplein_pair("co_location", "2008-01")
    building = lever.catalogue.index["shared_building"]
    assert (lever.regions_state.effort_factor[:, building] < base.regions_state.effort_factor[:, building]).all()
    base, lever = werkplein_pair("ict_harmonisation", "2008-01")
    ict = lever.catalogue.index["shared_ict"]
    assert (lever.regions_state.effort_factor[:, ict] < base.regions_state.effort_factor[:, ict]).all()


def test_a_lever_for_named_regions_reaches_their_werkplein_locations():
    from chainsim.core.eras import LOCATIONS

    infos = LOCATIONS.select(["Friesland", "Groningen"])
    mask = RegionSelection(codes=("AM02",)).mask(infos, np.random.default_rng(0))
    assert mask.sum() == sum(info.code.startswith("AM02/") for info in infos) > 0
    assert all(info.code.startswith("AM02/") for info, chosen in zip(infos, mask) if chosen)
