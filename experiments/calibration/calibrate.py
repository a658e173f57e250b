"""Calibrate chainsim's free parameters against the 2014 picture (one command, resumable).

    .venv/bin/python experiments/calibration/calibrate.py [--method abc-smc] [--generations G] [--particles P]
                                                          [--workers N] [--db FILE] [--resume] [--write-defaults]

``--method abc-smc`` (the default; docs/calibration.md): reads and checks
``abc_smc.toml`` beside this script (or ``--config``); measures, once, the
covariance of the statistics and the replications per particle at the
priors' centre (``<db>.json``); runs pyABC's ABC-SMC into its SQLite history
(``--db``, default OUT/abc.db; ``--resume`` continues it); writes
OUT/posterior.csv (posterior medians and 95% credible intervals),
OUT/particles.csv, OUT/calibrated.toml (the representative particle:
chainsim.posterior.representative_particle) and OUT/summary.json (epsilons,
evaluations, measured cost and the estimate for 6 x 300 on 2 cores); with
``--write-defaults`` also chainsim/data/calibrated.toml and
chainsim/data/posterior.csv.

``--method lhs-pmc``, the earlier method, with ``calibration.toml``:

1. Reads and checks ``calibration.toml`` beside this file, or the file given
   with ``--config`` (free parameters, ranges, weights, numbers of points and
   replications, seed; a problem stops it with one line naming the file,
   line and key), and writes the sweep experiment it implies to
   ``OUT/experiment.toml`` -- the recorded input.
2. Runs the Latin hypercube sweep with ``keep = "patterns"`` through
   ``chainsim sweep`` machinery in ``OUT/sweep`` (``--resume`` continues it).
3. Rejection ABC: keeps the share ``accept`` of points whose mean picture is
   closest to the observed one, weighted by an Epanechnikov kernel.
4. A second population (population Monte Carlo ABC, Beaumont et al. 2009):
   ``points`` particles drawn from the accepted ones and moved by a Gaussian
   kernel, run on fresh seeds in ``OUT/sweep_2``; the share ``accept`` of them
   closest to the observed picture is kept, weighted by the Epanechnikov
   kernel times the importance weight. Reports posterior medians and 95%
   ranges (``OUT/posterior.csv``).
5. Re-runs the ``refine_top`` closest accepted points of population 2, and
   the ``refine_top`` points of both populations that come closest to
   meeting the acceptance bounds with a margin (``bound_margin``), with
   ``refine_replications`` replications each on fresh seeds (so that a lucky
   draw is not rewarded) and takes as the calibrated default the one with
   the fewest items outside the acceptance bounds of
   ``chainsim.calibration.BOUNDS`` (none, when it can), then the one least
   far beyond ``bound_margin`` times the bounds, then the closest.
6. Writes ``OUT/summary.json``; with ``--write-defaults`` also
   ``chainsim/data/calibrated.toml``, which the package reads as its defaults,
   with the provenance (method, date, distance, data-file hash).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


class ConfigError(Exception):
    """Problems in calibration.toml, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(problems[0])
        self.problems = problems


