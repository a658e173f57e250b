"""Sweeps keep nothing lost and nothing mixed: resume guards, lock, stray chunks, signals, damaged files."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from helpers import session_processes

from chainsim import load_results
from chainsim.experiment import load_experiment
from chainsim.sweep import (
    CHUNKS,
    LOCK,
    MANIFEST,
    SweepError,
    completed_runs,
    data_sha256,
    run_sweep,
)

ROOT = Path(__file__).resolve().parents[1]
EXE = Path(sys.executable).with_name("chainsim")

BASE = """description = "two regions"
sources = ["test"]
regions = ["AM01", "AM02"]
[calendar]
start = "2012-01"
end = "2013-12"
observed_at = "2013-06"
[parameters]
"""

SMALL = """description = "small"
base = "base.toml"
seed = 5
replications = {replications}
keep = "national"
[design]
kind = "grid"
[[factors]]
name = "weight_pressure"
levels = [0.8, 1.6]
"""


def small(folder: Path, replications: int = 2, base: str = BASE):
    """A small experiment (2 points) on two regions, in ``folder`` beside its own base scenario."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "base.toml").write_text(base)
    path = folder / "small.toml"
    path.write_text(SMALL.format(replications=replications))
    return load_experiment(path)


def sweep_cli(capsys, *args):
    """``chainsim sweep ARGS --quiet`` in this process (so with this process's chainsim version)."""
    from chainsim.cli import main

    capsys.readouterr()
    code = main(["sweep", *map(str, args), "--quiet"])
    return SimpleNamespace(returncode=code, stderr=capsys.readouterr().err)


def one_line_error(result, *words):
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, result.stderr
    for word in words:
        assert word in result.stderr, result.stderr


# --- 1. resume checks the resolved configuration, data files and version --------
def test_resume_refuses_a_changed_base_scenario(tmp_path):
    out = tmp_path / "out"
    run_sweep(small(tmp_path / "a"), out, quiet=True)
    changed = small(tmp_path / "a", base=BASE.replace("[parameters]\n", "[parameters]\nweight_trust = 1.3\n"))
    with pytest.raises(SweepError, match="design point 0's configuration differs"):
        run_sweep(changed, out, resume=True, quiet=True)


def test_resume_refuses_the_same_experiment_beside_another_base(tmp_path, capsys):
    out = tmp_path / "out"
    run_sweep(small(tmp_path / "a"), out, quiet=True)
    moved = small(tmp_path / "b", base=BASE.replace('"AM02"', '"AM03"'))
    assert moved.sha256 == load_experiment(tmp_path / "a" / "small.toml").sha256   # same text
    result = sweep_cli(capsys, tmp_path / "b" / "small.toml", "--out", out, "--resume", "--workers", "1")
    one_line_error(result, "design point 0's configuration differs", "start a new folder")


def test_resume_refuses_another_chainsim_version_or_data(tmp_path):
    out = tmp_path / "out"
    experiment = small(tmp_path / "a")
    run_sweep(experiment, out, quiet=True)
    manifest = json.loads((out / MANIFEST).read_text())
    assert len(manifest["config_sha256"]) == 2
    (out / MANIFEST).write_text(json.dumps({**manifest, "chainsim_version": "0.1.dev40"}))
    with pytest.raises(SweepError, match="chainsim version 0.1.dev40 started this sweep, this is "):
        run_sweep(experiment, out, resume=True, quiet=True)
    (out / MANIFEST).write_text(json.dumps({**manifest, "data_sha256": "0" * 64}))
    with pytest.raises(SweepError, match="data files"):
        run_sweep(experiment, out, resume=True, quiet=True)
    (out / MANIFEST).write_text(json.dumps({**manifest, "data_sha256": data_sha256()}))
    assert run_sweep(experiment, out, resume=True, quiet=True)["completed_runs"] == 4
    (out / MANIFEST).write_text(json.dumps(manifest))
    assert run_sweep(experiment, out, resume=True, quiet=True)["completed_runs"] == 4


# --- 2. no manifest, stray and duplicate chunks ------------------------------------
def test_resume_without_manifest_is_refused(tmp_path, capsys):
    out = tmp_path / "out"
    run_sweep(small(tmp_path / "a"), out, quiet=True)
    chunks = sorted((out / CHUNKS).glob("*.parquet"))
    (out / MANIFEST).unlink()
    one_line_error(sweep_cli(capsys, tmp_path / "a" / "small.toml", "--out", out, "--resume", "--workers", "1"),
                   "no manifest.json")
    assert sorted((out / CHUNKS).glob("*.parquet")) == chunks


def test_load_results_refuses_duplicate_runs_and_foreign_chunks(tmp_path):
    out, other = tmp_path / "out", tmp_path / "other"
    run_sweep(small(tmp_path / "a"), out, quiet=True)
    chunk = sorted((out / CHUNKS).glob("*.parquet"))[0]
    copy = out / CHUNKS / "runs-copy.parquet"
    copy.write_bytes(chunk.read_bytes())
    with pytest.raises(SweepError, match="stored twice"):
        load_results(out)
    copy.unlink()
    small(tmp_path / "b")
    (tmp_path / "b" / "small.toml").write_text(SMALL.format(replications=2).replace("seed = 5", "seed = 6"))
    run_sweep(load_experiment(tmp_path / "b" / "small.toml"), other, quiet=True)
    foreign = sorted((other / CHUNKS).glob("*.parquet"))[-1]
    (out / CHUNKS / "runs-foreign.parquet").write_bytes(foreign.read_bytes())
    with pytest.raises(SweepError, match="foreign chunk") as err:
        load_results(out)
    assert "\n" not in str(err.value)


