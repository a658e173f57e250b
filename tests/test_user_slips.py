"""Slips a new user makes with sweeps and analyses: each gets one line naming what is allowed, and nothing they
wrote is overwritten or mixed (found by a review from a fresh clone, 2026-12-03)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_analysis_refusals import BASE  # two regions, one year

from chainsim import load_results
from chainsim.cli import main
from chainsim.experiment import ExperimentError, load_experiment
from chainsim.scenario import ScenarioError, load_scenario
from chainsim.sweep import SweepError, run_sweep

ROOT = Path(__file__).resolve().parents[1]
EXPERIMENT = """description = "a tiny sweep"
base = "{base}"
seed = 3
replications = 2
keep = "national"
[design]
kind = "grid"
[[factors]]
name = "weight_pressure"
levels = [0.8, {level}]
"""


def _experiment(folder: Path, name: str = "tiny", base: str = "base.toml", level: float = 1.6) -> Path:
    (folder / "base.toml").write_text(BASE)
    path = folder / f"{name}.toml"
    path.write_text(EXPERIMENT.format(base=base, level=level))
    return path


@pytest.mark.parametrize("base", ["chainsim:netherlands_2012", "netherlands_2012"])
def test_an_experiment_names_a_shipped_base_scenario_as_a_scenario_file_does(tmp_path, base):
    experiment = load_experiment(_experiment(tmp_path, base=base))
    assert experiment.base.name == "netherlands_2012"


def test_an_unknown_base_says_what_is_allowed(tmp_path):
    with pytest.raises(ExperimentError) as err:
        load_experiment(_experiment(tmp_path, base="chainsim:no_such_scenario"))
    (line,) = err.value.problems
    assert "tiny.toml:2: base: base scenario 'chainsim:no_such_scenario' not found" in line
    assert "allowed: a path relative to this file, or chainsim:NAME" in line and "netherlands_2012" in line


def test_sweeping_a_scenario_file_says_it_is_one(capsys):
    code = main(["sweep", str(ROOT / "experiments" / "question_deadline_targets_large_regions.toml"), "--out",
                 "/nonexistent/never_written", "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "this is a scenario file" in err and "chainsim compare" in err and "unknown key" not in err


def test_resuming_into_another_experiments_folder_names_both(tmp_path):
    long = _experiment(tmp_path, "long")
    out = tmp_path / "results"
    run_sweep(load_experiment(long), out, quiet=True)
    other = _experiment(tmp_path, "other", level=1.2)
    with pytest.raises(SweepError, match=r"it holds a sweep of .*long\.toml, not of .*other\.toml"):
        run_sweep(load_experiment(other), out, resume=True, quiet=True)


def test_resume_into_a_folder_without_a_sweep_says_it_starts_a_new_one(tmp_path, capsys):
    out = tmp_path / "typo"
    run_sweep(load_experiment(_experiment(tmp_path)), out, resume=True)
    assert f"note: {out} holds no sweep to resume; starting a new one" in capsys.readouterr().err


def test_analyse_never_writes_into_a_folder_of_other_files(tmp_path, capsys):
    out = tmp_path / "sweep"
    run_sweep(load_experiment(_experiment(tmp_path)), out, quiet=True)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "analysis.json").write_text("my own analysis")
    (mine / "notes.txt").write_text("mine")
    for target in (mine, out):          # a folder of the user's, and the sweep folder itself
        code = main(["analyse", str(out), "--out", str(target)])
        err = capsys.readouterr().err
        assert code == 2 and len(err.strip().splitlines()) == 1 and "holds other files" in err
    assert (mine / "analysis.json").read_text() == "my own analysis"
    assert main(["analyse", str(out)]) == 0                     # the default folder, then again over itself
    assert main(["analyse", str(out)]) == 0
    assert sorted(p.name for p in (out / "analysis").iterdir()) == ["analysis.json", "effects.png",
                                                                     "effects_by_month.parquet"]


def test_load_results_on_a_run_folder_or_nothing_says_what_it_is(tmp_path):
    run = tmp_path / "run"
    assert main(["run", "--regions", "Friesland", "--replications", "1", "--out", str(run), "--quiet"]) == 0
    with pytest.raises(SweepError, match=r"holds a chainsim run, not a sweep .*pandas.read_parquet\('.*region_months"):
        load_results(run)
    with pytest.raises(SweepError, match="no such folder"):
        load_results(tmp_path / "missing")


def test_a_misspelt_extends_suggests_the_shipped_scenario(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('extends = "netherlands_2013.toml"\ndescription = "x"\nsources = ["y"]\n')
    with pytest.raises(ScenarioError, match="did you mean 'netherlands_2012'"):
        load_scenario(path)


def test_a_werkplein_run_folder_is_named_with_the_file_it_holds(tmp_path):
    import pytest

    from chainsim import load_results
    from chainsim.plotting import stage_share_data
    from chainsim.sweep import SweepError

    (tmp_path / "summary.json").write_text("{}")
    (tmp_path / "location_shares.csv").write_text("stage,share\n")
    with pytest.raises(SweepError, match="location_shares.csv"):
        load_results(tmp_path)
    with pytest.raises(FileNotFoundError, match="werkplein-era run has location_shares.csv"):
        stage_share_data(tmp_path)
