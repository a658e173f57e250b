"""The posterior: its summary, the calibrated.toml and particles files, draws, and the predictive check."""

import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from chainsim.calibration import STATISTICS, observed_data_sha256, observed_statistics
from chainsim.posterior import (
    PosteriorError,
    check_lines,
    particles_from,
    posterior_draws,
    predictive_check,
    predictive_pictures,
    read_particles,
    summarise,
    typical_order,
    write_calibrated,
    write_particles,
)

ROOT = Path(__file__).resolve().parents[1]
CASE_REGIONS = ("AM02", "AM12", "AM22", "AM06", "AM32")


def _particles() -> pd.DataFrame:
    return pd.DataFrame({"weight_trust": [0.5, 1.0, 1.5, 1.9], "trust_initial": [0.3, 0.4, 0.5, 0.6],
                         "weight": [1.0, 1.0, 1.0, 5.0]})


def test_the_summary_is_the_weighted_median_and_95_interval():
    rng = np.random.default_rng(4)
    x = rng.uniform(0.3, 2.0, 20000)
    s = summarise(pd.DataFrame({"weight_trust": x, "weight": 1.0}))
    assert s.loc["weight_trust", "median"] == pytest.approx(1.15, abs=0.02)
    assert s.loc["weight_trust", "low95"] == pytest.approx(0.3 + 0.025 * 1.7, abs=0.02)
    assert s.loc["weight_trust", "high95"] == pytest.approx(0.3 + 0.975 * 1.7, abs=0.02)
    heavy = summarise(particles_from(_particles()))
    assert heavy.loc["weight_trust", "median"] > 1.5            # the weight 5 particle pulls the median up


def test_calibrated_toml_has_the_package_format(tmp_path):
    summary = summarise(particles_from(_particles()))
    path = write_calibrated(tmp_path / "calibrated.toml", summary,
                            {"method": 'ABC-SMC "test"', "date": "2026-12-01", "distance": 1.25, "generations": 2})
    data = tomllib.loads(path.read_text())
    assert data["provenance"]["method"] == 'ABC-SMC "test"' and data["provenance"]["generations"] == 2
    assert data["provenance"]["distance"] == 1.25
    assert data["provenance"]["data_sha256"] == observed_data_sha256()
    assert data["values"] == pytest.approx({n: round(summary.loc[n, "median"], 4) for n in summary.index})


def test_calibrated_toml_can_hold_a_chosen_particle_with_the_medians_beside(tmp_path):
    summary = summarise(particles_from(_particles()))
    chosen = {"weight_trust": 1.0, "trust_initial": 0.4}
    path = write_calibrated(tmp_path / "calibrated.toml", summary, {"summary": "one particle"}, chosen)
    text = path.read_text()
    assert tomllib.loads(text)["values"] == pytest.approx(chosen)
    assert f"# median {summary.loc['weight_trust', 'median']:.4f}" in text and "representative particle" in text


def test_the_typical_particle_is_the_one_nearest_the_weighted_mean_picture():
    pictures = np.array([[0.0, 0.0], [1.0, 0.0], [0.4, 0.1], [3.0, 3.0]])
    weights = np.array([1.0, 1.0, 1.0, 0.0])                    # the outlier weighs nothing: mean (0.467, 0.033)
    order, near, mean = typical_order(pictures, weights, np.eye(2))
    assert mean == pytest.approx([1.4 / 3, 0.1 / 3])
    assert list(order) == [2, 0, 1, 3]
    assert near[2] == pytest.approx(np.hypot(0.4 - 1.4 / 3, 0.1 - 0.1 / 3))
    scaled = typical_order(pictures, weights, np.diag([1.0, 100.0]))[0]   # precision weighs the 2nd statistic
    assert scaled[0] == 0 and scaled[-1] == 3
    with pytest.raises(ValueError):
        typical_order(pictures, np.zeros(4), np.eye(2))


