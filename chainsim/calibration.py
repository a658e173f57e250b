"""Pattern-oriented calibration against the Inspectorate's autumn-2014 picture.

Several patterns at once (Grimm et al. 2005), each a group of numbers the
seed reports for the 35 regions: the stage shares, the Table 3.4 classes,
the Table 3.3 joint activities, the Table 3.2 parties at the governance
table, the structure items of §3.1, and the cooperation of the five case
regions (004 App. 3). A simulated picture is the mean over replications of
the same numbers at the observation month; its distance to the observed
picture is the weighted root mean square of the errors, in shares of
regions (the case regions: in stage steps / 2), with one weight per group.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources

import numpy as np
import pandas as pd

from chainsim.core.measurement import COORDINATED, LITTLE, MIDDLE
from chainsim.core.regions import find_region
from chainsim.results import load_observed

GROUPS = ("stage_shares", "cooperation_levels", "joint_activities", "governance_parties", "structure",
          "case_regions")
QUALITY_STAGE = {"good": COORDINATED, "fair": MIDDLE, "not good": LITTLE}
"""The case regions' observed cooperation quality (004 App. 3) read as a stage."""

GOVERNANCE_PARTY = {"sw_companies": "gov_party_sw_companies",
                    "employer_organisations": "gov_party_employer_organisations",
                    "regional_employers": "gov_party_regional_employers",
                    "education": "gov_party_education", "unions": "gov_party_unions"}


def observed_data_sha256() -> str:
    data = resources.files("chainsim.data").joinpath("inspectie_2014.toml").read_bytes()
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Target:
    """One observed number and how to read its simulated counterpart from a pattern row."""

    group: str
    name: str
    observed: float

    def simulated(self, rows: pd.DataFrame) -> np.ndarray:
        """Per run (row) value in the same unit as ``observed``."""
        n = 35.0
        g, name = self.group, self.name
        if g == "stage_shares":
            return rows[f"n_{name}"].to_numpy() / n
        if g in ("cooperation_levels", "joint_activities"):
            return rows[f"n_{name}"].to_numpy() / n
        if g == "governance_parties":
            base = rows["n_governance_uwv_all_municipalities"].to_numpy()
            return rows[f"n_{GOVERNANCE_PARTY[name]}"].to_numpy() / np.maximum(base, 1)
        if g == "structure":
            column = {"all_municipalities_participate": "n_all_municipalities_participate",
                      "uwv_governance_with_all_municipalities": "n_governance_uwv_all_municipalities",
                      "no_regional_cooperation_at_all": "n_none"}.get(name)
            if name == "uwv_absent_tactical":
                return (n - rows["n_tactical_uwv"].to_numpy()) / n
            return rows[column].to_numpy() / n
        if g == "case_regions":
            return rows[f"stage_{find_region(name).code}"].to_numpy() / 2.0
        raise ValueError(f"unknown pattern group {g}")


def targets() -> list[Target]:
    """Every observed number the calibration fits, in the units of :meth:`Target.simulated`."""
    obs = load_observed()
    out = [Target("stage_shares", k, v) for k, v in obs["stage_shares"].items()]
    out += [Target("cooperation_levels", k, v / 35) for k, v in obs["cooperation_levels"].items()]
    out += [Target("joint_activities", k, v / 35) for k, v in obs["joint_activities"].items()]
    n_gov = obs["governance_parties"]["n"]
    out += [Target("governance_parties", k, obs["governance_parties"][k] / n_gov) for k in GOVERNANCE_PARTY]
    s = obs["structure"]
    out += [Target("structure", "all_municipalities_participate", s["all_municipalities_participate"] / 35),
            Target("structure", "uwv_governance_with_all_municipalities",
                   s["uwv_governance_with_all_municipalities"] / 35),
            Target("structure", "uwv_absent_tactical", s["uwv_absent_tactical"] / 35),
            Target("structure", "no_regional_cooperation_at_all", s["no_regional_cooperation_at_all"] / 35)]
    out += [Target("case_regions", c["name"], QUALITY_STAGE[c["cooperation"]] / 2.0) for c in obs["case_regions"]]
    return out


def compare(rows: pd.DataFrame) -> pd.DataFrame:
    """Observed against simulated (mean and 95% CI over the runs in ``rows``) for every target."""
    from chainsim.results import mean_ci

    records = []
    for target in targets():
        stat = mean_ci(target.simulated(rows))
        records.append({"group": target.group, "name": target.name, "observed": target.observed,
                        "simulated": stat["mean"], "low": stat["ci95"][0], "high": stat["ci95"][1]})
    return pd.DataFrame(records)


def distance(rows: pd.DataFrame, weights: dict[str, float]) -> float:
    """Weighted root mean square error of the mean simulated picture of ``rows``."""
    errors: dict[str, list[float]] = {g: [] for g in GROUPS}
    for target in targets():
        errors[target.group].append(float(target.simulated(rows).mean()) - target.observed)
    total = sum(weights.get(g, 0.0) for g in GROUPS)
    return float(np.sqrt(sum(weights.get(g, 0.0) * np.mean(np.square(e)) for g, e in errors.items()) / total))


def group_errors(rows: pd.DataFrame) -> dict[str, float]:
    """Root mean square error per pattern group (for the report and the structural test)."""
    errors: dict[str, list[float]] = {g: [] for g in GROUPS}
    for target in targets():
        errors[target.group].append(float(target.simulated(rows).mean()) - target.observed)
    return {g: float(np.sqrt(np.mean(np.square(e)))) for g, e in errors.items()}


def weighted_quantiles(values: np.ndarray, weights: np.ndarray, qs) -> np.ndarray:
    order = np.argsort(values)
    v, w = values[order], weights[order]
    cum = (np.cumsum(w) - 0.5 * w) / w.sum()
    return np.interp(qs, cum, v)