def read_config(path: Path) -> dict:
    """Read and check calibration.toml; every problem names the file, line, key and what is allowed."""
    from chainsim.calibration import GROUPS
    from chainsim.core.parameters import SPECS
    from chainsim.tomlcheck import check_number, check_whole, read_toml, suggest

    f, problems = read_toml(path)
    if f is None:
        raise ConfigError(problems)
    data = f.data
    wholes = {"seed": (0, 2 ** 32 - 1), "points": (2, 100_000), "replications": (1, 10_000),
              "refine_top": (1, 1_000), "refine_replications": (1, 100_000)}
    numbers = {"accept": (0.001, 1.0), "bound_margin": (0.1, 1.0)}
    allowed = ("description", *wholes, *numbers, "weights", "free")
    for key in data:
        if key not in allowed:
            f.problem(key, f"unknown key (allowed: {', '.join(allowed)}){suggest(key, allowed)}")
    for key in allowed:
        if key not in data:
            f.problems.append(f"{path}:1: {key}: missing")
    if "description" in data and not isinstance(data["description"], str):
        f.problem("description", "must be text in quotes")
    for key, (low, high) in wholes.items():
        if key in data:
            check_whole(f, key, data[key], low, high)
    for key, (low, high) in numbers.items():
        if key in data:
            check_number(f, key, data[key], low, high)
    weights = data.get("weights", {})
    if not isinstance(weights, dict):
        f.problem("weights", f"must be a table of pattern groups (allowed: {', '.join(GROUPS)})")
        weights = {}
    for group, value in weights.items():
        if group not in GROUPS:
            f.problem(f"weights.{group}", f"unknown pattern group (allowed: {', '.join(GROUPS)}){suggest(group, GROUPS)}")
        else:
            check_number(f, f"weights.{group}", value, 0.0, 100.0)
    free = data.get("free", [])
    if not isinstance(free, list) or not free:
        f.problem("free", "must be one or more [[free]] tables with name, low and high")
        free = []
    seen = set()
    for k, entry in enumerate(free):
        key = f"free[{k}]"
        name = entry.get("name") if isinstance(entry, dict) else None
        if name not in SPECS:
            f.problem(f"{key}.name", f"{name!r} is not a parameter (allowed: a name from docs/ODD.md §7.2)"
                                     + suggest(name, SPECS))
            continue
        if name in seen:
            f.problem(f"{key}.name", f"{name!r} is listed twice")
        seen.add(name)
        spec = SPECS[name]
        low = check_number(f, f"{key}.low", entry.get("low"), spec.low, spec.high)
        high = check_number(f, f"{key}.high", entry.get("high"), spec.low, spec.high)
        if low is not None and high is not None and not low < high:
            f.problem(f"{key}.high", f"{high:g} must be above low {low:g}")
    if f.problems:
        raise ConfigError(f.problems)
    return data


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


def second_population(experiment, accepted: pd.DataFrame, config: dict):
    """The sweep of the second ABC population: particles moved from the accepted points.

    Deterministic given the first population, so ``--resume`` finds the same
    experiment; it runs on seeds of its own (``seed`` + 2).
    """
    from chainsim.calibration import pmc_proposals

    names = [f["name"] for f in config["free"]]
    low = np.array([f["low"] for f in config["free"]], dtype=float)
    high = np.array([f["high"] for f in config["free"]], dtype=float)
    particles = pmc_proposals(accepted, names, low, high, config["points"],
                              np.random.default_rng(config["seed"] + 2))
    digest = hashlib.sha256(particles.tobytes()).hexdigest()
    text = experiment.text + f"\n# population 2: {len(particles)} particles, SHA-256 {digest}\n"
    return dataclasses.replace(experiment, name=f"{experiment.name}-population-2", text=text,
                               seed=config["seed"] + 2, points=tuple(tuple(map(float, p)) for p in particles),
                               design="pmc")


def accept_population(sweep_dir: Path, config: dict, previous: pd.DataFrame | None = None):
    """A population's points with their distance and bound misses, and its accepted points (with weights)."""
    from chainsim.calibration import (
        bound_excess,
        bound_misses,
        distance,
        pmc_weights,
        rejection_abc,
    )
    from chainsim.sweep import load_results

    rows = load_results(sweep_dir)
    names = [f["name"] for f in config["free"]]
    by_point = rows.groupby("point")
    points = by_point[names].first()
    points["distance"] = by_point.apply(lambda r: distance(r, config["weights"]), include_groups=False)
    points["bound_misses"] = by_point.apply(lambda r: len(bound_misses(r)), include_groups=False)
    points["bound_excess"] = by_point.apply(lambda r: bound_excess(r, config["bound_margin"]),
                                            include_groups=False)
    accepted = rejection_abc(points["distance"], points[names], config["accept"])
    if previous is not None:
        importance = pmc_weights(accepted[names].to_numpy(dtype=float), previous, names)
        accepted["weight"] = accepted["weight"] * importance
        accepted["weight"] /= accepted["weight"].sum()
    return points, accepted


