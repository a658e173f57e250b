"""Lever effects over the posterior: each lever against the baseline, over posterior draws with paired seeds.

    .venv/bin/python experiments/calibration/lever_effects.py [--particles FILE] [--draws 50] [--replications 4]
        [--experiment experiments/lever_effects.toml] [--levers joint_targets,legal_deadline] [--seed N]
        [--workers N] [--out results/lever_effects] [--overwrite] [--regions CODES]

The levers and the base scenario come from a sweep experiment with a factor
``lever`` (``--experiment``, default experiments/lever_effects.toml: every
lever at full strength from 2013-01, and the baseline "none"); each of its
design points becomes a run configuration exactly as in a sweep
(``Experiment.config``). ``--draws`` parameter sets are drawn from the
posterior (``--particles``: a particles CSV or a pyABC history ``.db``;
default the shipped chainsim/data/posterior.csv) by
``chainsim.posterior.posterior_configs``, from a generator of their own
seeded by ``--seed``; parameters the base scenario sets itself keep its
value. For draw *d* and replication *r* every lever and the baseline run
with the same parameter set and the same seed, child d x R + r of
``--seed`` (default: the experiment's seed; draw 0 thus runs on the sweep's
seeds), so each difference lever - baseline is paired (common random
numbers).

Outcome: the share of the regions in stage "coordinated" in 2014-11 and
2016-12. Per lever and month, the per-draw effect is the mean over the
replications of (lever - baseline), and the report gives

- the posterior mean effect with its 95% interval over the draws (mean +-
  t(N-1, 0.975) sd / sqrt(N) of the per-draw effects: the uncertainty of
  the average effect, clustered by draw);
- the 95% posterior interval of the per-draw effect (its 2.5% and 97.5%
  quantiles across draws: how much the effect depends on the uncertain
  parameters; with few replications per draw it holds simulation noise
  too, so it is somewhat wider than the parameters alone make it);
- P(effect > 0): the share of draws whose effect is positive.

Writes OUT/lever_effects.csv (draw, replication, lever, month, share),
OUT/lever_effects.md (the table, sorted by the 2016-12 effect, with its
provenance), OUT/lever_effects.json and OUT/lever_effects.png (OUT:
results/lever_effects); existing outputs are replaced only with
--overwrite. Each draw's runs are kept in OUT/.lever_effects_parts until
the outputs are written, so the same command after an interruption
continues where it stopped. The number of workers never changes a result.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

MONTHS = ("2014-11", "2016-12")
"""The months whose share of coordinated regions is compared."""
BASELINE = "none"
STAGE = "coordinated"
OUTPUTS = ("lever_effects.csv", "lever_effects.md", "lever_effects.json", "lever_effects.png")
PARTS = ".lever_effects_parts"
PROG = "lever_effects.py"
EFFECT_DECIMALS = 12
"""Per-draw effects are rounded to this many decimals (far below one region in a thousand)."""


class InputError(ValueError):
    """Input the script cannot use: one line, naming the option and what is allowed."""

    def __init__(self, option: str, message: str) -> None:
        super().__init__(f"{PROG}: {option}: {message}")


# --- the design: lever points, posterior draws, paired seeds ---------------------
def lever_points(experiment, levers: list[str] | None = None) -> dict[str, int]:
    """Design point of each lever to run, the baseline first: ``{lever: point}``.

    ``levers`` restricts the levers (the baseline always runs). Raises
    :class:`InputError` for an experiment without a factor ``lever`` (or with
    other factors, or without the level "none") and for unknown levers.
    """
    names = [f.name for f in experiment.factors]
    where = str(experiment.path)
    if "lever" not in names:
        raise InputError("--experiment", f"{where} has no factor 'lever' (allowed: an experiment whose only factor "
                                         "is name = \"lever\", like experiments/lever_effects.toml)")
    if names != ["lever"]:
        other = next(n for n in names if n != "lever")
        raise InputError("--experiment", f"{where} varies {other!r} besides 'lever' (allowed: an experiment whose "
                                         "only factor is name = \"lever\")")
    points = {point[0]: i for i, point in enumerate(experiment.points)}
    if BASELINE not in points:
        raise InputError("--experiment", f"{where}: the factor 'lever' has no level \"{BASELINE}\" (allowed: "
                                         "levels that include the baseline \"none\")")
    available = [name for name in points if name != BASELINE]
    if levers is None:
        chosen = available
    else:
        chosen = list(dict.fromkeys(name for name in levers if name != BASELINE))
        unknown = [name for name in chosen if name not in points]
        if not chosen:
            raise InputError("--levers", f"name at least one lever; the baseline \"{BASELINE}\" always runs "
                                         f"(allowed: {', '.join(available)}, comma-separated)")
        if unknown:
            raise InputError("--levers", f"{unknown[0]!r} is not a lever of {where} "
                                         f"(allowed: {', '.join(available)}, comma-separated)")
    return {name: points[name] for name in [BASELINE, *chosen]}


def month_indices(calendar, months=MONTHS) -> list[int]:
    """Calendar index of each month; :class:`InputError` when the calendar does not hold one."""
    from chainsim.core.calendar import Month

    out = []
    for month in months:
        m = Month.parse(month)
        if not calendar.start <= m <= calendar.end:
            raise InputError("--experiment", f"the base scenario's calendar {calendar.start} to {calendar.end} "
                                             f"does not hold {month} (allowed: a calendar that holds "
                                             f"{' and '.join(months)})")
        out.append(calendar.index(m))
    return out


def draw_tasks(experiment, points: dict[str, int], draws: int, replications: int, seed: int, source=None,
               regions: tuple[str, ...] | None = None) -> tuple[list[tuple], pd.DataFrame]:
    """One task per posterior draw, and the table of the draws' parameter sets.

    A task is ``(draw, [(lever, config)], [(seed sequence, run)], month indices)``:
    every lever's configuration carries the draw's parameter set, and all of
    them run on the same seeds, children d x R to d x R + R - 1 of ``seed``.
    Raises :class:`chainsim.posterior.PosteriorError` for particles it cannot read.
    """
    from chainsim.posterior import posterior_configs
    from chainsim.runner import replication_seeds

    base = experiment.base.run_config()
    if regions is not None:
        base = replace(base, regions=regions)
    _, table = posterior_configs(base, draws, seed, source, tuple(sorted(experiment.base.parameters_set)))
    names = [c for c in table.columns if c != "draw"]
    configs = {lever: experiment.config(point) for lever, point in points.items()}
    if regions is not None:
        configs = {lever: replace(c, regions=regions) for lever, c in configs.items()}
    seeds = replication_seeds(seed, draws * replications)
    at = month_indices(base.calendar)
    tasks = []
    for d, row in enumerate(table[names].to_dict(orient="records")):
        values = {k: float(v) for k, v in row.items()}
        runs = [(lever, replace(c, params=c.params.with_values(**values))) for lever, c in configs.items()]
        tasks.append((d, runs, [(seeds[d * replications + r], d * replications + r) for r in range(replications)],
                      at))
    return tasks, table


def simulate_draw(task: tuple) -> pd.DataFrame:
    """The runs of one draw: rows (draw, replication, lever, month, share of coordinated regions)."""
    from chainsim.core.measurement import STAGES
    from chainsim.runner import simulate_batch

    d, runs, seeds, at = task
    code = STAGES.index(STAGE)
    rows = []
    for lever, config in runs:
        for r, result in enumerate(simulate_batch(config, seeds, events=False)):
            for month, t in zip(MONTHS, at):
                rows.append((d, r, lever, month, float((result.stage[t] == code).mean())))
    return pd.DataFrame(rows, columns=["draw", "replication", "lever", "month", "share"])


def run_tasks(tasks: list[tuple], workers: int, store) -> None:
    """Simulate the tasks, on ``workers`` processes; ``store(frame)`` gets each draw's rows as it finishes."""
    if workers == 1 or len(tasks) <= 1:
        for task in tasks:
            store(simulate_draw(task))
        return
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    from chainsim.runner import worker_context

    pool = ProcessPoolExecutor(max_workers=min(workers, len(tasks)), mp_context=worker_context())
    pending = iter(tasks)
    running = set()
    try:
        for task in pending:
            running.add(pool.submit(simulate_draw, task))
            if len(running) >= 2 * workers:
                break
        while running:
            finished, running = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                store(future.result())
            for task in pending:
                running.add(pool.submit(simulate_draw, task))
                if len(running) >= 2 * workers:
                    break
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


