"""Calibrate chainsim's free parameters against the 2014 picture (one command, resumable).

    .venv/bin/python experiments/calibration/calibrate.py [--workers N] [--resume] [--write-defaults]

1. Reads ``calibration.toml`` beside this file (free parameters, ranges,
   weights, numbers of points and replications, seed) and writes the sweep
   experiment it implies to ``OUT/experiment.toml`` -- the recorded input.
2. Runs the Latin hypercube sweep with ``keep = "patterns"`` through
   ``chainsim sweep`` machinery in ``OUT/sweep`` (``--resume`` continues it).
3. Rejection ABC: keeps the share ``accept`` of points whose mean picture is
   closest to the observed one, weighted by an Epanechnikov kernel, and
   reports posterior medians and 95% ranges (``OUT/posterior.csv``).
4. Re-runs the ``refine_top`` best accepted points with
   ``refine_replications`` replications each on fresh seeds (so that a lucky
   draw is not rewarded) and takes as the calibrated default the closest of
   those that meet the acceptance bounds of ``chainsim.calibration.BOUNDS``,
   or, when none does, the one with the fewest items outside them, and of
   those the one least far outside.
5. Writes ``OUT/summary.json``; with ``--write-defaults`` also
   ``chainsim/data/calibrated.toml``, which the package reads as its defaults,
   with the provenance (method, date, distance, data-file hash).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tomllib
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def experiment_text(config: dict) -> str:
    lines = ["# Written by experiments/calibration/calibrate.py from calibration.toml; do not edit.",
             'description = "Calibration sweep: Latin hypercube over the free parameters"',
             f'base = "{(ROOT / "scenarios" / "netherlands_2012.toml").as_posix()}"',
             f"seed = {config['seed']}", f"replications = {config['replications']}", 'keep = "patterns"',
             "", "[design]", 'kind = "lhs"', f"samples = {config['points']}"]
    for free in config["free"]:
        lines += ["", "[[factors]]", f'name = "{free["name"]}"', f"low = {free['low']}", f"high = {free['high']}"]
    return "\n".join(lines) + "\n"


def pattern_runs(run_config, replications: int, seed: int, workers: int) -> pd.DataFrame:
    """Pattern rows (one per replication) of one configuration."""
    from chainsim.runner import run_replications
    from chainsim.sweep import pattern_from_arrays

    runs = run_replications(run_config, replications, seed=seed, workers=workers)
    t = run_config.calendar.observed_index
    return pd.DataFrame([pattern_from_arrays(r.stage, r.level_class, r.items, r.region_codes, t) for r in runs])


def refine(points: pd.DataFrame, config: dict, workers: int) -> pd.DataFrame:
    """Re-run candidate points with more replications on fresh seeds.

    Ranked by the number of items outside the acceptance bounds
    (``chainsim.calibration.BOUNDS``; none: the point meets them), then by
    how far outside they lie, then by distance, so that the default is the
    closest point meeting the bounds when there is one.
    """
    from chainsim.calibration import bound_excess, bound_misses, distance
    from chainsim.parameters import Parameters
    from chainsim.runner import RunConfig

    names = [f["name"] for f in config["free"]]
    rows = []
    for i, (index, point) in enumerate(points.iterrows()):
        params = Parameters.from_mapping({n: float(point[n]) for n in names})
        runs = pattern_runs(RunConfig(params=params), config["refine_replications"], config["seed"] + 1, workers)
        misses = bound_misses(runs)
        rows.append({"point": index, **{n: point[n] for n in names},
                     "distance": distance(runs, config["weights"]), "bound_misses": len(misses),
                     "bound_excess": bound_excess(runs),
                     "misses": "; ".join(f"{k} {v:+.2f}" for k, v in misses.items())})
        print(f"  refined {i + 1}/{len(points)}: distance {rows[-1]['distance']:.4f}"
              + (f", outside the bounds: {rows[-1]['misses']}" if misses else ", within the bounds"),
              file=sys.stderr)
    return pd.DataFrame(rows).sort_values(["bound_misses", "bound_excess", "distance"])


def write_defaults(best: pd.Series, config: dict, summary: dict) -> Path:
    from chainsim.calibration import observed_data_sha256

    path = ROOT / "chainsim" / "data" / "calibrated.toml"
    names = [f["name"] for f in config["free"]]
    lines = ["# Calibrated default values of chainsim's free parameters, read by",
             "# chainsim/parameters.py. Written by experiments/calibration/calibrate.py --write-defaults.",
             "", "[provenance]",
             f'method = "{config["description"]}"',
             f'date = "{summary["date"]}"',
             f"distance = {best['distance']:.5f}",
             f"refine_replications = {config['refine_replications']}",
             f"points = {config['points']}",
             f"replications = {config['replications']}",
             f"seed = {config['seed']}",
             'data_file = "chainsim/data/inspectie_2014.toml"',
             f'data_sha256 = "{observed_data_sha256()}"',
             'config = "experiments/calibration/calibration.toml"',
             "", "[values]"]
    lines += [f"{n} = {float(best[n]):.4f}" for n in names]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def main() -> None:
    from chainsim.calibration import distance, rejection_abc, weighted_quantiles
    from chainsim.experiment import load_experiment
    from chainsim.runner import default_workers
    from chainsim.sweep import load_results, run_sweep

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "calibration")
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--resume", action="store_true", help="continue an interrupted calibration")
    parser.add_argument("--write-defaults", action="store_true",
                        help="write chainsim/data/calibrated.toml (the package defaults)")
    args = parser.parse_args()

    config = tomllib.loads((HERE / "calibration.toml").read_text(encoding="utf-8"))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "calibration.toml").write_text((HERE / "calibration.toml").read_text(encoding="utf-8"))
    exp_path = args.out / "experiment.toml"
    exp_path.write_text(experiment_text(config), encoding="utf-8")
    experiment = load_experiment(exp_path)
    print(f"calibration sweep: {experiment.n_runs} runs", file=sys.stderr)
    run_sweep(experiment, args.out / "sweep", workers=args.workers, resume=args.resume)

    rows = load_results(args.out / "sweep")
    names = [f["name"] for f in config["free"]]
    points = rows.groupby("point")[names].first()
    distances = rows.groupby("point").apply(lambda r: distance(r, config["weights"]), include_groups=False)
    accepted = rejection_abc(distances, points, config["accept"])
    posterior = pd.DataFrame({
        name: weighted_quantiles(accepted[name].to_numpy(), accepted["weight"].to_numpy(), [0.025, 0.5, 0.975])
        for name in names}, index=["low95", "median", "high95"]).T
    posterior["prior_low"] = [f["low"] for f in config["free"]]
    posterior["prior_high"] = [f["high"] for f in config["free"]]
    posterior.to_csv(args.out / "posterior.csv")
    accepted.to_csv(args.out / "accepted.csv")
    print(posterior.round(3).to_string(), file=sys.stderr)

    refined = refine(accepted.head(config["refine_top"]), config, args.workers)
    refined.to_csv(args.out / "refined.csv", index=False)
    best = refined.iloc[0]
    summary = {
        "date": dt.date.today().isoformat(),
        "method": config["description"],
        "runs": experiment.n_runs,
        "distance_all_points": {"min": float(distances.min()), "median": float(distances.median())},
        "accepted": len(accepted),
        "best_distance": float(best["distance"]),
        "best": {n: float(best[n]) for n in names},
        "posterior": posterior.to_dict(orient="index"),
        "weights": config["weights"],
    }
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    print(json.dumps(summary["best"], indent=2))
    if args.write_defaults:
        print(f"wrote {write_defaults(best, config, summary)}", file=sys.stderr)


if __name__ == "__main__":
    main()
