"""Scenario discovery with the EMA Workbench: which combinations make at least
half of the regions coordinated by December 2016?

    .venv/bin/python experiments/ema_prim.py [--scenarios 40] [--policies 8] [--replications 3]

Samples chainsim's main parameters (uncertainties) and lever strengths
(levers) with Latin hypercubes, runs every combination with replications,
and lets PRIM (Friedman & Fisher 1999, as implemented in the workbench) find
the box of inputs where the mean share of coordinated regions at the end is
at least 0.5. Prints the box and writes results/ema_prim/ (the workbench's
archive and the box's limits as CSV).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np


def main() -> None:
    try:
        from ema_workbench import MultiprocessingEvaluator, SequentialEvaluator, save_results
        from ema_workbench.analysis import prim
    except ModuleNotFoundError as exc:
        raise SystemExit(f"ema_prim.py: needs the EMA Workbench ({exc}); install it with: "
                         "pip install 'chainsim[ema]' (make test installs it)") from None

    from chainsim.ema import build_model

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=40)
    parser.add_argument("--policies", type=int, default=8)
    parser.add_argument("--replications", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    model = build_model(replications=args.replications,
                        levers=("joint_targets", "minister_visits", "facilitative_leadership",
                                "co_location", "employer_demand", "budget_cuts"))
    evaluator = (MultiprocessingEvaluator(model, n_processes=args.workers) if args.workers > 1
                 else SequentialEvaluator(model))
    with evaluator:
        experiments, outcomes = evaluator.perform_experiments(
            scenarios=args.scenarios, policies=args.policies,
            uncertainty_sampling_kwargs={"rng": args.seed}, lever_sampling_kwargs={"rng": args.seed + 1})
    end = np.asarray(outcomes["coordinated_end"]).reshape(len(experiments), -1).mean(axis=1)
    of_interest = end >= args.threshold
    inputs = experiments[[u.name for u in model.uncertainties] + [lv.name for lv in model.levers]]
    print(f"{of_interest.sum()} of {len(end)} experiments reach a mean share of at least "
          f"{args.threshold} coordinated regions in 2016")
    out = Path("results/ema_prim")
    out.mkdir(parents=True, exist_ok=True)
    save_results((experiments, outcomes), str(out / "experiments.tar.gz"))
    if 0 < of_interest.sum() < len(end):
        algorithm = prim.Prim(inputs, of_interest, peel_alpha=0.1)
        box = algorithm.find_box()
        limits = box.box_lim
        print(limits.to_string())
        print(f"coverage {box.coverage:.2f}, density {box.density:.2f}")
        limits.to_csv(out / "prim_box.csv")
    else:
        print("no contrast between cases to explain; change --threshold or sample more")


if __name__ == "__main__":
    main()