# --- arithmetic -----------------------------------------------------------------
def paired_effects(frame: pd.DataFrame, baseline: str = BASELINE) -> pd.DataFrame:
    """Per draw, lever and month: the mean over replications of (lever - baseline), paired by draw and replication.

    ``frame``: the long table (draw, replication, lever, month, share).
    Returns columns draw, lever, month, effect (rounded to
    :data:`EFFECT_DECIMALS` decimals), levers in the order they first
    appear. Raises ValueError for a run stored twice or a lever run without
    its baseline (or the other way round).
    """
    keys = ["draw", "replication", "month"]
    if frame.duplicated(keys + ["lever"]).any():
        raise ValueError("a (draw, replication, lever, month) appears more than once")
    levers = [name for name in dict.fromkeys(frame["lever"]) if name != baseline]
    if baseline not in set(frame["lever"]):
        raise ValueError(f"no baseline {baseline!r} to pair the levers with")
    wide = frame.set_index(keys + ["lever"])["share"].unstack("lever")
    if wide.isna().any().any():
        raise ValueError("unpaired runs: a lever or the baseline lacks a (draw, replication, month) of the other")
    diff = wide[levers].sub(wide[baseline], axis=0)
    # Rounded to 12 decimals: shares are fractions of a few regions, and a difference that is zero in exact
    # arithmetic (1/35 - 1/35 from two different pairs of shares) would otherwise keep a sign from float noise.
    per_draw = (diff.groupby(level=["draw", "month"]).mean().round(EFFECT_DECIMALS) + 0.0).reset_index()   # no -0.0
    out = per_draw.melt(id_vars=["draw", "month"], value_vars=levers, var_name="lever", value_name="effect")
    out["lever"] = pd.Categorical(out["lever"], categories=levers)
    out = out.sort_values(["lever", "month", "draw"], kind="stable", ignore_index=True)
    out["lever"] = out["lever"].astype(str)
    return out[["draw", "lever", "month", "effect"]]


