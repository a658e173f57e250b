"""The calibration scripts check their set-up files before they run anything, and run at a tiny budget."""

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from calibration_scripts import calibration_script

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "experiments" / "calibration" / "calibrate.py"
CONFIG = ROOT / "experiments" / "calibration" / "calibration.toml"
ABC_CONFIG = ROOT / "experiments" / "calibration" / "abc_smc.toml"
CASE_REGIONS = "AM02,AM12,AM22,AM06,AM32"

TINY = """description = "tiny ABC-SMC for trying the machinery"
seed = 1
generations = 1
particles = 4
replications = 1
noise_fraction = 0.25
reference_replications = 30
prior_draws = 6
epsilon_quantile = 0.5
transition = "local"
representative_candidates = 2
representative_replications = 2

[[free]]
name = "weight_trust"

[[free]]
name = "trust_initial"
low = 0.3
high = 0.6
reason = "only to try a narrower prior"
"""
"""The smallest set-up the checks allow: 30 reference replications, 6 prior draws, one replication per particle."""


def run(config: Path, tmp_path: Path, *more: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), "--config", str(config), "--out", str(tmp_path / "out"),
                           *more], capture_output=True, text=True, timeout=120, check=False)


def _script_module():
    return calibration_script("calibrate")


def test_the_committed_set_ups_are_valid():
    calibrate = _script_module()
    config = calibrate.read_config(CONFIG)
    assert config["free"] and 0 < config["bound_margin"] <= 1
    abc = calibrate.read_abc_config(ABC_CONFIG)
    priors = calibrate.abc_priors(abc)
    from chainsim.core.parameters import SPECS
    assert [p.name for p in priors] == [f["name"] for f in config["free"]]
    for p in priors:          # the committed priors are the declared ranges, or say why not
        assert (p.low, p.high) == (SPECS[p.name].low, SPECS[p.name].high) or p.reason


def test_a_bad_set_up_stops_with_one_line_naming_file_and_key(tmp_path):
    text = CONFIG.read_text(encoding="utf-8")
    bad = tmp_path / "calibration.toml"
    bad.write_text(text.replace('name = "weight_trust"', 'name = "weight_trsut"'), encoding="utf-8")
    done = run(bad, tmp_path, "--method", "lhs-pmc")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr
    assert str(bad) in lines[0] and ".name" in lines[0] and "'weight_trust'" in lines[0]
    assert not (tmp_path / "out").exists()


def test_a_range_outside_the_declared_one_is_refused(tmp_path):
    text = CONFIG.read_text(encoding="utf-8")
    bad = tmp_path / "calibration.toml"
    bad.write_text(text.replace("bound_margin = 0.75", "bound_margin = 1.5"), encoding="utf-8")
    done = run(bad, tmp_path, "--method", "lhs-pmc")
    assert done.returncode == 2 and "bound_margin" in done.stderr and "allowed: 0.1 to 1" in done.stderr


@pytest.mark.parametrize("change,key,says", [
    ('reason = "only to try a narrower prior"', "free[1].reason", "needs its reason"),
    ("low = 0.3", "free[1].low", "out of range (allowed: 0.25 to 0.65)"),
    ('replications = 1', "replications", "must be"),
    ("particles = 4", "particles", "must be a whole number 2 to 100000"),
    ('transition = "local"', "transition", "is not a transition (allowed: local, gaussian, wide)"),
])
def test_a_bad_abc_set_up_stops_with_one_line(tmp_path, change, key, says):
    replacement = {"low = 0.3": "low = 0.1", 'replications = 1': 'replications = "many"',
                   "particles = 4": "particles = 1", 'transition = "local"': 'transition = "narrow"'}.get(change, "")
    bad = tmp_path / "abc.toml"
    bad.write_text(TINY.replace(change, replacement), encoding="utf-8")
    done = run(bad, tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    line = done.stderr.strip().splitlines()
    assert len(line) == 1 and str(bad) in line[0] and key in line[0] and says in line[0], done.stderr
    assert not (tmp_path / "out").exists()


def test_abc_smc_calibrates_at_a_tiny_budget_and_resumes(tmp_path):
    from chainsim.posterior import read_particles

    config = tmp_path / "abc.toml"
    config.write_text(TINY, encoding="utf-8")
    first = run(config, tmp_path, "--workers", "1", "--regions", CASE_REGIONS)
    assert first.returncode == 0, first.stderr[-2000:]
    out = tmp_path / "out"
    summary = json.loads((out / "summary.json").read_text())
    assert summary["generations"] == 1 and summary["replications_per_particle"] == 1
    assert summary["cpu_seconds_per_evaluation"] > 0 and summary["estimate"]["hours"] > 0
    assert summary["transition"] == "local" and len(summary["effective_particles"]) == 1
    assert 1.0 <= summary["effective_particles"][0] <= 4.0 + 1e-9
    calibrated = tomllib.loads((out / "calibrated.toml").read_text())
    assert set(summary["posterior"]) == {"weight_trust", "trust_initial"}
    assert set(calibrated["values"]) == {"weight_trust", "trust_initial"}
    assert 0.3 <= calibrated["values"]["trust_initial"] <= 0.6
    particles = read_particles(out / "particles.csv")
    assert len(particles) == 4
    typical = summary["representative"]          # the default is one of the particles: the most typical
    assert typical["candidates"] == 2 and typical["replications"] == 2
    assert calibrated["values"] == pytest.approx(typical["values"], abs=1e-4)
    assert any(all(abs(row[k] - v) < 1e-5 for k, v in typical["values"].items()) for _, row in particles.iterrows())
    assert calibrated["provenance"]["summary"].startswith("the representative particle")
    assert calibrated["provenance"]["default_distance"] == pytest.approx(typical["distance"], abs=1e-4)
    more = run(config, tmp_path, "--workers", "1", "--regions", CASE_REGIONS, "--resume", "--generations", "2")
    assert more.returncode == 0, more.stderr[-2000:]
    assert json.loads((out / "summary.json").read_text())["generations"] == 2
    assert "measuring the distance" not in more.stderr          # the setup beside the history is reused


def test_abc_smc_refuses_to_write_over_an_earlier_calibration(tmp_path):
    config = tmp_path / "abc.toml"
    config.write_text(TINY, encoding="utf-8")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "abc.db").write_text("")
    done = run(config, tmp_path, "--regions", CASE_REGIONS)
    assert done.returncode == 2 and "--resume" in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_abc_smc_refuses_regions_without_the_case_regions(tmp_path):
    config = tmp_path / "abc.toml"
    config.write_text(TINY, encoding="utf-8")
    done = run(config, tmp_path, "--regions", "AM02,AM12")
    assert done.returncode == 2 and "AM22" in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr


