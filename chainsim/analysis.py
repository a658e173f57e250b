"""What a sweep says: the effect of each factor on the share of coordinated regions.

For every factor, the effect on the share of coordinated regions at the
observation month and at the end month, with a 95% confidence interval:

- grid designs: the paired difference between a factor's levels (each
  level against the first, e.g. a lever against "none"), matched on the
  other factors and the replication -- with common random numbers the two
  runs of a pair share their random numbers;
- Latin hypercube, Sobol and Morris designs: the change over the factor's
  whole range from a least-squares fit of the run outcomes on all factors
  (coefficient x range, t-interval);
- Sobol designs also get first-order and total indices, Morris designs mu*
  and sigma (SALib), computed on the mean over replications per point.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from chainsim.results import mean_ci
from chainsim.sweep import read_manifest, run_outcomes

OUTCOMES = {"observed_at": "coordinated_observed_at", "end": "coordinated_end"}


def grid_effects(runs: pd.DataFrame, factors: list[str]) -> pd.DataFrame:
    """Paired differences between the levels of each factor (grid designs)."""
    rows = []
    for factor in factors:
        levels = list(dict.fromkeys(runs[factor]))   # design order: the first level is the reference
        others = [f for f in factors if f != factor] + ["replication"]
        reference = runs[runs[factor] == levels[0]].set_index(others)
        for level in levels[1:]:
            paired = runs[runs[factor] == level].set_index(others).join(reference, suffixes=("", "_ref"), how="inner")
            for when, column in OUTCOMES.items():
                diff = paired[column] - paired[f"{column}_ref"]
                stat = mean_ci(diff.to_numpy(), -1.0, 1.0)
                rows.append({"factor": factor, "contrast": f"{level} vs {levels[0]}", "when": when,
                             "effect": stat["mean"], "low": stat["ci95"][0], "high": stat["ci95"][1],
                             "pairs": len(diff)})
    return pd.DataFrame(rows)


def regression_effects(runs: pd.DataFrame, factors: list[str], bounds: list[list[float]]) -> pd.DataFrame:
    """Change over each factor's range from a linear fit on all factors (sampled designs)."""
    x = runs[factors].to_numpy(dtype=float)
    ranges = np.array([hi - lo for lo, hi in bounds])
    lows = np.array([lo for lo, _ in bounds])
    z = np.column_stack([np.ones(len(x)), (x - lows) / ranges])      # each factor on 0..1
    rows = []
    for when, column in OUTCOMES.items():
        y = runs[column].to_numpy(dtype=float)
        coef, *_ = np.linalg.lstsq(z, y, rcond=None)
        dof = max(len(y) - z.shape[1], 1)
        sigma2 = float(((y - z @ coef) ** 2).sum() / dof)
        cov = sigma2 * np.linalg.pinv(z.T @ z)
        half = stats.t.ppf(0.975, dof) * np.sqrt(np.diag(cov))
        for i, factor in enumerate(factors, start=1):
            rows.append({"factor": factor, "contrast": f"{bounds[i - 1][0]:g} to {bounds[i - 1][1]:g}",
                         "when": when, "effect": coef[i], "low": coef[i] - half[i], "high": coef[i] + half[i],
                         "pairs": len(y)})
    return pd.DataFrame(rows)


def sensitivity_indices(runs: pd.DataFrame, manifest: dict, sampler: dict) -> pd.DataFrame:
    """Sobol or Morris indices (SALib) on the mean outcome per design point."""
    problem = sampler["problem"]
    means = runs.groupby("point")[list(OUTCOMES.values())].mean().sort_index()
    if len(means) != len(manifest["points"]):
        raise ValueError("sensitivity indices need every design point; finish the sweep with --resume first")
    rows = []
    for when, column in OUTCOMES.items():
        y = means[column].to_numpy()
        if manifest["design"] == "sobol":
            from SALib.analyze import sobol
            res = sobol.analyze(problem, y, calc_second_order=sampler.get("second_order", False), seed=1)
            for i, name in enumerate(problem["names"]):
                rows.append({"factor": name, "when": when, "index": "S1", "value": res["S1"][i],
                             "conf95": res["S1_conf"][i]})
                rows.append({"factor": name, "when": when, "index": "ST", "value": res["ST"][i],
                             "conf95": res["ST_conf"][i]})
        else:
            from SALib.analyze import morris
            x = np.array(manifest["points"], dtype=float)
            res = morris.analyze(problem, x, y, num_levels=sampler.get("levels", 4), seed=1)
            for i, name in enumerate(problem["names"]):
                rows.append({"factor": name, "when": when, "index": "mu_star", "value": res["mu_star"][i],
                             "conf95": res["mu_star_conf"][i]})
                rows.append({"factor": name, "when": when, "index": "sigma", "value": res["sigma"][i],
                             "conf95": np.nan})
    return pd.DataFrame(rows)


def analyse(out: str | Path) -> dict[str, pd.DataFrame]:
    """Effects (and indices where the design has them) of a finished or partial sweep."""
    out = Path(out)
    manifest = read_manifest(out)
    runs = run_outcomes(out)
    factors = manifest["factors"]
    result = {"runs": runs}
    if manifest["design"] == "grid":
        result["effects"] = grid_effects(runs, factors)
    else:
        sampler = manifest["sampler"]
        result["effects"] = regression_effects(runs, factors, sampler["problem"]["bounds"])
        if manifest["design"] in ("sobol", "morris"):
            result["indices"] = sensitivity_indices(runs, manifest, sampler)
    return result
