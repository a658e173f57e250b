"""Invariants that must hold for any parameters and seed (hypothesis)."""

from __future__ import annotations

import numpy as np
from helpers import small_model, small_region
from hypothesis import HealthCheck, given, settings
from strategies import parameters, seeds

from chainsim.core.calendar import Calendar, Month
from chainsim.core.state import ABSENT, IN_FORCE
from chainsim.runner import RunConfig, run_replications

SHORT = Calendar(Month(2013, 1), Month(2015, 6), Month(2014, 11))
REGIONS = [small_region("XX01", n_subregions=2, n_municipalities=8, commuting_out=0.3),
           small_region("XX02", n_sw=3), small_region("XX03", n_municipalities=3)]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(params=parameters(), seed=seeds)
def test_trust_belief_and_shares_stay_in_bounds(params, seed):
    model = small_model(REGIONS, seed=seed, params=params, calendar=SHORT)
    for _ in range(SHORT.n_months):
        model.step()
        trust = model.graph.ties.trust
        assert np.all((trust >= 0) & (trust <= 1))
        pop = model.population
        for column in ("belief", "turbulence"):
            values = getattr(pop, column)
            assert np.all((values >= 0) & (values <= 1)), column
        assert np.all(pop.rivalry >= 0)
        assert np.all(model.regions_state.pressure >= 0)
        status = model.regions_state.status
        assert np.all((status >= ABSENT) & (status <= IN_FORCE))
    diag = model.recorder.diagnostics
    assert np.all(diag[..., 5] >= 0)          # arrangements in force is a count


@settings(max_examples=10, deadline=None)
@given(seed=seeds)
def test_same_seed_gives_identical_runs(seed):
    a = small_model(REGIONS, seed=seed, calendar=SHORT).run()
    b = small_model(REGIONS, seed=seed, calendar=SHORT).run()
    assert np.array_equal(a.recorder.items, b.recorder.items)
    assert np.array_equal(a.recorder.stage, b.recorder.stage)
    assert np.array_equal(a.graph.ties.trust, b.graph.ties.trust)
    assert a.events == b.events


@settings(max_examples=3, deadline=None)
@given(seed=seeds)
def test_worker_count_and_order_never_change_results(seed):
    config = RunConfig(regions=("AM02", "AM12", "AM32"), calendar=SHORT)
    one = run_replications(config, 4, seed=seed, workers=1)
    two = run_replications(config, 4, seed=seed, workers=2)
    for x, y in zip(one, two):
        assert x.replication == y.replication
        assert np.array_equal(x.items, y.items)
        assert np.array_equal(x.diagnostics, y.diagnostics)
    # replication i is the same run whether or not others ran before it
    alone = run_replications(config, 1, seed=seed)[0]
    assert np.array_equal(alone.items, one[0].items)


def test_shares_are_shares():
    from chainsim.results import Results

    config = RunConfig(regions=("AM02", "AM06", "AM22", "AM32"), calendar=SHORT)
    results = Results(config, run_replications(config, 3, seed=5), seed=5)
    for array in (results.stage_shares(), results.indicator_shares()):
        finite = array[~np.isnan(array)]
        assert np.all((finite >= 0) & (finite <= 1))
    assert np.allclose(results.stage_shares().sum(axis=2), 1.0)
    assert np.all(results.level_class_counts().sum(axis=2) == 4)
