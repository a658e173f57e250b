"""Replications: many seeded runs of one configuration, on one or more cores.

Seeds come from one ``numpy.random.SeedSequence`` per experiment: replication
``i`` always gets child ``i`` of the root seed, whichever worker runs it and
in whatever order, so the number of workers never changes a result.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np

from chainsim.core import batch, handover, simulation
from chainsim.core.config import RunConfig
from chainsim.core.eras import ERAS

__all__ = ["RunConfig", "RunResult", "default_workers", "iter_replications", "iter_runs", "replication_seeds",
           "run_replications",
           "simulate",
           "simulate_batch"]


@dataclass
class RunResult(batch.ReplicationRecord):
    """The record of one replication (arrays over months x regions) and the seed it ran on."""

    replication: int = 0
    seed_entropy: int = 0
    spawn_key: tuple[int, ...] = ()
    draw: int = 0          # which configuration of :func:`iter_runs` (a posterior draw) it ran
    prelude: batch.ReplicationRecord | None = None   # the record of the era it started from (start_from)


def replication_seeds(seed: int, replications: int) -> list[np.random.SeedSequence]:
    """Child seed sequences, one per replication, of the root ``seed``."""
    return np.random.SeedSequence(seed).spawn(replications)


def simulate(config: RunConfig, seed_seq: np.random.SeedSequence, replication: int = 0) -> RunResult:
    """Run one replication to the end of the calendar."""
    return simulate_batch(config, [(seed_seq, replication)])[0]


def simulate_batch(config: RunConfig, seeds: list[tuple[np.random.SeedSequence, int]],
                   events: bool = True) -> list[RunResult]:
    """Run replications side by side in one world (:mod:`chainsim.core.batch`); one result each, in order.

    Replication ``i`` draws from its own seed sequence only, so its result is
    the same in a batch of any size and the same as a lone
    :class:`~chainsim.model.ChainModel` run with that seed. Without
    ``events`` the results carry no dated events (``events`` is None), which
    saves making their texts; every other field is the same.
    """
    era = ERAS[config.era]
    regions = era.select(list(config.regions)) if config.regions is not None else None
    histories, preludes = None, [None] * len(seeds)
    if config.start_from is not None:
        histories, preludes = _prelude(config, seeds, events)
    world = batch.new_batch(config.params, config.calendar, regions,
                            [np.random.default_rng(_fresh(seed_seq)) for seed_seq, _ in seeds],
                            config.levers, config.mechanisms_off, era, histories, events)
    simulation.run(world)
    return [RunResult(**vars(record), replication=replication, seed_entropy=int(seed_seq.entropy),
                      spawn_key=tuple(int(k) for k in seed_seq.spawn_key), prelude=prelude)
            for (seed_seq, replication), record, prelude in zip(seeds, batch.records(world), preludes, strict=True)]


PRELUDE_KEY = 2005
"""The spawn-key element that turns a replication's seed into the seed of the era it starts from:
the prelude draws its own numbers, and the region run draws the same numbers with or without one."""


def _prelude(config: RunConfig, seeds: list[tuple[np.random.SeedSequence, int]], events: bool = True):
    """Simulate the era ``config.start_from`` for each replication; its legacies and records."""
    era = ERAS[config.start_from]
    units = era.select(list(config.regions) if config.regions is not None else None)
    rngs = [np.random.default_rng(np.random.SeedSequence(s.entropy, spawn_key=(*s.spawn_key, PRELUDE_KEY),
                                                         pool_size=s.pool_size)) for s, _ in seeds]
    params = config.history_params if config.history_params is not None else config.params
    world = batch.new_batch(params, era.calendar, units, rngs, (), config.mechanisms_off, era, events=events)
    simulation.run(world)
    return handover.legacies(world), batch.records(world)


def _fresh(seed_seq: np.random.SeedSequence) -> np.random.SeedSequence:
    """A copy: a run spawns its streams from its sequence, which changes the sequence."""
    return np.random.SeedSequence(seed_seq.entropy, spawn_key=seed_seq.spawn_key, pool_size=seed_seq.pool_size)


def _simulate_batch(args: tuple[RunConfig, list[tuple[np.random.SeedSequence, int]], int]) -> list[RunResult]:
    config, seeds, draw = args
    results = simulate_batch(config, seeds, events=False)      # nobody downstream reads them
    for result in results:
        result.draw = draw
    return results


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


BATCH_MAX = 25
"""At most this many replications per batch (one world, one task sent to a worker): what is in
flight stays bounded. A batch of 25 runs each replication about 3x as fast as a lone run
(docs/performance.md); larger batches gain little more."""


def batch_size(replications: int, workers: int) -> int:
    """Replications per batch: on one worker :data:`BATCH_MAX`; on several, about four tasks per
    worker, at most :data:`BATCH_MAX`."""
    if workers == 1:
        return max(1, min(BATCH_MAX, replications))
    return max(1, min(BATCH_MAX, replications // (4 * workers)))


def iter_replications(config: RunConfig, replications: int, seed: int = 0, workers: int = 1):
    """Run ``replications`` seeded replications, yielding each :class:`RunResult` in replication order.

    The results stream: a caller that writes each one away and keeps only
    what it needs holds memory flat in the number of replications. Batches
    of at most :data:`BATCH_MAX` replications run side by side in one world;
    with ``workers`` > 1 a process pool runs the batches, and at most two
    batches per worker are in flight (finished or not) at any time, so a
    slow consumer never lets results pile up. Neither the number of workers
    nor the batch size changes a result: replication ``i`` always runs on
    child ``i`` of the root seed. The results carry no dated events
    (``events`` is None; :func:`simulate_batch` keeps them on request).
    """
    yield from iter_runs([config], replications, seed, workers)


def iter_runs(configs: list[RunConfig], replications: int, seed: int = 0, workers: int = 1):
    """Run ``replications`` replications of each configuration (e.g. posterior draws), in order.

    Run ``k`` = ``d`` x ``replications`` + ``r`` (replication ``r`` of
    configuration ``d``, its ``draw``) runs on child ``k`` of the root seed;
    with one configuration this is :func:`iter_replications`. Streams and
    batches as it does; a batch never mixes configurations.
    """
    if replications < 1:
        raise ValueError(f"replications must be a positive integer, got {replications}")
    if workers < 1:
        raise ValueError(f"workers must be a positive integer, got {workers}")
    if not configs:
        raise ValueError("no configurations to run")
    total = len(configs) * replications
    seeds = replication_seeds(seed, total)
    size = batch_size(total, workers)
    batches = [(config, [(seeds[k], k) for k in range(start, min(start + size, (d + 1) * replications))], d)
               for d, config in enumerate(configs)
               for start in range(d * replications, (d + 1) * replications, size)]
    if workers == 1 or len(batches) == 1:
        for task in batches:
            yield from _simulate_batch(task)
        return
    context = worker_context()
    window = 2 * workers
    with ProcessPoolExecutor(max_workers=min(workers, len(batches)), mp_context=context) as pool:
        pending = deque(pool.submit(_simulate_batch, task) for task in batches[:window])
        queued = len(pending)
        try:
            while pending:
                results = pending.popleft().result()
                if queued < len(batches):
                    pending.append(pool.submit(_simulate_batch, batches[queued]))
                    queued += 1
                yield from results
                del results
        finally:
            for future in pending:              # the consumer stopped early (an error, Ctrl-C)
                future.cancel()


def worker_context() -> multiprocessing.context.BaseContext:
    """How chainsim starts worker processes: from a forkserver (spawn where there is none).

    Forking a process that already runs threads (numpy, a notebook kernel)
    can deadlock, so workers fork from a fresh server process instead. That
    server imports :mod:`chainsim.core.preload` first, so every worker starts
    with the core imported and the compiled loops loaded. The forkserver is
    one per process: other forkserver pools of the process get the same
    preload, and a forkserver already running (an earlier pool) keeps what
    it had.
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["__main__", "chainsim.core.preload"])     # __main__: Python's default
    return context


def run_replications(config: RunConfig, replications: int, seed: int = 0,
                     workers: int = 1, progress=None) -> list[RunResult]:
    """Run ``replications`` seeded replications; results ordered by replication.

    Holds every replication's record (about 0.2 MB each for the 35 regions);
    :func:`iter_replications` streams them instead. ``workers`` > 1 uses a
    process pool; the results are identical to a single-process run.
    ``progress`` (optional) is called with the number of finished
    replications.
    """
    results: list[RunResult] = []
    for result in iter_replications(config, replications, seed, workers):
        results.append(result)
        if progress:
            progress(len(results))
    return results