def effect_table(effects: pd.DataFrame) -> pd.DataFrame:
    """Per lever and month, over the draws of :func:`paired_effects`.

    Columns: lever, month, draws, mean, ci_low and ci_high (the mean's 95%
    Student t interval over the draws; NaN with one draw, or where every
    draw gives the same effect), post_low and
    post_high (2.5% and 97.5% quantiles of the per-draw effects) and
    p_positive (the share of draws with an effect above 0).
    """
    from chainsim.statistics import estimate

    rows = []
    for (lever, month), group in effects.groupby(["lever", "month"], sort=False):
        x = group.sort_values("draw")["effect"].to_numpy(dtype=float)
        e = estimate(x, bounds=(-1.0, 1.0))
        low, high = e.interval()
        q_low, q_high = np.quantile(x, [0.025, 0.975])
        rows.append({"lever": lever, "month": month, "draws": len(x), "mean": e.mean,
                     "ci_low": np.nan if low is None else low, "ci_high": np.nan if high is None else high,
                     "post_low": float(q_low), "post_high": float(q_high), "p_positive": float(np.mean(x > 0))})
    return pd.DataFrame(rows)


def lever_order(table: pd.DataFrame, month: str = MONTHS[-1]) -> list[str]:
    """The levers by their mean effect at ``month``, largest first (ties: the experiment's order)."""
    at = table[table["month"] == month]
    return at.sort_values("mean", ascending=False, kind="stable")["lever"].tolist()


# --- reports ------------------------------------------------------------------------
def _signed(x: float) -> str:
    return "n/a" if x is None or np.isnan(x) else f"{x:+.3f}"


