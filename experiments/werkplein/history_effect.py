"""What the simulated werkplein era hands to 2012: the history run against the drawn legacy, paired.

    .venv/bin/python experiments/werkplein/history_effect.py [--replications 40] [--seed 1] [--workers 2]

Runs ``netherlands_2005_2016`` (the regions start in 2012 from the simulated
December 2011, docs/ODD.md §8.7) and ``netherlands_2012`` (the drawn 2012
legacy) with the same seeds: every draw of the region years is shared, so
the paired difference isolates what the history changes. Prints, per run
and for the difference (mean and 95% t interval over replications): trust
on UWV's ties with the municipalities and items in force per region in
January 2012, and the share of coordinated regions in November 2014
(observed 0.25, seed 004).
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from chainsim.core.calendar import Month
from chainsim.core.recorder import DIAGNOSTICS
from chainsim.results import fmt_mean_ci, mean_ci
from chainsim.runner import run_replications
from chainsim.scenario import load_scenario

SCENARIOS = ("netherlands_2005_2016", "netherlands_2012")


def measures(result, calendar) -> dict[str, float]:
    """January 2012's trust on UWV's ties and items per region, and November 2014's coordinated share."""
    start = calendar.index(Month.parse("2012-01"))
    observed = calendar.index(Month.parse("2014-11"))
    trust = result.diagnostics[start, :, DIAGNOSTICS.index("trust_uwv_municipalities")]
    return {"trust on UWV's ties, 2012-01": float(np.mean(trust)),
            "items in force per region, 2012-01": float(result.items[start].sum(axis=1).mean()),
            "share coordinated, 2014-11": float((result.stage[observed] == 0).mean())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    if args.seed < 0:
        print(f"history_effect.py: --seed: {args.seed} (allowed: a whole number from 0)", file=sys.stderr)
        return 2
    for key in ("replications", "workers"):
        if getattr(args, key) < 1 or (key == "replications" and args.replications < 2):
            print(f"history_effect.py: --{key}: {getattr(args, key)} (allowed: a whole number from "
                  f"{2 if key == 'replications' else 1})", file=sys.stderr)
            return 2
    rows = {}
    for name in SCENARIOS:
        config = load_scenario(name).run_config()
        runs = run_replications(config, args.replications, seed=args.seed, workers=args.workers)
        rows[name] = [measures(r, config.calendar) for r in runs]
    print(f"{args.replications} paired replications, seed {args.seed}: mean [95% CI]")
    print(f"{'':38}{'from the history':>26}{'from the drawn legacy':>26}{'difference':>26}")
    for key in rows[SCENARIOS[0]][0]:
        history = np.array([r[key] for r in rows[SCENARIOS[0]]])
        legacy = np.array([r[key] for r in rows[SCENARIOS[1]]])
        cells = []
        for values in (history, legacy, history - legacy):
            cells.append(fmt_mean_ci(mean_ci(values), 3))
        print(f"{key:38}" + "".join(f"{c:>26}" for c in cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
