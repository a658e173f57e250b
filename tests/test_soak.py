"""Soak test: a two-worker sweep killed again and again, alternately by SIGTERM and SIGKILL, resumed each time.

At random moments (seeded: set ``CHAINSIM_SOAK_SEED`` to replay another
sequence) the test stops ``chainsim sweep --workers 2`` four times, then lets
``--resume`` finish it. After every SIGTERM the command exits with 143 and
says how to resume; after every stop, SIGTERM or SIGKILL, no process of the
sweep is left behind. At the end no run is stored twice and the rows equal
those of an uninterrupted sweep of the same experiment, value for value.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from helpers import session_processes

from chainsim import load_results
from chainsim.experiment import load_experiment
from chainsim.sweep import CHUNKS, LOCK, completed_runs, run_sweep

EXE = Path(sys.executable).with_name("chainsim")
ENV = {**os.environ, "MPLBACKEND": "Agg"}
SEED = int(os.environ.get("CHAINSIM_SOAK_SEED", "2026"))
CYCLES = 4

BASE = """description = "two regions"
sources = ["test"]
regions = ["AM01", "AM02"]
[calendar]
start = "2012-01"
end = "2013-12"
observed_at = "2013-06"
"""

EXPERIMENT = """description = "soak"
base = "base.toml"
seed = 11
replications = 100
keep = "national"
[design]
kind = "grid"
[[factors]]
name = "weight_pressure"
levels = [0.8, 1.6]
"""




def gone_within(sid: int, seconds: float) -> list[int]:
    """The processes of session ``sid`` still alive after waiting up to ``seconds`` for them to end."""
    deadline = time.time() + seconds
    left = session_processes(sid)
    while left and time.time() < deadline:
        time.sleep(0.1)
        left = session_processes(sid)
    return left


def chunk_count(out: Path) -> int:
    return len(list((out / CHUNKS).glob("*.parquet")))


def holds_lock(out: Path, pid: int) -> bool:
    try:
        return (out / LOCK).read_text().strip() == str(pid)
    except OSError:
        return False


def stop_at_random(proc: subprocess.Popen, out: Path, sig: signal.Signals, rng: random.Random) -> str:
    """Send ``sig`` at a random moment of the sweep; returns where, in words (for failure messages).

    SIGKILL may strike anywhere, while Python starts included. SIGTERM waits
    until the sweep holds its lock (the command's signal handler is set
    before): before that, Python's default action ends the process without
    the handler's exit code and message, which is not what is tested here.
    Either waits for 0 to 2 new chunks, so that every cycle leaves work for
    the next one.
    """
    if sig == signal.SIGKILL and rng.random() < 0.3:
        delay = rng.uniform(0.1, 2.0)
        time.sleep(delay)
        moment = f"{delay:.2f} s after the start"
    else:
        before, wanted, extra = chunk_count(out), rng.randint(0, 2), rng.uniform(0.0, 0.3)
        deadline = time.time() + 60
        while time.time() < deadline and proc.poll() is None and not (
                holds_lock(out, proc.pid) and chunk_count(out) >= before + wanted):
            time.sleep(0.02)
        time.sleep(extra)
        moment = f"{wanted} new chunks and {extra:.2f} s after the lock"
    assert proc.poll() is None, f"the sweep ended (code {proc.returncode}) before {sig.name} at {moment}"
    proc.send_signal(sig)
    return moment


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_repeated_sigterm_and_sigkill_then_resume_give_the_uninterrupted_rows(tmp_path):
    (tmp_path / "base.toml").write_text(BASE)
    path = tmp_path / "soak.toml"
    path.write_text(EXPERIMENT)
    experiment = load_experiment(path)
    out = tmp_path / "out"
    command = [str(EXE), "sweep", str(path), "--out", str(out), "--workers", "2", "--quiet", "--resume"]
    rng = random.Random(SEED)
    stored = []
    for cycle in range(CYCLES):
        sig = signal.SIGTERM if cycle % 2 == 0 else signal.SIGKILL
        log = tmp_path / f"cycle-{cycle + 1}.log"
        with log.open("w") as sink:         # a file, not a pipe: an orphan holding a pipe would hang the test
            proc = subprocess.Popen(command, stdout=sink, stderr=sink, start_new_session=True, env=ENV)
        try:
            moment = stop_at_random(proc, out, sig, rng)
            proc.wait(timeout=30)
            stderr = log.read_text()
            where = f"cycle {cycle + 1} ({sig.name} at {moment}; CHAINSIM_SOAK_SEED={SEED})"
            if sig == signal.SIGTERM:
                assert proc.returncode == 143, f"{where}: exit code {proc.returncode}\n{stderr}"
                assert "stopped by SIGTERM" in stderr and stderr.strip().endswith("resume with --resume"), \
                    f"{where}:\n{stderr}"
                assert not (out / LOCK).exists(), f"{where}: the lock was left behind"
            else:
                assert proc.returncode == -signal.SIGKILL, f"{where}: exit code {proc.returncode}\n{stderr}"
            left = gone_within(proc.pid, 10)
            assert not left, f"{where}: processes of the sweep still alive: {left}"
        finally:
            if proc.poll() is None or session_processes(proc.pid):
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        stored.append(len(completed_runs(out)) if (out / CHUNKS).is_dir() else 0)
    assert stored == sorted(stored), f"runs stored after each cycle went down: {stored}"
    assert stored[-1] < experiment.n_runs, f"the kills came too late to interrupt anything: {stored}"

    final = subprocess.run(command, check=False, capture_output=True, text=True, env=ENV, timeout=120)
    assert final.returncode == 0, final.stderr
    assert final.stdout.startswith(f"{experiment.n_runs} of {experiment.n_runs} runs"), final.stdout
    run_ids = [r for chunk in sorted((out / CHUNKS).glob("*.parquet"))
               for r in set(pq.read_table(chunk, columns=["run_id"]).column("run_id").to_pylist())]
    assert sorted(run_ids) == list(range(experiment.n_runs)), "a run is missing or stored twice"
    run_sweep(experiment, tmp_path / "straight", workers=2, quiet=True)
    resumed = load_results(out)
    assert not resumed.duplicated(["run_id", "month"]).any()
    pd.testing.assert_frame_equal(resumed, load_results(tmp_path / "straight"))
