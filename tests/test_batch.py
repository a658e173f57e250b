"""Replications as an axis of the state: a batch gives every replication exactly its lone run.

chainsim.core.batch joins replications into one world; each draws from its
own streams, split into its own rows. These tests hold a replication's
record in a batch equal, value for value, to the same replication run
alone through the Mesa model -- whatever the batch's size, its order and
what runs beside it -- and check the pieces that make that true.
"""

from __future__ import annotations

from dataclasses import replace

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chainsim.core import batch, simulation
from chainsim.core.calendar import Calendar, Month
from chainsim.core.config import RunConfig
from chainsim.core.levers import Lever, RegionSelection
from chainsim.core.streams import Stream
from chainsim.model import ChainModel
from chainsim.runner import iter_replications, replication_seeds, simulate_batch

REGIONS = ("AM01", "AM05", "AM09", "AM14", "AM20", "AM27", "AM33")
START = Month(2013, 1)
CASES = {
    "default": RunConfig(regions=REGIONS),
    # a random half of the regions: masks drawn per replication from the levers stream
    "random regions": RunConfig(regions=REGIONS, levers=(
        Lever("joint_targets", START, None, RegionSelection(fraction=0.5), 1.0),)),
    # levers that draw every month, one of them selecting no region at all (0.05 x 7 rounds to 0)
    "subsidy, few regions": RunConfig(regions=REGIONS, levers=(
        Lever("cooperation_subsidy", START, None, RegionSelection(fraction=0.05), 1.0),
        Lever("cooperation_subsidy", START, None, RegionSelection(fraction=0.3), 1.0),
        Lever("knowledge_sharing", START, None, RegionSelection(), 0.5))),
    # M5 off: the convenor's agenda takes its other branch
    "M5 and M11 off": RunConfig(regions=REGIONS, mechanisms_off=("M5", "M11")),
    "short calendar": RunConfig(regions=REGIONS, calendar=Calendar(Month(2012, 1), Month(2014, 12),
                                                                    Month(2014, 11))),
}
FIELDS = ("items", "levels", "level_class", "stage", "diagnostics")


def _lone(config: RunConfig, seed_seq) -> ChainModel:
    return ChainModel(config=config, rng=seed_seq).run()


def _same(model: ChainModel, result) -> bool:
    rec = model.recorder
    return (all(np.array_equal(getattr(rec, f), getattr(result, f)) for f in FIELDS)
            and model.events == result.events and list(model.regions_state.codes) == result.region_codes)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=st.sampled_from(sorted(CASES)), size=st.integers(1, 5), first=st.integers(0, 30),
       order=st.randoms(use_true_random=False))
def test_a_replication_gives_its_lone_run_whatever_batch_it_runs_in(case, size, first, order):
    config = CASES[case]
    seeds = replication_seeds(11, first + size)[first:]
    tasks = [(s, first + i) for i, s in enumerate(seeds)]
    order.shuffle(tasks)
    results = simulate_batch(config, tasks)
    assert [r.replication for r in results] == [i for _, i in tasks]
    lone = {i: _lone(config, s) for s, i in tasks}
    for result in results:
        assert _same(lone[result.replication], result), (case, result.replication)


def test_batch_size_and_neighbours_never_change_a_replication():
    config = CASES["random regions"]
    seeds = replication_seeds(5, 6)
    alone = simulate_batch(config, [(seeds[3], 3)])[0]
    for tasks in ([(s, i) for i, s in enumerate(seeds)], [(seeds[3], 3), (seeds[0], 0)]):
        (mine,) = [r for r in simulate_batch(config, tasks) if r.replication == 3]
        assert all(np.array_equal(getattr(alone, f), getattr(mine, f)) for f in FIELDS)
        assert alone.events == mine.events


@pytest.mark.parametrize("config", [CASES["default"], RunConfig(regions=("AM02",), era="werkpleinen_2005"),
                                    RunConfig(regions=("AM02",), start_from="werkpleinen_2005")],
                         ids=["regions", "werkplein era", "from the werkplein era"])
