"""The command line, run the way a user runs it."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def chainsim(*args, cwd=None):
    exe = Path(sys.executable).with_name("chainsim")
    cmd = [str(exe), *args] if exe.exists() else [sys.executable, "-m", "chainsim.cli", *args]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, timeout=600,
                          env={**os.environ, "MPLBACKEND": "Agg"})


def test_run_json_writes_the_three_outputs(tmp_path):
    out = tmp_path / "out"
    result = chainsim("run", "--json", "--replications", "3", "--workers", "2", "--seed", "4",
                      "--regions", "Friesland,Rijnmond,Helmond", "--out", str(out))
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["replications"] == 3 and summary["seed"] == 4 and summary["observed_at"] == "2014-11"
    assert summary["regions"] == 3
    for stage in ("coordinated", "middle", "little"):
        stat = summary["stage_shares"][stage]
        assert 0 <= stat["mean"] <= 1 and len(stat["ci95"]) == 2
    assert json.loads((out / "summary.json").read_text()) == summary
    table = pd.read_parquet(out / "region_months.parquet")
    assert len(table) == 3 * 60 * 3
    assert (out / "stage_shares.png").stat().st_size > 10_000


def test_scenario_file_and_text_report(tmp_path):
    out = tmp_path / "out"
    result = chainsim("run", str(ROOT / "scenarios" / "netherlands_2012.toml"), "--replications", "2",
                      "--regions", "AM32", "--out", str(out), "--quiet")
    assert result.returncode == 0, result.stderr
    assert "observed (Inspectie SZW 2014)" in result.stdout
    assert json.loads((out / "summary.json").read_text())["scenario"] == "netherlands_2012"


def test_bad_arguments_get_one_line_and_exit_code_2(tmp_path):
    bad_toml = tmp_path / "bad.toml"
    bad_toml.write_text('description = "x"\nsources = []\n[parameters]\nweight_trust = 50\n')
    cases = [
        ("run", "--replications", "0"),
        ("run", "--replications", "many"),
        ("run", str(tmp_path / "missing.toml")),
        ("run", "--regions", "Atlantis"),
        ("run", str(bad_toml)),
        ("walk",),
    ]
    for args in cases:
        result = chainsim(*args)
        assert result.returncode == 2, args
        assert result.stderr.count("\n") == 1, (args, result.stderr)
        assert "Traceback" not in result.stderr
