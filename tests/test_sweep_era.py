"""Sweeps and their analysis for the werkplein era 2005-2011: the same commands, the era's levers and columns."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from chainsim import load_results
from chainsim.core.calendar import Month
from chainsim.core.eras import LOCATIONS, REGIONS
from chainsim.core.levers import LEVERS
from chainsim.core.location_measurement import LOCATION_INDICATORS
from chainsim.experiment import ExperimentError, load_experiment
from chainsim.sweep import CHUNKS, completed_runs, read_manifest, run_outcomes, run_sweep, sweep_columns

ROOT = Path(__file__).resolve().parents[1]
ERA_LEVERS = [k for k, spec in LEVERS.items() if LOCATIONS.name in spec.eras]
REGION_ONLY = next(k for k, spec in LEVERS.items() if LOCATIONS.name not in spec.eras)

SHORT = f"""extends = "{(ROOT / 'scenarios' / 'werkpleinen_2005.toml').as_posix()}"
description = "two regions' werkplein locations, 2005 to 2007"
sources = ["test"]
regions = ["Friesland", "Groningen"]
[calendar]
end = "2007-12"
"""


def chainsim(*args):
    exe = Path(sys.executable).with_name("chainsim")
    args = [str(a) for a in args]
    cmd = [str(exe), *args] if exe.exists() else [sys.executable, "-m", "chainsim.cli", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, env={**os.environ, "MPLBACKEND": "Agg"})


def experiment_file(tmp_path: Path, factors: str, keep: str = "regions", base: str | None = None,
                    name: str = "era") -> Path:
    if base is None:
        scenario = tmp_path / "short_era.toml"
        scenario.write_text(SHORT)
        base = scenario.as_posix()
    path = tmp_path / f"{name}.toml"
    path.write_text(f'description = "tiny era sweep"\nbase = "{base}"\nseed = 5\nreplications = 2\n'
                    f'keep = "{keep}"\n[design]\nkind = "grid"\n{factors}')
    return path


LEVER_FACTOR = '[[factors]]\nname = "lever"\nlevels = ["none", "co_location"]\nregions = ["Friesland"]\n'


# --- the experiment file ------------------------------------------------------------------
def test_the_shipped_era_experiment_loads_with_the_era_s_levers():
    experiment = load_experiment(ROOT / "experiments" / "werkplein_levers.toml")
    assert experiment.era == LOCATIONS.name and experiment.keep == "national" and experiment.replications == 20
    assert experiment.common_random_numbers
    (factor,) = experiment.factors
    assert list(factor.levels) == ["none", *ERA_LEVERS]
    assert factor.start == Month(2005, 1)                 # the era's first month, not 2013-01
    for point in range(len(experiment.points)):
        config = experiment.config(point)
        assert config.era == LOCATIONS.name and config.calendar == LOCATIONS.calendar
        assert all(lever.kind in ERA_LEVERS for lever in config.levers)


def test_a_strength_factor_of_an_era_lever_starts_in_the_era(tmp_path):
    path = experiment_file(tmp_path, '[[factors]]\nname = "lever.support_structure"\nlevels = [0.0, 1.0]\n')
    experiment = load_experiment(path)
    assert experiment.factors[0].start == Month(2005, 1)
    assert [lever.kind for lever in experiment.config(1).levers] == ["support_structure"]


@pytest.mark.parametrize("factor, key", [
    (f'[[factors]]\nname = "lever.{REGION_ONLY}"\nlevels = [0.0, 1.0]\n', "factors[0].name"),
    (f'[[factors]]\nname = "lever"\nlevels = ["none", "{REGION_ONLY}"]\n', "factors[0].levels"),
    ('[[factors]]\nname = "lever"\nlevels = ["none", "co_location"]\nregions = { rule = "n_municipalities > 15" }\n',
     "factors[0].regions"),
])
def test_what_the_era_does_not_have_is_refused_in_one_line(tmp_path, factor, key):
    path = experiment_file(tmp_path, factor)
    with pytest.raises(ExperimentError) as err:
        load_experiment(path)
    (problem,) = err.value.problems
    assert problem.startswith(f"{path}:") and f": {key}: " in problem and "\n" not in problem
    assert LOCATIONS.name in problem and "allowed" in problem


def test_a_lever_of_the_werkplein_era_only_is_refused_for_a_region_base(tmp_path):
    only = next(k for k in ERA_LEVERS if REGIONS.name not in LEVERS[k].eras)
    base = (ROOT / "scenarios" / "netherlands_2012.toml").as_posix()
    path = experiment_file(tmp_path, f'[[factors]]\nname = "lever"\nlevels = ["none", "{only}"]\n', base=base)
    with pytest.raises(ExperimentError) as err:
        load_experiment(path)
    (problem,) = err.value.problems
    assert ": factors[0].levels: " in problem and f"not built for the era {REGIONS.name}" in problem


def test_a_base_that_starts_from_a_simulated_era_is_refused_in_one_line(tmp_path):
    base = (ROOT / "scenarios" / "netherlands_2005_2016.toml").as_posix()
    path = experiment_file(tmp_path, '[[factors]]\nname = "weight_trust"\nlevels = [1.0]\n', base=base)
    done = chainsim("sweep", path, "--out", tmp_path / "never")
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert f"{path}:" in done.stderr and ": base: " in done.stderr and "cannot be swept yet" in done.stderr
    assert not (tmp_path / "never").exists()


# --- the sweep ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    """A tiny sweep of the era through the command line (2 levels x 2 replications), and its analysis."""
    tmp = tmp_path_factory.mktemp("era_sweep")
    path = experiment_file(tmp, LEVER_FACTOR)
    out = tmp / "sweep"
    done = chainsim("sweep", path, "--out", out, "--workers", "1", "--quiet")
    assert done.returncode == 0, done.stderr
    analysed = chainsim("analyse", out)
    assert analysed.returncode == 0, analysed.stderr
    return path, out, analysed.stdout


def test_an_era_sweep_writes_the_era_s_columns(swept):
    path, out, _ = swept
    chunks = sorted((out / CHUNKS).glob("*.parquet"))
    raw = pd.concat([pd.read_parquet(p) for p in chunks], ignore_index=True)      # no chainsim needed
    assert list(raw.columns) == [c[0] for c in sweep_columns("regions", ["lever"], era=LOCATIONS.name)]
    codes = [loc.code for loc in LOCATIONS.select(["Friesland", "Groningen"])]
    assert set(raw["location_code"]) == set(codes) and raw["run_id"].nunique() == 4
    assert all(name.startswith("Werkplein ") for name in raw["location_name"].cat.categories)
    assert raw["stage"].dtype == pd.CategoricalDtype(list(LOCATIONS.stages), ordered=True)
    assert raw["month"].min() == pd.Timestamp("2005-01-01") and raw["month"].max() == pd.Timestamp("2007-12-01")
    assert len(raw) == 4 * 36 * len(codes)
    manifest = read_manifest(out)
    assert manifest["era"] == LOCATIONS.name and manifest["regions"] == len(codes) and manifest["national"] is False
    assert [u["code"] for u in manifest["region_list"]] == codes
    assert manifest["months"][manifest["observed_index"]] == "2007-04"
    metadata = {k.decode(): v.decode() for k, v in pq.read_schema(chunks[0]).metadata.items()}
    assert metadata["era"] == LOCATIONS.name
    runs = run_outcomes(out)
    assert list(runs.columns[:3]) == ["run_id", "integrated_observed_at", "integrated_end"]
    assert runs["integrated_end"].between(0, 1).all()


def test_analyse_prints_the_effect_on_the_share_of_integrated_locations(swept):
    _, out, text = swept
    assert text.startswith("Effect on the share of integrated locations (4 runs, 2 replications)")
    assert "co_location vs none" in text and "at 2007-04" in text and "at 2007-12" in text
    codes = LOCATIONS.select(["Friesland", "Groningen"])
    friesland = sum(loc.code.startswith("AM02/") for loc in codes)
    assert f"treated ({friesland})" in text and f"untreated ({len(codes) - friesland})" in text
    tables = json.loads((out / "analysis" / "analysis.json").read_text())
    assert tables["era"] == LOCATIONS.name and tables["outcome"] == "share of integrated locations"
    assert {e["regions"] for e in tables["effects"]} == {"national", "treated", "untreated"}
    assert "region's stage" not in text and "steps of one region" not in text      # the era's words
    assert "n/a (all equal)" in text and "changed a location's stage" in text and "steps of one location" in text


def test_two_workers_and_a_resumed_sweep_store_the_same_rows(swept, tmp_path):
    path, out, _ = swept
    experiment = load_experiment(path)
    run_sweep(experiment, tmp_path / "two", workers=2, quiet=True)
    pd.testing.assert_frame_equal(load_results(tmp_path / "two"), load_results(out))
    resumed = tmp_path / "resumed"
    run_sweep(experiment, resumed, workers=1, quiet=True)
    chunks = sorted((resumed / CHUNKS).glob("*.parquet"))
    assert len(chunks) > 1
    for chunk in chunks[1:]:                              # as if killed after the first batch
        chunk.unlink()
    assert 0 < len(completed_runs(resumed)) < experiment.n_runs
    run_sweep(experiment, resumed, workers=1, resume=True, quiet=True)
    frame = load_results(resumed)
    assert not frame.duplicated(["run_id", "month", "location_code"]).any()
    pd.testing.assert_frame_equal(frame, load_results(out))


@pytest.mark.parametrize("keep", ["national", "patterns"])
def test_national_and_patterns_keep_the_era_s_shares(tmp_path, keep):
    from chainsim.analysis import analyse

    path = experiment_file(tmp_path, '[[factors]]\nname = "lever"\nlevels = ["none", "co_location"]\n', keep=keep)
    run_sweep(load_experiment(path), tmp_path / keep, workers=1, quiet=True)
    frame = load_results(tmp_path / keep)
    assert list(frame.columns) == [c[0] for c in sweep_columns(keep, ["lever"], items=LOCATION_INDICATORS,
                                                                era=LOCATIONS.name)]
    assert len(frame) == 4 * (36 if keep == "national" else 1)
    shares = frame[[f"share_{s}" for s in LOCATIONS.stages]].sum(axis=1)
    assert shares.round(12).eq(1).all()
    result = analyse(tmp_path / keep)
    assert result["era"] == LOCATIONS.name
    assert set(result["effects"]["when"]) == ({"observed_at", "end"} if keep == "national" else {"observed_at"})


def test_region_sweeps_keep_their_columns():
    assert [c[0] for c in sweep_columns("national")] == [
        "run_id", "point", "replication", "seed", "scenario", "<factor>", "month", "share_coordinated",
        "share_middle", "share_little", "n_all_levels", "n_intermediate", "n_hardly", "n_none"]
    assert sweep_columns("regions") == sweep_columns("regions", era=REGIONS.name)


def test_docs_describe_the_era_s_columns():
    sys.path.insert(0, str(ROOT / "scripts"))
    from output_tables import _table

    doc = (ROOT / "docs" / "outputs.md").read_text(encoding="utf-8")
    for keep in ("regions", "national", "patterns"):
        name = f"sweep-werkplein-{keep}-columns"
        match = re.search(rf"<!-- {name}:start -->\n(.*?)\n<!-- {name}:end -->", doc, re.S)
        assert match and match.group(1) == _table(sweep_columns(keep, era=LOCATIONS.name)), name
