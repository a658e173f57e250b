import pytest

from chainsim.core.parameters import SPECS, ParameterError, Parameters


def test_every_default_lies_in_its_range_and_names_a_source():
    for spec in SPECS.values():
        assert spec.low <= spec.default <= spec.high, spec.name
        assert spec.source and spec.mechanism and spec.description


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
