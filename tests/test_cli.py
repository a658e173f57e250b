"""The command line, run the way a user runs it."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def chainsim(*args, cwd=None):
    exe = Path(sys.executable).with_name("chainsim")
    cmd = [str(exe), *args] if exe.exists() else [sys.executable, "-m", "chainsim.cli", *args]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, timeout=600,
                          env={**os.environ, "MPLBACKEND": "Agg"})


def test_run_json_writes_the_three_outputs(tmp_path):
    out = tmp_path / "out"
    result = chainsim("run", "--json", "--replications", "3", "--workers", "2", "--seed", "4",
                      "--regions", "Friesland,Rijnmond,Helmond", "--out", str(out))
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["replications"] == 3 and summary["seed"] == 4 and summary["observed_at"] == "2014-11"
    assert summary["regions"] == 3
    for stage in ("coordinated", "middle", "little"):
        stat = summary["stage_shares"][stage]
        assert 0 <= stat["mean"] <= 1 and len(stat["ci95"]) == 2
    assert json.loads((out / "summary.json").read_text()) == summary
    table = pd.read_parquet(out / "region_months.parquet")
    assert len(table) == 3 * 60 * 3
    assert (out / "stage_shares.png").stat().st_size > 10_000


def test_scenario_file_and_text_report(tmp_path):
    out = tmp_path / "out"
    result = chainsim("run", str(ROOT / "scenarios" / "netherlands_2012.toml"), "--replications", "2",
                      "--regions", "AM32", "--out", str(out), "--quiet")
    assert result.returncode == 0, result.stderr
    # one region: the national 2014 figures are not printed beside it
    assert "observed (Inspectie SZW 2014)" not in result.stdout
    assert "observed figures are national; this run has 1 region," in result.stdout.lower()
    assert "1 of 35 regions (Helmond-De Peel)" in result.stdout
    assert json.loads((out / "summary.json").read_text())["scenario"] == "netherlands_2012"


def test_bad_arguments_get_one_line_and_exit_code_2(tmp_path):
    bad_toml = tmp_path / "bad.toml"
    bad_toml.write_text('description = "x"\nsources = []\n[parameters]\nweight_trust = 50\n')
    cases = [
        ("run", "--replications", "0"),
        ("run", "--replications", "many"),
        ("run", str(tmp_path / "missing.toml")),
        ("run", "--regions", "Atlantis"),
        ("run", str(bad_toml)),
        ("walk",),
    ]
    for args in cases:
        result = chainsim(*args)
        assert result.returncode == 2, args
        assert result.stderr.count("\n") == 1, (args, result.stderr)
        assert "Traceback" not in result.stderr


def test_validate_good_and_broken_files(tmp_path):
    good = chainsim("validate", *sorted(str(p) for p in (ROOT / "scenarios").glob("*.toml")))
    assert good.returncode == 0, good.stderr
    assert good.stdout.count("valid") >= 17
    broken = tmp_path / "broken.toml"
    broken.write_text('extends = "%s"\ndescription = "x"\nsources = ["y"]\n\n[[levers]]\nkind = "joint_targetz"\n'
                      'start = "2013-01"\n\n[[levers]]\nkind = "budget_cuts"\nstart = "2030-01"\nstrenght = 1\n'
                      % (ROOT / "scenarios" / "netherlands_2012.toml"))
    syntax = tmp_path / "syntax.toml"
    syntax.write_text("description = 'x'\nsources = [\n")
    result = chainsim("validate", str(broken), str(syntax))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert "Traceback" not in result.stderr
    assert lines[0].startswith(f"{broken}:6: levers[0].kind: unknown lever kind 'joint_targetz'")
    assert "did you mean 'joint_targets'?" in lines[0]
    assert any(line.startswith(f"{broken}:11: levers[1].start: 2030-01 lies outside the calendar") for line in lines)
    assert any(line.startswith(f"{broken}:12: levers[1].strenght: unknown key") and "did you mean 'strength'" in line
               for line in lines)
    assert any(line.startswith(f"{syntax}:") and "TOML syntax error" in line for line in lines)


def test_compare_json_with_intervals(tmp_path):
    out = tmp_path / "cmp"
    result = chainsim("compare", str(ROOT / "scenarios" / "netherlands_2012.toml"),
                      str(ROOT / "scenarios" / "lever_joint_targets.toml"), "--replications", "3",
                      "--regions", "Friesland,Rijnmond,Twente", "--json", "--out", str(out), "--quiet")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert set(summary["scenarios"]) == {"netherlands_2012", "lever_joint_targets"}
    for s in summary["scenarios"].values():
        for group in ("share_coordinated", "difference_vs_base"):
            for when in ("observed_at", "end"):
                stat = s[group][when]
                if stat["ci95"] is None:          # every replication the same: why is said, never [x, x]
                    assert set(stat) == {"mean", "ci95", "no_interval"} and stat["no_interval"] == "all 3 values equal"
                else:
                    assert set(stat) == {"mean", "ci95"} and len(stat["ci95"]) == 2
    itself = summary["scenarios"]["netherlands_2012"]["difference_vs_base"]["end"]
    assert itself["mean"] == 0.0 and itself["ci95"] is None        # the base against itself
    assert (out / "comparison.png").stat().st_size > 10_000


def test_compare_refuses_different_calendars(tmp_path):
    short = tmp_path / "short.toml"
    short.write_text('description = "x"\nsources = ["y"]\n[calendar]\nend = "2015-12"\n')
    result = chainsim("compare", str(ROOT / "scenarios" / "netherlands_2012.toml"), str(short),
                      "--replications", "2")
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "must share their calendar" in result.stderr


def test_run_explain_prints_why(tmp_path):
    result = chainsim("run", "--replications", "2", "--regions", "Friesland,Groningen", "--explain", "Friesland",
                      "--out", str(tmp_path / "x"), "--quiet")
    assert result.returncode == 0, result.stderr
    assert "Why Friesland is where it is" in result.stdout and "stage" in result.stdout
    assert "explanation" in json.loads((tmp_path / "x" / "summary.json").read_text())


def test_optional_dependencies_missing_give_one_line(monkeypatch, capsys):
    import importlib.util

    from chainsim.cli import main

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name in ("solara", "distributed") else real(name, *a))
    assert main(["app"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "pip install 'chainsim[app]'" in err
    assert main(["sweep", str(ROOT / "experiments" / "smoke.toml"), "--scheduler", "tcp://nowhere:1"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "pip install 'chainsim[cluster]'" in err


def test_scenarios_are_listed_and_run_by_name(tmp_path):
    listed = chainsim("scenarios", cwd=tmp_path)
    assert listed.returncode == 0 and "lever_joint_targets" in listed.stdout and "netherlands_2012" in listed.stdout
    mine = tmp_path / "mine.toml"
    mine.write_text('extends = "chainsim:lever_joint_targets"\ndescription = "x"\nsources = ["y"]\n'
                    'regions = ["Friesland"]\n[calendar]\nend = "2013-03"\nobserved_at = "2013-03"\n')
    done = chainsim("run", str(mine), "--replications", "1", "--workers", "1", "--quiet",
                    "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    bad = chainsim("run", "no_such_scenario", "--quiet", cwd=tmp_path)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "lever_joint_targets" in bad.stderr


def test_list_shows_levers_parameters_regions_and_scenarios(tmp_path):
    for what, expected in (("levers", "joint_targets"), ("parameters", "weight_pressure"),
                           ("regions", "Helmond-De Peel"), ("scenarios", "lever_minister_visits")):
        done = chainsim("list", what, cwd=tmp_path)
        assert done.returncode == 0 and expected in done.stdout, done.stderr
    rows = json.loads(chainsim("list", "parameters", "--json", cwd=tmp_path).stdout)
    spec = next(r for r in rows if r["name"] == "weight_pressure")
    assert spec["low"] <= spec["default"] <= spec["high"] and spec["source"]
    assert len(json.loads(chainsim("list", "regions", "--json", cwd=tmp_path).stdout)) == 35
    assert chainsim("list", "nothing", cwd=tmp_path).returncode == 2


def test_validate_says_which_regions_a_lever_applies_to(tmp_path):
    path = tmp_path / "big.toml"
    path.write_text('description = "x"\nsources = ["y"]\n[[levers]]\nkind = "legal_deadline"\nstart = "2013-01"\n'
                    'regions = { rule = "n_municipalities > 15" }\n', encoding="utf-8")
    done = chainsim("validate", str(path), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    line = done.stdout.splitlines()[1]
    assert "applies to 7 regions:" in line and "Groningen" in line and "no end given" in line
    done = chainsim("validate", str(ROOT / "experiments" / "pressure_targets.toml"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "factor lever.joint_targets (strength 0.0, 1.0): from 2013-01" in done.stdout
    assert "applies to all 35 regions" in done.stdout


def test_explain_any_month_and_replication_of_the_run(tmp_path):
    out = tmp_path / "out"
    done = chainsim("run", "--replications", "3", "--workers", "1", "--quiet", "--regions", "Friesland,Twente",
                    "--explain", "Twente", "--month", "2013-06", "--replication", "2", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "Why Twente is where it is (replication 2, 2013-06)" in done.stdout
    summary = json.loads((out / "summary.json").read_text())
    assert summary["explanation"]["replication"] == 2 and summary["explanation"]["month"] == "2013-06"
    across = summary["explanation"]["across_replications"]
    assert sorted(sum(across.values(), [])) == [0, 1, 2] and 2 in across[summary["explanation"]["stage"]]
    assert "Across the 3 replications in 2013-06, Twente is" in done.stdout
    for bad, what in ((["--month", "2019-01"], "--month"), (["--replication", "3"], "--replication")):
        refused = chainsim("run", "--replications", "3", "--quiet", "--explain", "Twente", *bad,
                           "--out", str(tmp_path / "x"))
        assert refused.returncode == 2 and refused.stderr.count("\n") == 1 and what in refused.stderr
    assert chainsim("run", "--month", "2013-06", "--out", str(tmp_path / "y")).returncode == 2


def test_a_reader_that_stops_early_is_no_error(tmp_path):
    """``chainsim list scenarios | head -1``: the pipe closes before chainsim is done; no traceback."""
    exe = Path(sys.executable).with_name("chainsim")
    cmd = [str(exe), "list", "parameters"] if exe.exists() else [sys.executable, "-m", "chainsim.cli", "list",
                                                                  "parameters"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    proc.stdout.readline()
    proc.stdout.close()                       # as head does after its lines
    stderr = proc.stderr.read()
    proc.wait(timeout=120)
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr
    assert proc.returncode == 0
