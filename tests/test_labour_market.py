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
