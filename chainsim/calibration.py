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

from chainsim.core.calendar import Month
from chainsim.core.location_measurement import survey_figures
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


def observed_data_sha256(name: str = "inspectie_2014.toml") -> str:
    """SHA-256 of an observed-data file of chainsim/data (the 2014 figures unless ``name`` says otherwise)."""
    data = resources.files("chainsim.data").joinpath(name).read_bytes()
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
    """Observed against simulated (mean and 95% CI over the runs in ``rows``) for every target.

    ``low`` and ``high`` are NaN where there is no interval, and ``no_interval`` says why
    (:func:`chainsim.results.mean_ci`); it is empty where there is one.
    """
    from chainsim.results import mean_ci

    records = []
    for target in targets():
        stat = mean_ci(target.simulated(rows))
        low, high = (np.nan if b is None else b for b in stat["ci95"])
        records.append({"group": target.group, "name": target.name, "observed": target.observed,
                        "simulated": stat["mean"], "low": low, "high": high,
                        "no_interval": stat.get("no_interval", "" if stat["mean"] is not None else "no value")})
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
    n = max(2, round(accept * len(distances)))
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


# --- ABC-SMC: the picture over the fieldwork window, each pattern counted once ---

FIELDWORK = ("2014-09", "2014-12")
"""The Inspectorate's fieldwork window (inspectie_2014.toml [meta]: fieldwork
September-November 2014, case studies until December): a simulated picture is
the mean of each statistic over these months, not its value in one month."""

PATTERN_GROUPS: dict[str, tuple[str, ...]] = {
    # Stage shares and Table 3.4 classes are one pattern: the stage is a
    # function of the class and two items (chainsim.core.measurement.classify_stage).
    "stages_and_classes": ("coordinated", "middle", "little", "all_levels", "intermediate", "hardly", "none"),
    "joint_activities": ("joint_consultation", "joint_projects", "joint_staff", "joint_preferred_employers",
                         "joint_placement_targets", "fte_agreements"),
    "governance_parties": tuple(GOVERNANCE_PARTY),
    # The structure item no_regional_cooperation_at_all is Table 3.4's class
    # "none" again (classify_levels): counted there only.
    "structure": ("all_municipalities_participate", "uwv_governance_with_all_municipalities", "uwv_absent_tactical"),
    "case_regions": ("Friesland", "Gooi- en Vechtstreek", "Rijnmond", "Stedendriehoek en Noordwest Veluwe",
                     "Helmond-De Peel"),
}
"""The five pattern groups of the ABC-SMC distance and of the cross-validation."""

STATISTICS: tuple[str, ...] = tuple(f"{g}.{n}" for g, names in PATTERN_GROUPS.items() for n in names)
"""Names of the calibrated statistics, "group.name", in a fixed order."""

SURVEY_GROUP = "survey_2007"
"""The pattern group of the werkplein era's 2007 survey (001 §4): only a run that starts from
the era (``start_from``) has it; its figures tagged ``calibrate`` may be fitted, those tagged
``test`` are kept out of every calibration."""

SURVEY_STATISTICS: tuple[str, ...] = tuple(f"{SURVEY_GROUP}.{f.item}" for f in survey_figures() if f.use == "calibrate")
"""The survey figures a joint calibration of both eras fits."""

JOINT_STATISTICS: tuple[str, ...] = STATISTICS + SURVEY_STATISTICS
"""The statistics of a calibration of both eras: the 2014 picture and the 2007 survey's calibrate figures."""

VARIANCE_FLOOR = (1 / 35) ** 2
"""Added to each statistic's variance in the distance: one region in 35. The
observed figures are counts of regions judged by the Inspectorate, so a
simulated share is not held closer than one region; without a floor a
statistic the model hardly varies (the class "none") would dominate."""


def variance_floors(names: tuple[str, ...]) -> np.ndarray:
    """The floor added to each statistic's variance: one region in 35 (:data:`VARIANCE_FLOOR`); for a
    survey figure the square of a quarter of its interval (the interval the seed's words allow read as
    two standard deviations either side of its middle)."""
    figures = {f"{SURVEY_GROUP}.{f.item}": f for f in survey_figures()}
    return np.array([((figures[n].high - figures[n].low) / 4.0) ** 2 if n in figures else VARIANCE_FLOOR
                     for n in names])


def observed_statistics() -> dict[str, float]:
    """The observed value of every statistic, in its simulated unit: the 2014 picture's :data:`STATISTICS`
    (shares; case regions stage / 2), then every figure of the 2007 survey (the middle of its interval;
    :data:`SURVEY_STATISTICS` says which a joint calibration fits)."""
    by_key = {f"{t.group}.{t.name}": t.observed for t in targets()}
    out = {}
    for name in STATISTICS:
        group, item = name.split(".", 1)
        source = ("stage_shares" if item in ("coordinated", "middle", "little") else "cooperation_levels"
                  ) if group == "stages_and_classes" else group
        out[name] = by_key[f"{source}.{item}"]
    out.update({f"{SURVEY_GROUP}.{f.item}": f.middle for f in survey_figures()})
    return out


def _window(calendar) -> slice:
    from chainsim.core.calendar import Month

    return slice(calendar.index(Month.parse(FIELDWORK[0])), calendar.index(Month.parse(FIELDWORK[1])) + 1)


