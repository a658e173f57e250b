"""Client groups per era and the handover between organisations in the werkplein era (M11, 000; 001 §1.3)."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import small_world
from hypothesis import given, settings
from hypothesis import strategies as st

from chainsim.core.client_groups import LOCATION_GROUPS, REGION_GROUPS, ClientGroup, ClientGroups
from chainsim.core.eras import LOCATIONS, REGIONS
from chainsim.core.location_arrangements import LOCATION_CATALOGUE
from chainsim.core.mechanisms import labour_market
from chainsim.core.parameters import Parameters
from chainsim.core.population import Kind
from chainsim.core.simulation import new_world
from chainsim.core.state import IN_FORCE

BRIDGES = [a.id for a in LOCATION_CATALOGUE.arrangements if a.bridging > 0]


def location_world(params: Parameters, seed: int = 4):
    world = new_world(params, LOCATIONS.calendar, LOCATIONS.select(["Friesland"]), np.random.default_rng(seed),
                      era=LOCATIONS)
    world.regions_state.status[:] = 0
    return world


def test_each_era_has_its_groups_and_each_kind_is_judged_on_its_own():
    assert REGIONS.groups is REGION_GROUPS and LOCATIONS.groups is LOCATION_GROUPS
    assert REGION_GROUPS.names == ("WW", "assistance", "SW staff")
    assert LOCATION_GROUPS.names == ("WW", "assistance", "WIA", "without benefit")
    for groups in (REGION_GROUPS, LOCATION_GROUPS):
        assert groups.names[groups.owner_of_kind[int(Kind.MUNICIPALITY)]] == "assistance"
        assert groups.names[groups.owner_of_kind[int(Kind.UWV)]] == "WW"
        assert all(g.basis for g in groups.groups)
    # in the regions nobody is handed over; at the locations all benefit groups are
    assert not REGION_GROUPS.handed_over.any()
    assert LOCATION_GROUPS.handed_over.tolist() == [True, True, True, False]
    world = location_world(Parameters())
    assert world.regions_state.jobseekers.shape == (world.regions_state.n, 4)
    assert (world.regions_state.jobseekers > 0).all()


def test_the_merger_ends_the_handover_to_uwv_and_not_the_one_to_the_municipalities():
    from chainsim.core.calendar import Month

    before, after = (LOCATION_GROUPS.handed_over_in(Month.parse(m)) for m in ("2008-12", "2009-01"))
    assert before.tolist() == [True, True, True, False]
    assert after.tolist() == [False, True, False, False]
    assert not REGION_GROUPS.handed_over_in(Month.parse("2012-01")).any()


def test_a_table_of_groups_refuses_an_owner_of_an_unknown_group():
    with pytest.raises(ValueError, match="unknown group 'SW staff'"):
        ClientGroups("x", (ClientGroup("WW", "UWV", 0.1, 0.1, False, "b"),
                           ClientGroup("assistance", "m", 0.1, 0.1, False, "b")), {Kind.SW_COMPANY: "SW staff"})


def test_the_region_era_does_not_read_the_handover_loss():
    runs = []
    for loss in (0.0, 0.4):
        world = small_world(params=Parameters(handover_loss=loss), seed=3)
        for _ in range(6):
            labour_market.update_labour_market(world)
            world.t += 1
        runs.append((world.regions_state.jobseekers.copy(), world.regions_state.results.copy()))
    assert np.array_equal(runs[0][0], runs[1][0]) and np.array_equal(runs[0][1], runs[1][1])


@settings(max_examples=25, deadline=None)
@given(loss=st.floats(0.0, 0.4), bridged=st.sampled_from(["none", "some", "all"]))
def test_the_handover_loses_placements_of_handed_over_groups_unless_bridged(loss, bridged):
    """Same luck: the loss multiplies the rates of the groups handed over by 1 - loss x (1 - bridged share)."""
    rates = {}
    for value in (0.0, loss):
        world = location_world(Parameters(handover_loss=value, pooling_gain=0.0))
        rs = world.regions_state
        chosen = {"none": [], "some": BRIDGES[:2], "all": BRIDGES}[bridged]
        for a in chosen:
            rs.status[:, LOCATION_CATALOGUE.index[a]] = IN_FORCE
        share = labour_market.bridged_share(world)
        labour_market.update_labour_market(world)
        rates[value] = rs.placement_rate.copy()
    expected = 1.0 - loss * (1.0 - share)
    handed = LOCATION_GROUPS.handed_over
    np.testing.assert_allclose(rates[loss][:, handed], rates[0.0][:, handed] * expected[:, None], rtol=1e-12)
    np.testing.assert_array_equal(rates[loss][:, ~handed], rates[0.0][:, ~handed])
    assert ((share == 1.0) if bridged == "all" else (share < 1.0)).all()


def test_bridging_the_handover_is_a_visible_result_that_grows_with_the_loss():
    """The placements the bridges keep from falling between the organisations count as a result (M11)."""
    seen = {}
    for loss in (0.0, 0.3):
        world = location_world(Parameters(handover_loss=loss, pooling_gain=0.0, placement_luck=0.0))
        for a in BRIDGES:
            world.regions_state.status[:, LOCATION_CATALOGUE.index[a]] = IN_FORCE
        for _ in range(12):
            labour_market.update_labour_market(world)
            world.t += 1
        seen[loss] = world.regions_state.results.copy()
    assert np.allclose(seen[0.0], 0.0)          # no pooling gain and nothing lost: no result to see
    assert (seen[0.3] > 0.01).all()


@settings(max_examples=15, deadline=None)
@given(loss=st.floats(0.05, 0.4), months=st.integers(1, 12))
def test_the_target_expects_the_handover_so_an_unbridged_unit_is_not_short_for_it(loss, months):
    """Targets were set on what the system placed, handovers included: without bridges the handover loss
    moves placements and target alike, so the shortfall is the one without any loss; bridges lower it."""
    shortfall = {}
    for value, bridges in ((0.0, ()), (loss, ()), (loss, BRIDGES)):
        world = location_world(Parameters(handover_loss=value, pooling_gain=0.0, placement_luck=0.0))
        labour_market.start_labour_market(world)
        for a in bridges:
            world.regions_state.status[:, LOCATION_CATALOGUE.index[a]] = IN_FORCE
        for _ in range(months):
            labour_market.update_labour_market(world)
            world.t += 1
        shortfall[value, bool(bridges)] = world.regions_state.shortfall.copy()
    np.testing.assert_allclose(shortfall[loss, False], shortfall[0.0, False], atol=1e-12)
    handed = LOCATION_GROUPS.handed_over
    before = shortfall[loss, False][:, handed]
    assert (shortfall[loss, True][:, handed] <= before).all()
    assert before.any()                     # Friesland's slack market: short of target without any loss
    assert (shortfall[loss, True][:, handed] < before).any()
