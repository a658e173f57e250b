import re
import tomllib
from importlib import resources

import pytest

from chainsim.core.parameters import SPECS, TRAIT_SHAPES, ParameterError, Parameters


def test_every_default_lies_in_its_range_and_names_a_source():
    for spec in SPECS.values():
        assert spec.low <= spec.default <= spec.high, spec.name
        assert spec.source and spec.mechanism and spec.description
        # a seed passage (000-004), a calibration, or an avowed estimate
        assert re.search(r"\b00[0-4]\b|estimate|calibrated", spec.source), spec.name


def test_no_parameter_name_takes_the_prefix_of_lever_strengths():
    # ChainModel reads keyword settings named lever_<kind> as lever strengths
    assert not [name for name in SPECS if name.startswith("lever_")]


def test_calibrated_values_override_the_defaults_of_the_calibrated_names_only():
    text = resources.files("chainsim.data").joinpath("calibrated.toml").read_text(encoding="utf-8")
    values = tomllib.loads(text)["values"]
    for name, spec in SPECS.items():
        if name in values:
            assert spec.default == float(values[name]) and spec.source.startswith("calibrated"), name
        else:
            assert not spec.source.startswith("calibrated"), name


def test_trait_shapes_are_proper_beta_distributions():
    for name, (a, b) in TRAIT_SHAPES.items():
        assert a > 0 and b > 0, name


def test_defaults_match_specs():
    p = Parameters()
    for name, spec in SPECS.items():
        assert getattr(p, name) == spec.default


@pytest.mark.parametrize("value", [-1.0, 99.0])
def test_out_of_range_is_refused_with_the_name(value):
    with pytest.raises(ParameterError, match="weight_trust"):
        Parameters(weight_trust=value)


def test_unknown_and_wrong_type_are_refused():
    with pytest.raises(ParameterError, match="unknown parameter"):
        Parameters.from_mapping({"weight_trusst": 1.0})
    with pytest.raises(ParameterError, match="must be a number"):
        Parameters.from_mapping({"weight_trust": "high"})
    with pytest.raises(ParameterError, match="must be a number"):
        Parameters.from_mapping({"weight_trust": True})


def test_seed_zero_is_a_seed():
    from helpers import small_model

    a, b = small_model(seed=0).run(), small_model(seed=0).run()
    c = small_model(seed=1).run()
    assert (a.recorder.items == b.recorder.items).all()
    assert not (a.graph.ties.trust == c.graph.ties.trust).all()
