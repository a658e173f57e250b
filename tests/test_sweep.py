"""Sweeps: seeds, workers, kill and resume, Dask, bad experiment files."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from chainsim import load_results
from chainsim.experiment import ExperimentError, load_experiment
from chainsim.sweep import SweepError, completed_runs, run_outcomes, run_sweep

ROOT = Path(__file__).resolve().parents[1]

TINY = f"""description = "tiny"
base = "{ROOT / 'scenarios' / 'netherlands_2012.toml'}"
seed = 3
replications = 3
keep = "regions"

[design]
kind = "grid"

[[factors]]
name = "weight_pressure"
levels = [0.8, 1.6]

[[factors]]
name = "lever.joint_targets"
levels = [0.0, 1.0]
"""


@pytest.fixture
def tiny(tmp_path):
    path = tmp_path / "tiny.toml"
    path.write_text(TINY)
    return load_experiment(path)


def test_seed_of_a_run_depends_only_on_point_and_replication(tiny):
    assert tiny.n_runs == 12
    s = tiny.seed_sequence(7)                        # point 2, replication 1
    assert s.spawn_key == (1,)                       # common random numbers across points
    assert tiny.seed_sequence(1).spawn_key == (1,)
    own = load_experiment(tiny.path)                 # the same file gives the same tree
    assert own.seed_sequence(7).entropy == s.entropy


def test_runs_go_through_every_design_point_a_few_replications_at_a_time(tiny):
    """A sweep stopped part-way holds about as many replications of each point, so it can be analysed."""
    from dataclasses import replace

    from chainsim.sweep import BATCH_MAX, batches_in_order

    # 4 points x 3 replications (run id = point x 3 + replication), batches of 2
    assert batches_in_order(tiny, list(range(12)), 2) == [[0, 1], [3, 4], [6, 7], [9, 10], [2], [5], [8], [11]]
    assert batches_in_order(tiny, [11, 2, 4], 2) == [[4], [2], [11]]     # a resumed sweep: what is left, in order
    # the reviewer's case: 4 points x 200 replications in full batches; a quarter of the runs covers every point
    big = replace(tiny, replications=200)
    batches = batches_in_order(big, list(range(big.n_runs)), BATCH_MAX)
    assert all(len(b) == BATCH_MAX and len({big.run_key(r)[0] for r in b}) == 1 for b in batches)
    first = sum(batches[:len(batches) // 4], [])
    assert {big.run_key(r)[0] for r in first} == {0, 1, 2, 3}
    assert sorted(sum(batches, [])) == list(range(big.n_runs))


def test_one_and_two_workers_give_identical_rows(tiny, tmp_path):
    run_sweep(tiny, tmp_path / "one", workers=1, quiet=True)
    run_sweep(tiny, tmp_path / "two", workers=2, quiet=True)
    a, b = load_results(tmp_path / "one"), load_results(tmp_path / "two")
    assert len(a) == 12 * 60 * 35
    pd.testing.assert_frame_equal(a, b)


def test_an_interrupted_sweep_resumes_to_exactly_the_uninterrupted_rows(tmp_path):
    path = tmp_path / "kill.toml"
    path.write_text(TINY.replace("replications = 3", "replications = 10"))
    out = tmp_path / "killed"
    env = {**os.environ, "MPLBACKEND": "Agg"}
    exe = Path(sys.executable).with_name("chainsim")
    proc = subprocess.Popen([str(exe), "sweep", str(path), "--out", str(out), "--workers", "1", "--quiet"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 120
    while time.time() < deadline and len(completed_runs(out) if (out / "chunks").exists() else ()) < 4:
        time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    partial = completed_runs(out)
    assert 0 < len(partial) < 40, "the kill came too late to test resuming"
    result = subprocess.run([str(exe), "sweep", str(path), "--out", str(out), "--resume", "--quiet",
                             "--workers", "2"], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    run_sweep(load_experiment(path), tmp_path / "straight", workers=2, quiet=True)
    resumed, straight = load_results(out), load_results(tmp_path / "straight")
    keys = [key for key in ("run_id", "month", "region", "region_code") if key in resumed]
    assert not resumed.duplicated(keys).any()
    pd.testing.assert_frame_equal(resumed, straight)


def test_a_folder_with_a_sweep_is_never_overwritten(tiny, tmp_path):
    run_sweep(tiny, tmp_path / "s", workers=1, quiet=True)
    with pytest.raises(SweepError, match="--resume"):
        run_sweep(tiny, tmp_path / "s", workers=1, quiet=True)
    changed = tmp_path / "changed.toml"
    changed.write_text(TINY.replace("seed = 3", "seed = 4"))
    with pytest.raises(SweepError, match=r"holds a sweep of .*, not of .*changed\.toml"):
        run_sweep(load_experiment(changed), tmp_path / "s", workers=1, resume=True, quiet=True)
    edited = tmp_path / "edited" / Path(tiny.path).name      # the same experiment file, edited since
    edited.parent.mkdir()
    edited.write_text(TINY.replace("seed = 3", "seed = 4"))
    with pytest.raises(SweepError, match="SHA-256"):
        run_sweep(load_experiment(edited), tmp_path / "s", workers=1, resume=True, quiet=True)


def test_dask_local_cluster_equals_the_local_run(tiny, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        run_sweep(tiny, tmp_path / "dask", scheduler=cluster.scheduler_address, quiet=True)
    run_sweep(tiny, tmp_path / "local", workers=1, quiet=True)
    pd.testing.assert_frame_equal(load_results(tmp_path / "dask"), load_results(tmp_path / "local"))


def test_outcomes_and_analysis_of_a_grid(tiny, tmp_path):
    from chainsim.analysis import analyse

    run_sweep(tiny, tmp_path / "g", workers=1, quiet=True)
    runs = run_outcomes(tmp_path / "g")
    assert len(runs) == 12 and runs["coordinated_end"].between(0, 1).all()
    effects = analyse(tmp_path / "g")["effects"]
    assert set(effects["factor"]) == {"weight_pressure", "lever.joint_targets"}
    assert (effects["low"] <= effects["effect"]).all() and (effects["effect"] <= effects["high"]).all()
    assert (effects["pairs"] == 6).all()


def test_sampled_designs_and_sensitivity(tmp_path):
    from chainsim.analysis import analyse

    path = tmp_path / "morris.toml"
    path.write_text(f"""description = "morris"