def candidates(populations: list[pd.DataFrame], accepted: pd.DataFrame, config: dict) -> pd.DataFrame:
    """Points to refine, labelled "population:point".

    The ``refine_top`` closest accepted points of the last population, and
    the ``refine_top`` points of all populations that come closest to
    meeting the acceptance bounds with the margin ``bound_margin`` (the
    closest points are not always those, because the distance also weighs
    the governance parties, the structure and the case regions).
    """
    labelled = pd.concat({k + 1: p for k, p in enumerate(populations)}, names=["population", "point"])
    labelled.index = [f"{pop}:{point}" for pop, point in labelled.index]
    closest = [f"{len(populations)}:{point}" for point in accepted.index[:config["refine_top"]]]
    by_bounds = labelled.sort_values(["bound_misses", "bound_excess", "distance"]).head(config["refine_top"])
    return labelled.loc[list(dict.fromkeys(closest + list(by_bounds.index)))]


def refine(points: pd.DataFrame, config: dict, workers: int) -> pd.DataFrame:
    """Re-run candidate points with more replications on fresh seeds.

    Ranked by the number of items outside the acceptance bounds
    (``chainsim.calibration.BOUNDS``; none: the point meets them), then by
    how far they lie beyond ``bound_margin`` times the bounds, then by
    distance: the default is the closest point that meets the bounds with
    that margin when there is one, so that another set of seeds does not
    push a mean that lies just inside a bound outside it.
    """
    from chainsim.calibration import bound_excess, bound_misses, distance
    from chainsim.core.parameters import Parameters
    from chainsim.runner import RunConfig

    names = [f["name"] for f in config["free"]]
    rows = []
    for i, (index, point) in enumerate(points.iterrows()):
        params = Parameters.from_mapping({n: float(point[n]) for n in names})
        runs = pattern_runs(RunConfig(params=params), config["refine_replications"], config["seed"] + 1, workers)
        misses = bound_misses(runs)
        rows.append({"point": index, **{n: point[n] for n in names},
                     "distance": distance(runs, config["weights"]), "bound_misses": len(misses),
                     "bound_excess": bound_excess(runs, config["bound_margin"]),
                     "misses": "; ".join(f"{k} {v:+.2f}" for k, v in misses.items())})
        print(f"  refined {i + 1}/{len(points)}: distance {rows[-1]['distance']:.4f}"
              + (f", outside the bounds: {rows[-1]['misses']}" if misses else ", within the bounds"),
              file=sys.stderr)
    return pd.DataFrame(rows).sort_values(["bound_misses", "bound_excess", "distance"])


def _relative(path: Path) -> str:
    path = path.resolve()
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else path.as_posix()


