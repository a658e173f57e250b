"""One random stream per kind of chance event, all children of the run's seed.

A world may hold several replications at once (:mod:`chainsim.core.batch`).
Each replication then keeps its own streams, and every draw over rows --
regions, organisations, a subset of them -- is split into the replication's
own block of rows: replication k draws exactly the numbers it would draw if
it ran alone, whatever else runs beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields

import numpy as np


class Stream:
    """One kind of chance event, for the replications of a world.

    Each draw names ``split``: how many of the rows along ``axis`` belong to
    each replication (rows of one replication are contiguous and in
    replication order). With one replication the generator draws the whole
    shape in one call; with several, each replication's generator draws its
    own block with the call a lone run would make, and the blocks are joined.
    """

    __slots__ = ("generators",)

    def __init__(self, generators: Sequence[np.random.Generator]) -> None:
        self.generators = tuple(generators)

    def _draw(self, method: str, args: tuple, size, split, axis: int) -> np.ndarray:
        if len(self.generators) == 1:
            return getattr(self.generators[0], method)(*args, size)
        if axis == 0 and (method == "random" or (method == "normal" and args[0] == 0.0 and args[1] >= 0.0)):
            return _IN_PLACE[method](self.generators, args, size, split)
        shape = list(np.atleast_1d(size))
        parts = []
        for generator, rows in zip(self.generators, split, strict=True):
            shape[axis] = int(rows)
            parts.append(getattr(generator, method)(*args, tuple(shape)))
        return np.concatenate(parts, axis=axis)

    @property
    def single(self) -> np.random.Generator:
        """The generator of a stream that serves one replication."""
        if len(self.generators) != 1:
            raise ValueError(f"this stream serves {len(self.generators)} replications, not one")
        return self.generators[0]

    def random(self, size, *, split, axis: int = 0) -> np.ndarray:
        """Uniform numbers in [0, 1)."""
        return self._draw("random", (), size, split, axis)

    def normal(self, loc: float, scale: float, size, *, split, axis: int = 0) -> np.ndarray:
        """Normal numbers (``loc`` and ``scale`` are scalars)."""
        return self._draw("normal", (loc, scale), size, split, axis)

    def beta(self, a: float, b: float, size, *, split, axis: int = 0) -> np.ndarray:
        """Beta numbers (``a`` and ``b`` are scalars)."""
        return self._draw("beta", (a, b), size, split, axis)


def _blocks(size, split) -> tuple[np.ndarray, list[np.ndarray]]:
    """An empty array of ``size`` and its contiguous row blocks, one per replication."""
    out = np.empty(size)
    ends = np.cumsum(split)
    if ends[-1] != out.shape[0]:
        raise ValueError(f"the replications' rows ({int(ends[-1])}) do not fill the draw's {out.shape[0]} rows")
    return out, [out[end - rows:end] for end, rows in zip(ends.tolist(), split)]


def _random_in_place(generators, args, size, split) -> np.ndarray:
    out, blocks = _blocks(size, split)
    for generator, block in zip(generators, blocks, strict=True):
        generator.random(out=block)
    return out


def _normal_in_place(generators, args, size, split) -> np.ndarray:
    # numpy's Generator.normal makes each number as loc + scale x a standard normal;
    # with loc 0 (every normal draw of the model) that is scale x z on any platform,
    # fused multiply-add or not, so this gives the same numbers, bit for bit
    # (tests/test_streams.py); other draws take the joined route
    loc, scale = args
    out, blocks = _blocks(size, split)
    for generator, block in zip(generators, blocks, strict=True):
        generator.standard_normal(out=block)
    out *= scale
    out += loc
    return out


_IN_PLACE = {"random": _random_in_place, "normal": _normal_in_place}
"""Draws over rows that each replication's generator writes straight into its
block of one array (rows of a replication are contiguous along axis 0), instead
of drawing a block each and joining them: the same numbers, without the copy
(normal numbers only with loc 0 and a scale of 0 or more; others, and a scale
below 0, which numpy refuses, take the joined route)."""


@dataclass(frozen=True)
class RandomStreams:
    """One random stream per kind of chance event, all children of the run's seed.

    The initial state is drawn from the run's own generator; each monthly
    process draws from its own stream, and draws a fixed number of values
    whatever the state. Two scenarios run with the same seed therefore share
    their random numbers process by process (common random numbers): a lever
    that changes what one region decides does not shift the dice of every
    later decision, and paired differences between scenarios get narrow.
    """

    agenda: Stream      # what a centre proposes, reviews (M5)
    decisions: Stream   # idiosyncratic part of support (all weighing)
    delivery: Stream    # implementation delay and success (M13)
    actors: Stream      # participation (M4), ICT uptake (M7)
    events: Stream      # elections (M6), subsidy applications (M10)
    levers: Stream      # scenario levers: random region selections, subsidies
    labour: Stream      # month-to-month luck in placements (labour market)

    @classmethod
    def from_generator(cls, rng: np.random.Generator) -> "RandomStreams":
        """The streams of one replication, spawned from its generator's seed sequence.

        Spawning moves the sequence on, so that worlds built one after
        another from one generator draw different numbers, as replications
        must. Two runs that are to share their numbers (a baseline and a
        what-if) are given the seed, or each a fresh copy of the sequence
        (``ChainModel`` copies a sequence it is given; the runner does too).
        """
        seed_seq = rng.bit_generator.seed_seq
        children = seed_seq.spawn(len(fields(cls)))
        return cls(*(Stream([np.random.default_rng(child)]) for child in children))

    @classmethod
    def joined(cls, per_replication: Sequence["RandomStreams"]) -> "RandomStreams":
        """The streams of several replications, each keeping its own generators (in order)."""
        return cls(*(Stream([g for streams in per_replication for g in getattr(streams, f.name).generators])
                     for f in fields(cls)))
