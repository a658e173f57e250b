"""Scenario files: loading, merging, and one-line problems that name file, line and key."""

import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chainsim.core.calendar import Month
from chainsim.runner import RunConfig
from chainsim.scenario import ScenarioError, load_scenario

ROOT = Path(__file__).resolve().parents[1]
GOOD = 'description = "x"\nsources = ["y"]\n'


def write(tmp_path, text, name="s.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def problems_of(path) -> list[str]:
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    return err.value.problems


def test_shipped_default_equals_the_built_in_default():
    config = load_scenario(ROOT / "scenarios" / "netherlands_2012.toml").run_config()
    default = RunConfig()
    assert (config.params, config.calendar, config.regions, config.levers) == \
        (default.params, default.calendar, None, ())
    assert config.scenario == "netherlands_2012"


@pytest.mark.parametrize("body, line, expected", [
    ("[parameters]\nweight_trst = 1.0\n", 4,
     "parameters.weight_trst: unknown parameter (allowed: the names in docs/ODD.md §7.2); did you mean 'weight_trust'?"),
    ("[parameters]\nweight_trust = 9.0\n", 4, "parameters.weight_trust: 9 out of range (allowed: 0.3 to 2)"),
    ("[parameters]\nweight_trust = \"high\"\n", 4, "parameters.weight_trust: must be a number, got text"),
    ('regions = ["Atlantis"]\n', 3, "regions: unknown region 'Atlantis'"),
    ('[calendar]\nstart = "2012-13"\n', 4, "calendar.start: '2012-13' is not a month (allowed: \"YYYY-MM\")"),
    ('[calendar]\nobserved_at = "2020-01"\n', 3, "calendar: observation month 2020-01 lies outside"),
    ('calender = 1\n', 3, "calender: unknown key (allowed: extends, description, sources, regions, calendar, "
                          "parameters, levers); did you mean 'calendar'?"),
    ('[[levers]]\nkind = "joint_target"\nstart = "2013-01"\n', 4,
     "levers[0].kind: unknown lever kind 'joint_target' (allowed: "),
    ('[[levers]]\nkind = "joint_targets"\nstart = "2019-01"\n', 5,
     "levers[0].start: 2019-01 lies outside the calendar (allowed: 2012-01 to 2016-12)"),
    ('[[levers]]\nkind = "joint_targets"\nstart = "2013-01"\nstrength = 2\n', 6,
     "levers[0].strength: 2 out of range (allowed: 0 to 1)"),
    ('[[levers]]\nkind = "joint_targets"\nstart = "2013-01"\nregions = { fraction = 1.5 }\n', 6,
     "levers[0].regions.fraction: 1.5 out of range"),
    ('[[levers]]\nkind = "joint_targets"\nstart = "2013-01"\nregions = { rule = "size > 3" }\n', 6,
     "levers[0].regions.rule: unknown attribute 'size'"),
    ('[[levers]]\nkind = "minister_visits"\nstart = "2013-01"\nintervall = 2\n', 6,
     "levers[0].intervall: unknown key for a minister_visits lever (allowed: kind, start, end, regions, "
     "strength, interval); did you mean 'interval'?"),
    ('extends = "nowhere.toml"\n', 3, "extends: base scenario 'nowhere.toml' not found"),
])
def test_one_line_per_problem_naming_file_line_and_key(tmp_path, body, line, expected):
    path = write(tmp_path, GOOD + body)
    problems = problems_of(path)
    assert len(problems) == 1, problems
    assert "\n" not in problems[0]
    assert problems[0].startswith(f"{path}:{line}: "), problems[0]
    assert expected in problems[0]


def test_all_problems_of_a_file_at_once(tmp_path):
    path = write(tmp_path, "[parameters]\nweight_trst = 1\nweight_belief = 99\n")
    problems = problems_of(path)
    assert len(problems) == 4          # two bad parameters, no description, no sources
    assert {p.split(": ")[1] for p in problems} == {"parameters.weight_trst", "parameters.weight_belief",
                                                     "description", "sources"}


def test_syntax_errors_and_missing_files(tmp_path):
    path = write(tmp_path, 'description = "x"\nsources = [\n')
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:") and "TOML syntax error" in problem
    (problem,) = problems_of(tmp_path / "missing.toml")
    assert "file not found" in problem


def test_extends_merges_and_rejects_cycles(tmp_path):
    write(tmp_path, GOOD + '[calendar]\nend = "2015-12"\n[parameters]\nweight_trust = 1.5\n'
                           '[[levers]]\nkind = "knowledge_sharing"\nstart = "2013-01"\n', "base.toml")
    child = write(tmp_path, GOOD + 'extends = "base.toml"\n[parameters]\nweight_belief = 1.2\n'
                                   '[[levers]]\nkind = "joint_targets"\nstart = "2014-01"\nstrength = 0.5\n',
                  "child.toml")
    s = load_scenario(child)
    assert s.calendar.end == Month(2015, 12)
    assert (s.params.weight_trust, s.params.weight_belief) == (1.5, 1.2)
    assert [lever.kind for lever in s.levers] == ["knowledge_sharing", "joint_targets"]
    a = write(tmp_path, GOOD + 'extends = "b.toml"\n', "a.toml")
    write(tmp_path, GOOD + 'extends = "a.toml"\n', "b.toml")
    problems = problems_of(a)
    assert len(problems) == 1 and "cycle of extends" in problems[0]


def test_lever_dates_are_checked_against_the_merged_calendar(tmp_path):
    write(tmp_path, GOOD + '[calendar]\nend = "2014-12"\nobserved_at = "2014-06"\n', "short.toml")
    child = write(tmp_path, GOOD + 'extends = "short.toml"\n[[levers]]\nkind = "budget_cuts"\n'
                                   'start = "2013-01"\nend = "2015-06"\n', "late.toml")
    (problem,) = problems_of(child)
    assert problem.startswith(f"{child}:7: levers[0].end: 2015-06 lies outside the calendar")


def test_every_shipped_scenario_validates():
    files = sorted((ROOT / "scenarios").glob("*.toml"))
    assert len(files) >= 17
    for path in files:
        scenario = load_scenario(path)
        assert scenario.description and scenario.sources


# --- fuzzing: anything either loads or raises ScenarioError ---------------
toml_scalars = st.one_of(st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=False, allow_infinity=False),
                         st.text(max_size=12), st.sampled_from(["2013-01", "all", "joint_targets", "Friesland"]))