def write_defaults(best: pd.Series, config: dict, summary: dict, config_path: Path) -> Path:
    from chainsim.calibration import observed_data_sha256

    path = ROOT / "chainsim" / "data" / "calibrated.toml"
    names = [f["name"] for f in config["free"]]
    lines = ["# Calibrated default values of chainsim's free parameters, read by",
             "# chainsim/core/parameters.py. Written by experiments/calibration/calibrate.py --write-defaults.",
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
             f'config = "{_relative(config_path)}"',
             "", "[values]"]
    lines += [f"{n} = {float(best[n]):.4f}" for n in names]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def main_lhs_pmc(args) -> None:
    """The earlier method: Latin hypercube, rejection ABC, one population Monte Carlo step, refinement."""
    from chainsim.calibration import weighted_quantiles
    from chainsim.experiment import load_experiment
    from chainsim.sweep import run_sweep

    try:
        config = read_config(args.config)
    except ConfigError as exc:
        more = len(exc.problems) - 1
        print(exc.problems[0] + (f" (and {more} more)" if more else ""), file=sys.stderr)
        sys.exit(2)
    if not args.resume and args.out.is_dir() and any(args.out.iterdir()):
        print(f"calibrate.py: --out: {args.out} is not empty (an earlier calibration?); add --resume to continue "
              "it, or choose another --out", file=sys.stderr)
        sys.exit(2)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "calibration.toml").write_text(args.config.read_text(encoding="utf-8"))
    exp_path = args.out / "experiment.toml"
    exp_path.write_text(experiment_text(config), encoding="utf-8")
    experiment = load_experiment(exp_path)
    print(f"calibration sweep, population 1: {experiment.n_runs} runs", file=sys.stderr)
    run_sweep(experiment, args.out / "sweep", workers=args.workers, resume=args.resume)
    points_1, accepted_1 = accept_population(args.out / "sweep", config)
    accepted_1.to_csv(args.out / "accepted_1.csv")

    experiment_2 = second_population(experiment, accepted_1, config)
    print(f"calibration sweep, population 2: {experiment_2.n_runs} runs", file=sys.stderr)
    run_sweep(experiment_2, args.out / "sweep_2", workers=args.workers, resume=args.resume)
    points_2, accepted = accept_population(args.out / "sweep_2", config, previous=accepted_1)
    names = [f["name"] for f in config["free"]]
    posterior = pd.DataFrame({
        name: weighted_quantiles(accepted[name].to_numpy(), accepted["weight"].to_numpy(), [0.025, 0.5, 0.975])
        for name in names}, index=["low95", "median", "high95"]).T
    posterior["prior_low"] = [f["low"] for f in config["free"]]
    posterior["prior_high"] = [f["high"] for f in config["free"]]
    posterior.to_csv(args.out / "posterior.csv")
    accepted.to_csv(args.out / "accepted.csv")
    print(posterior.round(3).to_string(), file=sys.stderr)

    refined = refine(candidates([points_1, points_2], accepted, config), config, args.workers)
    refined.to_csv(args.out / "refined.csv", index=False)
    best = refined.iloc[0]
    summary = {
        "date": dt.date.today().isoformat(),
        "method": config["description"],
        "runs": experiment.n_runs + experiment_2.n_runs,
        "distance_population_1": {"min": float(points_1["distance"].min()),
                                  "median": float(points_1["distance"].median())},
        "distance_population_2": {"min": float(points_2["distance"].min()),
                                  "median": float(points_2["distance"].median())},
        "accepted": len(accepted),
        "best_distance": float(best["distance"]),
        "best": {n: float(best[n]) for n in names},
        "posterior": posterior.to_dict(orient="index"),
        "weights": config["weights"],
    }
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    print(json.dumps(summary["best"], indent=2))
    if args.write_defaults:
        print(f"wrote {write_defaults(best, config, summary, args.config)}", file=sys.stderr)



