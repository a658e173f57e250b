"""Benchmark (by hand, not in CI): what bounds a replication's time from below, against the numpy floor.

    python benchmarks/bench_limits.py [--repeats 5] [--batches 25 50 100]

Takes a replication in a batch apart into the parts that no kernel can
remove, each measured here, interleaved with the numpy floor
(``toy_numpy.py``) so that the ratios are taken under the same load:

1. **The build**: the time per replication of building the largest batch
   (:func:`chainsim.core.batch.new_batch`; each replication is built on
   its own, drawing each region's organisations and ties in the order a
   lone run draws them, and the replications are then joined).
2. **The months, split into a fixed and a per-replication part**: the
   60 months of a batch of each size in ``--batches``; a straight line
   fitted through (batch size, seconds) gives the cost that batching
   spreads out (its intercept: numpy's cost per call, the Python of the
   mechanisms) and the cost each replication adds whatever the batch (its
   slope: the work on the replication's own elements, and its own
   generator calls); the residuals show how straight the line is.
3. **The random numbers**: how many uniform, normal and beta numbers a
   replication draws in its 60 months (counted over one run, by
   wrapping ``Stream._draw``), and the time numpy's generator takes to
   generate that many at its cheapest, one call per kind.
4. **The compiled loops**: the time the months of the largest batch spend
   inside the loops that are compiled already
   (:mod:`chainsim.core.mechanisms.compiled`, :mod:`chainsim.core.tie_loops`),
   timed in a separate run of that batch with each loop wrapped.

Parts 1, 3 and 4 add up to a **lower bound**: what a replication would cost
if every numpy step of the months, and the Python around them (the fixed
part of 2), took no time, as if everything of the months not yet compiled
were compiled into loops that cost nothing, with the build and the streams
as they are.

Prints each part in ms per replication and as a multiple of the floor's
whole run; writes ``results/benchmarks/bench_limits.json`` (``--out``).
"""

from __future__ import annotations

import argparse
import collections
import json
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import toy_numpy  # the toy lives beside this script

from chainsim import __version__
from chainsim.core import jit, simulation
from chainsim.core.batch import new_batch
from chainsim.core.streams import Stream
from chainsim.runner import RunConfig, replication_seeds

REPORT = Path("results/benchmarks/bench_limits.json")


def build_and_steps(batch: int, seed: int) -> tuple[float, float]:
    """Seconds to build a batch of ``batch`` Netherlands replications, and to run its 60 months."""
    config = RunConfig()
    rngs = [np.random.default_rng(s) for s in replication_seeds(seed, batch)]
    start = time.perf_counter()
    world = new_batch(config.params, config.calendar, None, rngs)
    built = time.perf_counter()
    simulation.run(world)
    return built - start, time.perf_counter() - built


def loop_modules() -> tuple:
    """The modules of compiled loops, where this process runs them (none under the numpy reference)."""
    if jit.KERNELS != "numba":
        return ()
    from chainsim.core import tie_loops
    from chainsim.core.mechanisms import compiled
    return compiled, tie_loops


def seconds_in_loops(batch: int, seed: int) -> float:
    """Seconds the 60 months of a batch of ``batch`` spend inside the compiled loops (the build's calls not
    counted). Their callers look each loop up on its module at every call, so wrapping it there times it."""
    config = RunConfig()
    world = new_batch(config.params, config.calendar, None,
                      [np.random.default_rng(s) for s in replication_seeds(seed, batch)])
    spent = [0.0]
    originals = [(module, name, loop) for module in loop_modules() for name, loop in list(vars(module).items())
                 if not name.startswith("_") and type(loop).__name__ == "CPUDispatcher"]

    def timed(loop):
        def call(*args):
            start = time.perf_counter()
            try:
                return loop(*args)
            finally:
                spent[0] += time.perf_counter() - start
        return call

    for module, name, loop in originals:
        setattr(module, name, timed(loop))
    try:
        simulation.run(world)
    finally:
        for module, name, loop in originals:
            setattr(module, name, loop)
    return spent[0]


def numbers_drawn() -> collections.Counter:
    """How many numbers of each kind one replication draws in its 60 months (the build's not counted)."""
    counts: collections.Counter = collections.Counter()
    draw = Stream._draw
    config = RunConfig()
    world = new_batch(config.params, config.calendar, None, [np.random.default_rng(s) for s in replication_seeds(1, 1)])

    def counted(self, method, args, size, split, axis):
        values = draw(self, method, args, size, split, axis)
        counts[method] += values.size
        return values

    Stream._draw = counted
    try:
        simulation.run(world)
    finally:
        Stream._draw = draw
    return counts