def test_the_morris_screen_ranks_the_free_parameters_and_says_which_it_keeps(tmp_path):
    config = tmp_path / "abc.toml"
    config.write_text(TINY, encoding="utf-8")
    done = subprocess.run([sys.executable, str(SCRIPT.parent / "screen.py"), "--config", str(config),
                           "--out", str(tmp_path / "screen"), "--trajectories", "2", "--replications", "1",
                           "--reference", "30", "--regions", CASE_REGIONS], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    import pandas as pd

    table = pd.read_csv(tmp_path / "screen" / "screen.csv")
    record = json.loads((tmp_path / "screen" / "screen.json").read_text())
    assert sorted(table["parameter"]) == ["trust_initial", "weight_trust"]
    assert list(table["mu_star"]) == sorted(table["mu_star"], reverse=True) and (table["mu_star"] >= 0).all()
    top, noise = table["mu_star"].max(), record["noise_sd_at_centre"]
    expected = table.loc[(table["mu_star"] >= 0.1 * top) & (table["mu_star"] > noise), "parameter"].tolist()
    assert record["retained"] == expected
    assert sorted(record["retained"] + record["screened_out"]) == ["trust_initial", "weight_trust"]
    bad = subprocess.run([sys.executable, str(SCRIPT.parent / "screen.py"), "--config", str(config),
                          "--trajectories", "1"], capture_output=True, text=True, timeout=60, check=False)
    assert bad.returncode == 2 and bad.stderr.strip().splitlines() == [
        "screen.py: --trajectories: must be a whole number of at least 2"]


def test_the_joint_set_up_starts_from_the_werkplein_era_and_refuses_an_unknown_one(tmp_path):
    calibrate = _script_module()
    joint = ABC_CONFIG.with_name("abc_smc_joint.toml")
    config = calibrate.read_abc_config(joint)
    assert config["start_from"] == "werkpleinen_2005"
    assert calibrate.read_abc_config(ABC_CONFIG)["start_from"] is None
    assert {p.name for p in calibrate.abc_priors(config)} > {p.name for p in calibrate.abc_priors(
        calibrate.read_abc_config(ABC_CONFIG))}
    bad = tmp_path / "joint.toml"
    bad.write_text(joint.read_text(encoding="utf-8").replace('start_from = "werkpleinen_2005"',
                                                             'start_from = "werkpleinen_1999"'), encoding="utf-8")
    done = run(bad, tmp_path)
    assert done.returncode == 2 and done.stderr.strip().count("\n") == 0
    assert "start_from" in done.stderr and "werkpleinen_2005" in done.stderr


def test_the_werkplein_set_up_calibrates_the_era_alone_and_refuses_a_history_or_the_region_defaults(tmp_path):
    calibrate = _script_module()
    era = ABC_CONFIG.with_name("abc_smc_werkplein.toml")
    config = calibrate.read_abc_config(era)
    assert config["era"] == "werkpleinen_2005" and config["start_from"] is None
    assert calibrate.read_abc_config(ABC_CONFIG)["era"] == "regions_2012"
    names = {p.name for p in calibrate.abc_priors(config)}
    assert {"handover_loss", "co_location_trust"} <= names
    assert not names & {"closure_lapse_share", "employer_threshold", "outside_pull", "legacy_common"}   # ODD §8.6
    both = tmp_path / "both.toml"
    text = era.read_text(encoding="utf-8")
    both.write_text(text.replace('era = "werkpleinen_2005"', 'era = "werkpleinen_2005"\nstart_from = "werkpleinen_2005"'),
                    encoding="utf-8")
    done = run(both, tmp_path)
    assert done.returncode == 2 and done.stderr.strip().count("\n") == 0 and "start_from" in done.stderr
    done = run(era, tmp_path / "out", "--write-defaults")
    assert done.returncode == 2 and done.stderr.strip().count("\n") == 0 and "--write-defaults" in done.stderr
    for bad_regions in ("XX", "AM02,"):
        done = run(era, tmp_path / "out", "--regions", bad_regions)
        assert done.returncode == 2 and done.stderr.strip().count("\n") == 0 and "--regions" in done.stderr
    nothing = tmp_path / "nothing.toml"
    nothing.write_text(text + '\n[left_out]\nsurvey_2007 = "to see"\n', encoding="utf-8")
    done = run(nothing, tmp_path)
    assert done.returncode == 2 and done.stderr.strip().count("\n") == 0 and "nothing would be fitted" in done.stderr