base = "{ROOT / 'scenarios' / 'netherlands_2012.toml'}"
seed = 1
replications = 1
keep = "national"
[design]
kind = "morris"
samples = 2
[[factors]]
name = "weight_pressure"
low = 0.5
high = 2.0
[[factors]]
name = "weight_trust"
low = 0.5
high = 1.5
""")
    experiment = load_experiment(path)
    assert len(experiment.points) == 2 * (2 + 1)
    run_sweep(experiment, tmp_path / "m", workers=1, quiet=True)
    result = analyse(tmp_path / "m")
    assert set(result["indices"]["index"]) == {"mu_star", "sigma"}
    assert np.isfinite(result["effects"]["effect"]).all()


@pytest.mark.parametrize("body, expected", [
    ('[design]\nkind = "gird"\n', "design.kind: 'gird' (allowed: grid, lhs, sobol, morris); did you mean 'grid'?"),
    ('[[factors]]\nname = "weight_presure"\nlow = 1\nhigh = 2\n', "unknown factor 'weight_presure'"),
    ('[[factors]]\nname = "weight_pressure"\nlow = 1\nhigh = 99\n', "factors[0].high: 99 out of range"),
    ('[design]\nkind = "sobol"\nsamples = 10\n[[factors]]\nname = "weight_pressure"\nlow = 1\nhigh = 2\n',
     "design.samples: 10 is not a power of 2"),
    ('replications = 0\n', "replications: must be a whole number 1 to 10000"),
])
def test_bad_experiment_files_get_one_line_each(tmp_path, body, expected):
    path = tmp_path / "bad.toml"
    base = f'description = "x"\nbase = "{ROOT / "scenarios" / "netherlands_2012.toml"}"\n'
    if not body.startswith("["):          # a top-level key goes before the tables
        base, body = base + body, ""
    if "[design]" not in body:
        body = '[design]\nkind = "grid"\n' + body
    if "[[factors]]" not in body:
        body += '[[factors]]\nname = "weight_trust"\nlevels = [1.0]\n'
    path.write_text(base + body)
    with pytest.raises(ExperimentError) as err:
        load_experiment(path)
    assert any(expected in p and p.startswith(f"{path}:") and "\n" not in p for p in err.value.problems), \
        err.value.problems


def test_sweep_cli_bad_file_one_line(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('description = "x"\n')
    exe = Path(sys.executable).with_name("chainsim")
    result = subprocess.run([str(exe), "sweep", str(path)], capture_output=True, text=True)
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