def fieldwork_picture(result, calendar) -> dict[str, float]:
    """Every item of one simulated Netherlands, each the mean over the fieldwork months.

    ``result`` is a :class:`chainsim.runner.RunResult`. Keys are the
    :data:`STATISTICS` and ``items.<indicator>`` for every indicator not
    among them (the items with no observed figure, for the predictive
    checks). Shares use the seed's denominators (Table 3.2 among regions with
    a governance table, subregion items among regions with subregions); a
    share whose denominator is empty in every window month, or a case region
    not in the run, is NaN.
    """
    from chainsim.core.measurement import (
        DENOMINATOR,
        INDICATOR_INDEX,
        INDICATORS,
        LEVEL_CLASSES,
        STAGES,
    )

    w = _window(calendar)
    stage, classes, items = result.stage[w], result.level_class[w], result.items[w]

    def share(name: str) -> float:
        k, d = INDICATOR_INDEX[name], DENOMINATOR[name]
        if d is None:
            return float(items[..., k].mean())
        both = (items[..., k] & items[..., INDICATOR_INDEX[d]]).sum(axis=1).astype(float)
        base = items[..., INDICATOR_INDEX[d]].sum(axis=1)
        monthly = np.where(base > 0, both / np.maximum(base, 1), np.nan)
        return float(np.nanmean(monthly)) if np.isfinite(monthly).any() else float("nan")

    out = {f"stages_and_classes.{n}": float((stage == k).mean()) for k, n in enumerate(STAGES)}
    out.update({f"stages_and_classes.{n}": float((classes == k).mean()) for k, n in enumerate(LEVEL_CLASSES)})
    out.update({f"joint_activities.{n}": share(n) for n in PATTERN_GROUPS["joint_activities"]})
    out.update({f"governance_parties.{n}": share(GOVERNANCE_PARTY[n]) for n in PATTERN_GROUPS["governance_parties"]})
    out["structure.all_municipalities_participate"] = share("all_municipalities_participate")
    out["structure.uwv_governance_with_all_municipalities"] = share("governance_uwv_all_municipalities")
    out["structure.uwv_absent_tactical"] = 1.0 - share("tactical_uwv")
    codes = list(result.region_codes)
    for name in PATTERN_GROUPS["case_regions"]:
        code = find_region(name).code
        out[f"case_regions.{name}"] = float(stage[:, codes.index(code)].mean() / 2.0) if code in codes else float("nan")
    used = {"governance_uwv_all_municipalities", "tactical_uwv", "all_municipalities_participate",
            *PATTERN_GROUPS["joint_activities"], *GOVERNANCE_PARTY.values()}
    out.update({f"items.{n}": share(n) for n in INDICATORS if n not in used})
    prelude = getattr(result, "prelude", None)
    if prelude is not None:
        out.update(survey_picture(prelude))
    return out


def survey_picture(prelude) -> dict[str, float]:
    """The werkplein era's survey figures in one replication's record of the era (its ``prelude``): the
    share of locations with each item, averaged over the survey's fieldwork (``survey_2007.<item>``, every
    figure, calibrate and test)."""
    from chainsim.core.eras import LOCATIONS
    from chainsim.core.location_measurement import LOCATION_INDICATOR_INDEX, SURVEY_MONTHS

    cal = LOCATIONS.calendar
    w = slice(cal.index(Month.parse(SURVEY_MONTHS[0])), cal.index(Month.parse(SURVEY_MONTHS[1])) + 1)
    return {f"{SURVEY_GROUP}.{f.item}": float(prelude.items[w, :, LOCATION_INDICATOR_INDEX[f.item]].mean())
            for f in survey_figures()}


class CovarianceDistance:
    """Mahalanobis distance of a mean simulated picture to the observed one.

    sqrt((s - o)' (C + f I)^-1 (s - o)) over the statistics ``names``, with C
    the covariance of the statistics between replications of one simulated
    Netherlands at a reference point and f :data:`VARIANCE_FLOOR`. Dependent
    statistics (the stage shares and the Table 3.4 classes) then count as the
    one pattern they are, and each statistic counts in the units of its own
    noise. ``cov`` covers :data:`STATISTICS`; leaving out a group (the
    cross-validation) takes the sub-matrix, the distribution of the rest.
    A picture with a NaN statistic is at an infinite distance.
    """

    def __init__(self, cov: np.ndarray, names: tuple[str, ...] = STATISTICS,
                 observed: dict[str, float] | None = None, universe: tuple[str, ...] = STATISTICS) -> None:
        cov = np.asarray(cov, dtype=float)
        if cov.shape != (len(universe), len(universe)):
            raise ValueError(f"covariance must be {len(universe)} x {len(universe)} over the statistics "
                             f"it was measured on, got {cov.shape}")
        unknown = [n for n in names if n not in universe]
        if unknown:
            raise ValueError(f"unknown statistic {unknown[0]!r} (allowed: {', '.join(universe)})")
        self.names = tuple(names)
        index = [universe.index(n) for n in self.names]
        sub = cov[np.ix_(index, index)] + np.diag(variance_floors(self.names))
        self.precision = np.linalg.inv(sub)
        obs = observed_statistics() if observed is None else observed
        self.observed = np.array([obs[n] for n in self.names], dtype=float)

    def __call__(self, picture: dict, observed: dict | None = None) -> float:
        """The distance of ``picture`` (a dict holding ``names``); ``observed`` is pyabc's x_0, unused (fixed)."""
        diff = np.array([picture[n] for n in self.names], dtype=float) - self.observed
        if not np.isfinite(diff).all():
            return float("inf")
        return float(np.sqrt(diff @ self.precision @ diff))


def picture_covariance(pictures: pd.DataFrame, universe: tuple[str, ...] = STATISTICS) -> np.ndarray:
    """Covariance of the statistics ``universe`` between replications (rows of ``pictures``), NaN-free rows only."""
    x = pictures[list(universe)].to_numpy(dtype=float)
    x = x[np.isfinite(x).all(axis=1)]
    if len(x) < 2:
        raise ValueError("need at least two replications with every statistic defined to estimate the covariance")
    return np.atleast_2d(np.cov(x.T))
