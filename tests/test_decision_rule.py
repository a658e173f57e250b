"""One decision rule: each organisation's own statement equals the vectorised kernel.

``Organisation.support_terms`` (chainsim.agents) states, per kind of
organisation, the reasons it weighs for and against an arrangement; the
kernel ``support_terms`` (chainsim.core.mechanisms.table) computes them for
every organisation at once. They must agree term by term on any state the
model can reach, with any mechanisms switched off and any parameter values;
the convenor's estimate and the explanations use the same rule.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import small_model, small_region
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import parameters, seeds

from chainsim.core.arrangements import ARRANGEMENTS, TABLE
from chainsim.core.mechanisms import table
from chainsim.core.world import MECHANISMS

MODEL_MECHANISMS = ("M2", "M4", "M5", "M6", "M7", "M13")


@st.composite
def states(draw):
    """A model after a few months, with drawn parameters, mechanisms off and a formal mandate."""
    params = draw(parameters())
    off = draw(st.lists(st.sampled_from(MODEL_MECHANISMS), unique=True, max_size=3))
    region = small_region(n_municipalities=draw(st.integers(2, 7)), n_sw=draw(st.integers(1, 2)),
                          formal_mandate=draw(st.booleans()))
    model = small_model([region, small_region("XX02")], seed=draw(seeds), params=params, mechanisms_off=off)
    for _ in range(draw(st.integers(0, 14))):
        model.step()
    return model


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model=states(), arrangement=st.integers(0, len(ARRANGEMENTS) - 1), sunk=st.booleans())
def test_every_organisation_weighs_as_the_kernel_does(model, arrangement, sunk):
    world = model.world
    kernel = table.support_terms(world, np.full(world.population.n, arrangement), sunk_effort=sunk)
    assert set(kernel) == set(table.TERMS)
    for agent in model.agent_by_row:
        own = agent.support_terms(arrangement, sunk_effort=sunk)
        assert set(own) <= set(table.TERMS)
        for name in table.TERMS:
            assert own.get(name, 0.0) == pytest.approx(float(kernel[name][agent.row]), rel=1e-12, abs=1e-12), \
                f"{agent!r}: term {name}"
    proposal = np.full(world.regions_state.n, arrangement)
    votes = table.member_support(world, proposal, sunk_effort=sunk, noise=False)
    assert votes == pytest.approx([a.support(arrangement, sunk_effort=sunk) for a in model.agent_by_row])


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model=states())
def test_the_convenor_estimates_with_the_members_rule(model):
    world = model.world
    estimate = table.expected_support(world)
    pop = world.population
    for r in range(world.regions_state.n):
        members = [a for a in model.agent_by_row
                   if a.region == r and world.tie_index.municipal[a.row] and pop.participates[a.row]]
        for a in range(len(ARRANGEMENTS)):
            mean = np.mean([m.support(a) for m in members]) if members else 0.0
            uwv = 0.0 if world.off("M7") else (table.UWV_ANTICIPATION * world.params.uwv_central_steering
                                               * TABLE.central_room[a] * TABLE.needs_uwv[a])
            assert estimate[r, a] == pytest.approx(mean - uwv, abs=1e-9)


def test_a_formal_mandate_moves_the_convenors_estimate_as_it_moves_the_members():
    """The drift the one rule removes: a mandate lowers the say a member gives up, for both."""
    with_mandate = small_model([small_region(formal_mandate=True)], seed=3)
    without = small_model([small_region(formal_mandate=False)], seed=3)
    costly = int(np.argmax(TABLE.say_cost))
    rows = [a for a in without.agent_by_row if without.world.tie_index.municipal[a.row]]
    assert sum(a.support(costly) for a in with_mandate.agent_by_row if a.row in {r.row for r in rows}) > \
        sum(a.support(costly) for a in rows)
    assert table.expected_support(with_mandate.world)[0, costly] > table.expected_support(without.world)[0, costly]


def test_stepping_one_organisation_says_how_organisations_act():
    model = small_model()
    with pytest.raises(NotImplementedError, match="act together in ChainModel.step"):
        model.agent_by_row[0].step()


def test_every_mechanism_switched_off_keeps_the_rule_equal():
    model = small_model(mechanisms_off=tuple(MECHANISMS))
    for _ in range(3):
        model.step()
    kernel = table.support_terms(model.world, np.full(model.world.population.n, 5))
    for agent in model.agent_by_row:
        assert sum(agent.support_terms(5).values()) == pytest.approx(
            sum(float(kernel[n][agent.row]) for n in table.TERMS))
