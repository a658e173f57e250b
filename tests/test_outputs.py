"""Output files: one self-describing schema, documented column by column, written whole, never overwritten."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from chainsim.core.calendar import Calendar, Month
from chainsim.core.measurement import INDICATORS, LEVEL_CLASSES, STAGES
from chainsim.core.recorder import DIAGNOSTICS
from chainsim.core.regions import load_regions
from chainsim.results import (DIAGNOSTIC_UNITS, ITEM_MEANINGS, SCHEMA_VERSION, OutputFolderError, ResultFolder,
                              Results, canonical_json, config_sha256, region_month_columns)
from chainsim.runner import RunConfig, run_replications

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "outputs.md").read_text(encoding="utf-8")
sys.path.insert(0, str(ROOT / "scripts"))

from output_tables import tables  # noqa: E402

CONFIG = RunConfig(regions=("AM02", "AM12"), calendar=Calendar(Month(2014, 1), Month(2014, 12), Month(2014, 11)))


@pytest.fixture(scope="module")
def results():
    return Results(CONFIG, run_replications(CONFIG, 3, seed=5), seed=5)


def chainsim(*args, cwd=None):
    exe = Path(sys.executable).with_name("chainsim")
    cmd = [str(exe), *args] if exe.exists() else [sys.executable, "-m", "chainsim.cli", *args]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, timeout=600,
                          env={**os.environ, "MPLBACKEND": "Agg"})


# --- the documentation names what the code writes -------------------------------------
def block(name: str) -> str:
    match = re.search(rf"<!-- {name}:start -->\n(.*?)\n<!-- {name}:end -->", DOC, re.S)
    assert match, name
    return match.group(1)


def test_docs_tables_match_the_code():
    for name, table in tables().items():
        assert block(name) == table, "run scripts/output_tables.py --write"


def test_every_item_and_diagnostic_has_a_meaning_and_a_unit():
    assert set(ITEM_MEANINGS) == set(INDICATORS)
    assert set(DIAGNOSTIC_UNITS) == set(DIAGNOSTICS)
    for name in (*INDICATORS, *DIAGNOSTICS):
        assert f"| `{name}` |" in block("region-months-columns"), name


def test_every_summary_and_manifest_key_is_documented(results, tmp_path):
    summary = results.summary()
    for key in summary:
        assert f"`{key}`" in DOC, key
    assert "`explanation`" in DOC
    from chainsim.experiment import load_experiment
    from chainsim.sweep import _manifest, point_hashes

    experiment = load_experiment(tiny_experiment(tmp_path, "national"))
    for key in _manifest(experiment, "now", 0, "1 local processes", point_hashes(experiment)):
        assert f"`{key}`" in DOC, key


# --- run: region_months --------------------------------------------------------------
def test_region_month_table_schema(results):
    table = results.region_month_table()
    assert list(table.columns) == [c[0] for c in region_month_columns()]
    assert len(table) == 3 * 12 * 2
    for column, labels in (("stage", STAGES), ("cooperation_class", LEVEL_CLASSES)):
        assert table[column].dtype == pd.CategoricalDtype(list(labels), ordered=True)
    assert list(table["region_code"].cat.categories) == ["AM02", "AM12"]
    assert list(table["region_name"].cat.categories) == ["Friesland", "Gooi en Vechtstreek"]
    assert str(table["scenario"].cat.categories[0]) == CONFIG.scenario
    assert (table["seed"] == 5).all() and sorted(table["replication"].unique()) == [0, 1, 2]
    assert pd.api.types.is_datetime64_any_dtype(table["month"])
    assert table["month"].min() == pd.Timestamp("2014-01-01") and table["month"].max() == pd.Timestamp("2014-12-01")
    assert (table["month"].dt.day == 1).all()
    for name in INDICATORS:
        assert table[name].dtype == bool
    for name in DIAGNOSTICS:
        assert table[name].dtype == np.float32
    # the labels agree with the model's arrays
    run = results.runs[1]
    part = table[table["replication"] == 1]
    assert (part["stage"].cat.codes.to_numpy() == run.stage.ravel()).all()


def test_parquet_and_csv_read_back_without_chainsim(results, tmp_path):
    written = results.write_tables(tmp_path, csv=True)
    assert [p.name for p in written] == ["region_months.parquet", "region_months.csv"]
    table = results.region_month_table()
    back = pd.read_parquet(tmp_path / "region_months.parquet")
    pd.testing.assert_frame_equal(back, table)
    assert back["stage"].cat.ordered and list(back["stage"].cat.categories) == list(STAGES)
    metadata = {k.decode(): v.decode() for k, v in pq.read_schema(tmp_path / "region_months.parquet").metadata.items()}
    assert metadata["schema_version"] == str(SCHEMA_VERSION)
    assert metadata["config_sha256"] == config_sha256(CONFIG) == results.config_sha256
    assert hashlib.sha256(metadata["config"].encode()).hexdigest() == metadata["config_sha256"]
    assert metadata["chainsim_version"] and metadata["national"] == "false" and metadata["seed"] == "5"
    csv = pd.read_csv(tmp_path / "region_months.csv")
    assert list(csv.columns) == list(table.columns) and len(csv) == len(table)
    assert csv["month"].iloc[0] == "2014-01-01"
    assert set(csv["stage"]) <= set(STAGES) and csv["joint_consultation"].dtype == bool
    assert csv["region_name"].iloc[0] == "Friesland"


def test_duckdb_reads_the_files(results, tmp_path):
    duckdb = pytest.importorskip("duckdb")
    results.write_tables(tmp_path)
    path = str(tmp_path / "region_months.parquet")
    rows = duckdb.sql(f"SELECT count(*), min(month), max(stage) FROM '{path}'").fetchall()
    assert rows[0][0] == 72
    keys = {k.decode() if isinstance(k, bytes) else k
            for (k,) in duckdb.sql(f"SELECT key FROM parquet_kv_metadata('{path}')").fetchall()}
    assert {"config_sha256", "chainsim_version"} <= keys


def test_polars_reads_the_files(results, tmp_path):
    pl = pytest.importorskip("polars")
    results.write_tables(tmp_path)
    frame = pl.read_parquet(tmp_path / "region_months.parquet")
    assert frame.height == 72 and "region_name" in frame.columns


# --- run: summary -----------------------------------------------------------------------
def test_subset_summary_says_which_regions_and_that_it_is_not_national(results):
    s = results.summary()
    assert s["schema_version"] == SCHEMA_VERSION and s["regions"] == 2 and s["national"] is False
    assert s["region_list"] == [{"code": "AM02", "name": "Friesland"}, {"code": "AM12", "name": "Gooi en Vechtstreek"}]
    assert "this run has 2 regions" in s["observed_2014"]["note"]
    assert s["config"]["regions"] == ["AM02", "AM12"]
    text = canonical_json(s["config"])
    assert text == json.dumps(s["config"], sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    assert hashlib.sha256(text.encode()).hexdigest() == s["config_sha256"]
    json.dumps(s)


def test_config_hash_is_stable_and_resolves_regions():
    from dataclasses import replace

    everything = RunConfig()
    named = replace(everything, regions=tuple(r.code for r in reversed(load_regions())))
    assert config_sha256(everything) == config_sha256(named) == config_sha256(RunConfig())
    assert config_sha256(CONFIG) != config_sha256(everything)
    from chainsim.core.parameters import Parameters

    changed = Parameters.from_mapping({**CONFIG.params.as_dict(), "weight_trust": CONFIG.params.weight_trust + 0.1})
    assert config_sha256(replace(CONFIG, params=changed)) != config_sha256(CONFIG)
    assert config_sha256(replace(CONFIG, scenario="another")) != config_sha256(CONFIG)
    assert config_sha256(replace(CONFIG, mechanisms_off=("M2", "M1"))) == \
        config_sha256(replace(CONFIG, mechanisms_off=("M1", "M2")))


def test_report_prints_observed_figures_only_for_a_national_run(results):
    from chainsim.cli import report

    subset = results.summary()
    text = report(subset, Path("out"))
    assert "observed (Inspectie SZW 2014)" not in text
    assert "Observed figures are national; this run has 2 regions" in text
    assert "2 of 35 regions (Friesland, Gooi en Vechtstreek)" in text
    national = {**subset, "national": True, "regions": 35}
    text = report(national, Path("out"))
    assert "observed (Inspectie SZW 2014)" in text and "this run has" not in text
    line = next(row for row in text.splitlines() if row.strip().startswith("coordinated"))
    # three decimals; where every replication gave the same share, no zero-width interval
    assert re.search(r"\d\.\d{3} (\[\d\.\d{3}, \d\.\d{3}\]|\[n/a: all equal\])\s+0\.250$", line), line
    assert all(row == row.rstrip() for row in text.splitlines())


# --- to_xarray ---------------------------------------------------------------------------
def test_to_xarray(results):
    xr = pytest.importorskip("xarray")
    ds = results.to_xarray()
    assert isinstance(ds, xr.Dataset)
    assert dict(ds.sizes) == {"replication": 3, "month": 12, "region": 2, "level": 3, "item": len(INDICATORS)}
    assert ds["stage"].attrs["flag_meanings"] == "coordinated middle little"
    assert ds["pressure"].attrs["units"] == DIAGNOSTIC_UNITS["pressure"][0]
    assert list(ds["region_name"].values) == ["Friesland", "Gooi en Vechtstreek"]
    assert (ds["stage"].sel(replication=1).values == results.runs[1].stage).all()
    assert ds.attrs["config_sha256"] == results.config_sha256


def test_to_xarray_without_xarray_says_what_to_install(results, monkeypatch):
    monkeypatch.setitem(sys.modules, "xarray", None)       # import xarray raises ImportError
    with pytest.raises(ImportError, match=r"pip install xarray") as err:
        results.to_xarray()
    assert "\n" not in str(err.value)


# --- output folders, written whole ---------------------------------------------------------
def test_a_result_folder_appears_only_when_complete(tmp_path):
    out = tmp_path / "run"
    folder = ResultFolder(out, "summary.json")
    (folder.path / "summary.json").write_text("{}")
    assert not out.exists()                            # nothing in place before the commit
    assert folder.path.parent == tmp_path and folder.path.name.startswith(".run.")
    folder.commit()
    assert sorted(p.name for p in out.iterdir()) == [".chainsim_files", "summary.json"]
    assert (out / ".chainsim_files").read_text() == "summary.json\n"   # what --overwrite may replace
    assert [p.name for p in tmp_path.iterdir()] == ["run"]           # no temporary folder left


def test_a_non_empty_folder_is_refused_and_replaced_only_with_overwrite(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "summary.json").write_text('{"old": true}')
    (out / "region_months.parquet").write_text("old")
    with pytest.raises(OutputFolderError, match="already holds results .summary.json.; add --overwrite"):
        ResultFolder(out, "summary.json")
    folder = ResultFolder(out, "summary.json", overwrite=True)
    (folder.path / "summary.json").write_text('{"new": true}')
    assert json.loads((out / "summary.json").read_text()) == {"old": True}     # old kept until complete
    folder.commit()
    assert json.loads((out / "summary.json").read_text()) == {"new": True}
    assert not (out / "region_months.parquet").exists()                        # the folder is one result
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_overwrite_refuses_a_result_folder_that_also_holds_the_users_files(tmp_path):
    out = tmp_path / "run"
    first = ResultFolder(out, "summary.json")
    (first.path / "summary.json").write_text('{"old": true}')
    (first.path / "figures").mkdir()
    (first.path / "figures" / "a.png").write_text("png")
    first.commit()
    again = ResultFolder(out, "summary.json", overwrite=True)     # only chainsim's files: allowed
    again.discard()
    (out / ".DS_Store").write_text("the file manager's")              # left by the system: not the user's
    ResultFolder(out, "summary.json", overwrite=True).discard()
    (out / "mynotes.txt").write_text("three weeks of thinking")
    for overwrite in (True, False):
        with pytest.raises(OutputFolderError, match=r"files chainsim did not write \(mynotes.txt\)"):
            ResultFolder(out, "summary.json", overwrite=overwrite)
    assert (out / "mynotes.txt").read_text() == "three weeks of thinking"


def test_an_interrupted_write_leaves_the_old_folder(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "summary.json").write_text('{"old": true}')
    with pytest.raises(RuntimeError):
        with ResultFolder(out, "summary.json", overwrite=True) as folder:
            (folder.path / "summary.json").write_text('{"new": true}')
            raise RuntimeError("killed half way")
    assert json.loads((out / "summary.json").read_text()) == {"old": True}
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_overwrite_never_replaces_a_folder_chainsim_did_not_write(tmp_path, monkeypatch):
    mine = tmp_path / "thesis"
    mine.mkdir()
    (mine / "chapter1.tex").write_text("years of work")
    with pytest.raises(OutputFolderError, match="holds no summary.json"):
        ResultFolder(mine, "summary.json", overwrite=True)
    with pytest.raises(OutputFolderError, match="already holds other files"):
        ResultFolder(mine, "summary.json")
    (tmp_path / "f").write_text("x")
    with pytest.raises(OutputFolderError, match="not a folder"):
        ResultFolder(tmp_path / "f", "summary.json", overwrite=True)
    run = tmp_path / "run"
    run.mkdir()
    (run / "summary.json").write_text("{}")
    monkeypatch.chdir(run)
    with pytest.raises(OutputFolderError, match="current folder"):
        ResultFolder(Path("."), "summary.json", overwrite=True)
    empty = tmp_path / "empty"
    empty.mkdir()
    folder = ResultFolder(empty, "summary.json")
    (folder.path / "summary.json").write_text("{}")
    folder.commit()
    assert (empty / "summary.json").is_file()


def test_run_refuses_an_existing_folder_and_replaces_it_with_overwrite(tmp_path):
    out = tmp_path / "out"
    args = ["run", "--replications", "1", "--workers", "1", "--regions", "Friesland", "--out", str(out), "--quiet"]
    first = chainsim(*args, "--csv")
    assert first.returncode == 0, first.stderr
    assert (out / "region_months.csv").is_file() and "region_months.csv" in first.stdout
    before = (out / "summary.json").read_text()
    again = chainsim("run", "--replications", "1", "--workers", "1", "--regions", "Rijnmond", "--out", str(out),
                     "--quiet")
    assert again.returncode == 2 and again.stderr.count("\n") == 1 and "Traceback" not in again.stderr
    assert "--overwrite" in again.stderr and str(out) in again.stderr
    assert (out / "summary.json").read_text() == before                     # untouched
    explain = chainsim("run", "--replications", "1", "--workers", "1", "--regions", "Rijnmond", "--out", str(out),
                       "--quiet", "--explain", "Rijnmond")
    assert explain.returncode == 2                                          # --explain writes into run's folder
    replaced = chainsim("run", "--replications", "1", "--workers", "1", "--regions", "Rijnmond", "--out", str(out),
                        "--quiet", "--overwrite", "--json")
    assert replaced.returncode == 0, replaced.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary == json.loads(replaced.stdout)
    assert summary["region_list"] == [{"code": "AM22", "name": "Rijnmond"}] and summary["national"] is False
    assert not (out / "region_months.csv").exists()                          # the old folder is gone as a whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_compare_refuses_an_existing_folder_and_replaces_it_with_overwrite(tmp_path):
    out = tmp_path / "cmp"
    args = ["compare", str(ROOT / "scenarios" / "netherlands_2012.toml"),
            str(ROOT / "scenarios" / "lever_joint_targets.toml"), "--replications", "2", "--workers", "1",
            "--regions", "Friesland", "--out", str(out), "--quiet"]
    first = chainsim(*args)
    assert first.returncode == 0, first.stderr
    before = (out / "comparison.json").read_text()
    again = chainsim(*args)
    assert again.returncode == 2 and again.stderr.count("\n") == 1 and "--overwrite" in again.stderr
    assert (out / "comparison.json").read_text() == before
    replaced = chainsim(*args, "--overwrite", "--seed", "9")
    assert replaced.returncode == 0, replaced.stderr
    assert json.loads((out / "comparison.json").read_text())["seed"] == 9
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cmp"]
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    refused = chainsim(*args[:-3], "--out", str(other), "--quiet", "--overwrite")
    assert refused.returncode == 2 and "holds no comparison.json" in refused.stderr
    assert (other / "notes.txt").read_text() == "mine"


def test_make_demo_can_be_rerun():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    demo = re.search(r"^demo:.*\n\t(.*)$", makefile, re.M).group(1)
    assert "chainsim run" in demo and "--overwrite" in demo


# --- sweeps -----------------------------------------------------------------------------------
def tiny_experiment(tmp_path: Path, keep: str) -> Path:
    scenario = tmp_path / "short.toml"
    scenario.write_text(f'extends = "{(ROOT / "scenarios" / "netherlands_2012.toml").as_posix()}"\n'
                        'description = "short"\nsources = ["test"]\nregions = ["Friesland", "Twente"]\n'
                        '[calendar]\nend = "2012-06"\nobserved_at = "2012-04"\n')
    path = tmp_path / f"tiny_{keep}.toml"
    path.write_text(f'description = "tiny"\nbase = "{scenario.as_posix()}"\nseed = 3\nreplications = 2\n'
                    f'keep = "{keep}"\n[design]\nkind = "grid"\n'
                    '[[factors]]\nname = "weight_pressure"\nlevels = [0.8, 1.6]\n'
                    '[[factors]]\nname = "lever"\nlevels = ["none", "joint_targets"]\n')
    return path


@pytest.mark.parametrize("keep", ["regions", "national", "patterns"])
def test_sweep_chunks_describe_themselves(tmp_path, keep):
    from chainsim.experiment import load_experiment
    from chainsim.sweep import load_results, read_manifest, run_sweep, sweep_columns

    experiment = load_experiment(tiny_experiment(tmp_path, keep))
    run_sweep(experiment, tmp_path / "s", workers=1, quiet=True)
    chunks = sorted((tmp_path / "s" / "chunks").glob("*.parquet"))
    raw = pd.concat([pd.read_parquet(p) for p in chunks], ignore_index=True)      # no chainsim needed
    expected = [c[0] for c in sweep_columns(keep, ["weight_pressure", "lever"], ["AM02", "AM05"], INDICATORS)]
    assert list(raw.columns) == expected
    assert raw["run_id"].nunique() == 8 and raw["seed"].eq(3).all() and set(raw["replication"]) == {0, 1}
    assert set(raw["lever"]) == {"none", "joint_targets"} and set(raw["weight_pressure"]) == {0.8, 1.6}
    assert (raw["point"] == raw["run_id"] // 2).all()
    manifest = read_manifest(tmp_path / "s")
    assert manifest["schema_version"] == SCHEMA_VERSION and len(manifest["config_sha256"]) == 4
    assert manifest["region_list"] == [{"code": "AM02", "name": "Friesland"}, {"code": "AM05", "name": "Twente"}]
    assert manifest["national"] is False
    metadata = {k.decode(): v.decode() for k, v in pq.read_schema(chunks[0]).metadata.items()}
    assert metadata["experiment_sha256"] == experiment.sha256 and metadata["schema_version"] == str(SCHEMA_VERSION)
    hashes = json.loads(metadata["config_sha256"])
    assert all(manifest["config_sha256"][int(p)] == h for p, h in hashes.items())
    assert manifest["config_sha256"][1] == config_sha256(experiment.config(1))
    if keep != "patterns":
        assert pd.api.types.is_datetime64_any_dtype(raw["month"])
        assert set(raw["month"]) == {pd.Timestamp(f"2012-0{m}-01") for m in range(1, 7)}
    if keep == "regions":
        assert raw["stage"].dtype == pd.CategoricalDtype(list(STAGES), ordered=True)
        assert set(raw["region_name"]) == {"Friesland", "Twente"}
    frame = load_results(tmp_path / "s")
    assert list(frame.columns) == expected and len(frame) == len(raw)


def test_sweep_refuses_a_folder_of_other_files(tmp_path):
    from chainsim.experiment import load_experiment
    from chainsim.sweep import SweepError, run_sweep

    out = tmp_path / "busy"
    out.mkdir()
    (out / "summary.json").write_text("{}")
    with pytest.raises(SweepError, match="not empty and holds no sweep"):
        run_sweep(load_experiment(tiny_experiment(tmp_path, "national")), out, quiet=True)
    assert [p.name for p in out.iterdir()] == ["summary.json"]


def test_a_schema_1_sweep_reads_as_schema_2_and_resumes_in_it(tmp_path):
    """Sweeps written before schema 2 (integer codes, month index, ``region``) still load, and resume."""
    from chainsim.experiment import load_experiment
    from chainsim.sweep import MANIFEST, completed_runs, load_results, run_outcomes, run_sweep

    experiment = load_experiment(tiny_experiment(tmp_path, "regions"))
    run_sweep(experiment, tmp_path / "new", workers=1, quiet=True)
    new = load_results(tmp_path / "new")
    # the same runs, stored as schema 1 stored them, with half the runs missing
    old = tmp_path / "old"
    (old / "chunks").mkdir(parents=True)
    manifest = json.loads((tmp_path / "new" / MANIFEST).read_text())
    for key in ("schema_version", "scenario", "base_config_sha256", "config_sha256", "regions", "national",
                "region_list"):
        manifest.pop(key)
    manifest["completed_runs"] = 4
    (old / MANIFEST).write_text(json.dumps(manifest))
    first = new[new["run_id"] < 4]
    legacy = pd.DataFrame({
        "run_id": first["run_id"].astype(np.int32),
        "month": first["month"].map({m: i for i, m in enumerate(sorted(first["month"].unique()))}).astype(np.int16),
        "region": pd.Categorical(first["region_code"].astype(str)),
        "stage": first["stage"].cat.codes.astype(np.int8),
        "cooperation_class": first["cooperation_class"].cat.codes.astype(np.int8),
    })
    legacy.to_parquet(old / "chunks" / "runs-0000000-legacy00.parquet", index=False)
    loaded = load_results(old)
    pd.testing.assert_frame_equal(loaded, first.reset_index(drop=True), check_categorical=False)
    assert loaded["stage"].dtype == pd.CategoricalDtype(list(STAGES), ordered=True)
    run_sweep(experiment, old, workers=1, resume=True, quiet=True)
    assert completed_runs(old) == set(range(8))
    for path in (old / "chunks").glob("*.parquet"):
        assert "point" in pq.read_schema(path).names                  # every chunk now in schema 2
    pd.testing.assert_frame_equal(load_results(old), new)
    pd.testing.assert_frame_equal(run_outcomes(old), run_outcomes(tmp_path / "new"))


# --- the validation script ---------------------------------------------------------------------
def _validate_script():
    """experiments/calibration/validate.py: its path and the module."""
    from calibration_scripts import FOLDER, calibration_script

    return FOLDER / "validate.py", calibration_script("validate")


def test_validate_writes_to_results_unless_told_and_never_overwrites(tmp_path):
    script, validate = _validate_script()
    assert validate.DEFAULT_OUT == ROOT / "results" / "validation"
    out = tmp_path / "v"
    out.mkdir()
    (out / "validation.md").write_text("committed text")
    done = subprocess.run([sys.executable, str(script), "--out", str(out), "--replications", "2"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "--overwrite" in done.stderr
    assert (out / "validation.md").read_text() == "committed text"


def test_validate_reports_the_shipped_posterior_and_embeds_the_other_reports(tmp_path):
    script, validate = _validate_script()
    from chainsim.core.parameters import CALIBRATION, SPECS
    from chainsim.posterior import read_particles

    lines = validate.calibration_section(CALIBRATION, {}, SPECS, tmp_path)
    assert "generations x" in lines[0] and "representative particle" in lines[0]
    rows = [line for line in lines if line.startswith("| `")]
    assert len(rows) == len(read_particles().columns) - 1            # one row per calibrated parameter
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        low, high = (float(x) for x in cells[1].split(" – "))
        assert low <= float(cells[4]) <= high                         # the default lies within its prior
        assert float(cells[4]) == pytest.approx(SPECS[cells[0].strip("`")].default, rel=1e-2)
    folder, out = tmp_path / "cv", tmp_path / "out"
    folder.mkdir()
    (folder / "cross_validation.md").write_text("# Its own title\n\nbody\n\n## A part\n")
    (folder / "f.png").write_bytes(b"png")
    section = validate.embedded_section(folder, "cross_validation", "Cross-validation", "f.png", out)
    assert section[:3] == ["", "## Cross-validation", ""] and "### A part" in section
    assert "# Its own title" not in section and "![cross_validation](figures/f.png)" in section
    assert (out / "figures" / "f.png").read_bytes() == b"png"
    done = subprocess.run([sys.executable, str(script), "--out", str(tmp_path / "v2"), "--cross-validation",
                           str(tmp_path / "missing")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "cross_validate.py" in done.stderr


def test_calibrate_refuses_a_used_folder_without_resume(tmp_path):
    script = ROOT / "experiments" / "calibration" / "calibrate.py"
    out = tmp_path / "cal"
    out.mkdir()
    (out / "posterior.csv").write_text("earlier results")
    done = subprocess.run([sys.executable, str(script), "--out", str(out)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "--resume" in done.stderr
    assert sorted(p.name for p in out.iterdir()) == ["posterior.csv"]


def test_an_output_place_that_cannot_be_written_is_said_before_computing(tmp_path):
    """A file where a folder should be: one line at once, not a traceback after all the runs."""
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    done = subprocess.run([str(Path(sys.executable).with_name("chainsim")), "run", "--replications", "2",
                           "--regions", "Friesland", "--quiet", "--out", str(blocker / "sub")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stderr.strip() == f"chainsim run: --out: {blocker} is a file, not a folder"
