"""Benchmark (by hand, not in CI): time and memory of Netherlands runs.

    .venv/bin/python benchmarks/bench_run.py [--replications 100] [--workers 1 2]

Reports ms per run (build and 60 monthly steps, median of 20), runs per
second for a batch of replications on 1 and 2 workers (results kept in
memory as the CLI does), parallel efficiency, and peak memory (traced peak of one run, max RSS of this
process). Writes results/benchmarks/bench_run.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import time
import tracemalloc
from pathlib import Path

import numpy as np

from chainsim import ChainModel, __version__
from chainsim.runner import RunConfig, run_replications


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
    run_replications(config, replications, seed=1, workers=workers)
    seconds = time.perf_counter() - t0
    return {"workers": workers, "replications": replications, "seconds": seconds,
            "runs_per_second": replications / seconds}


def peak_memory_mb() -> dict:
    """Peak Python allocations of one run (tracemalloc) and this process's max RSS.

    Workers are started by a forkserver, so they are not this process's
    children and their RSS is not visible here; one run's traced peak is
    what each worker adds on top of the interpreter and libraries.
    """
    tracemalloc.start()
    ChainModel(rng=np.random.default_rng(0)).run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"one_run_traced_peak_mb": peak / 2**20,
            "process_max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--replications", type=int, default=100)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    report = {"chainsim_version": __version__, "python": platform.python_version(),
              "machine": platform.machine(), "single_run": ms_per_run()}
    batches = [batch(args.replications, w) for w in args.workers]
    base = batches[0]["runs_per_second"] / batches[0]["workers"]
    for b in batches:
        b["parallel_efficiency"] = b["runs_per_second"] / (base * b["workers"])
    report["batches"] = batches
    report["peak_memory"] = peak_memory_mb()
    out = Path("results/benchmarks")
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench_run.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