def markdown(table: pd.DataFrame, provenance: dict) -> str:
    """The report: one row per lever, sorted by the effect at the last month, and its provenance."""
    months = list(dict.fromkeys(table["month"]))
    p = provenance
    reps = f"{p['replications']} replication{'s' if p['replications'] != 1 else ''}"
    subset = f", regions {', '.join(p['region_subset'])} only" if p.get("region_subset") else ""
    lines = ["# Lever effects over the posterior", "",
             ("Generated by `experiments/calibration/lever_effects.py`. Effect: the share of the "
              f"{p['regions']} regions in stage \"{STAGE}\" with the lever minus without it (the baseline "
              f"\"{BASELINE}\"), on the same parameter set and seed; per draw the mean over its replications. "
              "*Effect [95% CI]*: the mean over the posterior draws with its 95% Student t interval over the "
              "draws (the uncertainty of the average effect, parameter uncertainty included). *Posterior 95% "
              "interval*: 2.5% and 97.5% quantiles of the per-draw effects (how much the effect depends on the "
              f"uncertain parameters; it holds the simulation noise of {reps} per draw too). *P>0*: the "
              f"share of draws with a positive effect. Sorted by the effect in {months[-1]}."), "",
             (f"Provenance: particles `{p['particles']}` (SHA-256 {p['particles_sha256'][:12]}), "
              f"{p['draws']} draws x {reps} each, seed {p['seed']}, experiment `{p['experiment']}` "
              f"(SHA-256 {p['experiment_sha256'][:12]}), chainsim {p['chainsim_version']}{subset}."), ""]
    head = "| lever |" + "".join(f" effect {m} [95% CI] | posterior 95% interval | P>0 |" for m in months)
    lines += [head, "|---|" + "---|---|---|" * len(months)]
    by = {(r.lever, r.month): r for r in table.itertuples()}
    for lever in lever_order(table, months[-1]):
        cells = []
        for m in months:
            r = by[(lever, m)]
            ci = "[n/a]" if np.isnan(r.ci_low) else f"[{_signed(r.ci_low)}, {_signed(r.ci_high)}]"
            cells.append(f" {_signed(r.mean)} {ci} | {_signed(r.post_low)} to {_signed(r.post_high)} | "
                         f"{r.p_positive:.2f} |")
        lines.append(f"| {lever} |" + "".join(cells))
    return "\n".join(lines) + "\n"


