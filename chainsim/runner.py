"""Replications: many seeded runs of one configuration, on one or more cores.

Seeds come from one ``numpy.random.SeedSequence`` per experiment: replication
``i`` always gets child ``i`` of the root seed, whichever worker runs it and
in whatever order, so the number of workers never changes a result.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np

from chainsim.core.config import RunConfig
from chainsim.model import ChainModel

__all__ = ["RunConfig", "RunResult", "default_workers", "replication_seeds", "run_replications", "simulate"]


@dataclass
class RunResult:
    """The record of one replication (arrays over months x regions)."""

    replication: int
    seed_entropy: int
    spawn_key: tuple[int, ...]
    region_codes: list[str]
    items: np.ndarray
    levels: np.ndarray
    level_class: np.ndarray
    stage: np.ndarray
    diagnostics: np.ndarray
    events: list[tuple[str, str, str]]


def replication_seeds(seed: int, replications: int) -> list[np.random.SeedSequence]:
    """Child seed sequences, one per replication, of the root ``seed``."""
    return np.random.SeedSequence(seed).spawn(replications)


def simulate(config: RunConfig, seed_seq: np.random.SeedSequence, replication: int = 0) -> RunResult:
    """Run one replication to the end of the calendar."""
    model = ChainModel(config=config, rng=np.random.default_rng(seed_seq)).run()
    rec = model.recorder
    return RunResult(
        replication=replication, seed_entropy=int(seed_seq.entropy),
        spawn_key=tuple(int(k) for k in seed_seq.spawn_key),
        region_codes=list(model.regions_state.codes), items=rec.items, levels=rec.levels,
        level_class=rec.level_class, stage=rec.stage, diagnostics=rec.diagnostics,
        events=model.events,
    )


def _simulate_task(args: tuple[RunConfig, np.random.SeedSequence, int]) -> RunResult:
    return simulate(*args)


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def run_replications(config: RunConfig, replications: int, seed: int = 0,
                     workers: int = 1, progress=None) -> list[RunResult]:
    """Run ``replications`` seeded replications; results ordered by replication.

    ``workers`` > 1 uses a process pool; the results are identical to a
    single-process run. ``progress`` (optional) is called with the number of
    finished replications.
    """
    if replications < 1:
        raise ValueError(f"replications must be a positive integer, got {replications}")
    if workers < 1:
        raise ValueError(f"workers must be a positive integer, got {workers}")
    tasks = [(config, s, i) for i, s in enumerate(replication_seeds(seed, replications))]
    results: list[RunResult] = []
    if workers == 1 or replications == 1:
        for task in tasks:
            results.append(_simulate_task(task))
            if progress:
                progress(len(results))
        return results
    chunk = max(1, replications // (4 * workers))
    # forkserver (spawn where it is missing): forking a process that already
    # runs threads (numpy, a notebook kernel) can deadlock.
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    with ProcessPoolExecutor(max_workers=min(workers, replications), mp_context=context) as pool:
        for result in pool.map(_simulate_task, tasks, chunksize=chunk):
            results.append(result)
            if progress:
                progress(len(results))
    return results