def read_abc_config(path: Path) -> dict:
    """Read and check the ABC-SMC set-up (abc_smc.toml); every problem names the file, line, key and what is allowed."""
    from chainsim.core.parameters import SPECS
    from chainsim.tomlcheck import check_number, check_whole, read_toml, suggest

    f, problems = read_toml(path)
    if f is None:
        raise ConfigError(problems)
    data = f.data
    wholes = {"seed": (0, 2 ** 32 - 1), "generations": (1, 100), "particles": (2, 100_000),
              "reference_replications": (30, 100_000), "prior_draws": (4, 100_000)}
    numbers = {"noise_fraction": (0.01, 1.0), "epsilon_quantile": (0.05, 0.95)}
    allowed = ("description", "replications", "transition", *wholes, *numbers, "free")
    optional = ("left_out", "start_from", "era", "representative_candidates", "representative_replications")
    for key in data:
        if key in optional:
            continue
        if key not in allowed:
            f.problem(key, f"unknown key (allowed: {', '.join(allowed)}){suggest(key, allowed)}")
    for key in allowed:
        if key not in data:
            f.problems.append(f"{path}:1: {key}: missing")
    if "description" in data and not isinstance(data["description"], str):
        f.problem("description", "must be text in quotes")
    for key, (low, high) in wholes.items():
        if key in data:
            check_whole(f, key, data[key], low, high)
    for key, (low, high) in numbers.items():
        if key in data:
            check_number(f, key, data[key], low, high)
    from chainsim.abc_smc import TRANSITIONS
    from chainsim.posterior import REPRESENTATIVE_CANDIDATES, REPRESENTATIVE_REPLICATIONS

    for key, default in (("representative_candidates", REPRESENTATIVE_CANDIDATES),
                         ("representative_replications", REPRESENTATIVE_REPLICATIONS)):
        data.setdefault(key, default)
        check_whole(f, key, data[key], 1, 10_000)
    if "transition" in data and data["transition"] not in TRANSITIONS:
        f.problem("transition", f"{data['transition']!r} is not a transition (allowed: {', '.join(TRANSITIONS)})")
    if "replications" in data and data["replications"] != "auto":
        check_whole(f, "replications", data["replications"], 1, 1_000)
    from chainsim.scenario import HISTORIES

    data.setdefault("start_from", None)
    if data["start_from"] is not None and data["start_from"] not in HISTORIES:
        f.problem("start_from", f"{data['start_from']!r} is no era the regions can start from "
                                f"(allowed: {', '.join(HISTORIES)}, or leave the key out)")
    from chainsim.abc_smc import REGION_ERA, WERKPLEIN_ERA
    from chainsim.calibration import PATTERN_GROUPS, SURVEY_GROUP

    data.setdefault("era", REGION_ERA)
    if data["era"] not in (REGION_ERA, WERKPLEIN_ERA):
        f.problem("era", f"{data['era']!r} is no era a calibration can fit (allowed: {REGION_ERA}, {WERKPLEIN_ERA})")
    elif data["era"] == WERKPLEIN_ERA and data["start_from"] is not None:
        f.problem("start_from", f"the era {WERKPLEIN_ERA} is calibrated on its own; start_from belongs to a "
                                "calibration of the regions (leave one of the two keys out)")
    left_out = data.get("left_out", {})
    if not isinstance(left_out, dict) or not all(isinstance(v, str) and v.strip() for v in left_out.values()):
        f.problem("left_out", "must be a table of pattern group = \"the reason it is left out\"")
        left_out = {}
    groups = ((SURVEY_GROUP,) if data["era"] == WERKPLEIN_ERA
              else (*PATTERN_GROUPS, SURVEY_GROUP) if data["start_from"] else tuple(PATTERN_GROUPS))
    for group in left_out:
        if group not in groups:
            f.problem(f"left_out.{group}", f"unknown pattern group (allowed: {', '.join(groups)})")
    if left_out and set(groups) <= set(left_out):
        f.problem("left_out", f"leaves out every pattern group the distance compares ({', '.join(groups)}): "
                              "nothing would be fitted (allowed: leave at least one in)")
    data["left_out"] = dict(left_out)
    free = data.get("free", [])
    if not isinstance(free, list) or not free:
        f.problem("free", "must be one or more [[free]] tables with a name (and low, high and reason for a "
                          "prior narrower than the declared range)")
        free = []
    seen = set()
    for k, entry in enumerate(free):
        key = f"free[{k}]"
        entry = entry if isinstance(entry, dict) else {}
        for extra in set(entry) - {"name", "low", "high", "reason"}:
            f.problem(f"{key}.{extra}", "unknown key (allowed: name, low, high, reason)")
        name = entry.get("name")
        if name not in SPECS:
            f.problem(f"{key}.name", f"{name!r} is not a parameter (allowed: a name from docs/ODD.md §7.2)"
                                     + suggest(str(name), SPECS))
            continue
        if name in seen:
            f.problem(f"{key}.name", f"{name!r} is listed twice")
        seen.add(name)
        spec = SPECS[name]
        if ("low" in entry) != ("high" in entry):
            f.problem(f"{key}.low", "give both low and high, or neither (the declared range)")
        elif "low" in entry:
            low = check_number(f, f"{key}.low", entry["low"], spec.low, spec.high)
            high = check_number(f, f"{key}.high", entry["high"], spec.low, spec.high)
            if low is not None and high is not None and not low < high:
                f.problem(f"{key}.high", f"{high:g} must be above low {low:g}")
            narrower = low is not None and high is not None and (low > spec.low or high < spec.high)
            if narrower and not str(entry.get("reason", "")).strip():
                f.problem(f"{key}.reason", f"a prior narrower than the declared {spec.low:g} to {spec.high:g} "
                                           "needs its reason")
    if f.problems:
        raise ConfigError(f.problems)
    return data