def plot_effects(table: pd.DataFrame, path: Path, title: str | None = None) -> Path:
    """Interval plot: per lever a point (mean effect), thick bar (95% CI), thin bar (posterior 95% interval)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from chainsim.results import _atomic

    months = list(dict.fromkeys(table["month"]))
    order = lever_order(table, months[-1])
    y = np.arange(len(order))[::-1]
    fig, axes = plt.subplots(1, len(months), figsize=(5 * len(months), 2.0 + 0.3 * len(order)), sharex=True,
                             sharey=True, squeeze=False, layout="constrained")
    for ax, month in zip(axes[0], months):
        at = table[table["month"] == month].set_index("lever").loc[order]
        ax.axvline(0.0, color="0.5", lw=0.8, zorder=0)
        ci = at["ci_low"].notna().to_numpy()
        ax.hlines(y[ci], at["ci_low"][ci], at["ci_high"][ci], color="tab:blue", lw=6.0, alpha=0.35, zorder=1,
                  label="95% CI of the mean effect (over draws)")
        ax.hlines(y, at["post_low"], at["post_high"], color="black", lw=1.2, zorder=2,
                  label="95% posterior interval of the effect")
        ax.plot(at["mean"], y, "o", color="black", ms=4, zorder=3, label="mean effect")
        ax.set_title(month)
        ax.set_xlabel(f"effect on the share of {STAGE} regions")
        ax.grid(axis="x", color="0.9")
    axes[0][0].set_yticks(y, order)
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=3, fontsize="small", frameon=False)
    if title:
        fig.suptitle(title, fontsize="medium")
    _atomic(Path(path), lambda tmp: fig.savefig(tmp, format="png", dpi=150))
    plt.close(fig)
    return Path(path)


# --- command line -------------------------------------------------------------------
def _whole(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number (allowed: a whole number from 1)") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} (allowed: a whole number from 1)")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"{text!r} (allowed: a whole number from 0 to 2**63 - 1)")
    return value


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):
        print(f"{PROG}: {message}", file=sys.stderr)
        sys.exit(2)


def _regions(text: str | None) -> tuple[str, ...] | None:
    from chainsim.core.regions import UnknownRegionError, find_region

    if text is None:
        return None
    try:
        codes = tuple(dict.fromkeys(find_region(name.strip()).code for name in text.split(",") if name.strip()))
    except UnknownRegionError as exc:
        raise InputError("--regions", str(exc).split(" (allowed")[0] + " (allowed: region codes or names, "
                         "comma-separated; `chainsim list regions`)") from None
    if not codes:
        raise InputError("--regions", "empty (allowed: region codes or names, comma-separated)")
    return codes


def _shown(path: Path) -> str:
    """A path as the report shows it: relative to the repository where it lies inside it."""
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _particles_record(source: Path | None) -> tuple[str, str]:
    if source is None:
        from importlib import resources

        from chainsim.posterior import SHIPPED

        return f"chainsim/data/{SHIPPED}", hashlib.sha256(
            resources.files("chainsim.data").joinpath(SHIPPED).read_bytes()).hexdigest()
    return _shown(source), _sha256(source)


def _parts(out: Path, settings: dict) -> tuple[Path, dict[int, pd.DataFrame]]:
    """The folder of per-draw parts for these settings, and the draws already there (others are discarded)."""
    folder = out / PARTS
    record = folder / "settings.json"
    if folder.is_dir():
        try:
            same = json.loads(record.read_text(encoding="utf-8")) == settings
        except (OSError, ValueError):
            same = False
        if not same:
            print(f"{PROG}: discarding the parts of an interrupted run with other settings ({folder})",
                  file=sys.stderr)
            shutil.rmtree(folder)
    done: dict[int, pd.DataFrame] = {}
    if folder.is_dir():
        for path in sorted(folder.glob("draw-*.csv")):
            d = int(path.stem.removeprefix("draw-"))
            if d < settings["draws"]:
                done[d] = pd.read_csv(path, dtype={"month": str, "lever": str})
    else:
        from chainsim.results import write_json

        folder.mkdir(parents=True)
        write_json(record, settings)
    return folder, done


def main(argv: list[str] | None = None) -> int:
    from chainsim.runner import default_workers

    parser = _Parser(prog=PROG, description=__doc__.splitlines()[0])
    parser.add_argument("--experiment", type=Path, default=ROOT / "experiments" / "lever_effects.toml",
                        help="sweep experiment with a factor 'lever' (default experiments/lever_effects.toml)")
    parser.add_argument("--particles", type=Path, default=None,
                        help="particles CSV or pyABC history (.db); default chainsim/data/posterior.csv")
    parser.add_argument("--draws", type=_whole, default=50, help="posterior draws (default 50)")
    parser.add_argument("--replications", type=_whole, default=4, help="replications per draw (default 4)")
    parser.add_argument("--levers", default=None, help="comma-separated levers of the experiment (default: all)")
    parser.add_argument("--seed", type=_seed, default=None, help="root seed (default: the experiment's)")
    parser.add_argument("--workers", type=_whole, default=default_workers())
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "lever_effects")
    parser.add_argument("--overwrite", action="store_true", help="replace existing outputs")
    parser.add_argument("--regions", default=None, help="for trying the machinery only: region codes, comma-separated")
    args = parser.parse_args(argv)
    try:
        return _main(args)
    except InputError as exc:
        print(str(exc), file=sys.stderr)
        return 2


def _main(args) -> int:
    from chainsim.experiment import ExperimentError, load_experiment
    from chainsim.posterior import PosteriorError
    from chainsim.results import _atomic, resolved_region_codes, write_json
    from chainsim.version import version

    if not args.experiment.is_file():
        raise InputError("--experiment", f"{args.experiment}: not found (allowed: a sweep experiment file with a "
                                         "factor 'lever', like experiments/lever_effects.toml)")
    try:
        experiment = load_experiment(args.experiment)
    except ExperimentError as exc:
        more = len(exc.problems) - 1
        raise InputError("--experiment", exc.problems[0] + (f" (and {more} more)" if more else "")) from None
    levers = None if args.levers is None else [s.strip() for s in args.levers.split(",") if s.strip()]
    points = lever_points(experiment, levers)
    month_indices(experiment.base.calendar)
    regions = _regions(args.regions)
    if args.particles is not None and not args.particles.is_file():
        raise InputError("--particles", f"{args.particles}: not found (allowed: a particles CSV or a pyABC "
                                        "history .db)")
    if args.out.exists() and not args.out.is_dir():
        raise InputError("--out", f"{args.out} exists and is not a folder (allowed: a folder)")
    outputs = [args.out / name for name in OUTPUTS]
    if not args.overwrite and any(p.exists() for p in outputs):
        raise InputError("--out", f"{args.out} already holds lever_effects outputs; add --overwrite to replace "
                                  "them, or choose another --out")
    seed = experiment.seed if args.seed is None else args.seed
    try:
        tasks, draws = draw_tasks(experiment, points, args.draws, args.replications, seed, args.particles, regions)
    except PosteriorError as exc:
        raise InputError("--particles", str(exc)) from None
    except Exception as exc:              # pyabc / sqlite on a .db that is no pyABC history
        if args.particles is None or args.particles.suffix != ".db":
            raise
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError("--particles", f"{args.particles}: not a pyABC history ({reason})") from None
    particles, particles_sha = _particles_record(args.particles)
    n_regions = len(resolved_region_codes(tasks[0][1][0][1]))
    provenance = {"particles": particles, "particles_sha256": particles_sha, "draws": args.draws,
                  "replications": args.replications, "seed": seed, "experiment": _shown(args.experiment),
                  "experiment_sha256": experiment.sha256, "chainsim_version": version(),
                  "levers": [name for name in points if name != BASELINE], "months": list(MONTHS),
                  "region_subset": list(regions) if regions else None, "regions": n_regions,
                  "seeds": "run d x replications + r of numpy SeedSequence(seed).spawn: draw d, replication r, "
                           "the same for every lever",
                  "kept_by_scenario": sorted(experiment.base.parameters_set & set(draws.columns))}
    folder, done = _parts(args.out, provenance)
    todo = [task for task in tasks if task[0] not in done]
    if done:
        print(f"{PROG}: resuming: {len(done)} of {args.draws} draws done already", file=sys.stderr)
    runs = len(todo) * len(points) * args.replications
    print(f"{PROG}: {len(todo)} draws x {len(points)} levers (baseline included) x {args.replications} "
          f"replications = {runs} runs on {args.workers} workers", file=sys.stderr)

    def store(frame: pd.DataFrame) -> None:
        d = int(frame["draw"].iloc[0])
        _atomic(folder / f"draw-{d:05d}.csv", lambda tmp: frame.to_csv(tmp, index=False))
        done[d] = frame
        if sys.stderr.isatty():
            print(f"\r{PROG}: {len(done)}/{args.draws} draws", end="\n" if len(done) == args.draws else "",
                  file=sys.stderr, flush=True)

    run_tasks(todo, args.workers, store)
    order = {name: i for i, name in enumerate(points)}
    frame = pd.concat([done[d] for d in sorted(done)], ignore_index=True)
    frame = frame.assign(_o=frame["lever"].map(order)).sort_values(
        ["draw", "replication", "_o", "month"], kind="stable", ignore_index=True).drop(columns="_o")
    effects = paired_effects(frame)
    table = effect_table(effects)
    _atomic(outputs[0], lambda tmp: frame.to_csv(tmp, index=False))
    _atomic(outputs[1], lambda tmp: Path(tmp).write_text(markdown(table, provenance), encoding="utf-8"))
    records = [{k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in row.items()}
               for row in table.to_dict(orient="records")]
    write_json(outputs[2], {"provenance": provenance, "effects": records,
                            "draws": draws.to_dict(orient="records")})
    plot_effects(table, outputs[3], f"Lever effects over {args.draws} posterior draws x {args.replications} "
                                    "replications")
    shutil.rmtree(folder)
    print(f"wrote {', '.join(str(p) for p in outputs)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
