"""Sweeps whose stored runs cannot show an effect: a one-line refusal or a note, never a traceback or a guess.

Each case is a state a sweep folder really reaches: a sampled design with its
runs at too few design points (``samples = 1``, or killed after its first
chunk), a grid with a one-level or duplicated-level factor, a grid killed
before a level finished, a folder with a manifest but no chunks.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from chainsim.analysis import AnalysisError, Outcomes, analyse, grid_gaps, grid_records, regression_records
from chainsim.cli import main
from chainsim.experiment import load_experiment
from chainsim.sweep import CHUNKS, SweepError, run_outcomes, run_sweep

BASE = """description = "two regions, one year"
sources = ["test"]
regions = ["Friesland", "Groningen"]
[calendar]
end = "2012-12"
observed_at = "2012-06"
"""

HEAD = """description = "a tiny sweep"
base = "base.toml"
seed = 3
replications = 2
keep = "{keep}"
[design]
kind = "{kind}"
"""

TWO_RANGES = """[[factors]]
name = "weight_pressure"
low = 0.8
high = 1.6
[[factors]]
name = "weight_trust"
low = 0.6
high = 1.6
"""


def _levels(name: str, levels: str) -> str:
    return f'[[factors]]\nname = "{name}"\nlevels = {levels}\n'


@pytest.fixture
def sweep(tmp_path):
    """sweep(kind, body, chunks=None, keep="national") -> a sweep folder; ``chunks`` keeps the first n (a kill)."""
    (tmp_path / "base.toml").write_text(BASE)

    def make(kind: str, body: str, chunks: int | None = None, keep: str = "national", name: str = "s") -> Path:
        path = tmp_path / f"{name}.toml"
        path.write_text(HEAD.format(keep=keep, kind=kind) + body)
        out = tmp_path / name
        run_sweep(load_experiment(path), out, workers=1, quiet=True)
        if chunks is not None:
            for chunk in sorted((out / CHUNKS).glob("*.parquet"))[chunks:]:
                chunk.unlink()
        return out
    return make


def _cli(capsys, out: Path) -> tuple[int, str, str]:
    code = main(["analyse", str(out)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _refused(capsys, out: Path, *words: str) -> str:
    """The CLI exits 2 with one line naming ``words``, and writes nothing."""
    code, stdout, stderr = _cli(capsys, out)
    assert code == 2 and stdout == ""
    assert len(stderr.strip().splitlines()) == 1 and "Traceback" not in stderr
    for word in words:
        assert word in stderr
    assert not (out / "analysis").exists()
    return stderr


# --- sampled designs: a fit the finished runs do not identify ----------------------------------
def test_lhs_with_one_sample_is_refused(sweep, capsys):
    out = sweep("lhs", f"samples = 1\n{TWO_RANGES}")
    with pytest.raises(AnalysisError, match="weight_pressure, weight_trust: the finished runs sit at 1 distinct"):
        analyse(out)
    _refused(capsys, out, "weight_pressure", "fewer than the 3", "--resume", "design.samples")


@pytest.mark.parametrize("kind, samples", [("lhs", 8), ("sobol", 2), ("morris", 2)])
def test_a_sampled_sweep_killed_after_its_first_chunk_is_refused_then_resumed(sweep, capsys, tmp_path, kind,
                                                                             samples):
    out = sweep(kind, f"samples = {samples}\n{TWO_RANGES}", chunks=1)
    assert pd.read_parquet(out / CHUNKS)["point"].nunique() < 3             # fewer points than factors + 1
    _refused(capsys, out, "cannot estimate the effect of weight_", "fewer than the 3", "--resume")
    run_sweep(load_experiment(tmp_path / "s.toml"), out, workers=1, resume=True, quiet=True)
    effects = analyse(out)["effects"]
    assert set(effects["factor"]) == {"weight_pressure", "weight_trust"}


def _sampled(x: np.ndarray) -> Outcomes:
    """Runs at the rows of x (values on 0..1), two replications each, with outcomes that vary."""
    rows = [{"run_id": 2 * p + r, "point": p, "replication": r, **{f"f{j}": v for j, v in enumerate(point)}}
            for p, point in enumerate(x) for r in range(2)]
    y = np.random.default_rng(1).uniform(size=(len(rows), 1))
    return Outcomes(pd.DataFrame(rows), ["2013-06"], {"observed_at": 0}, y)


def test_a_factor_that_does_not_vary_among_the_finished_runs_is_named():
    x = np.array([[0.1, 0.2, 0.5], [0.9, 0.4, 0.5], [0.3, 0.8, 0.5], [0.6, 0.1, 0.5], [0.2, 0.6, 0.5]])
    with pytest.raises(AnalysisError, match=r"effect of f2: f2 does not vary among the finished runs"):
        regression_records(_sampled(x), ["f0", "f1", "f2"], [[0.0, 1.0]] * 3)


def test_collinear_factors_are_named_and_identified_ones_pass():
    x = np.array([[0.1, 0.1, 0.5], [0.9, 0.9, 0.4], [0.3, 0.3, 0.8], [0.6, 0.6, 0.1], [0.2, 0.2, 0.6]])
    with pytest.raises(AnalysisError, match=r"effect of f0, f1: among the finished runs they are confounded"):
        regression_records(_sampled(x), ["f0", "f1", "f2"], [[0.0, 1.0]] * 3)
    x[:, 1] = [0.7, 0.2, 0.9, 0.4, 0.1]
    records = regression_records(_sampled(x), ["f0", "f1", "f2"], [[0.0, 1.0]] * 3)
    assert all(np.isfinite(r["monthly"][0].mean) and r["monthly"][0].se is not None for r in records)


# --- grids ------------------------------------------------------------------------------------
def test_a_one_level_factor_is_named_and_the_others_reported(sweep, capsys):
    out = sweep("grid", _levels("weight_pressure", "[1.0]") + _levels("weight_trust", "[0.6, 1.6]"))
    result = analyse(out)
    assert set(result["effects"]["factor"]) == {"weight_trust"}
    assert "weight_pressure has one level (1.0): it has no effect to report" in result["notes"]
    code, stdout, _ = _cli(capsys, out)
    assert code == 0 and "Note: weight_pressure has one level (1.0)" in stdout and "1.6 vs 0.6" in stdout


def test_a_grid_of_one_level_only_is_refused(sweep, capsys):
    out = sweep("grid", _levels("weight_pressure", "[1.0]"))
    _refused(capsys, out, "nothing to show: weight_pressure has one level (1.0)")


def test_a_duplicated_level_is_pooled_and_named():
    reps, shift = 4, np.array([0.05, -0.02, 0.03, 0.01])
    points = [[1.0], [1.0], [1.5]]
    runs = pd.DataFrame([{"run_id": p * reps + r, "point": p, "replication": r, "a": points[p][0]}
                         for p in range(3) for r in range(reps)])
    national = np.array([[0.3 + (shift[r] if points[p][0] == 1.5 else 0.01 * p)] for p in range(3)
                         for r in range(reps)])
    o = Outcomes(runs, ["2013-06"], {"observed_at": 0}, national)
    manifest = {"factors": ["a"], "points": points, "replications": reps}
    (record,) = grid_records(manifest, o)
    assert record["contrast"] == "1.5 vs 1.0" and record["pairs"] == 2 * reps
    assert record["monthly"][0].mean == pytest.approx(shift.mean() - 0.005)     # against both copies' mean
    assert grid_gaps(manifest, o) == ["a lists level 1.0 more than once: the runs of the copies are pooled"]


def test_a_duplicated_level_in_a_real_sweep(sweep, capsys):
    out = sweep("grid", _levels("weight_pressure", "[1.0, 1.0, 1.5]"), keep="regions")
    code, stdout, _ = _cli(capsys, out)
    assert code == 0 and "1.5 vs 1.0" in stdout and "more than once" in stdout


@pytest.mark.parametrize("keep", ["national", "regions", "patterns"])
def test_a_grid_killed_before_its_second_level_names_the_missing_level(sweep, capsys, keep):
    out = sweep("grid", _levels("weight_pressure", "[1.0, 1.5]"), chunks=2, keep=keep)   # one run per chunk
    assert set(pd.read_parquet(out / CHUNKS)["point"]) == {0}
    _refused(capsys, out, "weight_pressure 1.5 vs 1.0", "no finished runs at weight_pressure = 1.5", "--resume")


def test_a_grid_killed_mid_way_reports_what_finished_and_names_the_rest(sweep, capsys):
    out = sweep("grid", _levels("weight_trust", "[0.6, 1.6]") + _levels("weight_pressure", "[1.0, 1.5]"),
                chunks=2)                              # two runs per chunk: points 0 and 1, weight_trust 0.6 only
    result = analyse(out)
    assert set(result["effects"]["factor"]) == {"weight_pressure"}
    gap = next(note for note in result["notes"] if "weight_trust 1.6 vs 0.6" in note)
    assert "= 1.6" in gap
    experiment = json.loads((out / "manifest.json").read_text())["experiment_file"]
    assert f"chainsim sweep {experiment} --out {out} --resume" in gap          # the real paths, to copy
    assert any("averaged over them (a main effect)" in note for note in result["notes"])
    code, stdout, _ = _cli(capsys, out)
    assert code == 0 and "(4 of 8 runs, 2 replications)" in stdout     # what finished, of what was planned


def test_a_folder_with_a_manifest_but_no_chunks(sweep, capsys):
    out = sweep("grid", _levels("weight_pressure", "[1.0, 1.5]"), chunks=0)
    _refused(capsys, out, "no runs stored yet")
    with pytest.raises(SweepError, match="no runs stored yet"):           # the Python route says the same
        run_outcomes(out)
    for chunk in (out / CHUNKS).iterdir():
        chunk.unlink()
    (out / CHUNKS).rmdir()
    _refused(capsys, out, "no runs stored yet")


def test_a_folder_without_a_manifest(tmp_path, capsys):
    _refused(capsys, tmp_path, "no sweep here")