def abc_priors(config: dict):
    from chainsim.abc_smc import declared_priors

    narrower = {e["name"]: (e["low"], e["high"], e.get("reason", "")) for e in config["free"]
                if "low" in e and (e.get("reason") or "").strip()}
    return declared_priors([e["name"] for e in config["free"]], narrower)


def abc_setup(config: dict, path: Path, workers: int, regions, resume: bool):
    """The setup beside the history: read on --resume when it is there, else measured and written."""
    from chainsim.abc_smc import Setup, measure_setup

    if resume and path.is_file():
        setup = Setup.read(path)
        for key in ("start_from", "era"):
            if getattr(setup, key) != config[key]:
                print(f"calibrate.py: --resume: the history was measured with {key} = {getattr(setup, key)!r}, "
                      f"the set-up now says {config[key]!r}; resume only into the same set-up", file=sys.stderr)
                sys.exit(2)
        return setup
    fixed = None if config["replications"] == "auto" else int(config["replications"])
    print(f"measuring the distance: {config['reference_replications']} replications at the priors' centre and "
          f"{config['prior_draws']} prior draws", file=sys.stderr)
    setup = measure_setup(abc_priors(config), config["seed"], workers, config["reference_replications"],
                          config["prior_draws"], fixed, regions, config["noise_fraction"], config["epsilon_quantile"],
                          start_from=config["start_from"], era=config["era"])
    setup.write(path)
    print(f"replications per particle: {setup.replications} ({setup.noise['reason']}); "
          f"{setup.seconds_per_run:.3f} s per simulated Netherlands", file=sys.stderr)
    return setup


def abc_summary(history, setup, args, config: dict, wall: float, done_before: int | None) -> dict:
    """Posterior summary, timings and the estimate for a run of ``estimate`` generations x particles."""
    from chainsim.abc_smc import effective_sizes, last_population
    from chainsim.posterior import summarise

    particles = last_population(history)
    post = summarise(particles)
    populations = history.get_all_populations()
    populations = populations[populations["t"] >= 0]
    evaluations = int(populations["samples"].sum())
    new_generations = len(populations) - (done_before or 0)
    new_evaluations = int(populations["samples"].iloc[-new_generations:].sum()) if new_generations > 0 else 0
    cpu_per_eval = wall * max(1, args.workers) / new_evaluations if new_evaluations else float("nan")
    evals_per_particle = evaluations / (len(populations) * args.particles)
    dist = history.get_weighted_distances(history.max_t)
    from chainsim.calibration import weighted_quantiles

    median_distance = float(weighted_quantiles(dist["distance"].to_numpy(), dist["w"].to_numpy(), [0.5])[0])
    estimate = {"generations": 6, "particles": 300, "cores": 2}
    seconds = (estimate["generations"] * estimate["particles"] * evals_per_particle * cpu_per_eval
               / estimate["cores"])
    return {
        "date": dt.date.today().isoformat(), "method": config["description"],
        "generations": int(history.max_t + 1), "particles": args.particles,
        "replications_per_particle": setup.replications, "replication_choice": setup.noise,
        "epsilons": [float(e) for e in populations["epsilon"]],
        "transition": config["transition"],
        "effective_particles": effective_sizes(history),
        "evaluations": evaluations, "median_distance_last_generation": median_distance,
        "seconds_per_simulated_netherlands": setup.seconds_per_run,
        "cpu_seconds_per_evaluation": cpu_per_eval, "evaluations_per_accepted_particle": evals_per_particle,
        "estimate": {**estimate, "hours": seconds / 3600,
                     "basis": "cpu_seconds_per_evaluation x evaluations_per_accepted_particle of this run "
                              "(later generations accept fewer, so this is a lower bound)"},
        "posterior": post.to_dict(orient="index"),
        "priors": {p.name: {"low": p.low, "high": p.high, "reason": p.reason} for p in setup.priors},
    }


