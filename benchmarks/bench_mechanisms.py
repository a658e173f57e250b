"""Benchmark (by hand, not in CI): where a replication's time goes, mechanism by mechanism.

    python benchmarks/bench_mechanisms.py [--batch 25] [--repeats 3] [--top 25]

Builds a batch of ``--batch`` Netherlands replications as one world
(:func:`chainsim.core.batch.new_batch`, as ``run`` and ``sweep`` do) and
simulates its 60 months with every public function of
:mod:`chainsim.core.mechanisms`, the trust refresh and the monthly record
wrapped in a timer, and so is the drawing of random numbers
(``Stream._draw``, in the build and in the steps). Prints the build and the step time per
replication and each function's share (inclusive: a function that calls another counts the
callee's time too), the best of ``--repeats``. The timers add a little
(about 1 µs a call), so the total is a little above an untimed run.

The compiled loops (:mod:`chainsim.core.mechanisms.compiled`,
:mod:`chainsim.core.tie_loops`) are timed too, each and together: the time
inside them is what compiling more of the model cannot take away (they are
compiled already), which docs/performance.md uses to bound from below what a
replication could cost if every numpy step took no time at all.
"""

from __future__ import annotations

import argparse
import collections
import inspect
import time

import numpy as np

from chainsim.core import jit, simulation, tie_loops
from chainsim.core.batch import new_batch
from chainsim.core.mechanisms import (
    actors,
    belief,
    compiled,
    environment,
    execution,
    labour_market,
    leadership,
    table,
    trust,
)
from chainsim.core.streams import Stream
from chainsim.runner import RunConfig, replication_seeds

MODULES = (actors, belief, environment, execution, labour_market, leadership, table, trust)
LOOP_MODULES = (compiled, tie_loops)
"""Modules of compiled loops: their callers look them up on the module at each call, so they can be wrapped."""
INSIDE_LOOPS = "compiled loops (all, inside them)"


def _timed(spent: collections.Counter, label: str, function):
    def timed(*args, **kwargs):
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[label] += time.perf_counter() - start
    return timed


def measure(batch: int) -> tuple[float, float, collections.Counter]:
    spent: collections.Counter = collections.Counter()
    originals = []
    for module in MODULES:
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ == module.__name__ and not name.startswith("_"):
                originals.append((module, name, function))
                setattr(module, name, _timed(spent, f"{module.__name__.rsplit('.', 1)[-1]}.{name}", function))
    for module in LOOP_MODULES:           # numba dispatchers are not plain functions: take what the module defines
        for name, function in list(vars(module).items()):
            if callable(function) and not name.startswith("_") and getattr(function, "__module__", None) == \
                    module.__name__ and not inspect.isclass(function):
                originals.append((module, name, function))
                label = f"loop {module.__name__.rsplit('.', 1)[-1]}.{name}"
                setattr(module, name, _timed(spent, INSIDE_LOOPS, _timed(spent, label, function)))
    # every random number of the steps, drawn from each replication's own generator
    draw = Stream._draw
    phase = {"now": "build"}

    def timed_draw(*args, **kwargs):
        start = time.perf_counter()
        try:
            return draw(*args, **kwargs)
        finally:
            spent[f"streams: random numbers ({phase['now']})"] += time.perf_counter() - start

    Stream._draw = timed_draw
    try:
        config = RunConfig()
        seeds = replication_seeds(1, batch)
        start = time.perf_counter()
        world = new_batch(config.params, config.calendar, None, [np.random.default_rng(s) for s in seeds])
        built = time.perf_counter()
        phase["now"] = "steps"
        world.trust.refresh = _timed(spent, "ties.TrustSummary.refresh", world.trust.refresh)
        world.recorder.record = _timed(spent, "recorder.Recorder.record", world.recorder.record)
        simulation.run(world)
        done = time.perf_counter()
    finally:
        Stream._draw = draw
        for module, name, function in originals:
            setattr(module, name, function)
    return (built - start) / batch, (done - built) / batch, spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch", type=int, default=25, help="replications in the batch (default 25, BATCH_MAX)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--top", type=int, default=25, help="functions to list")
    args = parser.parse_args()
    measure(2)          # warm up: numba loads its cached loops on their first call (about 0.3 s), not timed
    best = min((measure(args.batch) for _ in range(args.repeats)), key=lambda m: m[0] + m[1])
    build, steps, spent = best
    print(f"batch of {args.batch}: build {1000 * build:.1f} ms and 60 months {1000 * steps:.1f} ms per replication "
          f"(kernels: {jit.KERNELS}; CHAINSIM_KERNELS=numpy for the reference)")
    print(f"  {'function (inclusive)':<44}{'ms/replication':>15}{'share of steps':>16}")
    for label, seconds in spent.most_common(args.top):
        per = seconds / args.batch
        print(f"  {label:<44}{1000 * per:>15.2f}{per / steps:>16.0%}")


if __name__ == "__main__":
    main()
