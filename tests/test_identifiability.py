"""identifiability.py reads a weighted posterior against its priors: constrained, weakly constrained or not."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from calibration_scripts import calibration_script
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm
from test_calibration_script import TINY

from chainsim.abc_smc import Prior

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "experiments" / "calibration" / "identifiability.py"

# TINY: an ABC-SMC set-up (read by calibrate.read_abc_config) whose priors are weight_trust 0.3-2 and
# trust_initial 0.3-0.6 (narrower, with a reason).


def _script_module():
    return calibration_script("identifiability")


ident = _script_module()


def _row(table: pd.DataFrame, name: str) -> pd.Series:
    return table.set_index("parameter").loc[name]


def test_a_concentrated_parameter_is_constrained_and_a_uniform_one_is_not():
    n = 4000
    grid = (np.arange(n) + 0.5) / n
    mu, sd = 0.5, 0.05
    particles = pd.DataFrame({
        "tight": mu + sd * norm.ppf(grid),                                     # N(0.5, 0.05) on a prior 0..1
        "flat": 0.3 + 1.7 * np.random.default_rng(1).permutation(grid),        # evenly over its prior 0.3..2
        "weight": np.ones(n)})
    table = ident.identifiability_table(particles, [Prior("tight", 0.0, 1.0), Prior("flat", 0.3, 2.0)])
    tight, flat = _row(table, "tight"), _row(table, "flat")
    assert list(table["parameter"]) == ["tight", "flat"]          # sorted by width ratio
    assert tight["verdict"] == "constrained" and flat["verdict"] == "not constrained"
    assert tight["width_ratio"] == pytest.approx(2 * 1.959964 * sd / 0.95, abs=0.002)   # 0.2063
    assert tight["contraction"] == pytest.approx(1 - 12 * sd ** 2, abs=0.002)          # 0.97
    assert tight["median"] == pytest.approx(mu, abs=1e-3)
    assert tight["low95"] == pytest.approx(mu - 1.959964 * sd, abs=1e-3)
    assert flat["width_ratio"] == pytest.approx(1.0, abs=1e-9)
    assert flat["contraction"] == pytest.approx(1.0 / n ** 2, abs=1e-9)   # the grid's variance: (1 - 1/n^2) x prior's
    assert flat["median"] == pytest.approx(0.3 + 1.7 / 2, abs=1e-9)
    assert (tight["prior_low"], tight["prior_high"]) == (0.0, 1.0)


def test_the_weights_not_the_draws_can_carry_the_constraint():
    rng = np.random.default_rng(7)
    n, mu, sd = 20_000, 0.4, 0.05
    x = rng.uniform(0.0, 1.0, n)                                 # drawn from the prior ...
    particles = pd.DataFrame({"a": x, "weight": norm.pdf(x, mu, sd)})   # ... weighted to N(0.4, 0.05)
    row = _row(ident.identifiability_table(particles, [Prior("a", 0.0, 1.0)]), "a")
    assert row["verdict"] == "constrained"
    assert row["width_ratio"] == pytest.approx(2 * 1.959964 * sd / 0.95, rel=0.05)
    assert row["contraction"] == pytest.approx(1 - 12 * sd ** 2, abs=0.01)
    assert row["partner"] is None and (row["correlation"] is None or np.isnan(row["correlation"]))
    # Kish: ESS / n -> (int w)^2 / int w^2 = 2 sd sqrt(pi) for a normal density over a uniform prior
    assert ident.effective_sample_size(particles["weight"]) == pytest.approx(n * 2 * sd * np.sqrt(np.pi), rel=0.05)
    assert ident.effective_sample_size(np.ones(10)) == pytest.approx(10)
    assert ident.effective_sample_size([0.0, 3.0, 0.0]) == pytest.approx(1)


def test_verdict_thresholds_are_the_named_constants():
    assert ident.verdict(ident.CONSTRAINED_BELOW - 1e-9) == "constrained"
    assert ident.verdict(ident.CONSTRAINED_BELOW) == "weakly constrained"
    assert ident.verdict(ident.NOT_CONSTRAINED_FROM - 1e-9) == "weakly constrained"
    assert ident.verdict(ident.NOT_CONSTRAINED_FROM) == "not constrained"
    source = SCRIPT.read_text(encoding="utf-8")       # the constants' docstrings say what they are
    for name in ("CONSTRAINED_BELOW", "NOT_CONSTRAINED_FROM"):
        docstring = source.split(f"\n{name} = ", 1)[1].split('"""')[1]
        assert "reading convention" in docstring and "not a statistical test" in docstring


def test_a_weighted_correlation_names_the_strongest_partner():
    rng = np.random.default_rng(3)
    n, noise = 3000, 0.1
    x = rng.uniform(0, 1, n)
    particles = pd.DataFrame({"x": x, "y": np.clip(x + rng.normal(0, noise, n), -1, 2),
                              "z": rng.uniform(0, 1, n), "weight": rng.uniform(0.5, 1.5, n)})
    priors = [Prior("x", 0, 1), Prior("y", -1, 2), Prior("z", 0, 1)]
    table = ident.identifiability_table(particles, priors).set_index("parameter")
    expected = np.sqrt(1 / 12) / np.sqrt(1 / 12 + noise ** 2)     # 0.945
    assert table.at["x", "partner"] == "y" and table.at["y", "partner"] == "x"
    assert table.at["x", "correlation"] == pytest.approx(expected, abs=0.02)
    assert abs(table.at["z", "correlation"]) < 0.1
    pairs = ident.strong_pairs(particles)
    assert [(p["a"], p["b"]) for p in pairs] == [("x", "y")]
    # the weights count: keeping only the particles where y runs against x turns the sign
    against = particles.assign(y=1 - particles["x"], weight=np.where(particles["x"] > 0.5, 1.0, 0.0) + 1e-12)
    assert ident.weighted_correlations(against).at["x", "y"] == pytest.approx(-1.0, abs=1e-6)


