"""The sweep notebook 03 reads (notebooks/data/pressure_targets) is what this checkout's model makes.

The notebook runs no simulation; it analyses saved runs. When the model, its calibrated defaults or
its data change, those runs go stale and the notebook would show an older model's figures as
current: this test fails then, and notebooks/data/README.md says how to regenerate them.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from chainsim.experiment import load_experiment
from chainsim.sweep import data_sha256, load_results, point_hashes, read_manifest, run_batch

ROOT = Path(__file__).resolve().parents[1]
SWEEP = ROOT / "notebooks" / "data" / "pressure_targets"
REGENERATE = "stale: regenerate notebooks/data/pressure_targets as notebooks/data/README.md says"


def test_the_saved_sweep_has_this_checkouts_experiment_configurations_and_data():
    manifest = read_manifest(SWEEP)
    experiment = load_experiment(ROOT / manifest["experiment_file"])
    assert experiment.sha256 == manifest["experiment_sha256"], REGENERATE
    assert point_hashes(experiment) == manifest["config_sha256"], REGENERATE
    assert data_sha256() == manifest["data_sha256"], REGENERATE
    assert manifest["completed_runs"] == manifest["n_runs"] == experiment.n_runs


def test_the_model_makes_the_saved_runs_again():
    manifest = read_manifest(SWEEP)
    experiment = load_experiment(ROOT / manifest["experiment_file"])
    saved = load_results(SWEEP)
    again = run_batch(experiment, [0, experiment.n_runs - 1])        # the first and the last run
    columns = ["run_id", "month", "region_code", "stage", "cooperation_class"]
    mine = saved[saved["run_id"].isin(again["run_id"].unique())][columns].reset_index(drop=True)
    pd.testing.assert_frame_equal(again[columns].reset_index(drop=True), mine, check_categorical=False,
                                  obj=REGENERATE)
