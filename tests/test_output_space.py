"""Room for the results is checked before computing; a failure after the computing loses nothing.

A disk without room for the estimated output is refused in one line before
any replication runs. A write that fails later (a full disk, a figure that
cannot be drawn) leaves ``--out`` as it was, keeps what was written in
``<out>.incomplete`` beside it, and says so in one line, exit code 1.
"""

from __future__ import annotations

import errno
import json
from collections import namedtuple

import pandas as pd
import pyarrow.parquet as pq
import pytest

import chainsim.results as results_module
from chainsim.cli import EXIT_OUTPUT, EXIT_USAGE, main
from chainsim.compare import comparison_output_bytes
from chainsim.runner import RunConfig

RUN = ["run", "--replications", "2", "--workers", "1", "--seed", "3", "--quiet", "--regions", "AM02,AM12"]
Usage = namedtuple("Usage", "total used free")


def one_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err, err
    return err


def no_partial_folders(parent) -> bool:
    return not [p for p in parent.iterdir() if p.name.endswith(".partial")]


def test_too_little_room_is_refused_before_computing(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(results_module.shutil, "disk_usage", lambda path: Usage(10**9, 10**9 - 10**6, 10**6))
    computed = []
    monkeypatch.setattr("chainsim.runner.simulate", lambda *a, **k: computed.append(1))
    out = tmp_path / "out"
    assert main([*RUN, "--out", str(out)]) == EXIT_USAGE
    line = one_line(capsys)
    assert line.startswith(f"chainsim run: --out: {out}: not enough space on the disk") and "976.6 KB is free" in line
    assert not computed and not out.exists() and no_partial_folders(tmp_path)
    monkeypatch.setattr(results_module.shutil, "disk_usage", lambda path: Usage(10**12, 0, 10**6))
    assert main(["compare", "netherlands_2012", "netherlands_2012", "--replications", "2", "--workers", "1",
                 "--quiet", "--regions", "AM02", "--out", str(tmp_path / "cmp")]) == EXIT_USAGE
    assert one_line(capsys).startswith(f"chainsim compare: --out: {tmp_path / 'cmp'}: not enough space")


def test_the_estimate_is_an_upper_bound_and_grows_with_the_rows(tmp_path, capsys):
    out = tmp_path / "out"
    assert main([*RUN, "--csv", "--out", str(out)]) == 0
    written = sum(p.stat().st_size for p in out.iterdir())
    config = RunConfig(regions=("AM02", "AM12"))
    estimate = results_module.run_output_bytes(config, 2, seed=3, csv=True)
    assert written <= estimate
    per_row = results_module.parquet_row_bytes() + results_module.csv_row_bytes(config, 3, 1002)
    assert results_module.run_output_bytes(config, 1002, seed=3, csv=True) == pytest.approx(
        1002 * 60 * 2 * per_row * results_module.SPACE_MARGIN + results_module.SPACE_FIXED, abs=1)
    # the CSV row estimate is at least the longest row written
    longest = max(len(line.encode()) + 1 for line in (out / "region_months.csv").read_text().splitlines()[1:])
    assert longest <= results_module.csv_row_bytes(config, 3, 2)
    assert comparison_output_bytes(3, 60) > comparison_output_bytes(2, 60) > results_module.SPACE_FIXED


def test_a_full_disk_while_streaming_keeps_the_summary_and_the_figure(tmp_path, monkeypatch, capsys):
    def full(self, table, row_group_size=None):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pq.ParquetWriter, "write_table", full)
    out = tmp_path / "out"
    assert main([*RUN, "--out", str(out)]) == EXIT_OUTPUT
    kept = tmp_path / "out.incomplete"
    assert one_line(capsys) == (f"chainsim run: could not write region_months.parquet (No space left on device); "
                                f"what was written (summary.json, stage_shares.png) is kept in {kept}; "
                                f"{out} is unchanged")
    assert not out.exists() and no_partial_folders(tmp_path)
    assert sorted(p.name for p in kept.iterdir()) == ["stage_shares.png", "summary.json"]    # no partial file
    assert json.loads((kept / "summary.json").read_text())["replications"] == 2