def test_particles_survive_their_file_and_bad_files_are_named(tmp_path):
    path = write_particles(tmp_path / "posterior.csv", _particles(), {"method": "test", "generations": 2})
    assert path.read_text().startswith("# method = test\n")
    back = read_particles(path)
    pd.testing.assert_frame_equal(back, particles_from(_particles()), atol=1e-6)
    assert back["weight"].sum() == pytest.approx(1.0)
    bad = _particles().assign(weight_trust=[0.1, 1.0, 1.5, 1.9])          # 0.1 lies below the declared 0.3
    (tmp_path / "bad.csv").write_text(bad.to_csv(index=False))
    with pytest.raises(PosteriorError, match=r"bad.csv: weight_trust leaves its declared range 0.3 to 2"):
        read_particles(tmp_path / "bad.csv")
    (tmp_path / "odd.csv").write_text(_particles().rename(columns={"weight_trust": "weight_trsut"}).to_csv(index=False))
    with pytest.raises(PosteriorError, match="'weight_trsut' is not a parameter"):
        read_particles(tmp_path / "odd.csv")
    with pytest.raises(PosteriorError, match="nowhere.csv: not found"):
        read_particles(tmp_path / "nowhere.csv")


def test_draws_follow_the_weights_and_the_seed():
    particles = _particles()
    draws = posterior_draws(particles, 8000, np.random.default_rng(1))
    share = np.mean([d["weight_trust"] == 1.9 for d in draws])
    assert share == pytest.approx(5 / 8, abs=0.02)
    assert set(draws[0]) == {"weight_trust", "trust_initial"}
    assert draws[:50] == posterior_draws(particles, 50, np.random.default_rng(1))[:50]
    with pytest.raises(ValueError, match="positive"):
        posterior_draws(particles, 0, np.random.default_rng(1))


def test_the_predictive_check_gives_90_percent_intervals_of_single_runs():
    observed = observed_statistics()
    values = np.arange(100) / 99.0
    pictures = pd.DataFrame({"draw": np.repeat(np.arange(10), 10), "stages_and_classes.middle": values,
                             "stages_and_classes.coordinated": values * 0.1, "items.joint_logo": values})
    table = predictive_check(pictures).set_index("item")
    assert table.loc["stages_and_classes.middle", "low"] == pytest.approx(0.05)
    assert table.loc["stages_and_classes.middle", "high"] == pytest.approx(0.95)
    assert table.loc["stages_and_classes.middle", "inside"] is True                 # observed 0.5
    assert table.loc["stages_and_classes.coordinated", "inside"] is False           # 0.25 above 0.095
    assert np.isnan(table.loc["items.joint_logo", "observed"]) and table.loc["items.joint_logo", "inside"] is None
    assert list(table.index)[:2] == ["stages_and_classes.coordinated", "stages_and_classes.middle"]
    lines = check_lines(predictive_check(pictures))
    assert any("**no**" in line and "coordinated" in line for line in lines)
    assert observed["stages_and_classes.middle"] == 0.5


def test_predictive_pictures_simulate_draws_times_replications():
    draws = [{"weight_trust": 0.8}, {"weight_trust": 1.6}]
    pictures = predictive_pictures(draws, 2, seed=9, regions=CASE_REGIONS)
    assert list(pictures["draw"]) == [0, 0, 1, 1] and set(STATISTICS) <= set(pictures.columns)
    assert pictures[list(STATISTICS)].notna().all().all()
    again = predictive_pictures(draws, 2, seed=9, regions=CASE_REGIONS, workers=2)
    pd.testing.assert_frame_equal(pictures, again)           # workers never change a result


def test_the_check_script_writes_its_table(tmp_path):
    source = write_particles(tmp_path / "posterior.csv", _particles(), {"method": "test"})
    script = ROOT / "experiments" / "calibration" / "posterior_check.py"
    cmd = [sys.executable, str(script), "--source", str(source), "--draws", "2", "--replications", "1",
           "--workers", "1", "--regions", ",".join(CASE_REGIONS), "--out", str(tmp_path / "out")]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "out" / "posterior_check.md").read_text()
    assert "`stages_and_classes.middle` | 0.500 |" in text and "`items.joint_logo` | – |" in text
    again = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert again.returncode == 2 and "--overwrite" in again.stderr and "Traceback" not in again.stderr
    missing = subprocess.run([*cmd[:3], str(tmp_path / "none.csv"), *cmd[4:-1], str(tmp_path / "o2")],
                             capture_output=True, text=True, timeout=120, check=False)
    assert missing.returncode == 2 and len(missing.stderr.strip().splitlines()) == 1
    assert "none.csv: not found" in missing.stderr
