"""Benchmark (by hand, not in CI): time and memory of Netherlands runs, against a numpy floor and a Mesa toy.

    python benchmarks/bench_run.py [--replications 100] [--workers 1 2] [--repeats 20] [--quick]

Reports, and writes to results/benchmarks/bench_run.json:

1. **A replication against two toys of its size**, interleaved in this
   one process: each repeat times, in turn, one chainsim replication run
   alone (build, 60 months, the record), a batch of ``--batch``
   replications run side by side in one world (reported per replication;
   both by :func:`chainsim.runner.simulate_batch` without events, as
   ``chainsim run`` simulates them), one
   run of the numpy floor (``toy_numpy.py``) and one of the careful Mesa
   toy (``toy_mesa.py``). Alternating puts them under the same machine
   load; the ratios are taken pair by pair (within a repeat) and their
   median reported, with each one's median ms.
2. ms per run of :class:`~chainsim.model.ChainModel` (build and 60 monthly
   steps, median of ``--repeats``).
3. Runs per second for a batch of replications on each ``--workers``
   (streamed as ``chainsim run`` does, each replication's digest kept),
   and the parallel efficiency.
4. Peak memory: traced peak of one run, max RSS of this process.
5. Start-up: wall time of the whole process ``chainsim --help``, median of
   10 (``--quick``: 3).

``--quick`` makes every part small (a smoke run). Timings on a shared or
busy machine are noisy: compare the ratios, not the absolute numbers.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import toy_mesa  # the toys live beside this script
import toy_numpy

from chainsim import ChainModel, __version__
from chainsim.results import ReplicationDigest
from chainsim.runner import RunConfig, iter_replications, replication_seeds, simulate_batch

REPORT = Path("results/benchmarks/bench_run.json")


def interleaved(repeats: int, batch_of: int) -> dict:
    """chainsim, alone and in a batch, the numpy floor and the Mesa toy, timed in turn, ``repeats`` times.

    ``chainsim`` is one replication run alone; ``chainsim_in_batch`` is the
    time per replication of ``batch_of`` replications run side by side in one
    world (:func:`chainsim.runner.simulate_batch`, what ``run``, ``compare``,
    ``sweep`` and the calibration do).
    """
    config = RunConfig()
    seeds = replication_seeds(0, repeats + 1)
    batch_seeds = replication_seeds(1, batch_of)
    per_call = {"chainsim_in_batch": batch_of}
    contestants = {
        # both as `chainsim run` simulates them: without the events' texts, which nobody reads there
        "chainsim": lambda i: simulate_batch(config, [(seeds[i], i)], events=False),
        "chainsim_in_batch": lambda i: simulate_batch(config, [(s, k) for k, s in enumerate(batch_seeds)],
                                                     events=False),
        "numpy_toy": toy_numpy.one_run,
        "mesa_toy": toy_mesa.one_run,
    }
    for run in contestants.values():            # warm-up: imports, caches, data files, numba
        run(repeats)
    ms: dict[str, list[float]] = {name: [] for name in contestants}
    for i in range(repeats):
        for name, run in contestants.items():
            t0 = time.perf_counter()
            run(i)
            ms[name].append((time.perf_counter() - t0) * 1000 / per_call.get(name, 1))
    pairs = {"chainsim / numpy_toy": ("chainsim", "numpy_toy"), "chainsim / mesa_toy": ("chainsim", "mesa_toy"),
             "chainsim_in_batch / numpy_toy": ("chainsim_in_batch", "numpy_toy"),
             "chainsim_in_batch / mesa_toy": ("chainsim_in_batch", "mesa_toy"),
             "chainsim / chainsim_in_batch": ("chainsim", "chainsim_in_batch"),
             "mesa_toy / numpy_toy": ("mesa_toy", "numpy_toy")}
    return {
        "repeats": repeats,
        "batch_of": batch_of,
        "median_ms": {name: statistics.median(values) for name, values in ms.items()},
        "median_ratio": {label: statistics.median(x / y for x, y in zip(ms[a], ms[b]))
                         for label, (a, b) in pairs.items()},
        "toys_agree": toy_mesa.same_answer(0),
    }


def ms_per_run(n: int = 20) -> dict:
    build, total = [], []
    for seed in range(n):
        t0 = time.perf_counter()
        model = ChainModel(rng=np.random.default_rng(seed))
        t1 = time.perf_counter()
        model.run()
        t2 = time.perf_counter()
        build.append((t1 - t0) * 1000)
        total.append((t2 - t0) * 1000)
    return {"median_ms": statistics.median(total), "min_ms": min(total),
            "median_build_ms": statistics.median(build), "runs": n}


def batch(replications: int, workers: int) -> dict:
    config = RunConfig()
    t0 = time.perf_counter()
    digests = [ReplicationDigest.of(run) for run in iter_replications(config, replications, seed=1, workers=workers)]
    seconds = time.perf_counter() - t0
    assert len(digests) == replications
    return {"workers": workers, "replications": replications, "seconds": seconds,
            "runs_per_second": replications / seconds}


def peak_memory_mb() -> dict:
    """Peak Python allocations of one run (tracemalloc) and this process's max RSS.

    Workers are started by a forkserver, so they are not this process's
    children and their RSS is not visible here; one run's traced peak is
    what each worker adds on top of the interpreter and libraries
    (``bench_memory.py`` measures the whole process tree of ``chainsim run``).
    """
    tracemalloc.start()
    ChainModel(rng=np.random.default_rng(0)).run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"one_run_traced_peak_mb": peak / 2**20,
            "process_max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def startup(repeats: int) -> dict:
    """Wall seconds of the whole process ``chainsim --help`` (interpreter, imports, argparse), median."""
    exe = Path(sys.executable).with_name("chainsim")
    cmd = [str(exe), "--help"] if exe.exists() else [sys.executable, "-m", "chainsim.cli", "--help"]
    seconds = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        seconds.append(time.perf_counter() - t0)
    return {"command": "chainsim --help", "repeats": repeats, "median_s": statistics.median(seconds),
            "min_s": min(seconds)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replications", type=int, default=100)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeats", type=int, default=20, help="repeats of the interleaved and single-run timings")
    parser.add_argument("--batch", type=int, default=100, help="replications per batch in the interleaved timing")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 3 repeats, 4 replications")
    parser.add_argument("--out", type=Path, default=REPORT, help="where to write the JSON report")
    args = parser.parse_args()
    if args.quick:
        args.repeats, args.replications, args.batch = 3, 4, 10
    report = {"chainsim_version": __version__, "python": platform.python_version(),
              "machine": platform.machine(), "quick": args.quick}
    report["interleaved"] = interleaved(args.repeats, args.batch)
    report["single_run"] = ms_per_run(args.repeats)
    batches = [batch(args.replications, w) for w in args.workers]
    base = batches[0]["runs_per_second"] / batches[0]["workers"]
    for b in batches:
        b["parallel_efficiency"] = b["runs_per_second"] / (base * b["workers"])
    report["batches"] = batches
    report["peak_memory"] = peak_memory_mb()
    report["startup"] = startup(3 if args.quick else 10)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")

    inter = report["interleaved"]
    print(f"A replication against toys of its size (interleaved, {inter['repeats']} repeats; "
          f"batch of {inter['batch_of']}; toys agree: {inter['toys_agree']})")
    print(f"  {'':<20}{'median ms':>10}")
    for name, value in inter["median_ms"].items():
        print(f"  {name:<20}{value:>10.1f}")
    for label, value in inter["median_ratio"].items():
        print(f"  {label:<32}{value:>8.1f}x  (median of pairwise ratios)")
    single = report["single_run"]
    print(f"ChainModel build + 60 months: median {single['median_ms']:.0f} ms (build {single['median_build_ms']:.0f} ms)")
    print(f"  {'workers':>7} {'replications':>12} {'runs/s':>8} {'efficiency':>10}")
    for b in batches:
        print(f"  {b['workers']:>7} {b['replications']:>12} {b['runs_per_second']:>8.2f} {b['parallel_efficiency']:>10.2f}")
    memory = report["peak_memory"]
    print(f"Peak memory: one run traced {memory['one_run_traced_peak_mb']:.1f} MB, "
          f"this process max RSS {memory['process_max_rss_mb']:.0f} MB")
    start = report["startup"]
    print(f"Start-up: chainsim --help median {start['median_s']:.2f} s (min {start['min_s']:.2f} s, "
          f"{start['repeats']} runs)")
    print(f"Report: {args.out}")


if __name__ == "__main__":
    main()