def test_a_particle_listed_twice_counts_as_one_with_twice_the_weight():
    rng = np.random.default_rng(11)
    n = 40
    particles = pd.DataFrame({"a": rng.uniform(0, 1, n), "b": rng.uniform(0, 2, n), "c": rng.normal(0.5, 0.1, n),
                              "weight": rng.uniform(0.1, 1.0, n)})
    priors = [Prior("a", 0, 1), Prior("b", 0, 2), Prior("c", -1, 2)]
    doubled = particles.copy()
    doubled.loc[[5, 17], "weight"] *= 2
    duplicated = pd.concat([particles, particles.loc[[5, 17]]], ignore_index=True)
    one = ident.identifiability_table(doubled, priors)
    other = ident.identifiability_table(duplicated, priors)
    pd.testing.assert_frame_equal(one, other, check_exact=False, rtol=1e-12, atol=1e-12)
    # and the weight is not ignored: the same particles with equal weights give another table
    equal = ident.identifiability_table(particles.assign(weight=1.0), priors)
    assert not np.allclose(equal.set_index("parameter").loc[["a", "b", "c"], "median"],
                           one.set_index("parameter").loc[["a", "b", "c"], "median"])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1), st.floats(1e-6, 1e3)), min_size=1, max_size=30))
def test_width_ratio_is_never_negative_and_contraction_never_above_one(rows):
    particles = pd.DataFrame(rows, columns=["a", "b", "weight"])
    table = ident.identifiability_table(particles, [Prior("a", 0, 1), Prior("b", 0, 1)])
    assert (table["width_ratio"] >= 0).all()
    assert (table["contraction"] <= 1).all()
    assert set(table["verdict"]) <= {"constrained", "weakly constrained", "not constrained"}


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=120,
                          check=False)


@pytest.fixture()
def tiny(tmp_path):
    from chainsim.posterior import write_particles

    rng = np.random.default_rng(5)
    n = 60
    wt = rng.uniform(0.3, 2.0, n)
    particles = pd.DataFrame({"weight_trust": wt, "trust_initial": np.clip(0.45 + 0.01 * rng.normal(size=n), 0.3, 0.6),
                              "weight": rng.uniform(0.2, 1.0, n)})
    config = tmp_path / "abc_smc.toml"
    config.write_text(TINY, encoding="utf-8")
    return write_particles(tmp_path / "particles.csv", particles, {"method": "test"}), config


def test_the_script_writes_the_table_the_json_and_the_figure_and_refuses_to_overwrite(tiny, tmp_path):
    csv, config = tiny
    out = tmp_path / "out"
    done = _run("--particles", str(csv), "--config", str(config), "--out", str(out))
    assert done.returncode == 0, done.stderr
    for name in ("identifiability.md", "identifiability.json", "posterior_pairs.png"):
        assert (out / name).is_file() and (out / name).stat().st_size > 0
    record = json.loads((out / "identifiability.json").read_text(encoding="utf-8"))
    assert record["particles"] == 60 and 1 <= record["ess"] <= 60 and record["source"] == str(csv)
    verdicts = {r["parameter"]: r["verdict"] for r in record["parameters"]}
    assert verdicts == {"trust_initial": "constrained", "weight_trust": "not constrained"}
    text = (out / "identifiability.md").read_text(encoding="utf-8")
    assert f"`{csv}`; 60 particles; effective sample size" in text and "| `trust_initial` | 0.3 – 0.6 |" in text
    assert (out / "posterior_pairs.png").read_bytes()[:4] == b"\x89PNG"

    again = _run("--particles", str(csv), "--config", str(config), "--out", str(out))
    assert again.returncode == 2 and "Traceback" not in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1 and "--overwrite" in again.stderr


def test_a_missing_file_stops_with_one_line(tmp_path):
    gone = tmp_path / "nowhere.csv"
    done = _run("--particles", str(gone), "--out", str(tmp_path / "out"))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "--particles" in done.stderr and str(gone) in done.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("case, says", [
    ("unknown column", "'weight_trust' is not a free parameter"),
    ("not a parameter", "column 'foo' is not a parameter"),
    ("no weight", "no column 'weight'"),
    ("empty", "needs at least one particle"),
    ("bad option", "--nonsense"),
    ("missing config", "file not found"),
])
def test_bad_inputs_stop_with_one_line_naming_the_option(case, says, tiny, tmp_path, capsys):
    csv, config = tiny
    args = ["--particles", str(csv), "--config", str(config), "--out", str(tmp_path / "out")]
    if case == "unknown column":
        config.write_text(TINY.replace('name = "weight_trust"', 'name = "weight_belief"'), encoding="utf-8")
    elif case == "not a parameter":
        csv.write_text("foo,weight\n1.0,1.0\n", encoding="utf-8")
    elif case == "no weight":
        csv.write_text("weight_trust,trust_initial\n1.0,0.4\n", encoding="utf-8")
    elif case == "empty":
        csv.write_text("weight_trust,trust_initial,weight\n", encoding="utf-8")
    elif case == "bad option":
        args.append("--nonsense")
    else:
        args[3] = str(tmp_path / "no.toml")
    with pytest.raises(SystemExit) as stop:
        ident.main(args)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and says in err
    assert err.startswith("identifiability.py: ") and ("--" in err)
    assert not (tmp_path / "out").exists()
