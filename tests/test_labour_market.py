"""The labour market layer: stocks, placements against targets, visible results (M1, M11, M14)."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import at_month, clear_arrangements, small_region, small_world
from hypothesis import given, settings
from hypothesis import strategies as st

from chainsim.core.arrangements import INDEX
from chainsim.core.client_groups import REGION_GROUPS
from chainsim.core.mechanisms import labour_market
from chainsim.core.parameters import Parameters
from chainsim.core.population import Kind
from chainsim.core.state import IN_FORCE

WW, ASSISTANCE = REGION_GROUPS.ww, REGION_GROUPS.assistance

POOLING = ("joint_placement_targets", "regional_wsp", "joint_staff", "fte_agreements")


def months(world, n: int) -> None:
    for _ in range(n):
        labour_market.update_labour_market(world)
        world.t += 1


def test_start_is_in_balance_with_the_regions_own_market():
    tight, slack = small_world([small_region(labour_market="+")]), small_world([small_region(labour_market="-")])
    # a slack market places fewer per jobseeker, so more are looking for work
    assert (slack.regions_state.jobseekers[0, :2] > tight.regions_state.jobseekers[0, :2]).all()
    assert (slack.regions_state.shortfall[0] > 0).all()
    assert (tight.regions_state.shortfall[0] == 0).all()
    # without luck, a month at the starting market leaves the stocks where they are
    m = small_world([small_region()], params=Parameters(placement_luck=0.0))
    clear_arrangements(m)
    before = m.regions_state.jobseekers.copy()
    at_month(m, "2012-01")
    labour_market.update_labour_market(m)
    cycle = m.calendar.drivers.business_cycle[0]
    assert m.regions_state.jobseekers[0, WW] == pytest.approx(before[0, WW], rel=0.2 * abs(1 - cycle) + 1e-9)


def test_pooling_raises_placements_and_shows_as_results():
    pooled, alone = small_world(seed=3), small_world(seed=3)
    clear_arrangements(alone)
    clear_arrangements(pooled)
    for name in POOLING:
        pooled.regions_state.status[:, INDEX[name]] = IN_FORCE
    for m in (pooled, alone):
        at_month(m, "2013-01")
        months(m, 12)
    assert (pooled.regions_state.placement_rate > alone.regions_state.placement_rate).all()
    assert pooled.regions_state.results[0] > 0
    assert alone.regions_state.results[0] == 0


def test_an_sw_partner_adds_its_employer_contacts_to_the_pool():
    """004 §4.3: where the SW companies act as partners, pooling yields more (``sw_network_gain``)."""
    regions = [small_region("XX01", n_sw=2), small_region("XX02", n_sw=2), small_region("XX03", n_sw=0)]
    worlds = {}
    for partners in (True, False):
        m = small_world(regions, seed=5)
        clear_arrangements(m)
        for name in POOLING:
            m.regions_state.status[:, INDEX[name]] = IN_FORCE
        sw = np.flatnonzero(m.population.kind == Kind.SW_COMPANY)
        m.population.partner[sw] = partners
        first_in_xx02 = sw[m.population.region[sw] == 1][0]
        m.population.partner[first_in_xx02] = True          # XX02: one of its two SW companies always a partner
        at_month(m, "2013-01")
        months(m, 12)
        worlds[partners] = m
    share = labour_market.partner_sw_share(worlds[True])
    assert share.tolist() == [1.0, 1.0, 0.0]
    assert labour_market.partner_sw_share(worlds[False]).tolist() == [0.0, 0.5, 0.0]
    with_, without = worlds[True].regions_state, worlds[False].regions_state
    assert (with_.placement_rate[:2] > without.placement_rate[:2]).all()
    assert (with_.results[:2] > without.results[:2]).all()
    # a region without an SW company is the same either way (same luck: the streams do not depend on stances)
    np.testing.assert_array_equal(with_.placement_rate[2], without.placement_rate[2])


def test_no_sw_network_gain_means_partners_add_nothing():
    worlds = []
    for partners in (True, False):
        m = small_world(params=Parameters(sw_network_gain=0.0), seed=5)
        for name in POOLING:
            m.regions_state.status[:, INDEX[name]] = IN_FORCE
        m.population.partner[m.population.kind == Kind.SW_COMPANY] = partners
        months(m, 6)
        worlds.append(m.regions_state.placement_rate.copy())
    np.testing.assert_array_equal(*worlds)


def test_no_pooling_gain_means_no_evidence():
    m = small_world(params=Parameters(pooling_gain=0.0))
    for name in POOLING:
        m.regions_state.status[:, INDEX[name]] = IN_FORCE
    months(m, 6)
    assert m.regions_state.results[0] == 0


def test_mechanism_m11_off_removes_the_pooling_gain():
    on, off = small_world(seed=1), small_world(seed=1, mechanisms_off=("M11",))
    for m in (on, off):
        for name in POOLING:
            m.regions_state.status[:, INDEX[name]] = IN_FORCE
        months(m, 3)
    assert off.regions_state.results[0] == 0 < on.regions_state.results[0]


def test_a_recession_fills_the_stocks_and_ww_flows_into_assistance():
    none, much = (small_world(params=Parameters(ww_to_assistance=v, placement_luck=0.0), seed=2) for v in (0.1, 0.5))
    for m in (none, much):
        at_month(m, "2013-01")          # business cycle 0.80: fewer vacancies, more inflow
        start = m.regions_state.jobseekers.copy()
        months(m, 12)
        assert m.regions_state.jobseekers[0, WW] > start[0, WW]
    assert much.regions_state.jobseekers[0, ASSISTANCE] > none.regions_state.jobseekers[0, ASSISTANCE]


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2 ** 31), luck=st.floats(0.0, 0.4), gain=st.floats(0.0, 2.0),
       share=st.floats(0.1, 0.5), n=st.integers(1, 30))
def test_stocks_never_negative_and_shortfall_stays_a_share(seed, luck, gain, share, n):
    m = small_world(params=Parameters(placement_luck=luck, pooling_gain=gain, ww_to_assistance=share), seed=seed)
    rng = np.random.default_rng(seed)
    m.regions_state.status[:, list(INDEX.values())] = np.where(rng.random(len(INDEX)) < 0.5, IN_FORCE, 0)
    months(m, min(n, m.calendar.n_months - 1))
    rs = m.regions_state
    assert (rs.jobseekers >= 0).all() and np.isfinite(rs.jobseekers).all()
    assert ((rs.shortfall >= 0) & (rs.shortfall <= 1)).all()
    assert (rs.placement_rate >= 0).all() and (rs.placement_rate < 1).all()
    assert rs.results[0] >= 0
