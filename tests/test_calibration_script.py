"""The calibration script checks its set-up file before it runs anything."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "experiments" / "calibration" / "calibrate.py"
CONFIG = ROOT / "experiments" / "calibration" / "calibration.toml"


def run(config: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), "--config", str(config), "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=120)


def test_the_committed_set_up_is_valid():
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        from calibrate import read_config
    finally:
        sys.path.remove(str(SCRIPT.parent))
    config = read_config(CONFIG)
    assert config["free"] and 0 < config["bound_margin"] <= 1


def test_a_bad_set_up_stops_with_one_line_naming_file_and_key(tmp_path):
    text = CONFIG.read_text(encoding="utf-8")
    bad = tmp_path / "calibration.toml"
    bad.write_text(text.replace('name = "weight_trust"', 'name = "weight_trsut"'), encoding="utf-8")
    done = run(bad, tmp_path)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr
    assert str(bad) in lines[0] and ".name" in lines[0] and "'weight_trust'" in lines[0]
    assert not (tmp_path / "out").exists()


def test_a_range_outside_the_declared_one_is_refused(tmp_path):
    text = CONFIG.read_text(encoding="utf-8")
    bad = tmp_path / "calibration.toml"
    bad.write_text(text.replace("bound_margin = 0.75", "bound_margin = 1.5"), encoding="utf-8")
    done = run(bad, tmp_path)
    assert done.returncode == 2 and "bound_margin" in done.stderr and "allowed: 0.1 to 1" in done.stderr
