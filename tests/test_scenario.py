"""Scenario files: loading, merging, and one-line problems that name file, line and key."""

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
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
    ('calender = 1\n', 3, "calender: unknown key (allowed: extends, description, sources, era, start_from, regions, calendar, "
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


LEVER = 'kind = "joint_targets"\nstart = "2013-01"\n'


@pytest.mark.parametrize("body, line, expected", [
    # an inline array of inline tables over several lines, with a comment holding brackets and quotes
    (('levers = [\n  { kind = "joint_targets", start = "2013-01" },\n  # not [[levers]] nor "a = 1"\n'
      '  { kind = "budget_cuts", start = "2013-01", strength = 2 },\n]\n'), 6,
     "levers[1].strength: 2 out of range (allowed: 0 to 1)"),
    # an inline table, after a comment and a blank line
    ('# the calendar\n\ncalendar = { start = "2012-01", end = "2013-13" }\n', 5,
     "calendar.end: '2013-13' is not a month"),
    # an inline table inside an array of tables
    ('[[levers]]\n' + LEVER + '[[levers]]\n' + LEVER + 'regions = { rule = "size > 3" }\n', 9,
     "levers[1].regions.rule: unknown attribute 'size'"),
    # a sub-table of the second item of an array of tables
    ('[[levers]]\n' + LEVER + '[[levers]]\n' + LEVER + '[levers.regions]\n\nfraction = 1.5\n', 11,
     "levers[1].regions.fraction: 1.5 out of range"),
    # quoted keys: one holding '=' and one holding a dot, after a comment that looks like a key
    ('[parameters]\nweight_belief = 1.0  # "weight_trust" = 2\n\'weight=trust\' = 1.0\n', 5,
     "parameters.weight=trust: unknown parameter"),
    ('[parameters]\nweight_belief = 1.0\n"weight.trust" = 1.0\n', 5, "parameters.weight.trust: unknown parameter"),
    # dotted keys, bare and quoted, at the top and inside an array of tables
    ('calendar.start = "2012-01"\nparameters.weight_belief = 1.0\nparameters."weight_trust" = 9.0\n', 5,
     "parameters.weight_trust: 9 out of range"),
    ('[[levers]]\n' + LEVER + 'regions.fraction = 1.5\n', 6, "levers[0].regions.fraction: 1.5 out of range"),
    # a multi-line string whose lines look like a table and a key
    (('extends = """netherlands_2012.toml"""\n[calendar]\nend = """2016-12"""\n[parameters]\n'
      'weight_belief = 1.0\nweight_trust = \'\'\'\n[parameters]\nweight_trust = 1.0\'\'\'\n'
      'weight_pressure = 9.0\n'), 11, "parameters.weight_pressure: 9 out of range"),
])
def test_the_line_is_the_faulty_keys_in_every_toml_construct(tmp_path, body, line, expected):
    path = write(tmp_path, GOOD + body)
    tomllib.loads(path.read_text())                      # the file is valid TOML: the error is the scenario's
    problems = [p for p in problems_of(path) if expected in p]
    assert problems and problems[0].startswith(f"{path}:{line}: "), problems_of(path)


def test_validate_names_the_line_of_a_key_in_an_inline_array(tmp_path):
    path = write(tmp_path, GOOD + 'levers = [\n  { kind = "joint_targets", start = "2013-01" },\n'
                                  '  { kind = "joint_targets", start = "2013-01", strenght = 1 },\n]\n')
    done = subprocess.run([str(Path(sys.executable).with_name("chainsim")), "validate", str(path)],
                          check=False, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.startswith(f"{path}:5: levers[1].strenght: unknown key"), done.stderr


# --- key_lines on generated TOML: every key on the line it was written -------------
_key_names = st.one_of(st.from_regex(r"[a-z_][a-z0-9_-]{0,6}", fullmatch=True),
                       st.text(st.sampled_from('ab.=#[]{}" \'-'), min_size=1, max_size=6))
_scalars = st.one_of(st.integers(-99, 99), st.text(st.sampled_from('ab=#[]{},"\'\\ \n'), max_size=8))


def _toml_key(name: str) -> str:
    import json
    import re

    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else json.dumps(name)


def _toml_scalar(value) -> str:
    import json

    if isinstance(value, str) and "\n" in value:
        return '"""' + value.replace("\\", "\\\\").replace('"', '\\"') + '"""'
    return json.dumps(value)


class _Writer:
    """Writes a TOML text line by line and notes the line of every key path (as the validators name it)."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.current = ""
        self.expected: dict[str, int] = {}

    def note(self, path: str) -> None:
        written = sum(line.count("\n") + 1 for line in self.lines)     # a line may hold a multi-line string
        self.expected.setdefault(path, written + 1 + self.current.count("\n"))

    def flush(self) -> None:
        self.lines.append(self.current)
        self.current = ""

    def value(self, draw, path: str, depth: int) -> None:
        kind = draw(st.sampled_from(["scalar", "inline", "array", "long array"] if depth < 2 else ["scalar"]))
        if kind == "scalar":
            self.current += _toml_scalar(draw(_scalars))
        elif kind == "inline":
            self.current += "{ "
            for i, name in enumerate(draw(st.lists(_key_names, max_size=3, unique=True))):
                self.note(f"{path}.{name}")
                self.current += (", " if i else "") + f"{_toml_key(name)} = "
                self.scalar_or_short(draw, f"{path}.{name}", depth + 1)
            self.current += " }"
        elif kind == "array":
            self.current += "["
            for i in range(draw(st.integers(0, 3))):
                self.note(f"{path}[{i}]")
                self.current += ", " if i else ""
                self.scalar_or_short(draw, f"{path}[{i}]", depth + 1)
            self.current += "]"
        else:                                   # an array over several lines, with comments
            self.current += "[  # [x] = 1"
            for i in range(draw(st.integers(0, 3))):
                self.flush()
                self.current = "  "
                self.note(f"{path}[{i}]")
                self.value(draw, f"{path}[{i}]", depth + 1)
                self.current += ","
            self.flush()
            self.current = "]"

    def scalar_or_short(self, draw, path: str, depth: int) -> None:
        """A value that stays on one line: a scalar, or an inline table or array of scalars."""
        kind = draw(st.sampled_from(["scalar", "inline"] if depth < 2 else ["scalar"]))
        if kind == "scalar":
            value = draw(_scalars)
            self.current += _toml_scalar(value.replace("\n", " ") if isinstance(value, str) else value)
        else:
            self.current += "{ "
            for i, name in enumerate(draw(st.lists(_key_names, max_size=2, unique=True))):
                self.note(f"{path}.{name}")
                self.current += (", " if i else "") + f"{_toml_key(name)} = {_toml_scalar(draw(st.integers()))}"
            self.current += " }"

    def pairs(self, draw, table: str) -> None:
        for name in draw(st.lists(_key_names, max_size=3, unique=True)):
            path = f"{table}.{name}" if table else name
            self.note(path)
            self.current = f"{_toml_key(name)} = "
            self.value(draw, path, 0)
            self.flush()


@st.composite
def toml_documents(draw) -> tuple[str, dict[str, int]]:
    w = _Writer()
    w.pairs(draw, "")
    if draw(st.booleans()):
        w.note("top.sub.key")
        w.lines.append('top . "sub".key = 1')
    for name in draw(st.lists(st.sampled_from(["calendar", "parameters", "z.q"]), max_size=2, unique=True)):
        w.note(name)
        w.lines.append(f"[{name}]")
        w.pairs(draw, name)
    for i in range(draw(st.integers(0, 3))):
        w.note(f"levers[{i}]")
        w.lines.append("[[levers]]  # an item")
        w.pairs(draw, f"levers[{i}]")
        if draw(st.booleans()):
            w.note(f"levers[{i}].regions")
            w.lines.append("[levers.regions]")
            w.pairs(draw, f"levers[{i}].regions")
    return "\n".join(w.lines) + "\n", w.expected


@settings(max_examples=150, deadline=None)
@given(toml_documents())
def test_key_lines_finds_every_key_on_the_line_it_was_written(document):
    from chainsim.toml_lines import key_lines

    text, expected = document
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        assume(False)                        # a key drawn twice (a root key named like a table)
    found = key_lines(text)
    assert {k: found.get(k) for k in expected} == expected, text


def test_all_problems_of_a_file_at_once(tmp_path):
    path = write(tmp_path, "[parameters]\nweight_trst = 1\nweight_belief = 99\n")
    problems = problems_of(path)
    assert len(problems) == 4          # two bad parameters, no description, no sources
    assert {p.split(": ")[1] for p in problems} == {"parameters.weight_trst", "parameters.weight_belief",
                                                     "description", "sources"}


def test_a_misspelt_lever_kind_hides_none_of_its_other_problems_and_lines_come_in_order(tmp_path):
    path = write(tmp_path, GOOD + '[[lever]]\nkind = "joint_targets"\n[parameters]\nweight_trust = "high"\n'
                                  '[[levers]]\nkind = "joint_target"\nstart = "2013-13"\nstrength = 1.5\n'
                                  'regions = ["Rijnmnd"]\n[[levers]]\nkind = "budget_cuts"\nstart = "2014-01"\n'
                                  'end = "2013-01"\n')
    problems = problems_of(path)
    keys = [p.split(": ")[1] for p in problems]
    assert keys == ["lever", "parameters.weight_trust", "levers[0].kind", "levers[0].start", "levers[0].strength",
                    "levers[0].regions", "levers[1].end"]
    lines = [int(p[len(f"{path}:"):].split(":")[0]) for p in problems]
    assert lines == sorted(lines) and lines[0] == GOOD.count("\n") + 1     # [[lever]] on its own line


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


def test_an_experiment_file_given_as_a_scenario_says_what_it_is(tmp_path):
    """`chainsim run experiments/x.toml`: one line naming the file kind and the command that takes it."""
    with pytest.raises(ScenarioError) as err:
        load_scenario(ROOT / "experiments" / "smoke.toml")
    assert str(err.value).count("\n") == 0 and "this is an experiment file (it has base, design, factors)" in \
        str(err.value) and "chainsim sweep" in str(err.value)
    # a scenario that happens to carry a description only is still read as a scenario (its problems listed)
    lone = tmp_path / "lone.toml"
    lone.write_text('description = "no sources"\nbase = "x"\nextends = "netherlands_2012.toml"\n')
    with pytest.raises(ScenarioError, match="base: unknown key"):
        load_scenario(lone)
    lone.write_text('description = "a slip: base for extends"\nbase = "netherlands_2012.toml"\n')
    with pytest.raises(ScenarioError, match="base: unknown key") as err:
        load_scenario(lone)
    assert "experiment file" not in str(err.value)


def test_a_lever_of_an_unknown_kind_still_has_its_other_slips_found():
    """One pass finds all: without a known kind, a key that no lever has is still reported."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "s.toml"
        path.write_text(GOOD + '[[levers]]\nkind = "joint_target"\nstart = "2013-01"\nstregth = 0.5\ninterval = 2\n')
        problems = problems_of(path)
    assert len(problems) == 2, problems                  # the kind and the misspelt key; interval is some lever's
    assert "levers[0].kind: unknown lever kind 'joint_target'" in problems[0]
    assert problems[1].startswith(f"{path}:6: levers[0].stregth: unknown key for any lever") and \
        problems[1].endswith("did you mean 'strength'?")
