"""The werkplein era's spring-2007 picture beside the Inspectorate's survey (seed 001 §4).

    .venv/bin/python experiments/werkplein/picture_2007.py --replications 100 --posterior-draws 100 \
        --workers 2 [--out docs --overwrite]

Prints the table; with ``--out DIR`` also writes ``DIR/validation_werkplein.md``
(refused when it exists, unless ``--overwrite``). The era runs on the
parameters of ``scenarios/werkpleinen_2005.toml``: the representative
particle of the era's own calibration on the survey's ``calibrate`` figures
(experiments/calibration/abc_smc_werkplein.toml). ``--posterior-draws N``
adds the posterior predictive interval: N parameter sets drawn from the
era's posterior (``chainsim/data/posterior_werkplein.csv``), one simulated
era each, so that the interval carries what the calibration left uncertain
as well as chance. The figures tagged ``test`` were never fitted.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from chainsim.results import write_text
from chainsim.werkplein import decimals_keeping, era_config, format_picture, rounded, run_era

ROOT = Path(__file__).resolve().parents[2]
PAGE = "validation_werkplein.md"
POSTERIOR = ROOT / "chainsim" / "data" / "posterior_werkplein.csv"
SCENARIO = ROOT / "scenarios" / "werkpleinen_2005.toml"


def predictive(draws: int, seed: int, workers: int) -> dict[str, tuple[float, float, float]]:
    """Per survey item: the posterior predictive mean and 90% interval (one era per drawn parameter set)."""
    from chainsim.core.parameters import Parameters
    from chainsim.posterior import POSTERIOR_STREAM, posterior_draws
    from chainsim.werkplein import EraRun

    sets = posterior_draws(POSTERIOR, draws, np.random.default_rng(seed + POSTERIOR_STREAM))
    shares = []
    for k, values in enumerate(sets):
        shares.append(run_era(era_config(Parameters.from_mapping(values)), 1, seed + k, workers).shares[0])
    run = EraRun(era_config(), seed, np.stack(shares))
    return {row.figure.item: (row.mean, row.low, row.high) for row in run.compare()}


def predictive_table(rows, pp: dict[str, tuple[float, float, float]], draws: int) -> str:
    from chainsim.core.location_measurement import LOCATION_ITEM_NAMES

    lines = [f"Posterior predictive: {draws} parameter sets drawn from the era's posterior, one simulated era each "
             "(mean, 90% interval).", "",
             "| item | survey | use | posterior predictive | survey interval meets it |", "|---|---|---|---|---|"]
    for row in rows:
        f = row.figure
        mean, low, high = pp[f.item]
        meets = "yes" if low <= f.high and f.low <= high else "no"
        d = decimals_keeping(lambda d, f=f, low=low, high=high: rounded(low, d) <= f.high and f.low <= rounded(high, d))
        lines.append(f"| {LOCATION_ITEM_NAMES[f.item]} | {f.low:.3g}-{f.high:.3g} | {f.use} | {mean:.{d}f} "
                     f"({low:.{d}f}-{high:.{d}f}) | {meets} |")
    return "\n".join(lines)


def verdict(rows, pp: dict | None) -> str:
    """What the table shows, counted from it: per use, how many figures the era scenario's mean hits."""
    lines = []
    for use in ("calibrate", "test"):
        chosen = [r for r in rows if r.figure.use == use]
        inside = [r.figure.item for r in chosen if r.inside]
        missed = [f"{r.figure.item} ({r.mean:.{r.digits}f} against {r.figure.low:.3g}-{r.figure.high:.3g})"
                  for r in chosen if not r.inside]
        line = (f"- **{use}** figures: the mean at the era scenario's values (its calibration) lies inside "
                f"{len(inside)} of {len(chosen)}")
        line += f"; outside: {', '.join(missed)}." if missed else "."
        if pp is not None:
            met = sum(1 for r in chosen
                      if pp[r.figure.item][1] <= r.figure.high and r.figure.low <= pp[r.figure.item][2])
            line += f" The posterior predictive 90% interval meets the survey's interval for {met} of {len(chosen)}."
        lines.append(line)
    lines.append(baselines(rows, pp))
    return "\n".join(lines)


