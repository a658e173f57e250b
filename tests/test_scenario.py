from pathlib import Path

import pytest

from chainsim.runner import RunConfig
from chainsim.scenario import ScenarioError, load_scenario

ROOT = Path(__file__).resolve().parents[1]


def test_shipped_default_equals_the_built_in_default():
    config = load_scenario(ROOT / "scenarios" / "netherlands_2012.toml")
    default = RunConfig()
    assert config.params == default.params
    assert config.calendar == default.calendar
    assert config.regions is None
    assert config.scenario == "netherlands_2012"


def write(tmp_path, text):
    path = tmp_path / "s.toml"
    path.write_text(text)
    return path


GOOD = 'description = "x"\nsources = ["y"]\n'


@pytest.mark.parametrize("body, expected", [
    ("[parameters]\nweight_trst = 1.0\n", "parameters.weight_trst: unknown parameter; did you mean 'weight_trust'?"),
    ("[parameters]\nweight_trust = 9.0\n", "parameters.weight_trust: 9.0 out of range (allowed: 0.3 to 2.0)"),
    ("[parameters]\nweight_trust = \"high\"\n", "parameters.weight_trust: must be a number"),
    ('regions = ["Atlantis"]\n', "regions: unknown region 'Atlantis'"),
    ('[calendar]\nstart = "2012-13"\n', "calendar.start: '2012-13' is not a month"),
    ('[calendar]\nobserved_at = "2020-01"\n', "calendar: observation month 2020-01 lies outside"),
    ('calender = 1\n', "calender: unknown key"),
])
def test_one_line_per_problem_naming_file_and_key(tmp_path, body, expected):
    path = write(tmp_path, GOOD + body)
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert len(err.value.problems) == 1
    line = err.value.problems[0]
    assert "\n" not in line and line.startswith(str(path)) and expected in line


def test_all_problems_at_once_and_syntax_errors(tmp_path):
    path = write(tmp_path, "[parameters]\nweight_trst = 1\nweight_belief = 99\n")
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert len(err.value.problems) == 4          # two bad parameters, no description, no sources
    path = write(tmp_path, "description = \n")
    with pytest.raises(ScenarioError, match="TOML syntax error"):
        load_scenario(path)
    with pytest.raises(ScenarioError, match="file not found"):
        load_scenario(tmp_path / "missing.toml")


def test_a_valid_scenario_with_regions_and_overrides(tmp_path):
    path = write(tmp_path, GOOD + 'regions = ["Friesland", "AM32"]\n[parameters]\nweight_pressure = 1\n')
    config = load_scenario(path)
    assert config.regions == ("AM02", "AM32") and config.params.weight_pressure == 1.0
