"""Posterior predictive check: does each observed 2014 figure lie within what single simulated Netherlands show?

    .venv/bin/python experiments/calibration/posterior_check.py [--source FILE] [--draws 100] [--replications 5]

Draws ``--draws`` parameter sets from the posterior (``--source``: a particles
CSV or a pyABC history ``.db``; default the shipped chainsim/data/posterior.csv),
simulates ``--replications`` single Netherlands for each, and gives per item
(those without an observed figure too) the central 90% interval of the
single-Netherlands values over the fieldwork months September-December 2014,
and whether the observed figure falls inside (chainsim.posterior.predictive_check).
Writes OUT/posterior_check.md and OUT/posterior_check.json (OUT:
results/posterior_check); an existing file is replaced only with --overwrite.
validate.py --posterior-draws N adds the same table to the validation report.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def run_check(source, draws: int, replications: int, seed: int, workers: int, regions=None, level: float = 0.9):
    """The predictive-check table for ``draws`` x ``replications`` single Netherlands from ``source``."""
    import numpy as np

    from chainsim.posterior import (
        posterior_draws,
        predictive_check,
        predictive_pictures,
    )

    sets = posterior_draws(source, draws, np.random.default_rng(seed))
    return predictive_check(predictive_pictures(sets, replications, seed + 1, workers, regions), level)


def main() -> None:
    from chainsim.posterior import PosteriorError, check_lines
    from chainsim.runner import default_workers

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=None,
                        help="particles CSV or pyABC history (.db); default chainsim/data/posterior.csv")
    parser.add_argument("--draws", type=int, default=100)
    parser.add_argument("--replications", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20141101)
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "posterior_check")
    parser.add_argument("--overwrite", action="store_true")
    parser.add_argument("--regions", default=None, help="for trying the machinery only: region codes, comma-separated")
    args = parser.parse_args()
    for key in ("draws", "replications", "workers"):
        if getattr(args, key) < 1:
            print(f"posterior_check.py: --{key}: {getattr(args, key)} (allowed: a whole number from 1)",
                  file=sys.stderr)
            sys.exit(2)
    outputs = [args.out / "posterior_check.md", args.out / "posterior_check.json"]
    if not args.overwrite and any(p.exists() for p in outputs):
        print(f"posterior_check.py: --out: {args.out} already holds posterior_check.md or .json; add --overwrite "
              "to replace them, or choose another --out", file=sys.stderr)
        sys.exit(2)
    regions = tuple(args.regions.split(",")) if args.regions else None
    try:
        table = run_check(args.source, args.draws, args.replications, args.seed, args.workers, regions)
    except PosteriorError as exc:
        print(f"posterior_check.py: --source: {exc}", file=sys.stderr)
        sys.exit(2)
    observed = table[table["inside"].notna()]
    head = [(f"# Posterior predictive check ({args.draws} posterior draws x {args.replications} simulated "
            "Netherlands)"), "",
            (f"Source: `{args.source or 'chainsim/data/posterior.csv'}`; seed {args.seed}. Each interval is the central "
            "90% of single simulated Netherlands (not of a mean), each value the mean over September-December "
            f"2014. {int(observed['inside'].sum())} of {len(observed)} observed figures lie inside."), ""]
    args.out.mkdir(parents=True, exist_ok=True)
    outputs[0].write_text("\n".join(head + check_lines(table)) + "\n", encoding="utf-8")
    outputs[1].write_text(json.dumps({"draws": args.draws, "replications": args.replications, "seed": args.seed,
                                      "source": str(args.source or "chainsim/data/posterior.csv"),
                                      "items": table.to_dict(orient="records")}, indent=2), encoding="utf-8")
    print(f"wrote {outputs[0]} and {outputs[1]}", file=sys.stderr)


if __name__ == "__main__":
    main()
