"""Benchmark (by hand, not in CI): ``chainsim sweep`` against Mesa's ``batch_run``, and scaling.

    .venv/bin/python benchmarks/bench_sweep.py [--runs 40] [--workers 1 2] [--max-copies 100] [--repeats 3]
                                               [--quick]

Measures, in one go, and prints a JSON report (also written atomically to
``results/benchmarks/bench_sweep.json``):

1. **Sweep against batch_run.** The same ``--runs`` Netherlands runs
   (default scenario, ``weight_pressure`` at two levels, ``--runs / 2``
   replications each, the same seeds) made two ways, both keeping the stage
   and cooperation class of each of the 35 regions in each of the 60 months:

   * ``chainsim.sweep.run_sweep`` on a temporary experiment file with
     ``keep = "regions"`` (results stream to Parquet chunks on disk);
   * ``mesa.batch_run`` on :class:`BatchChainModel`, a thin subclass of
     :class:`~chainsim.model.ChainModel` whose ``mesa.DataCollector``
     collects, every month, per ``CentreMunicipality`` agent (one per
     region) its region's code, stage and cooperation class
     (``data_collection_period=1``). batch_run keeps every row, one dict
     per agent per month, in one in-memory list.

   Both use the first ``--workers`` value as the number of worker
   processes. Each measurement runs in a fresh Python process, so neither
   approach's memory pollutes the other's. Reported: wall seconds, runs per
   second, and peak memory = the process's max RSS plus, with more than one
   worker, workers x the largest worker's max RSS (``RUSAGE_CHILDREN``; the
   sweep's forkserver is stopped first so its workers are counted). That
   sum is an upper bound of the process tree's peak (it assumes all workers
   peak together); with one worker it leaves out the worker process the
   sweep still starts, which ``tree_peak_mb`` (below) counts. Both runs'
   results are also
   compared after the measurement (SHA-256 of the stage and class arrays):
   the two approaches must produce identical results.

   Goals: sweep runs/s / batch_run runs/s >= 2, and sweep peak memory /
   batch_run peak memory <= 0.2.

2. **Parallel efficiency of the sweep** at each ``--workers`` value:
   runs/s with w workers / (w x runs/s with 1 worker).

3. **Scaling with the number of regions.** One run (build and 60 months)
   at 35, 350 and 3,500 regions (``synthetic_copies(1, 10, 100)``, up to
   ``--max-copies``), each in a fresh process: wall seconds (untraced run)
   and peak traced memory (``tracemalloc``, a second, traced run), and the
   log-log slopes of both against the number of regions. Goal: exponents
   <= 1.1 (roughly linear).

Timings are the best of ``--repeats`` measurements (each in its own
process); peak memory is the largest over the repeats. Besides ``peak_mb``
(an upper bound from ``getrusage``), every sweep and batch_run measurement
reports ``tree_peak_mb``: the measuring process's whole tree (forkserver
and workers included) during the timed section, sampled every 20 ms with
psutil (/proc without it). ``--quick`` is a smoke run (4 runs,
1 worker, 1 repeat, scaling to 350 regions). Prints small tables.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import math
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import mesa
import numpy as np
from mesa.batchrunner import batch_run

import chainsim
from chainsim.agents import CentreMunicipality
from chainsim.core.calendar import Calendar
from chainsim.core.parameters import Parameters
from chainsim.core.regions import load_regions, synthetic_copies
from chainsim.experiment import load_experiment
from chainsim.model import ChainModel
from chainsim.results import write_json
from chainsim.sweep import load_results, run_sweep

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_memory import TreeSampler  # beside this script

ROOT = Path(__file__).resolve().parents[1]
BASE_SCENARIO = ROOT / "scenarios" / "netherlands_2012.toml"
REPORT = ROOT / "results" / "benchmarks" / "bench_sweep.json"

FACTOR = "weight_pressure"
LEVELS = (1.0, 1.4)          # two design points
SEED = 2015
MONTHS = 60                  # 2012-01 .. 2016-12, the default calendar
START = Calendar().start       # the month of index 0
SLOW_SECONDS = 180           # a scaling run slower than this is flagged in the notes

GOALS = {"sweep_speedup_min": 2.0, "sweep_memory_ratio_max": 0.2, "scaling_exponent_max": 1.1}


# --- the batch_run model ------------------------------------------------------
def _month(model: ChainModel) -> str:
    return str(model.calendar.months[model.t - 1])


def _region(agent: CentreMunicipality) -> str:
    return agent.region_code


def _stage(agent: CentreMunicipality) -> int:
    return int(agent.model.recorder.stage[agent.model.t - 1, agent.region])


def _cooperation_class(agent: CentreMunicipality) -> int:
    return int(agent.model.recorder.level_class[agent.model.t - 1, agent.region])


class BatchChainModel(ChainModel):
    """ChainModel as ``mesa.batch_run`` wants it: keyword parameters, ``rng``, a DataCollector.

    Collects after every month, per centre municipality (one per region),
    the region's code, stage and cooperation class, plus the month. (Mesa's
    batch_run only returns the steps at which a model reporter was
    collected, hence the ``month`` model reporter.)
    """

    def __init__(self, weight_pressure: float = Parameters().weight_pressure, rng=None) -> None:
        super().__init__(weight_pressure=weight_pressure, rng=rng)
        self.datacollector = mesa.DataCollector(
            model_reporters={"month": _month},
            agenttype_reporters={CentreMunicipality: {"region": _region, "stage": _stage,
                                                      "cooperation_class": _cooperation_class}},
        )

    def step(self) -> None:
        super().step()
        self.datacollector.collect(self)


# --- measurements (each run in a fresh child process) ----------------------------
def _max_rss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024     # Linux reports KiB


def _stop_forkserver() -> None:
    """Stop the forkserver (if any), so its reaped workers count in RUSAGE_CHILDREN."""
    from multiprocessing import forkserver

    stop = getattr(forkserver._forkserver, "_stop", None)
    if stop is not None:
        stop()


def _memory(baseline_mb: float, workers: int, tree: TreeSampler) -> dict:
    main = _max_rss_mb(resource.RUSAGE_SELF)
    worker = _max_rss_mb(resource.RUSAGE_CHILDREN)
    return {"peak_mb": main + (workers * worker if workers > 1 else 0.0),
            "tree_peak_mb": tree.peak_kb / 1024,
            "main_max_rss_mb": main, "largest_worker_max_rss_mb": worker,
            "baseline_rss_mb": baseline_mb, "main_above_baseline_mb": main - baseline_mb}


def _digest(point, replication, month, region, stage, klass, replications: int) -> dict:
    """SHA-256 of the (point x replication x month x region) stage and class arrays."""
    shape = (len(LEVELS), replications, MONTHS, len(load_regions()))
    arrays = {name: np.full(shape, -1, dtype=np.int8) for name in ("stage", "class")}
    index = (np.asarray(point), np.asarray(replication), np.asarray(month), np.asarray(region))
    arrays["stage"][index] = stage
    arrays["class"][index] = klass
    complete = all((a >= 0).all() for a in arrays.values())
    sha = hashlib.sha256(arrays["stage"].tobytes() + arrays["class"].tobytes()).hexdigest()
    return {"rows": len(stage), "complete": bool(complete), "sha256": sha}


def _experiment_text(replications: int) -> str:
    levels = ", ".join(f"{v:g}" for v in LEVELS)
    return (f'description = "bench_sweep: {FACTOR} at {len(LEVELS)} levels"\n'
            f"base = {json.dumps(str(BASE_SCENARIO))}\n"
            f"seed = {SEED}\nreplications = {replications}\nkeep = \"regions\"\n"
            "common_random_numbers = true\n\n[design]\nkind = \"grid\"\n\n"
            f"[[factors]]\nname = \"{FACTOR}\"\nlevels = [{levels}]\n")


def child_sweep(replications: int, workers: int) -> dict:
    codes = {r.code: i for i, r in enumerate(load_regions())}
    with tempfile.TemporaryDirectory(prefix="bench_sweep-") as tmp:
        path = Path(tmp) / "bench_sweep.toml"
        path.write_text(_experiment_text(replications), encoding="utf-8")
        experiment = load_experiment(path)
        out = Path(tmp) / "sweep"
        gc.collect()
        baseline = _max_rss_mb(resource.RUSAGE_SELF)
        with TreeSampler() as tree:
            t0 = time.perf_counter()
            run_sweep(experiment, out, workers=workers, quiet=True)
            seconds = time.perf_counter() - t0
        _stop_forkserver()
        memory = _memory(baseline, workers, tree)
        disk = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
        frame = load_results(out)                        # after the memory reading
        month = (frame["month"].dt.year - START.year) * 12 + frame["month"].dt.month - START.month
        check = _digest(frame["point"], frame["replication"], month, frame["region_code"].map(codes),
                        frame["stage"].cat.codes, frame["cooperation_class"].cat.codes, replications)
    return {"approach": "sweep", "workers": workers, "runs": experiment.n_runs, "seconds": seconds,
            "runs_per_second": experiment.n_runs / seconds, "memory": memory,
            "results_on_disk_mb": disk / 2**20, "results": check}


def child_batch_run(replications: int, workers: int) -> dict:
    codes = {r.code: i for i, r in enumerate(load_regions())}
    seeds = [np.random.SeedSequence(SEED, spawn_key=(j,)) for j in range(replications)]
    gc.collect()
    baseline = _max_rss_mb(resource.RUSAGE_SELF)
    with TreeSampler() as tree:
        t0 = time.perf_counter()
        rows = batch_run(BatchChainModel, parameters={FACTOR: list(LEVELS)}, number_processes=workers,
                         data_collection_period=1, max_steps=MONTHS, display_progress=False, rng=seeds)
        seconds = time.perf_counter() - t0
    memory = _memory(baseline, workers, tree)
    runs = len({row["RunId"] for row in rows})
    points = {v: i for i, v in enumerate(LEVELS)}
    check = _digest([points[r[FACTOR]] for r in rows], [r["iteration"] for r in rows],
                    [int(r["Step"]) - 1 for r in rows], [codes[r["region"]] for r in rows],
                    [r["stage"] for r in rows], [r["cooperation_class"] for r in rows], replications)
    return {"approach": "batch_run", "workers": workers, "runs": runs, "seconds": seconds,
            "runs_per_second": runs / seconds, "memory": memory, "results": check}


def child_scale(copies: int) -> dict:
    ChainModel(rng=np.random.default_rng(0)).run()       # warm-up: imports, caches, data files
    regions = synthetic_copies(copies)
    gc.collect()
    t0 = time.perf_counter()
    model = ChainModel(regions=regions, rng=np.random.default_rng(0))
    t1 = time.perf_counter()
    model.run()
    t2 = time.perf_counter()
    agents = len(model.agents)
    del model
    gc.collect()
    tracemalloc.start()
    ChainModel(regions=regions, rng=np.random.default_rng(0)).run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"copies": copies, "regions": len(regions), "agents": agents, "build_seconds": t1 - t0,
            "run_seconds": t2 - t1, "seconds": t2 - t0, "traced_peak_mb": peak / 2**20,
            "max_rss_mb": _max_rss_mb(resource.RUSAGE_SELF)}


CHILDREN = {"sweep": child_sweep, "batch_run": child_batch_run, "scale": child_scale}


def in_child(kind: str, **kwargs) -> dict:
    """Run one measurement in a fresh Python process; its JSON result."""
    with tempfile.TemporaryDirectory(prefix="bench_sweep-child-") as tmp:
        out = Path(tmp) / "result.json"
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child", kind, "--child-out", str(out),
               "--child-args", json.dumps(kwargs)]
        subprocess.run(cmd, check=True, cwd=ROOT)
        return json.loads(out.read_text(encoding="utf-8"))


# --- the report -----------------------------------------------------------------
def _summary(measurements: list[dict]) -> dict:
    """Best time and largest peak memory of repeated measurements of one setting."""
    best = min(measurements, key=lambda m: m["seconds"])
    worst_memory = max(measurements, key=lambda m: m["memory"]["peak_mb"])
    summary = {k: v for k, v in best.items() if k != "memory"}
    summary["seconds_all"] = [m["seconds"] for m in measurements]
    summary["memory"] = dict(worst_memory["memory"])
    summary["memory"]["tree_peak_mb"] = max(m["memory"]["tree_peak_mb"] for m in measurements)
    return summary


def _slope(x: list[float], y: list[float]) -> float | None:
    if len(x) < 2:
        return None
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


def _scale_copies(max_copies: int) -> list[int]:
    copies = [c for c in (1, 10, 100) if c <= max_copies]
    return copies if max_copies in copies else copies + [max_copies]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=40, help="runs per approach (rounded up to even)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2],
                        help="worker counts for the parallel efficiency; the first is used for the comparison")
    parser.add_argument("--max-copies", type=int, default=100,
                        help="largest number of copies of the 35 regions in the scaling test")
    parser.add_argument("--repeats", type=int, default=3, help="measurements per setting (best time kept)")
    parser.add_argument("--out", type=Path, default=REPORT, help="where to write the JSON report")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: 4 runs, 1 worker, 1 repeat, scaling to 350 regions")
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    parser.add_argument("--child-out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child-args", default="{}", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        write_json(args.child_out, CHILDREN[args.child](**json.loads(args.child_args)))
        return
    if args.quick:
        args.runs, args.workers, args.max_copies, args.repeats = 4, [1], 10, 1
    if args.runs < 2 or min(args.workers) < 1 or args.max_copies < 1 or args.repeats < 1:
        parser.error("--runs must be >= 2, --workers, --max-copies and --repeats >= 1")

    replications = math.ceil(args.runs / len(LEVELS))
    compare_workers = args.workers[0]
    worker_counts = sorted({1, *args.workers})
    notes = []
    if replications * len(LEVELS) != args.runs:
        notes.append(f"--runs {args.runs} rounded up to {replications * len(LEVELS)} "
                     f"({len(LEVELS)} levels x {replications} replications)")

    # 1 and 2: sweep at every worker count, batch_run at the comparison's; interleaved repeats.
    sweeps: dict[int, list[dict]] = {w: [] for w in worker_counts}
    batches: list[dict] = []
    for _ in range(args.repeats):
        for w in worker_counts:
            sweeps[w].append(in_child("sweep", replications=replications, workers=w))
        batches.append(in_child("batch_run", replications=replications, workers=compare_workers))
    sweep = {w: _summary(ms) for w, ms in sweeps.items()}
    batch = _summary(batches)
    comparison = {
        "workers": compare_workers,
        "runs": batch["runs"],
        "rows_per_approach": batch["results"]["rows"],
        "sweep": sweep[compare_workers],
        "batch_run": batch,
        "speedup_runs_per_second": sweep[compare_workers]["runs_per_second"] / batch["runs_per_second"],
        "memory_ratio_peak": sweep[compare_workers]["memory"]["peak_mb"] / batch["memory"]["peak_mb"],
        "memory_ratio_tree_peak": (sweep[compare_workers]["memory"]["tree_peak_mb"]
                                   / batch["memory"]["tree_peak_mb"]),
        "memory_ratio_above_baseline": (sweep[compare_workers]["memory"]["main_above_baseline_mb"]
                                        / batch["memory"]["main_above_baseline_mb"]),
        "identical_results": (sweep[compare_workers]["results"]["sha256"] == batch["results"]["sha256"]
                              and batch["results"]["complete"] and sweep[compare_workers]["results"]["complete"]),
    }
    one = sweep[1]["runs_per_second"]
    efficiency = [{"workers": w, "seconds": s["seconds"], "runs_per_second": s["runs_per_second"],
                   "parallel_efficiency": s["runs_per_second"] / (w * one), "peak_mb": s["memory"]["peak_mb"],
                   "tree_peak_mb": s["memory"]["tree_peak_mb"]}
                  for w, s in sweep.items()]

    # 3: one run at 35, 350, 3,500 regions.
    scale = [in_child("scale", copies=c) for c in _scale_copies(args.max_copies)]
    regions = [s["regions"] for s in scale]
    scaling = {"runs": scale,
               "time_exponent": _slope(regions, [s["seconds"] for s in scale]),
               "memory_exponent": _slope(regions, [s["traced_peak_mb"] for s in scale])}
    for s in scale:
        if s["seconds"] > SLOW_SECONDS:
            notes.append(f"one run at {s['regions']} regions took {s['seconds']:.0f} s "
                         f"(over {SLOW_SECONDS} s on this machine); kept in the fit")

    def goal(value, limit, at_most: bool) -> dict:
        met = None if value is None else (value <= limit if at_most else value >= limit)
        return {"value": value, ("max" if at_most else "min"): limit, "met": met}

    goals = {
        "sweep_speedup": goal(comparison["speedup_runs_per_second"], GOALS["sweep_speedup_min"], False),
        "sweep_memory_ratio": goal(comparison["memory_ratio_peak"], GOALS["sweep_memory_ratio_max"], True),
        "time_exponent": goal(scaling["time_exponent"], GOALS["scaling_exponent_max"], True),
        "memory_exponent": goal(scaling["memory_exponent"], GOALS["scaling_exponent_max"], True),
    }
    notes += [
        ("peak_mb = main process max RSS + (with >1 worker) workers x largest worker max RSS: an upper bound "
         "of the process tree's peak with >1 worker; with 1 worker it leaves out the one worker process the "
         "sweep still runs (tree_peak_mb counts it)"),
        ("tree_peak_mb = the largest summed RSS of the measuring process's whole tree (it, the forkserver, "
         "the workers) during the timed section, sampled every 20 ms with psutil (/proc without it)"),
        ("main_above_baseline_mb = max RSS minus the RSS after imports and setup: "
         "the memory the approach itself added in the main process"),
        ("batch_run keeps all rows (one dict per region per month per run) in one in-memory list; "
         "the sweep streams them to Parquet chunks and holds only the batches in flight"),
        (f"timings: best of {args.repeats} repeats, each measurement in a fresh process; "
         "peak memory: the largest over the repeats"),
    ]
    if not comparison["identical_results"]:
        notes.append("WARNING: sweep and batch_run results differ (see results.sha256)")

    report = {
        "chainsim_version": chainsim.__version__, "mesa_version": mesa.__version__,
        "python": platform.python_version(), "machine": platform.machine(), "cpus": os.cpu_count(),
        "settings": {"runs": replications * len(LEVELS), "factor": FACTOR, "levels": list(LEVELS),
                     "replications": replications, "months": MONTHS, "regions": len(load_regions()),
                     "workers": args.workers, "max_copies": args.max_copies, "repeats": args.repeats,
                     "seed": SEED},
        "comparison": comparison,
        "parallel_efficiency": efficiency,
        "scaling": scaling,
        "goals": goals,
        "notes": notes,
    }
    write_json(args.out, report)
    print_table(report)
    print(f"Report: {args.out}")


def print_table(report: dict) -> None:
    """The report's numbers as small tables."""
    c = report["comparison"]
    print(f"chainsim sweep against mesa.batch_run: {c['runs']} runs, {c['workers']} worker(s), "
          f"identical results: {c['identical_results']}")
    print(f"  {'approach':<10}{'seconds':>9}{'runs/s':>9}{'peak MB':>9}{'tree MB':>9}")
    for name in ("sweep", "batch_run"):
        m = c[name]
        print(f"  {name:<10}{m['seconds']:>9.1f}{m['runs_per_second']:>9.2f}{m['memory']['peak_mb']:>9.0f}"
              f"{m['memory']['tree_peak_mb']:>9.0f}")
    print(f"  speed-up {c['speedup_runs_per_second']:.2f}x, memory ratio {c['memory_ratio_peak']:.2f} "
          f"(tree {c['memory_ratio_tree_peak']:.2f})")
    print(f"  {'workers':>7}{'runs/s':>9}{'efficiency':>11}{'tree MB':>9}")
    for e in report["parallel_efficiency"]:
        print(f"  {e['workers']:>7}{e['runs_per_second']:>9.2f}{e['parallel_efficiency']:>11.2f}"
              f"{e['tree_peak_mb']:>9.0f}")
    s = report["scaling"]
    print(f"One run against the number of regions (time exponent {_fmt(s['time_exponent'])}, "
          f"memory exponent {_fmt(s['memory_exponent'])})")
    print(f"  {'regions':>7}{'agents':>8}{'seconds':>9}{'traced MB':>10}")
    for r in s["runs"]:
        print(f"  {r['regions']:>7}{r['agents']:>8}{r['seconds']:>9.2f}{r['traced_peak_mb']:>10.1f}")
    for note in report["notes"]:
        if note.startswith("WARNING") or "rounded" in note or "took" in note:
            print(f"  note: {note}")


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


if __name__ == "__main__":
    main()