def test_a_failed_figure_keeps_the_summary_and_the_table_and_the_old_results(tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    assert main([*RUN, "--out", str(out)]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def broken(path, figure):
        raise RuntimeError("no renderer\nsecond line")

    monkeypatch.setattr(results_module, "write_figure", broken)
    (tmp_path / "out.incomplete").mkdir()                 # a name already taken: the next one is used
    assert main([*RUN, "--seed", "4", "--overwrite", "--out", str(out)]) == EXIT_OUTPUT
    kept = tmp_path / "out.incomplete-2"
    assert one_line(capsys) == (f"chainsim run: could not write stage_shares.png (RuntimeError: no renderer); "
                                f"what was written (summary.json, region_months.parquet) is kept in {kept}; "
                                f"{out} is unchanged")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    table = pd.read_parquet(kept / "region_months.parquet")
    assert len(table) == 2 * 60 * 2 and (table["seed"] == 4).all()
    assert json.loads((kept / "summary.json").read_text())["seed"] == 4
    assert no_partial_folders(tmp_path)


def test_nothing_written_removes_the_folder_and_says_so(tmp_path, monkeypatch, capsys):
    def fail(*args, **kwargs):
        raise OSError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(results_module, "write_figure", fail)
    monkeypatch.setattr(results_module, "write_json", fail)
    monkeypatch.setattr(pq.ParquetWriter, "write_table", fail)
    out = tmp_path / "out"
    assert main([*RUN, "--out", str(out)]) == EXIT_OUTPUT
    assert one_line(capsys) == ("chainsim run: could not write summary.json (Permission denied); "
                                "region_months.parquet (Permission denied); stage_shares.png (Permission denied); "
                                f"nothing could be saved; {out} is unchanged")
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_compare_keeps_its_table_when_the_figure_fails(tmp_path, monkeypatch, capsys):
    def broken(path, figure):
        raise ValueError("cannot draw")

    monkeypatch.setattr(results_module, "write_figure", broken)
    out = tmp_path / "cmp"
    assert main(["compare", "netherlands_2012", "netherlands_2012", "--replications", "2", "--workers", "1",
                 "--quiet", "--regions", "AM02", "--out", str(out)]) == EXIT_OUTPUT
    kept = tmp_path / "cmp.incomplete"
    assert one_line(capsys) == (f"chainsim compare: could not write comparison.png (ValueError: cannot draw); "
                                f"what was written (comparison.json) is kept in {kept}; {out} is unchanged")
    assert json.loads((kept / "comparison.json").read_text())["replications"] == 2
    assert not out.exists()


def test_an_out_filled_meanwhile_keeps_the_results_aside(tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    draw = results_module.write_figure

    def someone_else_writes_first(path, figure):
        out.mkdir()
        (out / "notes.txt").write_text("mine")
        draw(path, figure)

    monkeypatch.setattr(results_module, "write_figure", someone_else_writes_first)
    assert main([*RUN, "--out", str(out)]) == EXIT_OUTPUT
    kept = tmp_path / "out.incomplete"
    assert one_line(capsys) == (f"chainsim run: --out: {out} already holds other files; it holds no summary.json, "
                                "so --overwrite cannot replace it (it replaces only a folder of this command's "
                                f"results); choose another --out; the results are kept in {kept}")
    assert sorted(p.name for p in kept.iterdir()) == ["region_months.parquet", "stage_shares.png", "summary.json"]
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_sigterm_stops_a_run_and_leaves_nothing_half_written(tmp_path):
    """SIGTERM during `chainsim run`: exit 143, one line, no .partial folder, no output folder."""
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    exe = Path(sys.executable).with_name("chainsim")
    out = tmp_path / "run"
    proc = subprocess.Popen([str(exe), "run", "--replications", "400", "--workers", "1", "--quiet",
                             "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline and not any(p.name.endswith(".partial") for p in tmp_path.iterdir()):
        time.sleep(0.1)
    time.sleep(1.0)                      # well into the computing
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert "stopped by SIGTERM" in err and len(err.strip().splitlines()) == 1
    assert not out.exists()
    assert not any(p.name.endswith(".partial") for p in tmp_path.iterdir())


def test_a_signal_whose_exception_was_lost_still_stops_a_run(tmp_path, monkeypatch, capsys):
    """A SIGTERM that lands where Python ignores exceptions (an import's module-lock callback) is only
    recorded; `chainsim run` checks the record when its replications end and stops as if it had been raised."""
    import signal

    from chainsim import cli

    real = cli._stop_on_signals

    def lost():                         # the handler ran, its exception was swallowed
        restore = real()
        restore.received.append(signal.SIGTERM)
        return restore

    monkeypatch.setattr(cli, "_stop_on_signals", lost)
    out = tmp_path / "run"
    code = main(["run", "--replications", "2", "--workers", "1", "--quiet", "--regions", "Groningen,Friesland",
                 "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 143, err
    assert "stopped by SIGTERM" in err and len(err.strip().splitlines()) == 1
    assert not out.exists()
    assert not any(p.name.endswith(".partial") for p in tmp_path.iterdir())