def test_a_batch_without_events_changes_nothing_else(config):
    """The runner's batches skip the events' texts (nobody reads them there); every record stays the same."""
    tasks = [(s, i) for i, s in enumerate(replication_seeds(8, 3))]
    kept, skipped = simulate_batch(config, tasks), simulate_batch(config, tasks, events=False)
    for a, b in zip(kept, skipped, strict=True):
        assert all(np.array_equal(getattr(a, f), getattr(b, f)) for f in FIELDS)
        assert a.events and b.events is None
        if config.start_from is not None:            # the era it started from, too
            assert all(np.array_equal(getattr(a.prelude, f), getattr(b.prelude, f)) for f in FIELDS)
            assert a.prelude.events and b.prelude.events is None
    assert all(r.events is None for r in iter_replications(config, 2, seed=8))


def test_a_joined_world_keeps_replications_apart():
    config = CASES["default"]
    seeds = replication_seeds(2, 3)
    world = batch.new_batch(config.params, config.calendar, ChainModel(config=config, rng=1).world.regions_state.infos,
                            [np.random.default_rng(s) for s in seeds])
    layout, ties, pop = world.layout, world.ties, world.population
    assert layout.n == 3 and world.regions_state.n == 3 * len(REGIONS)
    # no tie crosses from one replication to another
    assert np.array_equal(layout.of_organisation[ties.u], layout.of_organisation[ties.v])
    assert np.array_equal(layout.of_region[pop.region], layout.of_organisation)
    # the networkx view: three disconnected copies of one network, trust shared with the arrays
    graph = world.graph
    assert graph.number_of_edges() == ties.n
    parts = {frozenset(layout.of_organisation[list(c)]) for c in nx.connected_components(graph)}
    assert all(len(p) == 1 for p in parts)
    u, v = int(ties.u[0]), int(ties.v[0])
    graph.edges[u, v]["trust"] = 0.25
    assert ties.trust[0] == 0.25
    with pytest.raises(ValueError, match="per replication"):
        world.events
    # what a lone run reduces over the country, a batch reduces per replication
    values = np.arange(world.regions_state.n, dtype=float)
    best = layout.region_max(values)
    for k in range(3):
        part = layout.region_slice(k)
        assert np.all(best[part] == values[part].max())


def test_only_fresh_worlds_that_share_a_configuration_join():
    config = CASES["default"]
    seeds = replication_seeds(2, 2)
    infos = ChainModel(config=config, rng=1).world.regions_state.infos
    worlds = [simulation.new_world(config.params, config.calendar, infos, np.random.default_rng(s)) for s in seeds]
    other = simulation.new_world(replace(config.params, trust_initial=0.4), config.calendar, infos,
                                 np.random.default_rng(seeds[0]))
    with pytest.raises(ValueError, match="share parameters"):
        batch.join([worlds[0], other])
    simulation.step(worlds[1])
    with pytest.raises(ValueError, match="freshly built"):
        batch.join(worlds)
    lone = simulation.new_world(config.params, config.calendar, infos, np.random.default_rng(seeds[0]),
                                interventions=[lambda world: None])
    with pytest.raises(ValueError, match="only levers"):
        batch.join([lone, lone])
    with pytest.raises(ValueError, match="at least one"):
        batch.new_batch(config.params, config.calendar, infos, [])


def test_a_stream_splits_its_draws_into_the_replications_blocks():
    gens = [np.random.default_rng(k) for k in range(3)]
    joined = Stream([np.random.default_rng(k) for k in range(3)])
    draws = joined.random((2, 9), split=[2, 3, 4], axis=1)
    expected = np.concatenate([g.random((2, n)) for g, n in zip(gens, [2, 3, 4])], axis=1)
    assert np.array_equal(draws, expected)
    normal = joined.normal(0.0, 2.0, 5, split=[0, 5, 0])
    assert np.array_equal(normal, gens[1].normal(0.0, 2.0, 5))
    with pytest.raises(ValueError):
        joined.random(4, split=[1, 3])          # a split for two replications of three
    with pytest.raises(ValueError, match="serves 3 replications"):
        joined.single
