"""Print the werkplein era's spring-2007 picture beside the Inspectorate's survey.

    .venv/bin/python experiments/werkplein/picture_2007.py --replications 100 --workers 2

The era runs on the default parameters, which were set for the region era;
no parameter was fitted to these figures.
"""

from __future__ import annotations

import argparse
import sys

from chainsim.werkplein import format_picture, picture_2007


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=100)
    parser.add_argument("--seed", type=int, default=2007)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    if args.replications < 2 or args.workers < 1:
        print("picture_2007.py: --replications must be at least 2 and --workers at least 1", file=sys.stderr)
        return 2
    rows = picture_2007(args.replications, args.seed, args.workers)
    print(format_picture(rows, args.replications))
    return 0


if __name__ == "__main__":
    sys.exit(main())