# --- 3. one writer at a time -----------------------------------------------------
def test_a_second_writer_is_stopped_by_the_lock(tmp_path):
    out = tmp_path / "out"
    experiment = small(tmp_path / "a")
    out.mkdir()
    (out / LOCK).write_text(f"{os.getppid()}\n")            # a live process holds it
    with pytest.raises(SweepError, match="in use by another sweep"):
        run_sweep(experiment, out, quiet=True)
    assert not (out / MANIFEST).exists()
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    (out / LOCK).write_text(f"{gone.pid}\n")                # stale: that process has ended
    run_sweep(experiment, out, quiet=True)
    assert not (out / LOCK).exists() and len(completed_runs(out)) == 4


def test_a_sweep_killed_while_writing_its_first_manifest_resumes(tmp_path):
    """SIGKILL between the lock and the first manifest leaves the lock and a half-written manifest: resumable."""
    out = tmp_path / "out"
    experiment = small(tmp_path / "a")
    out.mkdir()
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    (out / LOCK).write_text(f"{gone.pid}\n")
    (out / f".{MANIFEST}.k1ll3d.tmp").write_text('{"schema_version": ')
    assert run_sweep(experiment, out, resume=True, quiet=True)["completed_runs"] == 4
    assert sorted(p.name for p in out.iterdir()) == [CHUNKS, MANIFEST]
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")                # anything else still keeps the sweep out
    with pytest.raises(SweepError, match="is not empty and holds no sweep"):
        run_sweep(experiment, other, resume=True, quiet=True)


# --- 4. SIGTERM stops a multi-worker sweep cleanly -----------------------------------


def test_a_signal_while_the_workers_start_is_held_then_delivered():
    """SIGTERM while the pool starts its workers reaches the handler once, after the workers are started."""
    from chainsim.sweep import _signals_held

    seen = []
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: seen.append(("handler", signum)))
    try:
        with _signals_held():
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.05)
            seen.append(("block", None))
        assert seen == [("block", None), ("handler", signal.SIGTERM)]
        assert signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL     # the handler of before is back
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_a_worker_ends_when_the_sweep_process_is_gone():
    """A worker whose sweep process was killed (SIGKILL: no chance to stop the pool) ends by itself."""
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    code = f"import time\nfrom chainsim.sweep import _end_with_parent\n_end_with_parent({gone.pid})\ntime.sleep(120)"
    worker = subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE, text=True)
    try:
        _, stderr = worker.communicate(timeout=60)          # importing chainsim.sweep takes a few seconds
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert worker.returncode == 1 and stderr == "", stderr  # os._exit(1) by the watcher, no traceback


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_sigterm_stops_a_two_worker_sweep_and_resume_completes_it(tmp_path):
    experiment = small(tmp_path / "a", replications=60)
    out = tmp_path / "out"
    proc = subprocess.Popen([str(EXE), "sweep", str(experiment.path), "--out", str(out), "--workers", "2",
                             "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, env={**os.environ, "MPLBACKEND": "Agg"})
    deadline = time.time() + 120
    while time.time() < deadline and not list((out / CHUNKS).glob("*.parquet")) and proc.poll() is None:
        time.sleep(0.1)
    assert proc.poll() is None, "the sweep finished before the signal"
    proc.send_signal(signal.SIGTERM)
    try:
        _, stderr = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise
    assert proc.returncode == 143, stderr
    assert stderr.strip().endswith("resume with --resume") and "stopped by SIGTERM" in stderr, stderr
    left = session_processes(proc.pid)
    for _ in range(50):
        if not left:
            break
        time.sleep(0.1)
        left = session_processes(proc.pid)
    if left:
        os.killpg(proc.pid, signal.SIGKILL)
    assert not left, f"processes of the sweep still alive: {left}"
    assert not (out / LOCK).exists()
    stored = len(completed_runs(out))
    assert 0 < stored < 120 and f"{stored} runs stored" in stderr
    resume = subprocess.run([str(EXE), "sweep", str(experiment.path), "--out", str(out), "--resume", "--workers",
                             "2", "--quiet"], capture_output=True, text=True, env={**os.environ, "MPLBACKEND": "Agg"})
    assert resume.returncode == 0, resume.stderr
    run_sweep(experiment, tmp_path / "straight", workers=2, quiet=True)
    resumed = load_results(out)
    assert not resumed.duplicated(["run_id", "month"]).any()
    pd.testing.assert_frame_equal(resumed, load_results(tmp_path / "straight"))


# --- 5. damaged files get one line -----------------------------------------------------
def test_a_damaged_chunk_or_manifest_gets_one_line(tmp_path, capsys):
    out = tmp_path / "out"
    path = tmp_path / "a" / "small.toml"
    run_sweep(small(tmp_path / "a"), out, quiet=True)
    chunk = sorted((out / CHUNKS).glob("*.parquet"))[0]
    chunk.write_bytes(chunk.read_bytes()[:100])
    one_line_error(sweep_cli(capsys, path, "--out", out, "--resume", "--workers", "1"), chunk.name, "move it")
    chunk.unlink()
    (out / MANIFEST).write_text('{"experiment_sha256": ')
    one_line_error(sweep_cli(capsys, path, "--out", out, "--resume", "--workers", "1"), MANIFEST, "start a new folder")
