"""One random stream per kind of chance event, all children of the run's seed."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np


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

    agenda: np.random.Generator      # what a centre proposes, reviews (M5)
    decisions: np.random.Generator   # idiosyncratic part of support (all weighing)
    delivery: np.random.Generator    # implementation delay and success (M13)
    actors: np.random.Generator      # participation (M4), ICT uptake (M7)
    events: np.random.Generator      # elections (M6), subsidy applications (M10)
    levers: np.random.Generator      # scenario levers: random region selections, subsidies
    labour: np.random.Generator      # month-to-month luck in placements (labour market)

    @classmethod
    def from_generator(cls, rng: np.random.Generator) -> "RandomStreams":
        seed_seq = rng.bit_generator.seed_seq
        children = seed_seq.spawn(len(fields(cls)))
        return cls(*(np.random.default_rng(child) for child in children))
