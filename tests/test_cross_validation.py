"""Cross-validation across pattern groups: errors against the two baselines, and a resumable driver."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from calibration_scripts import calibration_script

from chainsim.calibration import PATTERN_GROUPS, STATISTICS, observed_statistics

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "experiments" / "calibration" / "cross_validate.py"
CASE_REGIONS = "AM02,AM12,AM22,AM06,AM32"


def _module():
    return calibration_script("cross_validate")


def test_the_errors_and_baselines_have_known_values():
    group_result = _module().group_result
    observed = observed_statistics()
    names = [f"stages_and_classes.{n}" for n in PATTERN_GROUPS["stages_and_classes"]]
    perfect = group_result("stages_and_classes", {n: observed[n] for n in names}, ["structure.uwv_absent_tactical"])
    assert perfect["error"] == 0.0
    obs = np.array([observed[n] for n in names])            # 0.25 0.5 0.25 and 13 16 5 1 of 35
    assert perfect["baseline_half"] == pytest.approx(np.sqrt(np.mean((obs - 0.5) ** 2)))
    assert perfect["used_mean"] == pytest.approx(5 / 35)    # the one share "used": 5 of 35 regions
    assert perfect["baseline_used_mean"] == pytest.approx(np.sqrt(np.mean((obs - 5 / 35) ** 2)))
    off = group_result("stages_and_classes", {n: observed[n] + 0.1 for n in names}, list(STATISTICS[7:]))
    assert off["error"] == pytest.approx(0.1)
    assert set(off["items"]) == set(names)


def _run(tmp_path, config, *more):
    cmd = [sys.executable, str(SCRIPT), "--config", str(config), "--out", str(tmp_path / "out"), "--workers", "1",
           "--generations", "1", "--particles", "3", "--draws", "2", "--replications", "1",
           "--regions", CASE_REGIONS, *more]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


def test_the_driver_predicts_a_left_out_group_and_skips_it_when_done(tmp_path):
    from test_calibration_script import TINY

    config = tmp_path / "abc.toml"
    config.write_text(TINY, encoding="utf-8")
    first = _run(tmp_path, config, "--groups", "structure")
    assert first.returncode == 0, first.stderr[-2000:]
    out = tmp_path / "out"
    assert (out / "structure" / "abc.db").is_file() and (out / "setup.json").is_file()
    figures = json.loads((out / "cross_validation.json").read_text())
    (row,) = figures["groups"]
    assert row["group"] == "structure" and len(row["items"]) == 3 and row["error"] >= 0
    assert row["baseline_half"] == pytest.approx(
        np.sqrt(np.mean([(observed_statistics()[f"structure.{n}"] - 0.5) ** 2 for n in PATTERN_GROUPS["structure"]])))
    assert "| structure | 3 |" in (out / "cross_validation.md").read_text()
    refused = _run(tmp_path, config, "--groups", "structure")
    assert refused.returncode == 2 and "--resume" in refused.stderr
    again = _run(tmp_path, config, "--groups", "structure", "--resume")
    assert again.returncode == 0 and "structure: done already" in again.stderr


def test_an_unknown_group_is_refused_in_one_line(tmp_path):
    done = _run(tmp_path, ROOT / "experiments" / "calibration" / "abc_smc.toml", "--groups", "stages")
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1
    assert "'stages' is not a pattern group (allowed: stages_and_classes" in done.stderr