def main_abc_smc(args) -> None:
    """ABC-SMC with pyABC (chainsim.abc_smc), resumable from its SQLite history."""
    import time

    from chainsim.abc_smc import (
        MIN_EFFECTIVE_PARTICLES,
        WERKPLEIN_ERA,
        check_regions,
        generations_done,
        last_population,
        run_abc_smc,
    )
    from chainsim.posterior import representative_particle, summarise, write_calibrated, write_particles

    try:
        config = read_abc_config(args.config)
    except ConfigError as exc:
        more = len(exc.problems) - 1
        print(exc.problems[0] + (f" (and {more} more)" if more else ""), file=sys.stderr)
        sys.exit(2)
    if args.write_defaults and config["era"] == WERKPLEIN_ERA:
        print(f"calibrate.py: --write-defaults writes the region era's defaults (chainsim/data/calibrated.toml); a "
              f"calibration of {WERKPLEIN_ERA} leaves its values in --out/calibrated.toml, for the era's scenario's "
              "[parameters]", file=sys.stderr)
        sys.exit(2)
    regions = tuple(args.regions.split(",")) if args.regions else None
    try:
        from chainsim.core.regions import find_region

        for name in regions or ():
            find_region(name)        # an unknown or empty name: one line, before anything runs
        if config["era"] != WERKPLEIN_ERA:
            check_regions(regions)
    except ValueError as exc:
        print(f"calibrate.py: --regions: {exc}", file=sys.stderr)
        sys.exit(2)
    args.generations = args.generations or config["generations"]
    args.particles = args.particles or config["particles"]
    db = args.db or args.out / "abc.db"
    if not args.resume and ((args.out.is_dir() and any(args.out.iterdir())) or db.exists()):
        print(f"calibrate.py: --out: {args.out} is not empty or --db {db} exists (an earlier calibration?); "
              "add --resume to continue it, or choose another --out", file=sys.stderr)
        sys.exit(2)
    try:
        import pyabc  # noqa: F401
    except ImportError:
        print("calibrate.py: --method abc-smc needs pyabc (pip install 'chainsim[calibration]')", file=sys.stderr)
        sys.exit(2)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "abc_smc.toml").write_text(args.config.read_text(encoding="utf-8"), encoding="utf-8")
    setup = abc_setup(config, db.with_suffix(".json"), args.workers, regions, args.resume)
    before = generations_done(db)
    start = time.perf_counter()
    history = run_abc_smc(setup, db, args.generations, args.particles, args.workers,
                          exclude=tuple(config["left_out"]), scheduler=args.scheduler,
                          epsilon_quantile=config["epsilon_quantile"], transition=config["transition"])
    wall = time.perf_counter() - start
    summary = abc_summary(history, setup, args, config, wall, before)
    particles = last_population(history)
    post = summarise(particles)
    by_name = {p.name: p for p in setup.priors}
    post["prior_low"] = [by_name[n].low for n in post.index]
    post["prior_high"] = [by_name[n].high for n in post.index]
    post.to_csv(args.out / "posterior.csv")
    print(f"choosing the default: the most typical of {config['representative_candidates']} particles, "
          f"{config['representative_replications']} replications each", file=sys.stderr)
    typical = representative_particle(history, setup, tuple(config["left_out"]), config["seed"] + 1, args.workers,
                                      config["representative_candidates"], config["representative_replications"])
    summary["representative"] = typical
    provenance = {"method": config["description"], "date": summary["date"],
                  "distance": summary["median_distance_last_generation"],
                  "generations": summary["generations"], "particles": args.particles,
                  "replications": setup.replications, "seed": config["seed"],
                  "config": _relative(args.config),
                  "summary": (f"the representative particle: of the {typical['candidates']} particles of the last "
                              "generation whose simulated pictures lie nearest the posterior predictive mean picture "
                              f"(Mahalanobis), the nearest when simulated again {typical['replications']} times"),
                  "representative_seed": typical["seed"],
                  "default_distance": round(typical["distance"], 4),
                  "predictive_mean_distance": round(typical["predictive_mean_distance"], 4)}
    if config["era"] == WERKPLEIN_ERA:
        provenance["data_file"] = "chainsim/data/werkplein_2007.toml"
    write_particles(args.out / "particles.csv", particles, provenance)
    write_calibrated(args.out / "calibrated.toml", post, provenance, typical["values"])
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    print(post.round(3).to_string(), file=sys.stderr)
    print(f"{summary['evaluations']} evaluations; {summary['cpu_seconds_per_evaluation']:.2f} CPU s per evaluation; "
          f"a run of 6 generations x 300 particles on 2 cores: about {summary['estimate']['hours']:.1f} h or more",
          file=sys.stderr)
    effective = summary["effective_particles"][-1]
    print(f"effective particles per generation: {', '.join(f'{e:.0f}' for e in summary['effective_particles'])}",
          file=sys.stderr)
    if args.write_defaults and effective < MIN_EFFECTIVE_PARTICLES:
        print(f"calibrate.py: --write-defaults refused: the last generation has {effective:.1f} effective particles "
              f"(at least {MIN_EFFECTIVE_PARTICLES} needed for a posterior summary); the run's files are in "
              f"{args.out}", file=sys.stderr)
        sys.exit(1)
    if args.write_defaults:
        data = ROOT / "chainsim" / "data"
        print(f"wrote {write_calibrated(data / 'calibrated.toml', post, provenance, typical['values'])} and "
              f"{write_particles(data / 'posterior.csv', particles, provenance)}", file=sys.stderr)