def baselines(rows, pp: dict | None) -> str:
    """RMSE against the midpoints of the test figures: the model beside two constant guesses (every share 0.5;
    every share the mean of the calibrate figures' midpoints), as in the region era's cross-validation."""
    test = [r for r in rows if r.figure.use == "test"]
    mid = np.array([(r.figure.low + r.figure.high) / 2 for r in test])
    fitted = np.mean([(r.figure.low + r.figure.high) / 2 for r in rows if r.figure.use == "calibrate"])

    def rmse(guess) -> float:
        return float(np.sqrt(np.mean((np.asarray(guess, float) - mid) ** 2)))

    parts = [f"the era scenario {rmse([r.mean for r in test]):.3f}"]
    if pp is not None:
        parts.append(f"the posterior predictive mean {rmse([pp[r.figure.item][0] for r in test]):.3f}")
    parts += [f"every share 0.5: {rmse(np.full(len(test), 0.5)):.3f}",
              f"every share the mean of the calibrate figures ({fitted:.2f}): {rmse(np.full(len(test), fitted)):.3f}"]
    return (f"- **Against constant guesses** (RMSE over the {len(test)} test figures, against the middle of each "
            f"survey interval): {'; '.join(parts)}.")


def page(table: str, pp_table: str, replications: int, seed: int, draws: int, stages: str, summary: str,
         integrated: tuple[float, float]) -> str:
    """The markdown page: how it was made, the tables, and what they do and do not show."""
    return f"""# Validation: the werkplein era against the Inspectorate's 2007 survey

Generated by `experiments/werkplein/picture_2007.py --replications {replications} --posterior-draws {draws}
--seed {seed}` from `scenarios/werkpleinen_2005.toml` (104 locations, January 2005 to December 2011,
observed in April 2007, the middle of the survey's fieldwork), whose parameters are the representative
particle of the era's own ABC-SMC calibration (`experiments/calibration/abc_smc_werkplein.toml`,
docs/calibration.md). Survey figures: `chainsim/data/werkplein_2007.toml` (seed 001 §4.1-§4.3); their
intervals are what the seed's words allow ("more than half" = 0.50-0.67 and so on). The calibration fitted
the five figures tagged `calibrate`; the five tagged `test` it never saw.

{table}

{pp_table}

Share of locations by stage in December 2011 at the era scenario's values (mean, 90% interval): {stages}.

## What this shows, and what it does not

{summary}
- **Integrated service** (one contact person, one counter, shared messages or ICT; 001 §1.3) reaches
  {integrated[0]:.2f} of the locations in spring 2007 at the era scenario's values, against the survey's 7-13% (a `test`
  figure), and {integrated[1]:.2f} by December 2011; seed 003 says the aim of 100 integrated werkpleinen by
  2010 was not met and integration varied strongly (003 '100 Werkpleinen?'; no figure is given).
- **The comparison is loose by construction.** The survey counted 201 responding organisations (CWI branches,
  UWV coaches, municipalities), not locations (docs/research/werkplein_sources.md §6); the 104 locations are
  chainsim's grouping of the 2016 municipalities, since the seeds list none (chainsim/core/locations.py).
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=100)
    parser.add_argument("--posterior-draws", type=int, default=100)
    parser.add_argument("--seed", type=int, default=2007)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--out", type=Path, default=None, metavar="DIR", help=f"also write DIR/{PAGE}")
    parser.add_argument("--overwrite", action="store_true", help=f"replace an existing DIR/{PAGE}")
    args = parser.parse_args(argv)
    if args.replications < 2 or args.workers < 1 or args.posterior_draws < 2:
        print("picture_2007.py: --replications and --posterior-draws must be at least 2 and --workers at least 1",
              file=sys.stderr)
        return 2
    target = args.out / PAGE if args.out else None
    if target is not None and target.exists() and not args.overwrite:
        print(f"picture_2007.py: --out: {target} exists (allowed: add --overwrite to replace it)", file=sys.stderr)
        return 2
    from chainsim.scenario import load_scenario

    run = run_era(load_scenario(SCENARIO).run_config(), args.replications, args.seed, args.workers)
    rows = run.compare()
    table = format_picture(rows, args.replications)
    print(table)
    pp = predictive(args.posterior_draws, args.seed, args.workers)
    pp_table = predictive_table(rows, pp, args.posterior_draws)
    print("\n" + pp_table)
    summary = verdict(rows, pp)
    print("\n" + summary)
    if target is not None:
        end = run.summary()["stage_shares_end"]
        stages = ", ".join(f"{s} {v['mean']:.2f} ({v['interval90'][0]:.2f}-{v['interval90'][1]:.2f})"
                           for s, v in end.items())
        means = {row.figure.item: row.mean for row in rows}
        text = page(table, pp_table, args.replications, args.seed, args.posterior_draws, stages, summary,
                    (means["integrated_service"], end["integrated"]["mean"]))
        write_text(target, text)
        print(f"\nwrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