def rejection_abc(distances: pd.Series, points: pd.DataFrame, accept: float) -> pd.DataFrame:
    """Accepted points of a rejection ABC with Epanechnikov weights (Beaumont et al. 2002).

    The ``accept`` share of points closest to the observed picture is kept;
    each is weighted 1 - (d / d_max)^2, so the closest count most.
    """
    n = max(2, int(round(accept * len(distances))))
    best = distances.nsmallest(n)
    kept = points.loc[best.index].copy()
    kept["distance"] = best
    kept["weight"] = 1.0 - (best / (best.max() * 1.0001)) ** 2
    return kept.sort_values("distance")


def _pmc_kernel(accepted: pd.DataFrame, names: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The accepted points, their normalised weights and the kernel covariance (twice theirs)."""
    x = accepted[names].to_numpy(dtype=float)
    w = accepted["weight"].to_numpy(dtype=float)
    w = w / w.sum()
    return x, w, 2.0 * np.atleast_2d(np.cov(x.T, aweights=w))


def pmc_proposals(accepted: pd.DataFrame, names: list[str], low: np.ndarray, high: np.ndarray,
                  n: int, rng: np.random.Generator) -> np.ndarray:
    """Next population of a population Monte Carlo ABC (Beaumont et al. 2009).

    Draws ``n`` particles from the weighted ``accepted`` points and moves
    each by a Gaussian kernel with twice their weighted covariance; a move
    that leaves the prior box [``low``, ``high``] is drawn again.
    Returns (n x parameters).
    """
    x, w, cov = _pmc_kernel(accepted, names)
    out = np.empty((n, len(names)))
    filled = 0
    while filled < n:
        parents = x[rng.choice(len(x), size=n - filled, p=w)]
        moved = parents + rng.multivariate_normal(np.zeros(len(names)), cov, size=n - filled)
        ok = np.all((moved >= low) & (moved <= high), axis=1)
        out[filled:filled + ok.sum()] = moved[ok]
        filled += int(ok.sum())
    return out


def pmc_weights(particles: np.ndarray, accepted: pd.DataFrame, names: list[str]) -> np.ndarray:
    """Importance weights of new particles under a uniform prior (Beaumont et al. 2009).

    w_i is proportional to 1 / sum_j w_j K(theta_i | theta_j), with K the
    Gaussian kernel of :func:`pmc_proposals` (its truncation to the prior box
    is ignored, which slightly favours particles near the box's edges).
    Normalised to sum to 1.
    """
    x, w, cov = _pmc_kernel(accepted, names)
    inv = np.linalg.inv(cov)
    diff = particles[:, None, :] - x[None, :, :]
    kernel = np.exp(-0.5 * np.einsum("ijk,kl,ijl->ij", diff, inv, diff))
    q = kernel @ w
    weights = 1.0 / np.maximum(q, 1e-300)
    return weights / weights.sum()


BOUNDS = {"stage_shares": 0.06, "cooperation_levels": 2.0, "joint_activities": 3.0}
"""The acceptance bounds of the calibration issue: stage shares within 0.06
of the observed shares, Table 3.4 classes within 2 regions, Table 3.3
activities within 3 regions (means over replications)."""


def bound_errors(rows: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """Error of the mean picture of ``rows`` and its bound, per bounded item.

    Errors are in the unit of the bound: shares for the stages, regions for
    the two tables.
    """
    out = {}
    for target in targets():
        if target.group in BOUNDS:
            scale = 1.0 if target.group == "stage_shares" else 35.0
            error = (float(target.simulated(rows).mean()) - target.observed) * scale
            out[f"{target.group}.{target.name}"] = (error, BOUNDS[target.group])
    return out


def bound_misses(rows: pd.DataFrame) -> dict[str, float]:
    """Items whose mean over ``rows`` lies outside :data:`BOUNDS`, with their error.

    An empty dict means the picture meets every bound.
    """
    return {k: e for k, (e, bound) in bound_errors(rows).items() if abs(e) > bound + 1e-9}


def bound_excess(rows: pd.DataFrame, margin: float = 1.0) -> float:
    """How far the mean picture of ``rows`` lies outside ``margin`` x :data:`BOUNDS`.

    The sum over the bounded items of the squared excess, in units of each
    bound: 0 when every item lies within ``margin`` of its bound. Ranks
    candidates that miss the same number of bounds by how far they miss.
    """
    return sum(max(0.0, abs(e) / bound - margin) ** 2 for e, bound in bound_errors(rows).values())


def level_dependence(levels: np.ndarray) -> dict:
    """How the three cooperation levels hang together across regions (for Table 3.4).

    ``levels`` is (region-observations x 3) booleans: governance, tactical,
    operational. Returns the share with each level (``marginals``), the
    pairwise correlations (``correlation``: governance-tactical,
    governance-operational, tactical-operational), the distribution of the
    number of levels (``count_shares``, 0..3) and the distribution it would
    have if the levels were independent with the same marginals
    (``independent_shares``). Positive correlations move regions from two
    levels to three and to one or none.
    """
    x = np.asarray(levels, dtype=float)
    p = x.mean(axis=0)
    corr = np.corrcoef(x.T)
    counts = np.bincount(x.sum(axis=1).astype(int), minlength=4) / len(x)
    independent = np.array([1.0])
    for q in p:                                   # convolve Bernoulli(q) distributions
        independent = np.convolve(independent, [1.0 - q, q])
    return {"marginals": p, "correlation": np.array([corr[0, 1], corr[0, 2], corr[1, 2]]),
            "count_shares": counts, "independent_shares": independent}
