"""Which free parameters does the 2014 picture constrain? A Morris screen of the calibration distance.

    .venv/bin/python experiments/calibration/screen.py [--trajectories 10] [--replications 4] [--workers 2]
                                                       [--config experiments/calibration/abc_smc.toml]
                                                       [--out results/calibration_screen] [--seed 7]

Why: ABC-SMC over all the free parameters of abc_smc.toml twice ended with
importance weights collapsed onto one or two particles (docs/calibration.md),
with the acceptance rate near one half in every generation: the distance
hardly tells most parameter sets apart, and in that many dimensions the
kernel's importance weights spread over orders of magnitude. A calibration
should estimate the parameters the data speak to and say which they do not.

What: the elementary effects (Morris 1991; Campolongo et al. 2007; SALib's
``morris`` sampler and analyser) of every free parameter of the set-up file
on the calibration's own distance (:class:`chainsim.calibration.CovarianceDistance`:
the covariance of the statistics at the priors' centre, the pattern groups the
set-up leaves out left out), each point the mean picture of ``--replications``
simulated Netherlands, over the priors of the set-up (the declared ranges).
``mu_star`` is the mean absolute effect of moving a parameter across a
quarter of its range (SALib's default four levels, a jump of two), in the
distance's units (one unit: one standard deviation of the statistics' noise);
``sigma`` its spread (interactions, non-linearity). For reference the noise:
the standard deviation of the distance between repeated evaluations at the
centre.

A parameter is **retained** when its ``mu_star`` is at least
:data:`RETAIN_SHARE` of the largest and above the distance's noise; the
others are screened out: the 2014 picture does not constrain them, which
is itself the identifiability result (docs/calibration.md). Writes
``screen.csv`` (one row per parameter, sorted by ``mu_star``) and
``screen.json`` (settings, noise, the retained list) into ``--out``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

RETAIN_SHARE = 0.1
"""Retained: a mean absolute elementary effect of at least a tenth of the strongest parameter's
(a common Morris cut-off; Campolongo et al. 2007 use the ranking, not a fixed level)."""

LEVELS = 4
"""SALib's default grid of four levels per parameter (jumps of two levels, two thirds of the range)."""


def screen(priors, setup_distance, replications: int, trajectories: int, seed: int, workers: int,
           regions=None) -> tuple[pd.DataFrame, dict]:
    """Morris elementary effects of each prior's parameter on the distance; returns the table and the noise."""
    from SALib.analyze import morris as analyse
    from SALib.sample import morris as sample

    from chainsim.abc_smc import prior_centre, run_config, simulate_pictures
    from chainsim.calibration import STATISTICS

    problem = {"num_vars": len(priors), "names": [p.name for p in priors],
               "bounds": [[p.low, p.high] for p in priors]}
    points = sample.sample(problem, trajectories, num_levels=LEVELS, seed=seed)
    centre = prior_centre(priors)
    noise_points = 20          # not a parameter: repeated evaluations at the centre, for the noise of the distance
    configs = [run_config(dict(zip(problem["names"], row)), regions) for row in points for _ in range(replications)]
    configs += [run_config(centre, regions)] * (noise_points * replications)
    pictures = simulate_pictures(configs, seed, workers)
    means = pictures[list(STATISTICS)].to_numpy(dtype=float).reshape(-1, replications, len(STATISTICS)).mean(axis=1)
    distances = np.array([setup_distance(dict(zip(STATISTICS, row))) for row in means])
    y, at_centre = distances[: len(points)], distances[len(points):]
    finite = np.isfinite(y)
    if not finite.all():
        y = np.where(finite, y, np.nanmax(y[finite]))       # an undefined picture counts as the farthest seen
    result = analyse.analyze(problem, points, y, num_levels=LEVELS, seed=seed)
    table = pd.DataFrame({"parameter": problem["names"], "mu_star": result["mu_star"],
                          "mu_star_conf": result["mu_star_conf"], "sigma": result["sigma"], "mu": result["mu"]})
    table = table.sort_values("mu_star", ascending=False).reset_index(drop=True)
    noise = float(np.std(at_centre[np.isfinite(at_centre)], ddof=1))
    top = float(table["mu_star"].max())
    table["retained"] = (table["mu_star"] >= RETAIN_SHARE * top) & (table["mu_star"] > noise)
    return table, {"noise_sd_at_centre": noise, "median_distance_at_centre": float(np.median(at_centre)),
                   "evaluations": int(len(points)), "runs": len(configs)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", type=Path, default=HERE / "abc_smc.toml")
    parser.add_argument("--trajectories", type=int, default=10)
    parser.add_argument("--replications", type=int, default=4, help="simulated Netherlands per point")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--reference", type=int, default=100,
                        help="replications at the priors' centre for the distance's covariance")
    parser.add_argument("--regions", default=None, help=argparse.SUPPRESS)    # tests: a few regions
    parser.add_argument("--out", type=Path, default=Path("results") / "calibration_screen")
    args = parser.parse_args()
    from calibrate import ConfigError, abc_priors, read_abc_config

    from chainsim.abc_smc import measure_setup

    try:
        config = read_abc_config(args.config)
    except ConfigError as exc:
        print(exc.problems[0], file=sys.stderr)
        sys.exit(2)
    for name, low in (("--trajectories", 2), ("--replications", 1), ("--workers", 1), ("--reference", 30)):
        if getattr(args, name[2:]) < low:
            print(f"screen.py: {name}: must be a whole number of at least {low}", file=sys.stderr)
            sys.exit(2)
    regions = tuple(args.regions.split(",")) if args.regions else None
    priors = abc_priors(config)
    setup = measure_setup(priors, args.seed, args.workers, args.reference, prior_draws=4,
                          replications=args.replications, regions=regions)
    table, noise = screen(priors, setup.distance(tuple(config["left_out"])), args.replications,
                          args.trajectories, args.seed, args.workers, regions)
    args.out.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out / "screen.csv", index=False, float_format="%.4g")
    record = {"config": str(args.config), "trajectories": args.trajectories, "levels": LEVELS,
              "replications": args.replications, "seed": args.seed, "reference_replications": args.reference,
              "retain_share": RETAIN_SHARE, **noise,
              "retained": table.loc[table["retained"], "parameter"].tolist(),
              "screened_out": table.loc[~table["retained"], "parameter"].tolist()}
    (args.out / "screen.json").write_text(json.dumps(record, indent=1), encoding="utf-8")
    print(table.round(3).to_string(index=False))
    print(f"noise of the distance at the centre: sd {noise['noise_sd_at_centre']:.2f}; "
          f"retained {len(record['retained'])} of {len(table)}: {', '.join(record['retained'])}")


if __name__ == "__main__":
    main()
