"""Benchmark (by hand, not in CI): peak memory of ``chainsim run`` against the number of replications.

    python benchmarks/bench_memory.py [--replications 100 1000] [--workers 1 2] [--quick]

Runs ``chainsim run --replications N --workers W --quiet`` (the default
scenario, all 35 regions) in a fresh process for each N and W, into a
temporary folder, and measures

* ``main_mb``: the peak RSS of the ``chainsim`` process itself (its own
  ``VmHWM``, read from /proc just before it exits: the kernel's exact
  high-water mark; the largest ``RUSAGE_CHILDREN`` max RSS where /proc
  cannot be read);
* ``tree_mb``: the peak of the summed RSS of the whole process tree (the
  main process, the forkserver and the workers), sampled every 20 ms with
  psutil (or /proc where psutil is missing): the memory the run as a whole
  needs, which a sample may miss briefly but never overstates;
* wall seconds and the size of what was written.

The goal (issue: streaming output) is memory flat in the number of
replications: the peak at the largest N within 1.2x of the peak at the
smallest, per worker count. ``--quick`` runs 4 and 40 replications of two
regions. Prints a table; ``--json FILE`` also writes the rows.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Self

GOAL_RATIO = 1.2
SAMPLE_SECONDS = 0.02


def _children(pid: int) -> list[int]:
    """Every descendant of ``pid`` (psutil where installed, else /proc/*/task/*/children)."""
    try:
        import psutil
    except ImportError:
        psutil = None
    if psutil is not None:
        try:
            return [c.pid for c in psutil.Process(pid).children(recursive=True)]
        except psutil.Error:
            return []
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                kids = [int(k) for k in (task / "children").read_text().split()]
            except OSError:
                continue
            found += kids
            todo += kids
    return found


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _hwm_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class TreeSampler:
    """While in a ``with`` block, samples the summed RSS of a process and all its descendants.

    A thread reads it every 20 ms (psutil, or /proc without it);
    ``peak_kb`` is the largest sum seen: a measured peak of the whole
    process tree (forkserver and workers included), which a sample may miss
    briefly but never overstates. ``main_kb`` is the process's own
    high-water mark (``VmHWM``) as last read.
    """

    def __init__(self, pid: int | None = None) -> None:
        self.pid = pid or os.getpid()
        self.peak_kb = 0
        self.main_kb = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._done.is_set():
            pids = [self.pid, *_children(self.pid)]
            self.peak_kb = max(self.peak_kb, sum(_rss_kb(p) for p in pids))
            self.main_kb = max(self.main_kb, _hwm_kb(self.pid))
            self._done.wait(SAMPLE_SECONDS)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._thread.join()


def run_sampled(cmd: list[str], env: dict | None = None, cwd: Path | None = None) -> dict:
    """Run ``cmd``, sampling its process tree (:class:`TreeSampler`); return code, stderr, seconds, peaks (KiB)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env, cwd=cwd)
    with TreeSampler(proc.pid) as tree:
        _, err = proc.communicate()
    seconds = time.perf_counter() - t0
    return {"returncode": proc.returncode, "stderr": err, "seconds": seconds, "tree_kb": tree.peak_kb,
            "main_kb": tree.main_kb}


def measure(replications: int, workers: int, regions: str | None) -> dict:
    """One ``chainsim run`` in a fresh process: peak memory of it and of its process tree, seconds, bytes."""
    exe = Path(sys.executable).with_name("chainsim")
    base = [str(exe)] if exe.exists() else [sys.executable, "-m", "chainsim.cli"]
    with tempfile.TemporaryDirectory(prefix="bench_memory-") as tmp:
        out = Path(tmp) / "run"
        cmd = [*base, "run", "--replications", str(replications), "--workers", str(workers), "--quiet",
               "--seed", "1", "--out", str(out)] + (["--regions", regions] if regions else [])
        result = run_sampled(cmd, env={**os.environ, "MPLBACKEND": "Agg"})
        if result["returncode"] != 0:
            raise SystemExit(f"bench_memory: {' '.join(cmd)} failed: {result['stderr'].strip()}")
        written = sum(p.stat().st_size for p in out.iterdir())
    main_kb = result["main_kb"] or resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss     # KiB on Linux
    return {"replications": replications, "workers": workers, "seconds": round(result["seconds"], 1),
            "main_mb": round(main_kb / 1024, 1), "tree_mb": round(result["tree_kb"] / 1024, 1),
            "written_mb": round(written / 2**20, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replications", type=int, nargs="+", default=[100, 1000], metavar="N")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], metavar="W")
    parser.add_argument("--regions", default=None, help="passed to chainsim run --regions (default: all 35)")
    parser.add_argument("--quick", action="store_true", help="4 and 40 replications of two regions")
    parser.add_argument("--json", type=Path, default=None, metavar="FILE", help="also write the rows as JSON")
    args = parser.parse_args()
    if args.quick:
        args.replications, args.regions = [4, 40], args.regions or "AM02,AM12"
    if min(args.replications) < 1 or min(args.workers) < 1:
        parser.error("--replications and --workers must be at least 1")
    print(f"chainsim run: peak memory against replications ({platform.python_version()}, "
          f"{os.cpu_count()} cpus{', regions ' + args.regions if args.regions else ', 35 regions'})")
    print(f"{'workers':>7} {'reps':>6} {'seconds':>8} {'main MB':>8} {'tree MB':>8} {'written MB':>10}", flush=True)
    rows = []
    for w in args.workers:
        for n in sorted(args.replications):
            r = measure(n, w, args.regions)
            rows.append(r)
            print(f"{r['workers']:>7} {r['replications']:>6} {r['seconds']:>8} {r['main_mb']:>8} {r['tree_mb']:>8} "
                  f"{r['written_mb']:>10}", flush=True)
    for w in args.workers:
        mine = [r for r in rows if r["workers"] == w]
        low, high = mine[0], mine[-1]
        for key in ("main_mb", "tree_mb"):
            ratio = high[key] / low[key] if low[key] else float("nan")
            verdict = "met" if ratio <= GOAL_RATIO else "NOT met"
            print(f"workers {w}: {key} at {high['replications']} / at {low['replications']} replications = "
                  f"{ratio:.2f} (goal <= {GOAL_RATIO}: {verdict})")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
