"""The reachability search runs, keeps its sets inside the declared ranges and reports what it found."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd

from chainsim.core.parameters import SPECS

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "experiments" / "model_revision" / "reachability.py"


def test_reachability_search_reports_the_case_measures_of_sets_inside_the_declared_ranges(tmp_path):
    done = subprocess.run([sys.executable, str(SCRIPT), "--sets", "3", "--replications", "2", "--confirm", "2",
                           "--confirm-replications", "2", "--workers", "1", "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    table = pd.read_csv(tmp_path / "reachability.csv", index_col="set")
    assert len(table) == 3
    names = [c for c in table.columns if c in SPECS]
    assert len(names) >= 10                         # the calibration's free parameters
    for name in names:
        assert table[name].between(SPECS[name].low, SPECS[name].high).all(), name
    assert table.spearman.between(-1.0, 1.0).all() and table.p.between(0.0, 1.0).all()
    found = json.loads((tmp_path / "reachability.json").read_text())
    assert len(found["confirmed"]) == 2
    assert 0.0 <= found["worst_gooi"]["p_both_good_above_gooi"] <= 1.0
    text = (tmp_path / "reachability.md").read_text()
    assert "Gooi's undescribed traits at their worst" in text and "| default |" in text
    assert "4 of the 120 possible orders" in text and "at most 0.79" in text   # Gooi last, or below 0.8
    assert "| Gooi en Vechtstreek | not good | + | 10 | 2 | 2 | none |" in text


def test_only_the_observed_order_reaches_the_spearman_goal():
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        import reachability
    finally:
        sys.path.remove(str(SCRIPT.parent))
    text = "\n".join(reachability.spearman_orders())
    assert "4 of the 120" in text and "Gooi en Vechtstreek last (0.95)" in text


def test_reachability_refuses_too_few_replications():
    done = subprocess.run([sys.executable, str(SCRIPT), "--replications", "1"], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 2 and "--replications must be at least 2" in done.stderr
    assert "Traceback" not in done.stderr