keys = st.one_of(st.sampled_from(["description", "sources", "extends", "regions", "calendar", "parameters",
                                  "levers", "kind", "start", "end", "strength", "fraction", "rule",
                                  "weight_trust", "observed_at", "interval"]),
                 st.from_regex(r"[a-z_]{1,10}", fullmatch=True))
tables = st.recursive(toml_scalars, lambda children: st.one_of(
    st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=5)), max_leaves=20)


def _to_toml(value, key_path="") -> str:
    """A small TOML writer for fuzzing (inline tables and arrays)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_to_toml(v) for v in value) + "]"
    return "{" + ", ".join(f'"{k}" = {_to_toml(v)}' for k, v in value.items()) + "}"


@settings(max_examples=150, deadline=None)
@given(data=st.dictionaries(keys, tables, max_size=8))
def test_fuzz_random_tables_load_or_raise_scenario_error(tmp_path_factory, data):
    text = "\n".join(f'"{k}" = {_to_toml(v)}' for k, v in data.items())
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return                       # our writer made something TOML does not accept
    path = tmp_path_factory.mktemp("fuzz") / "f.toml"
    path.write_text(text)
    try:
        load_scenario(path)
    except ScenarioError as exc:
        assert all("\n" not in p and p.startswith(str(path)) for p in exc.problems)


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=200))
def test_fuzz_any_text_loads_or_raises_scenario_error(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("fuzz") / "t.toml"
    path.write_bytes(text.encode("utf-8", errors="replace"))
    try:
        load_scenario(path)
    except ScenarioError as exc:
        assert exc.problems and all("\n" not in p for p in exc.problems)
