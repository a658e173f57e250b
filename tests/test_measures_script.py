"""The model-revision measures script runs and reports what it computes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "experiments" / "model_revision" / "measures.py"


def test_measures_script_reports_the_case_regions_and_the_variance(tmp_path):
    done = subprocess.run([sys.executable, str(SCRIPT), "--replications", "3", "--workers", "1", "--only", "cases",
                           "--out", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    m = json.loads((tmp_path / "measures.json").read_text())
    assert -1.0 <= m["cases"]["spearman"] <= 1.0
    assert 0.0 <= m["cases"]["p_both_good_above_gooi"] <= 1.0
    v = m["variance"]
    assert abs(v["between_regions_share"] + v["within_region_share"] - 1.0) < 1e-9
    assert 0.0 <= v["known_inputs_share"] <= v["between_regions_share"] + 1e-9
    # each case region's fitted distance from the mean is the sum of its inputs' parts
    for row in v["contributions"].values():
        assert abs(sum(row["by_input"].values()) - row["fitted_minus_all"]) < 1e-9
    assert set(v["per_sd"]) == set(m["variance_without_person_draw"]["per_sd"])
    assert 0.0 <= m["cases_without_person_draw"]["p_both_good_above_gooi"] <= 1.0
    # every proposal not agreed had at least one party against it
    shares = m["consent"]["share_against"]
    assert m["consent"]["rejected_per_region_year"] > 0
    assert all(0.0 <= s <= 1.0 for s in shares.values()) and sum(shares.values()) >= 1.0 - 1e-9
    alone = m["consent"]["share_alone_against"]
    assert all(0.0 <= alone[w] <= shares[w] + 1e-12 for w in shares) and sum(alone.values()) <= 1.0 + 1e-9
    assert "Who withholds consent" in (tmp_path / "measures.md").read_text()
    text = (tmp_path / "measures.md").read_text()
    assert "Without the draw of UWV's person" in text
    assert "Gooi en Vechtstreek" in text and "goal met" in text
    # the report can be written again from its numbers alone
    again = tmp_path / "again"
    again.mkdir()
    subprocess.run([sys.executable, str(SCRIPT), "--from-json", str(tmp_path / "measures.json"), "--out", str(again)],
                   check=True, timeout=60)
    assert (again / "measures.md").read_text() == text
