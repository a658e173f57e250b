"""Shared hypothesis strategies (one place, as in Axelrod's tests/property.py)."""

from __future__ import annotations

from hypothesis import strategies as st

from chainsim.core.parameters import SPECS, Parameters

seeds = st.integers(min_value=0, max_value=2**32 - 1)


@st.composite
def parameters(draw, names: tuple[str, ...] | None = None) -> Parameters:
    """Parameters with some values drawn anywhere in their declared ranges."""
    chosen = names or tuple(SPECS)
    values = {}
    for name in chosen:
        spec = SPECS[name]
        if draw(st.booleans()):
            values[name] = draw(st.floats(spec.low, spec.high, allow_nan=False))
    return Parameters.from_mapping(values)