def main() -> None:
    from chainsim.runner import default_workers

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--method", choices=("abc-smc", "lhs-pmc"), default="abc-smc",
                        help="abc-smc: pyABC's sequential Monte Carlo (default); lhs-pmc: the earlier Latin "
                             "hypercube, rejection ABC and one population Monte Carlo step")
    parser.add_argument("--config", type=Path, default=None,
                        help="the set-up (default: abc_smc.toml, or calibration.toml for lhs-pmc, beside this script)")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "calibration")
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--resume", action="store_true", help="continue an interrupted calibration")
    parser.add_argument("--write-defaults", action="store_true",
                        help="write chainsim/data/calibrated.toml (the package defaults) and, for abc-smc, "
                             "chainsim/data/posterior.csv")
    parser.add_argument("--generations", type=int, default=None, help="abc-smc: populations (default: the set-up's)")
    parser.add_argument("--particles", type=int, default=None, help="abc-smc: particles per population")
    parser.add_argument("--db", type=Path, default=None, help="abc-smc: pyABC's SQLite history (default OUT/abc.db)")
    parser.add_argument("--scheduler", default=None, help="abc-smc: a Dask scheduler address, tcp://HOST:PORT")
    parser.add_argument("--regions", default=None,
                        help="abc-smc, for trying the machinery only: region codes, comma-separated "
                             "(the observed figures are national)")
    args = parser.parse_args()
    for key in ("workers", "generations", "particles"):
        value = getattr(args, key)
        if value is not None and value < 1:
            print(f"calibrate.py: --{key}: {value} (allowed: a whole number from 1)", file=sys.stderr)
            sys.exit(2)
    if args.config is None:
        args.config = HERE / ("abc_smc.toml" if args.method == "abc-smc" else "calibration.toml")
    if args.method == "abc-smc":
        main_abc_smc(args)
    else:
        main_lhs_pmc(args)

if __name__ == "__main__":
    main()
