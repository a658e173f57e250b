"""A stream serving several replications draws each one's numbers as a lone run would."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chainsim.core.streams import Stream


def _generators(seed: int, n: int) -> list[np.random.Generator]:
    return [np.random.default_rng(child) for child in np.random.SeedSequence(seed).spawn(n)]


def _lone(method: str, args: tuple, seed: int, split: list[int], columns: int | None) -> np.ndarray:
    """What each replication's generator draws on its own, joined: the reference."""
    parts = [getattr(g, method)(*args, rows if columns is None else (rows, columns))
             for g, rows in zip(_generators(seed, len(split)), split)]
    return np.concatenate(parts, axis=0)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), split=st.lists(st.integers(0, 40), min_size=2, max_size=6),
       columns=st.one_of(st.none(), st.integers(1, 5)),
       loc=st.one_of(st.just(0.0), st.floats(-3, 3)), scale=st.floats(0, 3))
def test_a_batch_draw_gives_each_replication_its_lone_numbers_bit_for_bit(seed, split, columns, loc, scale):
    rows = sum(split)
    size = rows if columns is None else (rows, columns)
    uniform = Stream(_generators(seed, len(split))).random(size, split=split)
    assert np.array_equal(uniform, _lone("random", (), seed, split, columns))
    normal = Stream(_generators(seed, len(split))).normal(loc, scale, size, split=split)
    assert np.array_equal(normal, _lone("normal", (loc, scale), seed, split, columns))
    assert uniform.shape == normal.shape == np.empty(size).shape


def test_a_negative_scale_is_refused_as_numpy_refuses_it():
    with pytest.raises(ValueError):
        Stream(_generators(1, 2)).normal(0.0, -1.0, 6, split=[3, 3])


def test_rows_that_do_not_fill_the_draw_are_refused():
    with pytest.raises(ValueError, match="do not fill"):
        Stream(_generators(1, 2)).random(10, split=[3, 4])
