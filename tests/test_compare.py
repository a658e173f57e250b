"""Comparisons where the levers act: treated regions per replication, paired effects, the researcher's question."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from test_cli import chainsim

from chainsim.compare import (
    EQUAL_VALUES,
    equal_values,
    fmt,
    group_differences,
    lever_masks,
    region_infos,
    stat_json,
    treated_mask,
)
from chainsim.core.calendar import Month
from chainsim.core.config import RunConfig
from chainsim.core.levers import Lever, RegionSelection
from chainsim.core.parameters import Parameters
from chainsim.core.regions import load_regions
from chainsim.model import ChainModel
from chainsim.runner import replication_seeds
from chainsim.statistics import estimate

ROOT = Path(__file__).resolve().parents[1]
QUESTION = ROOT / "experiments" / "question_deadline_targets_large_regions.toml"
START = Month(2013, 1)
LARGE = RegionSelection(rule="n_municipalities > 15")
HALF = RegionSelection(fraction=0.5)


def test_lever_masks_are_the_masks_the_model_draws():
    levers = (Lever("joint_targets", START, None, HALF),
              Lever("legal_deadline", START, Month(2014, 1), LARGE),
              Lever("co_location", START, None, RegionSelection(fraction=0.3)))
    config = RunConfig(levers=levers)
    drawn = []
    for seed in replication_seeds(5, 3):
        model = ChainModel(config=config, rng=np.random.default_rng(seed))
        schedule = model.world.interventions[0]
        mine = lever_masks(levers, region_infos(model.regions_state.codes), seed)
        assert all((a == b).all() for a, b in zip(schedule.masks, mine))
        drawn.append(mine[0])
    assert not all((drawn[0] == d).all() for d in drawn[1:])     # a fraction is drawn anew per replication
    assert [m.sum() for m in mine] == [18, 7, 10]


def test_treated_regions_are_where_what_acts_differs():
    infos = load_regions()
    large = np.array([r.n_municipalities > 15 for r in infos])
    seed = replication_seeds(1, 1)[0]
    half = Lever("joint_targets", START, None, HALF)
    deadline = Lever("legal_deadline", START, Month(2014, 1), LARGE)
    base = RunConfig(levers=(half,))
    # a lever added on top of the base's: its regions; the base's own random half is drawn alike in both
    assert (treated_mask(RunConfig(levers=(half, deadline)), base, infos, seed) == large).all()
    assert not treated_mask(base, base, infos, seed).any()
    # a lever of the base taken away, or acting with another strength: the regions it acted on
    assert (treated_mask(RunConfig(), RunConfig(levers=(deadline,)), infos, seed) == large).all()
    weaker = RunConfig(levers=(replace(deadline, strength=0.5),))
    assert (treated_mask(weaker, RunConfig(levers=(deadline,)), infos, seed) == large).all()
    # a parameter acts everywhere
    stronger = RunConfig(params=replace(Parameters(), weight_pressure=1.5), levers=(half,))
    assert treated_mask(stronger, base, infos, seed).all()


def test_group_differences_pair_runs_region_by_region():
    done = np.array([[[True, True, False, False]], [[True, False, False, True]]])        # 2 pairs, 1 month, 4 regions
    base_done = np.array([[[True, False, False, False]], [[False, False, False, True]]])
    treated = np.array([[True, True, False, False], [False, False, False, False]])
    d = group_differences(done, base_done, treated)
    assert d["national"][:, 0] == pytest.approx([0.25, 0.25])
    assert d["treated"][0, 0] == pytest.approx(0.5) and np.isnan(d["treated"][1, 0])   # no treated region
    assert d["untreated"][:, 0] == pytest.approx([0.0, 0.25])


def test_shares_and_differences_show_three_decimals():
    assert fmt({"mean": 0.306 - 0.265, "ci95": [0.012, 0.07]}, signed=True) == "+0.041 [+0.012, +0.070]"
    assert fmt({"mean": 0.265, "ci95": None}) == "0.265 n/a (1 replication)"


def test_a_bound_that_is_not_zero_never_shows_as_zero():
    assert fmt({"mean": 0.0004, "ci95": [0.0001, 0.0007]}, signed=True) == "+0.0004 [+0.0001, +0.0007]"
    assert fmt({"mean": -0.02, "ci95": [-0.04, -0.0002]}, signed=True) == "-0.0200 [-0.0400, -0.0002]"
    assert fmt({"mean": 0.037, "ci95": [-0.0001, 0.075]}, signed=True) == "+0.0370 [-0.0001, +0.0750]"   # spans 0
    assert fmt({"mean": 0.0, "ci95": [0.0, 0.075]}, signed=True) == "+0.000 [+0.000, +0.075]"     # a bound at 0
    assert fmt({"mean": -1e-17, "ci95": [-0.0, 0.0001]}, signed=True) == "+0.0000 [+0.0000, +0.0001]"   # no -0
    assert fmt({"mean": 0.00004, "ci95": [0.00001, 0.00007]}, signed=True) == "+0.00004 [+0.00001, +0.00007]"


def test_compare_answers_the_researchers_question(tmp_path):
    """National, treated and untreated effects with paired intervals from one `chainsim compare`."""
    result = chainsim("compare", "netherlands_2012", str(QUESTION), "--replications", "3",
                      "--regions", "Groningen,Friesland,Drenthe,Twente", "--workers", "1", "--json",
                      "--out", str(tmp_path / "cmp"), "--quiet")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert len(summary["months"]) == 60
    effects = summary["scenarios"][QUESTION.stem]["effects"]
    assert set(effects) == {"national", "treated", "untreated"}
    assert effects["treated"]["region_codes"] == ["AM01", "AM02"]        # Groningen, Friesland: > 15 municipalities
    assert effects["untreated"]["region_codes"] == ["AM03", "AM05"]
    with_p = 0
    for group in effects.values():
        for when in ("observed_at", "end"):
            e = group[when]
            assert e["replications"] == 3
            if e["ci95"] is None:            # every replication the same (the untreated: 0, as nothing acts there)
                assert e["no_interval"] == "all 3 values equal" and e["p"] is None and e["p_holm"] is None
                continue
            with_p += 1
            assert len(e["ci95"]) == 2 and len(e["ci95_simultaneous"]) == 2
            assert e["ci95"][0] <= e["mean"] <= e["ci95"][1]
            assert e["ci95_simultaneous"][0] <= e["ci95"][0] and 0 <= e["p"] <= e["p_holm"] <= 1
        assert len(group["monthly"]["mean"]) == 60
    assert effects["untreated"]["end"]["mean"] == 0.0 and effects["untreated"]["end"]["ci95"] is None
    # the national effect is the treated and untreated effects weighted by their regions
    for when in ("observed_at", "end"):
        national = effects["national"][when]["mean"]
        assert national == pytest.approx((2 * effects["treated"][when]["mean"]
                                           + 2 * effects["untreated"][when]["mean"]) / 4)
    assert summary["multiplicity"]["effects"] == with_p > 0        # the effects with a p form the family
    national = summary["scenarios"][QUESTION.stem]["difference_vs_base"]["end"]
    assert national["mean"] == pytest.approx(effects["national"]["end"]["mean"])


def test_compare_with_one_replication_reports_no_interval(tmp_path):
    result = chainsim("compare", "netherlands_2012", str(QUESTION), "--replications", "1",
                      "--regions", "Groningen,Drenthe", "--workers", "1", "--out", str(tmp_path / "one"), "--quiet")
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if "treated (1)" in line or "all (2 regions)" in line]
    assert len(rows) == 3 and all(row.count("n/a (1 replication)") == 2 and "[" not in row for row in rows)
    summary = json.loads((tmp_path / "one" / "comparison.json").read_text())
    scenario = summary["scenarios"][QUESTION.stem]
    assert scenario["share_coordinated"]["end"]["ci95"] is None
    assert scenario["effects"]["treated"]["end"]["ci95"] is None
    assert scenario["effects"]["treated"]["end"]["p"] is None
    assert summary["multiplicity"]["effects"] == 0


def test_equal_paired_differences_are_shown_without_an_interval_and_say_why():
    stat = stat_json(estimate([2 / 35, 2 / 35]))
    assert stat["ci95"] is None and stat["no_interval"] == "all 2 values equal"
    assert fmt(stat, signed=True) == "+0.057 n/a (all equal)"     # fits the column; the JSON keeps the count
    assert "add replications" in EQUAL_VALUES
    assert "a location's stage" in equal_values("location") and "steps of one location" in equal_values("location")


def test_a_scenario_that_changes_parameters_says_so_where_its_effects_are_shown(tmp_path):
    """A parameter acts everywhere: compare names it beside the effects, validate beside its default."""
    from chainsim.compare import _everywhere_lines, changes_everywhere

    base = RunConfig(levers=(Lever("joint_targets", START),))
    lower = RunConfig(params=replace(Parameters(), weight_pressure=1.0), levers=base.levers, mechanisms_off=("M2",))
    changes = changes_everywhere(lower, base)
    assert changes == {"parameters": {"weight_pressure": [Parameters().weight_pressure, 1.0]},
                       "mechanisms_off": ["M2"]}
    assert changes_everywhere(base, base) == {}
    lines = _everywhere_lines(changes)
    assert "weight_pressure 1.797 -> 1" in lines[0] and "every region" in lines[0] and "M2" in lines[1]
    scenario = tmp_path / "lower.toml"
    scenario.write_text('extends = "chainsim:netherlands_2012"\ndescription = "d"\nsources = ["s"]\n'
                        "[parameters]\nweight_pressure = 1.0\n")
    result = chainsim("validate", str(scenario))
    assert result.returncode == 0, result.stderr
    assert "parameters set, in every region: weight_pressure = 1 (its base 1.797)" in result.stdout
    inherited = chainsim("validate", str(ROOT / "scenarios" / "werkplein_lever_ict.toml"))
    assert inherited.returncode == 0 and "parameters set" not in inherited.stdout     # its base's, not its own


def test_a_scenario_whose_levers_reach_none_of_the_regions_says_so(tmp_path):
    result = chainsim("compare", "netherlands_2012", str(QUESTION), "--replications", "2",
                      "--regions", "Drenthe,Flevoland", "--workers", "1", "--out", str(tmp_path / "none"), "--quiet")
    assert result.returncode == 0, result.stderr
    assert "acts on none of the 2 regions simulated" in result.stdout
    summary = json.loads((tmp_path / "none" / "comparison.json").read_text())
    assert summary["scenarios"][QUESTION.stem]["treated_regions_range"] == [0, 0]


def test_the_default_folder_names_every_scenario_compared():
    from types import SimpleNamespace

    from chainsim.cli import _compare_folder

    named = [SimpleNamespace(name=n) for n in ("netherlands_2012", "lever_joint_targets", "lever_uwv_presence")]
    assert _compare_folder(named[:2]) != _compare_folder(named[::2])
    assert _compare_folder(named[:2]).name == "compare_netherlands_2012_vs_lever_joint_targets"
    assert _compare_folder([SimpleNamespace(name=n) for n in ("a_b", "c")]) != \
        _compare_folder([SimpleNamespace(name=n) for n in ("a", "b_c")])
    many = [SimpleNamespace(name=f"scenario_with_a_long_name_{k}") for k in range(10)]
    assert len(_compare_folder(many).name) < 80 and _compare_folder(many) != _compare_folder(many[:9])