def generation_seconds(counts: collections.Counter) -> float:
    """Seconds to generate ``counts`` numbers from one generator, one call per kind."""
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    for method, n in counts.items():
        if method == "beta":
            rng.beta(2.0, 2.0, n)
        else:
            getattr(rng, method)(size=n)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--batches", type=int, nargs="+", default=[25, 50, 100],
                        help="batch sizes whose 60 months are timed (at least two; three or more show the fit)")
    parser.add_argument("--out", type=Path, default=REPORT)
    args = parser.parse_args()
    if len(set(args.batches)) < 2:
        parser.error("--batches: give at least two different batch sizes")
    counts = numbers_drawn()
    toy_numpy.one_run(0)
    build_and_steps(2, 99)                        # warm-up: imports, data files, compiled loops
    largest = max(args.batches)
    floor, build, steps, generate, loops = [], {b: [] for b in args.batches}, {b: [] for b in args.batches}, [], []
    for repeat in range(args.repeats):
        start = time.perf_counter()
        toy_numpy.one_run(repeat)
        floor.append(time.perf_counter() - start)
        for b in args.batches:
            built, stepped = build_and_steps(b, repeat + 1)
            build[b].append(built / b)
            steps[b].append(stepped)
        generate.append(generation_seconds(counts))
        loops.append(seconds_in_loops(largest, repeat + 1) / largest)
    sizes = np.array(args.batches, dtype=float)
    seconds = np.array([statistics.median(steps[b]) for b in args.batches])
    per_replication, fixed = np.polyfit(sizes, seconds, 1)
    residual_ms = 1000 * (seconds - (fixed + per_replication * sizes))
    floor_ms = 1000 * statistics.median(floor)
    parts = {
        f"build (in a batch of {largest})": 1000 * statistics.median(build[largest]),
        "random numbers (generation alone; part of the slope)": 1000 * statistics.median(generate),
        "months: per replication (slope)": 1000 * per_replication,
        "months: fixed per batch (intercept), spread over the largest batch": 1000 * fixed / max(args.batches),
        f"months: inside the compiled loops (part of the slope; batch of {largest})": 1000 * statistics.median(loops),
    }
    bound = sum(ms for label, ms in parts.items() if not label.startswith(("months: per", "months: fixed")))
    print(f"numpy floor: {floor_ms:.2f} ms per run (median of {args.repeats}); kernels: {jit.KERNELS}")
    print("numbers a replication draws in 60 months: "
          + ", ".join(f"{n:,} {method}" for method, n in sorted(counts.items())))
    for b, res in zip(args.batches, residual_ms, strict=True):
        print(f"  60 months of a batch of {b}: {1000 * statistics.median(steps[b]):.0f} ms "
              f"(build {1000 * statistics.median(build[b]):.2f} ms per replication; residual of the fit {res:+.0f} ms)")
    print(f"  fit: {1000 * fixed:.0f} ms per batch + {1000 * per_replication:.1f} ms per replication")
    print(f"  {'part of a replication':<68}{'ms':>8}{'x floor':>9}")
    for label, ms in parts.items():
        print(f"  {label:<68}{ms:>8.2f}{ms / floor_ms:>9.2f}")
    whole = parts[f"build (in a batch of {largest})"] + 1000 * (per_replication + fixed / largest)
    print(f"  {'a replication in a batch of ' + str(largest) + ' (build, slope and its share of the intercept)':<68}"
          f"{whole:>8.2f}{whole / floor_ms:>9.2f}")
    print(f"  {'lower bound: build, random numbers and compiled loops':<68}"
          f"{bound:>8.2f}{bound / floor_ms:>9.2f}")
    print("  (what a replication would cost if every numpy step of the months and their Python took no time"
          + (")" if loop_modules() else "; under the numpy reference no loop is compiled)"))
    report = {"chainsim": __version__, "python": platform.python_version(), "machine": platform.machine(),
              "kernels": jit.KERNELS, "repeats": args.repeats, "floor_ms": floor_ms,
              "numbers_drawn": dict(counts),
              "steps_ms_by_batch": {str(b): 1000 * statistics.median(steps[b]) for b in args.batches},
              "build_ms_by_batch": {str(b): 1000 * statistics.median(build[b]) for b in args.batches},
              "fixed_ms_per_batch": 1000 * fixed, "residual_ms_by_batch": dict(zip(map(str, args.batches),
                                                                                   residual_ms.tolist())),
              "parts_ms": parts, "replication_ms": whole, "lower_bound_ms": bound,
              "lower_bound_x_floor": bound / floor_ms,
              "parts_x_floor": {k: v / floor_ms for k, v in parts.items()}}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
