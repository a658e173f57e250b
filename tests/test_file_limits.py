"""Scenario and experiment files: bounded reading, calendar limits, a capped list of problems."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from chainsim.scenario import MAX_PROBLEMS, ScenarioError, load_scenario

CHAINSIM = Path(sys.executable).with_name("chainsim")


def validate(*paths, cwd=None, timeout=30):
    return subprocess.run([str(CHAINSIM), "validate", *map(str, paths)], capture_output=True, text=True,
                          cwd=cwd, timeout=timeout)


def test_a_fifo_or_device_is_refused_at_once(tmp_path):
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    for path in (fifo, Path("/dev/zero")):
        done = validate(path, timeout=20)
        assert done.returncode == 2 and done.stderr.strip().endswith("not a regular file (allowed: a TOML file)")


def test_a_huge_file_is_refused_without_reading_it(tmp_path):
    big = tmp_path / "big.toml"
    big.write_text("x = 1\n" * 400_000, encoding="utf-8")
    done = validate(big)
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "allowed: at most 1,000,000" in done.stderr


def test_many_problems_are_counted_not_all_printed(tmp_path):
    path = tmp_path / "many.toml"
    path.write_text('description = "x"\nsources = ["y"]\n[parameters]\n'
                    + "".join(f"unknown_{i} = 1\n" for i in range(500)), encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert len(err.value.problems) == MAX_PROBLEMS + 1 and err.value.problems[-1] == "... and 450 more problems"


def test_calendar_months_far_outside_the_model_are_refused(tmp_path):
    for month in ("999999999-12", "0000-01"):
        path = tmp_path / "far.toml"
        path.write_text(f'description = "x"\nsources = ["y"]\n[calendar]\nend = "{month}"\n', encoding="utf-8")
        with pytest.raises(ScenarioError, match="outside the months the model covers"):
            load_scenario(path)


def test_a_byte_order_mark_is_allowed(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b'\xef\xbb\xbfdescription = "x"\nsources = ["y"]\n')
    assert load_scenario(path).description == "x"


def test_whole_month_options_and_command_line_limits(tmp_path):
    path = tmp_path / "visits.toml"
    path.write_text('description = "x"\nsources = ["y"]\n[[levers]]\nkind = "minister_visits"\nstart = "2013-01"\n'
                    "interval = 1.5\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="interval: must be a whole number 1 to 24"):
        load_scenario(path)
    for args, what in ((["--replications", "1000000000000"], "--replications"), (["--workers", "999"], "--workers"),
                       (["--regions", ""], "--regions")):
        done = subprocess.run([str(CHAINSIM), "run", *args, "--out", str(tmp_path / "never")], capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == 2 and done.stderr.count("\n") == 1 and what in done.stderr, done.stderr
    assert not (tmp_path / "never").exists()


def test_an_experiment_too_large_to_run_is_refused_before_anything_is_built(tmp_path):
    from chainsim.experiment import ExperimentError, load_experiment

    base = tmp_path / "base.toml"
    base.write_text('description = "x"\nsources = ["y"]\n', encoding="utf-8")
    from chainsim.core.parameters import SPECS

    def levels(name):
        low, high = SPECS[name].low, SPECS[name].high
        return ", ".join(repr(low + (high - low) * i / 49) for i in range(50))

    factors = "".join(f'[[factors]]\nname = "{name}"\nlevels = [{levels(name)}]\n'
                      for name in ("weight_trust", "weight_belief", "weight_pressure", "weight_autonomy",
                                   "weight_rivalry", "effort_scale"))
    big = tmp_path / "big.toml"
    big.write_text(f'base = "base.toml"\ndescription = "x"\nreplications = 1\n[design]\nkind = "grid"\n{factors}',
                   encoding="utf-8")
    with pytest.raises(ExperimentError, match="15,625,000,000 design points"):
        load_experiment(big)
    two = factors.split("[[factors]]")[1:3]
    many = tmp_path / "many.toml"
    many.write_text(f'base = "base.toml"\ndescription = "x"\nreplications = 1000\n[design]\nkind = "grid"\n'
                    + "".join("[[factors]]" + part for part in two), encoding="utf-8")
    with pytest.raises(ExperimentError, match="2,500 design points x 1,000 replications"):
        load_experiment(many)
