"""The catalogue of arrangements: checked when made, read by role, and swappable per era."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import small_region

from chainsim.core.arrangements import (
    GOVERNANCE,
    OPERATIONAL,
    REGION_CATALOGUE,
    ROLES,
    TACTICAL,
    Arrangement,
    Catalogue,
)
from chainsim.core.calendar import Calendar, Month
from chainsim.core.eras import Era
from chainsim.core.regions import select_regions
from chainsim.core.simulation import new_world, run
from chainsim.core.state import IN_FORCE


def test_every_role_is_played_in_some_era():
    from chainsim.core.location_arrangements import LOCATION_CATALOGUE

    for role in ROLES:
        assert len(REGION_CATALOGUE.role(role)) + len(LOCATION_CATALOGUE.role(role)) > 0, role
    assert REGION_CATALOGUE.ids[REGION_CATALOGUE.role("joint_targets")[0]] == "joint_placement_targets"


def test_a_catalogue_refuses_repeated_ids_unknown_roles_and_late_requirements():
    a = Arrangement("table", GOVERNANCE, (), 0.1, 0.0)
    b = Arrangement("team", OPERATIONAL, (), 0.2, 0.1, requires=("table",))
    with pytest.raises(ValueError, match="repeat"):
        Catalogue("x", (a, a), {})
    with pytest.raises(ValueError, match="unknown roles"):
        Catalogue("x", (Arrangement("t", GOVERNANCE, (), 0.1, 0.0, roles=("nonsense",)),), {})
    with pytest.raises(ValueError, match="listed before"):
        Catalogue("x", (b, a), {})
    with pytest.raises(ValueError, match="unknown arrangements"):
        Catalogue("x", (a, b), {"other": (0.5, "passage")})


def test_share_and_any_in_force_read_by_role_and_are_empty_safe():
    cat = Catalogue("x", (
        Arrangement("table", GOVERNANCE, (), 0.1, 0.0, roles=("meets_agency", "mandates")),
        Arrangement("plan", GOVERNANCE, (), 0.1, 0.0, requires=("table",), roles=("mandates",)),
    ), {})
    in_force = np.array([[True, False], [True, True], [False, False]])
    assert cat.any_in_force(in_force, "meets_agency").tolist() == [True, True, False]
    assert cat.share_in_force(in_force, "mandates").tolist() == [0.5, 1.0, 0.0]
    assert cat.share_in_force(in_force, "joint_targets").tolist() == [0.0, 0.0, 0.0]
    assert not cat.any_in_force(in_force, "shared_ict").any()


def test_a_world_runs_on_another_catalogue_through_the_same_mechanisms():
    cat = Catalogue("toy era", (
        Arrangement("meeting", TACTICAL, (), 0.05, 0.0, roles=("meets_agency",)),
        Arrangement("shared_building", OPERATIONAL, ("a cited obstacle",), 0.2, 0.1, requires=("meeting",)),
        Arrangement("one_counter", OPERATIONAL, (), 0.3, 0.1, requires=("shared_building",)),
    ), {"meeting": (0.5, "a passage")})

    def measure(world):
        in_force = world.regions_state.in_force
        levels = np.zeros((len(in_force), 3), dtype=bool)
        count = in_force.sum(axis=1)
        return in_force.copy(), levels, count, (count == 0).astype(int)

    calendar = Calendar(Month(2006, 1), Month(2007, 12), Month(2007, 6))
    era = Era("toy", cat, cat.ids, measure, ("some", "none"), "location", select_regions, calendar)
    world = new_world(calendar=calendar, regions=[small_region("XX01"), small_region("XX02")],
                      rng=np.random.default_rng(3), era=era)
    assert world.regions_state.status.shape == (2, 3)
    run(world)
    status = world.regions_state.status
    assert status.shape == (2, 3)
    # what requires something is in force only where that is in force too
    for a, needs in ((1, 0), (2, 1)):
        assert not ((status[:, a] == IN_FORCE) & (status[:, needs] != IN_FORCE)).any()
    assert (status == IN_FORCE).any()     # two years at two tables adopt something
    assert world.recorder.items.shape == (24, 2, 3)
    assert (world.recorder.items[-1] == (status == IN_FORCE)).all()
