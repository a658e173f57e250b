"""What validates also runs: generated valid scenario files, each loaded and run for its first months.

A scenario file that ``chainsim validate`` accepts must never crash a run
(the reliability issue found rules, calendars and options that validated and
then raised). Hypothesis writes scenario files from the declared tables --
calendar months anywhere the checker allows, parameters anywhere in their
declared ranges, every lever kind with every kind of region selection and
options within their bounds -- loads each with the one checker, and steps
the model for its first months on a few regions.
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chainsim.core.calendar import Month
from chainsim.core.levers import LEVERS, RULE_ATTRIBUTES
from chainsim.core.parameters import SPECS
from chainsim.core.regions import load_regions
from chainsim.model import ChainModel
from chainsim.scenario import ScenarioError, load_scenario
from chainsim.tomlcheck import MONTHS_ALLOWED

REGION_NAMES = [r.name for r in load_regions()]
FIRST, LAST = MONTHS_ALLOWED
SPAN = LAST.minus(FIRST)


def _toml(value) -> str:
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"
    return repr(value)


@st.composite
def months(draw, low: Month, high: Month) -> Month:
    return low.plus(draw(st.integers(0, high.minus(low))))


@st.composite
def selections(draw):
    choice = draw(st.sampled_from(["all", "names", "fraction", "rule"]))
    if choice == "all":
        return "all"
    if choice == "names":
        return draw(st.lists(st.sampled_from(REGION_NAMES), min_size=1, max_size=4))
    if choice == "fraction":
        return {"fraction": draw(st.floats(0.0, 1.0))}
    attribute = draw(st.sampled_from(sorted(RULE_ATTRIBUTES)))
    op = draw(st.sampled_from([">", ">=", "<", "<=", "==", "!="]))
    number = draw(st.one_of(st.integers(-5, 40).map(str),
                            st.floats(-1.0, 30.0, allow_nan=False).map(lambda x: str(round(x, 3))),
                            st.from_regex(r"-?[0-9.]{1,5}", fullmatch=True)))     # also texts that are no number
    return {"rule": f"{attribute} {op} {number}"}


@st.composite
def scenario_texts(draw) -> str:
    start = draw(months(FIRST, LAST))
    end = draw(months(start, min(LAST, start.plus(120))))
    observed = draw(months(start, end))
    lines = ['description = "generated"', 'sources = ["hypothesis"]',
             f"regions = {_toml(draw(st.lists(st.sampled_from(REGION_NAMES), min_size=1, max_size=3, unique=True)))}",
             "[calendar]", f'start = "{start}"', f'end = "{end}"', f'observed_at = "{observed}"', "[parameters]"]
    for name in draw(st.lists(st.sampled_from(sorted(SPECS)), max_size=6, unique=True)):
        spec = SPECS[name]
        lines.append(f"{name} = {draw(st.floats(spec.low, spec.high, allow_nan=False))!r}")
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(sorted(LEVERS)))
        lever_start = draw(months(start, end))
        lines += ["[[levers]]", f'kind = "{kind}"', f'start = "{lever_start}"']
        if draw(st.booleans()):
            lines.append(f'end = "{draw(months(lever_start, end))}"')
        lines.append(f"regions = {_toml(draw(selections()))}")
        lines.append(f"strength = {draw(st.floats(0.0, 1.0))!r}")
        for option, (_, low, high, _meaning) in LEVERS[kind].options.items():
            if draw(st.booleans()):
                lines.append(f"{option} = {draw(st.floats(low, high, allow_nan=False))!r}")
    return "\n".join(lines) + "\n"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(text=scenario_texts(), seed=st.integers(0, 2**31 - 1))
def test_every_valid_scenario_runs(tmp_path, text, seed):
    path = tmp_path / "generated.toml"
    path.write_text(text, encoding="utf-8")
    try:
        scenario = load_scenario(path)             # the one checker
    except ScenarioError:
        return                                     # refused with one-line problems: nothing to run
    model = ChainModel(scenario, rng=seed)
    for _ in range(min(3, scenario.calendar.n_months)):
        model.step()
    stage = model.recorder.stage[: model.t]
    assert ((stage >= 0) & (stage <= 2)).all()


def test_a_rule_whose_number_is_not_a_number_is_refused(tmp_path):
    import pytest

    for number in ("1.2.3", ".", "-", "1..", "--1"):
        path = tmp_path / "rule.toml"
        path.write_text('description = "x"\nsources = ["y"]\n[[levers]]\nkind = "joint_targets"\n'
                        f'start = "2013-01"\nregions = {{ rule = "n_municipalities > {number}" }}\n', encoding="utf-8")
        with pytest.raises(ScenarioError, match="is not a rule"):
            load_scenario(path)
