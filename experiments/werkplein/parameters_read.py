"""Which parameters the werkplein era reads: each set to the low and the high end of its declared range.

    .venv/bin/python experiments/werkplein/parameters_read.py [--regions AM02,AM05] [--replications 2]

Runs the era at the locations of the named regions on its own values
(``chainsim.werkplein.era_parameters``) with one parameter at a time moved
to the low and to the high end of its range (docs/ODD.md §7.2), on the same
seeds, and prints the parameters whose two runs leave every record identical
(stages, items and diagnostics of every month): a sweep of the era over one
of them measures nothing. docs/ODD.md §8.6 reports the list. A parameter that
acts only when a lever is on counts as not read here.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace

import numpy as np

from chainsim.core.parameters import SPECS
from chainsim.runner import iter_runs
from chainsim.werkplein import era_config, era_parameters


def unread(regions: tuple[str, ...], replications: int, seed: int = 5) -> list[str]:
    base = era_config(era_parameters(), regions)
    out = []
    for name, spec in SPECS.items():
        runs = []
        for value in (spec.low, spec.high):
            config = replace(base, params=base.params.with_values(**{name: value}))
            runs.append(list(iter_runs([config], replications, seed, workers=1)))
        if all(np.array_equal(a.items, b.items) and np.array_equal(a.stage, b.stage)
               and np.array_equal(a.diagnostics, b.diagnostics) for a, b in zip(*runs)):
            out.append(name)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", default="AM02,AM05")
    parser.add_argument("--replications", type=int, default=2)
    args = parser.parse_args(argv)
    if args.replications < 1:
        print("parameters_read.py: --replications must be at least 1", file=sys.stderr)
        return 2
    names = unread(tuple(args.regions.split(",")), args.replications)
    print(f"{len(names)} of {len(SPECS)} parameters leave every record identical: {', '.join(names)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
