"""A lever factor of an experiment is a scenario lever: the same keys, the same checks, the same Lever."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from chainsim.core.calendar import Month
from chainsim.core.levers import Lever, RegionSelection
from chainsim.experiment import ExperimentError, load_experiment
from chainsim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
HEAD = f'description = "x"\nbase = "{ROOT / "scenarios" / "netherlands_2012.toml"}"\n[design]\nkind = "grid"\n'
LEVER = 'start = "2013-06"\nend = "2015-01"\nregions = { rule = "n_municipalities > 15" }\n'


def test_a_lever_factor_is_the_scenarios_lever(tmp_path):
    experiment = tmp_path / "e.toml"
    experiment.write_text(HEAD + '[[factors]]\nname = "lever.minister_visits"\nlevels = [0.0, 0.5]\n'
                          + LEVER + "interval = 6\n")
    scenario = tmp_path / "s.toml"
    scenario.write_text('description = "x"\nsources = ["y"]\n[[levers]]\nkind = "minister_visits"\nstrength = 0.5\n'
                        + LEVER + "interval = 6\n")
    e = load_experiment(experiment)
    (lever,) = load_scenario(scenario).levers
    assert e.config(0).levers == ()                           # strength 0: off
    assert e.config(1).levers == (lever,)
    assert lever.end == Month(2015, 1) and lever.regions == RegionSelection(rule="n_municipalities > 15")


def test_which_lever_factor_carries_period_regions_and_strength(tmp_path):
    path = tmp_path / "e.toml"
    path.write_text(HEAD + '[[factors]]\nname = "lever"\nlevels = ["none", "joint_targets", "legal_deadline"]\n'
                    + LEVER + "strength = 0.8\n")
    e = load_experiment(path)
    kinds = [lever.kind for p in range(3) for lever in e.config(p).levers]
    assert kinds == ["joint_targets", "legal_deadline"]
    assert e.config(2).levers[0] == Lever("legal_deadline", Month(2013, 6), Month(2015, 1),
                                          RegionSelection(rule="n_municipalities > 15"), 0.8)


def test_defaults_are_as_before(tmp_path):
    path = tmp_path / "e.toml"
    path.write_text(HEAD + '[[factors]]\nname = "lever.joint_targets"\nlevels = [0.0, 1.0]\n')
    (lever,) = load_experiment(path).config(1).levers
    assert lever == replace(Lever("joint_targets", Month(2013, 1)), strength=1.0)


@pytest.mark.parametrize("body, line, expected", [
    ('name = "lever.joint_targets"\nlevels = [0.0, 1.0]\nregions = { rule = "size > 3" }\n', 9,
     "factors[0].regions.rule: unknown attribute 'size'"),
    ('name = "lever.joint_targets"\nlevels = [0.0, 1.0]\nstart = "2014-01"\nend = "2013-01"\n', 10,
     "factors[0].end: 2013-01 lies before the start 2014-01"),
    ('name = "lever.joint_targets"\nlevels = [0.0, 1.0]\nregions = ["Atlantis"]\n', 9,
     "factors[0].regions: unknown region 'Atlantis'"),
    ('name = "lever.minister_visits"\nlevels = [0.0, 1.0]\ninterval = 99\n', 9,
     "factors[0].interval: must be a whole number 1 to 24, got 99"),
    ('name = "lever.joint_targets"\nlevels = [0.0, 1.0]\ninterval = 3\n', 9,
     "factors[0].interval: unknown key (allowed: name, low, high, levels, start, end, regions)"),
    ('name = "weight_trust"\nlevels = [1.0, 1.2]\nregions = "all"\n', 9,
     "factors[0].regions: only lever factors (lever.<kind> or lever) have start, end and regions"),
    ('name = "lever"\nlevels = ["none", "joint_targets"]\nstrenght = 0.5\n', 9,
     "did you mean 'strength'?"),
])
def test_lever_factor_problems_name_the_factor_and_line(tmp_path, body, line, expected):
    path = tmp_path / "bad.toml"
    path.write_text(HEAD + "\n[[factors]]\n" + body)
    with pytest.raises(ExperimentError) as err:
        load_experiment(path)
    assert len(err.value.problems) == 1, err.value.problems
    problem = err.value.problems[0]
    assert problem.startswith(f"{path}:{line}: ") and expected in problem, problem


def test_an_experiment_loads_from_the_text_its_manifest_recorded(tmp_path):
    path = tmp_path / "e.toml"
    text = HEAD + '[[factors]]\nname = "lever.joint_targets"\nlevels = [0.0, 1.0]\n'
    path.write_text(text.replace("1.0]", "0.5]"))            # the file changed since the sweep
    e = load_experiment(path, text)
    assert e.text == text and e.points == ((0.0,), (1.0,))
