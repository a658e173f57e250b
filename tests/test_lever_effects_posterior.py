"""Lever effects over the posterior (experiments/calibration/lever_effects.py): paired effects, their
intervals, a lever that does nothing, workers, resuming and one-line refusals."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from calibration_scripts import calibration_script

from chainsim.posterior import write_particles

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "experiments" / "calibration" / "lever_effects.py"
SCENARIO = ROOT / "scenarios" / "netherlands_2012.toml"
REGIONS = "AM02,AM06,AM12"


def _module():
    return calibration_script("lever_effects")


def _particles(tmp_path: Path) -> Path:
    frame = pd.DataFrame({"weight_trust": [0.4, 1.8], "belief_initial": [0.30, 0.60], "weight": [1.0, 1.0]})
    return write_particles(tmp_path / "particles.csv", frame, {"method": "test"})


def _experiment(tmp_path: Path, factor: str, name: str = "exp.toml") -> Path:
    path = tmp_path / name
    path.write_text(f'description = "test"\nbase = "{SCENARIO.as_posix()}"\nseed = 7\nreplications = 1\n\n'
                    f'[design]\nkind = "grid"\n\n[[factors]]\n{factor}\n', encoding="utf-8")
    return path


def _call(argv: list[str]) -> int:
    try:
        return _module().main(argv)
    except SystemExit as exc:           # argparse's own refusals
        return int(exc.code)


# --- arithmetic --------------------------------------------------------------------
def _synthetic() -> pd.DataFrame:
    """3 draws x 2 replications x levers none, a, b x 2 months, with known paired differences."""
    rows = []
    base = {(0, 0): 0.30, (0, 1): 0.50, (1, 0): 0.20, (1, 1): 0.40, (2, 0): 0.60, (2, 1): 0.10}
    # lever a: per-replication differences (+0.05, +0.15), (+0.25, +0.15), (+0.30, +0.30) -> draws 0.1, 0.2, 0.3
    diff_a = {(0, 0): 0.05, (0, 1): 0.15, (1, 0): 0.25, (1, 1): 0.15, (2, 0): 0.30, (2, 1): 0.30}
    # lever b: -0.1 in draw 0, 0 in draw 1, +0.4 in draw 2 (second month only; first month exactly 0)
    diff_b = {(0, 0): -0.1, (0, 1): -0.1, (1, 0): 0.1, (1, 1): -0.1, (2, 0): 0.4, (2, 1): 0.4}
    for (d, r), share in base.items():
        for month, scale in (("2014-11", 0.0), ("2016-12", 1.0)):
            rows.append((d, r, "none", month, share))
            rows.append((d, r, "a", month, share + diff_a[(d, r)]))
            rows.append((d, r, "b", month, share + scale * diff_b[(d, r)]))
    return pd.DataFrame(rows, columns=["draw", "replication", "lever", "month", "share"])


def test_effects_and_intervals_match_a_hand_computation():
    m = _module()
    frame = _synthetic().sample(frac=1.0, random_state=3)         # order must not matter
    effects = m.paired_effects(frame)
    assert list(effects.columns) == ["draw", "lever", "month", "effect"]
    a = effects[(effects["lever"] == "a") & (effects["month"] == "2016-12")].sort_values("draw")["effect"]
    np.testing.assert_allclose(a, [0.1, 0.2, 0.3], atol=1e-12)
    b0 = effects[(effects["lever"] == "b") & (effects["month"] == "2014-11")]["effect"]
    assert (b0 == 0.0).all()                                     # identical shares: exactly zero
    b1 = effects[(effects["lever"] == "b") & (effects["month"] == "2016-12")].sort_values("draw")["effect"]
    np.testing.assert_allclose(b1, [-0.1, 0.0, 0.4], atol=1e-12)

    table = m.effect_table(effects).set_index(["lever", "month"])
    t = 4.302652729911275                                        # t(2, 0.975)
    row = table.loc[("a", "2016-12")]
    assert row["draws"] == 3
    assert row["mean"] == pytest.approx(0.2, abs=1e-12)
    half = t * 0.1 / np.sqrt(3)                                  # sd of 0.1, 0.2, 0.3 is 0.1
    assert row["ci_low"] == pytest.approx(0.2 - half, abs=1e-9)
    assert row["ci_high"] == pytest.approx(0.2 + half, abs=1e-9)
    # quantiles (linear): 2.5% lies at 0.05 of the way from 0.1 to 0.2, 97.5% at 0.95 from 0.2 to 0.3
    assert row["post_low"] == pytest.approx(0.105, abs=1e-12)
    assert row["post_high"] == pytest.approx(0.295, abs=1e-12)
    assert row["p_positive"] == 1.0
    row = table.loc[("b", "2016-12")]
    sd = np.sqrt(((-0.1 - 0.1) ** 2 + (0.0 - 0.1) ** 2 + (0.4 - 0.1) ** 2) / 2)   # mean 0.1
    assert row["mean"] == pytest.approx(0.1, abs=1e-12)
    assert row["ci_low"] == pytest.approx(max(-1.0, 0.1 - t * sd / np.sqrt(3)), abs=1e-9)
    assert row["ci_high"] == pytest.approx(0.1 + t * sd / np.sqrt(3), abs=1e-9)
    assert row["post_low"] == pytest.approx(-0.1 + 0.05 * 0.1, abs=1e-12)
    assert row["post_high"] == pytest.approx(0.0 + 0.95 * 0.4, abs=1e-12)
    assert row["p_positive"] == pytest.approx(1 / 3)             # a zero effect is not positive
    row = table.loc[("b", "2014-11")]
    assert (row["mean"], row["p_positive"]) == (0.0, 0.0)
    assert np.isnan(row["ci_low"]) and np.isnan(row["ci_high"])   # every draw 0: no spread, so no interval
    assert m.lever_order(m.effect_table(effects)) == ["a", "b"]
    one = m.effect_table(effects[effects["draw"] == 0]).set_index(["lever", "month"]).loc[("a", "2016-12")]
    assert np.isnan(one["ci_low"]) and np.isnan(one["ci_high"])  # one draw: no interval, never zero width


def test_unpaired_or_doubled_runs_are_refused():
    m = _module()
    frame = _synthetic()
    with pytest.raises(ValueError, match="unpaired"):
        m.paired_effects(frame.drop(index=frame.index[(frame["lever"] == "a")][0]))
    with pytest.raises(ValueError, match="more than once"):
        m.paired_effects(pd.concat([frame, frame.iloc[:1]]))
    with pytest.raises(ValueError, match="baseline"):
        m.paired_effects(frame[frame["lever"] != "none"])


def test_the_markdown_table_is_sorted_by_the_last_month_and_names_its_provenance():
    m = _module()
    table = m.effect_table(m.paired_effects(_synthetic()))
    provenance = {"particles": "p.csv", "particles_sha256": "ab" * 32, "draws": 3, "replications": 2, "seed": 9,
                  "experiment": "experiments/lever_effects.toml", "experiment_sha256": "cd" * 32,
                  "chainsim_version": "x", "regions": 35}
    text = m.markdown(table, provenance)
    rows = [line for line in text.splitlines() if line.startswith("| a |") or line.startswith("| b |")]
    assert [r.split("|")[1].strip() for r in rows] == ["a", "b"]
    assert rows[0].count("|") == 8 and "+0.200 [" in rows[0] and "+0.105 to +0.295 | 1.00 |" in rows[0]
    assert "`p.csv`" in text and "3 draws x 2 replications" in text and "seed 9" in text
    assert "`experiments/lever_effects.toml`" in text


# --- end to end ------------------------------------------------------------------------
def test_a_lever_that_does_nothing_has_exactly_zero_effect_in_every_draw(tmp_path):
    particles = _particles(tmp_path)
    experiment = _experiment(tmp_path, 'name = "lever"\nlevels = ["none", "joint_targets", "co_location"]\n'
                                       'strength = 0.0')
    out = tmp_path / "out"
    assert _call(["--experiment", str(experiment), "--particles", str(particles), "--draws", "2",
                  "--replications", "2", "--levers", "co_location", "--workers", "1", "--out", str(out)]) == 0
    frame = pd.read_csv(out / "lever_effects.csv", dtype={"month": str})
    assert list(frame.columns) == ["draw", "replication", "lever", "month", "share"]
    assert len(frame) == 2 * 2 * 2 * 2 and set(frame["month"]) == {"2014-11", "2016-12"}
    assert np.allclose(frame["share"] * 35, (frame["share"] * 35).round(), atol=1e-9)   # of the 35 regions
    effects = _module().paired_effects(frame)
    assert (effects["effect"] == 0.0).all() and len(effects) == 2 * 2
    # ... while the four (draw, replication) pairs differ among themselves: only pairing makes it zero
    baseline = frame[frame["lever"] == "none"].pivot(index=["draw", "replication"], columns="month", values="share")
    assert len(baseline.drop_duplicates()) > 1
    report = json.loads((out / "lever_effects.json").read_text())
    assert all(e["mean"] == 0.0 and e["p_positive"] == 0.0 and e["post_low"] == e["post_high"] == 0.0
               for e in report["effects"])
    assert report["provenance"]["seed"] == 7 and report["provenance"]["regions"] == 35
    assert len(report["draws"]) == 2 and set(report["draws"][0]) == {"draw", "weight_trust", "belief_initial"}
    assert not (out / ".lever_effects_parts").exists()


def test_an_interrupted_run_continues_from_its_parts(tmp_path):
    particles = _particles(tmp_path)
    args = ["--particles", str(particles), "--draws", "2", "--replications", "1", "--workers", "1",
            "--regions", REGIONS, "--levers", "joint_targets", "--seed", "11"]
    assert _call([*args, "--out", str(tmp_path / "a")]) == 0
    full = pd.read_csv(tmp_path / "a" / "lever_effects.csv", dtype={"month": str})
    provenance = json.loads((tmp_path / "a" / "lever_effects.json").read_text())["provenance"]
    parts = tmp_path / "b" / ".lever_effects_parts"
    parts.mkdir(parents=True)
    (parts / "settings.json").write_text(json.dumps(provenance), encoding="utf-8")
    marked = full[full["draw"] == 0].assign(share=0.5)               # a stored draw is reused, not rerun
    marked.to_csv(parts / "draw-00000.csv", index=False)
    assert _call([*args, "--out", str(tmp_path / "b")]) == 0
    resumed = pd.read_csv(tmp_path / "b" / "lever_effects.csv", dtype={"month": str})
    pd.testing.assert_frame_equal(resumed[resumed["draw"] == 1].reset_index(drop=True),
                                  full[full["draw"] == 1].reset_index(drop=True))
    assert (resumed[resumed["draw"] == 0]["share"] == 0.5).all()
    assert not parts.exists()


def _tiny(out: Path, particles: Path, workers: int) -> list[str]:
    return ["--particles", str(particles), "--draws", "2", "--replications", "1",
            "--levers", "joint_targets,legal_deadline", "--workers", str(workers), "--out", str(out)]


def test_workers_do_not_change_the_results(tmp_path):
    particles = _particles(tmp_path)
    assert _call(_tiny(tmp_path / "one", particles, 1)) == 0
    # two workers in a process of their own: the pool's workers import the script as a program's main module
    two = subprocess.run([sys.executable, str(SCRIPT), *_tiny(tmp_path / "two", particles, 2)],
                         capture_output=True, text=True, timeout=120, check=False)
    assert two.returncode == 0, two.stderr[-2000:]
    assert "on 2 workers" in two.stderr
    text = (tmp_path / "one" / "lever_effects.csv").read_bytes()
    assert text == (tmp_path / "two" / "lever_effects.csv").read_bytes()
    frame = pd.read_csv(tmp_path / "one" / "lever_effects.csv", dtype={"month": str})
    assert list(dict.fromkeys(frame["lever"])) == ["none", "joint_targets", "legal_deadline"]
    assert len(frame) == 2 * 1 * 3 * 2
    md = (tmp_path / "one" / "lever_effects.md").read_text()
    assert "| joint_targets |" in md and "| legal_deadline |" in md and "| none |" not in md
    assert "experiments/lever_effects.toml" in md and "2 draws x 1 replication each, seed 2015" in md
    assert (tmp_path / "one" / "lever_effects.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# --- refusals --------------------------------------------------------------------------
def test_refusals_are_one_line_and_exit_2(tmp_path, capsys):
    particles = _particles(tmp_path)
    no_lever = _experiment(tmp_path, 'name = "weight_trust"\nlevels = [0.5, 1.0]', "no_lever.toml")
    no_baseline = _experiment(tmp_path, 'name = "lever"\nlevels = ["joint_targets", "co_location"]', "nb.toml")
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "lever_effects.md").write_text("old\n")
    base = ["--particles", str(particles), "--out", str(tmp_path / "out")]
    cases = [
        (["--experiment", str(tmp_path / "missing.toml"), *base], "--experiment", "not found"),
        (["--experiment", str(no_lever), *base], "--experiment", "no factor 'lever'"),
        (["--experiment", str(no_baseline), *base], "--experiment", "\"none\""),
        (["--levers", "joint_targets,teleport", *base], "--levers", "'teleport' is not a lever"),
        (["--draws", "0", *base], "--draws", "allowed: a whole number from 1"),
        (["--replications", "x", *base], "--replications", "'x' is not a whole number"),
        (["--seed", "-3", *base], "--seed", "allowed"),
        (["--particles", str(tmp_path / "missing.csv"), "--out", str(tmp_path / "out")], "--particles",
         "missing.csv: not found"),
        (["--regions", "AM02,Atlantis", *base], "--regions", "'Atlantis'"),
        (["--particles", str(particles), "--out", str(taken)], "--out", "--overwrite"),
    ]
    for argv, option, words in cases:
        assert _call(argv) == 2, argv
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1, (argv, err)
        assert err[0].startswith("lever_effects.py: ") and option in err[0] and words in err[0], (argv, err)
        assert "Traceback" not in err[0]
    assert (taken / "lever_effects.md").read_text() == "old\n"
    assert not (tmp_path / "out").exists()
