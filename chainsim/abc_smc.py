"""ABC-SMC calibration with pyABC against the Inspectorate's autumn-2014 picture.

Sequential Monte Carlo approximate Bayesian computation (Toni et al. 2009;
pyABC, Schälte et al. 2022): populations of parameter sets ("particles"),
each drawn from the last one's weighted particles and moved by a Gaussian
kernel, kept when the mean picture of ``k`` simulated Netherlands lies
within an epsilon of the observed picture; epsilon is a quantile of the last
population's distances, so it tightens from generation to generation. The
priors are uniform over the ranges docs/ODD.md §7.2 declares; the distance
is :class:`chainsim.calibration.CovarianceDistance`, whose covariance and
whose ``k`` (:func:`choose_replications`) come from replications at the
centre of the priors, measured once and kept beside pyABC's own SQLite
history (``<db>.json``), so that an interrupted run resumes with the same
distance (``ABCSMC.load``). pyabc is the ``calibration`` extra; it is
imported only when a calibration runs.
"""

from __future__ import annotations

import json
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from chainsim.calibration import (
    JOINT_STATISTICS,
    STATISTICS,
    SURVEY_STATISTICS,
    CovarianceDistance,
    fieldwork_picture,
    picture_covariance,
    survey_picture,
)

REGION_ERA, WERKPLEIN_ERA = "regions_2012", "werkpleinen_2005"
"""What a calibration fits: the regions' 2014 picture (with ``start_from``
also the 2007 survey), or the werkplein era on its own against the survey's
``calibrate`` figures."""

NOISE_FRACTION = 0.25
"""``k`` is the fewest replications whose distance noise is at most this
share of the spread of the distance between particles: the noise variance is
then at most 1/16 of the spread's, and the distance ranks particles by their
parameters, not by their seeds (a correlation of about 0.97 between the noisy
and the noise-free distance)."""

REPLICATION_CANDIDATES = (1, 2, 3, 4, 6, 8, 12, 16)
"""Values of ``k`` tried, up to 16 (16 replications make one particle cost
as much as a run of the whole Netherlands for a scenario comparison)."""

TRANSITIONS = {
    "local": "pyabc.LocalTransition: a Gaussian kernel per particle, its covariance from the particle's "
             "nearest quarter of the population (k_fraction 0.25)",
    "gaussian": "pyabc.MultivariateNormalTransition: one Gaussian kernel, its covariance the population's "
                "(Silverman's bandwidth)",
    "wide": "pyabc.MultivariateNormalTransition with the covariance scaled by WIDE_SCALING (4): proposals "
            "spread wider, so that importance weights vary less between particles in many dimensions; drawn "
            "in blocks until one lies inside the prior's box (BoxedNormalTransition, same distribution)",
}
"""How a particle of the last generation is moved to propose a new one (``transition`` in abc_smc.toml)."""

WIDE_SCALING = 4.0
"""Covariance factor of the "wide" transition (a numerical device, not a model parameter): in 19
dimensions particles of one population lie about 4.3 to 5.3 Mahalanobis units from its mean, so with
Silverman's bandwidth the kernel density, and with it the importance weight, differs by a factor of
hundreds between them (docs/calibration.md); a covariance four times as wide divides the exponent of
that ratio by four."""

MIN_EFFECTIVE_PARTICLES = 30
"""Fewer effective particles than this (Kish's 1 / sum of squared weights) and the last generation
is not a posterior summary one may ship as the defaults: a 95% interval from 30 equally weighted
particles already rests on its one or two outermost particles."""


def effective_sample_size(weights) -> float:
    """Kish's effective number of particles, 1 / sum(w^2) for weights normalised to sum 1."""
    w = np.asarray(weights, dtype=float)
    w = w / w.sum()
    return float(1.0 / np.sum(w ** 2))


PROPOSAL_BLOCK = 256
"""Proposals a :class:`BoxedNormalTransition` draws at once (a numerical device: the first one inside
the prior's box is kept, so the block's size changes the speed, not the distribution)."""

MAX_PROPOSALS = 10_000_000
"""Proposals after which a :class:`BoxedNormalTransition` gives up with an error instead of looping on
(a kernel that almost never lands inside the prior's box means the population has left it)."""


def _boxed_normal_transition(low: dict[str, float], high: dict[str, float], scaling: float):
    """A pyabc.MultivariateNormalTransition that proposes inside the uniform prior's box (see the class)."""
    import pyabc

    class BoxedNormalTransition(pyabc.MultivariateNormalTransition):
        """pyABC's Gaussian kernel, drawing until a proposal lies inside the uniform prior's box, in blocks.

        pyABC itself draws one proposal at a time from the kernel and redraws
        while the prior density is zero: in 19 dimensions with a wide kernel
        most proposals fall outside the box, and each try costs a pandas
        lookup, a fresh factorisation of the covariance and 19 scipy
        densities (about 1 ms), which made those retries most of a
        calibration's time. Here a block of proposals (a particle chosen by
        weight and a Gaussian step each, as pyABC's) is drawn with numpy and
        the first inside the box is kept: the same distribution as pyABC's
        loop, which also keeps the first inside. The density (``pdf``) and
        ``fit`` are pyABC's.
        """

        def fit(self, X, w) -> None:
            super().fit(X, w)
            self._values = X.to_numpy(dtype=float)
            self._probabilities = np.asarray(w, dtype=float) / np.sum(w)
            eigenvalues, vectors = np.linalg.eigh(self.cov)
            self._factor = vectors * np.sqrt(np.clip(eigenvalues, 0.0, None))
            self._low = np.array([low[name] for name in X.columns])
            self._high = np.array([high[name] for name in X.columns])

        def rvs_single(self):
            n, d = self._values.shape
            for _ in range(0, MAX_PROPOSALS, PROPOSAL_BLOCK):
                chosen = np.random.choice(n, size=PROPOSAL_BLOCK, p=self._probabilities)
                steps = np.random.standard_normal((PROPOSAL_BLOCK, d)) @ self._factor.T
                proposals = self._values[chosen] + steps
                inside = np.flatnonzero(((proposals >= self._low) & (proposals <= self._high)).all(axis=1))
                if len(inside):
                    return pyabc.Parameter(dict(zip(self.X.columns, proposals[inside[0]].tolist(), strict=True)))
            raise RuntimeError(f"no proposal of the transition inside the prior's box after {MAX_PROPOSALS:,} "
                               "draws: the population lies outside the priors")

    return BoxedNormalTransition(scaling=scaling)


def _transition(name: str, priors=()):
    """The transition ``name`` (:data:`TRANSITIONS`); ``priors`` (name, low, high) bound the "wide" one's proposals."""
    import pyabc

    if name == "local":
        return pyabc.LocalTransition(k_fraction=0.25)
    if name == "gaussian":
        return pyabc.MultivariateNormalTransition()
    if name == "wide":
        if not priors:
            raise ValueError("the wide transition needs the priors (name, low, high) that bound its proposals")
        return _boxed_normal_transition({p.name: p.low for p in priors}, {p.name: p.high for p in priors},
                                        WIDE_SCALING)
    raise ValueError(f"unknown transition {name!r} (allowed: {', '.join(TRANSITIONS)})")


EPSILON_QUANTILE = 0.5
"""Each generation's epsilon is the median of the last accepted distances
(pyABC's default quantile; Beaumont et al. 2009 use the same)."""


@dataclass(frozen=True)
class Prior:
    """A uniform prior over [``low``, ``high``]; ``reason`` says why, where narrower than the declared range."""

    name: str
    low: float
    high: float
    reason: str = ""


def declared_priors(names, narrower: dict[str, tuple[float, float, str]] | None = None) -> list[Prior]:
    """Uniform priors over the declared ranges of ``names`` (ParameterSpec, docs/ODD.md §7.2).

    ``narrower`` maps a name to (low, high, reason) for a prior narrower than
    the declared range; it must lie inside that range and give a reason.
    """
    from chainsim.core.parameters import SPECS

    narrower = narrower or {}
    out = []
    for name in names:
        if name not in SPECS:
            raise ValueError(f"unknown parameter {name!r} (allowed: a name from docs/ODD.md §7.2)")
        spec = SPECS[name]
        if name in narrower:
            low, high, reason = narrower[name]
            if not (spec.low <= low < high <= spec.high) or not reason.strip():
                raise ValueError(f"{name}: a narrower prior must lie within {spec.low:g} to {spec.high:g} "
                                 "and give its reason")
            out.append(Prior(name, float(low), float(high), reason))
        else:
            out.append(Prior(name, float(spec.low), float(spec.high)))
    return out


def prior_centre(priors: list[Prior]) -> dict[str, float]:
    return {p.name: (p.low + p.high) / 2.0 for p in priors}


def check_regions(regions: tuple[str, ...] | None) -> None:
    """Refuse a set of regions without the five case regions: their statistics would be undefined."""
    if regions is None:
        return
    from chainsim.calibration import PATTERN_GROUPS
    from chainsim.core.regions import find_region

    missing = [find_region(n).code for n in PATTERN_GROUPS["case_regions"] if find_region(n).code not in regions]
    if missing:
        raise ValueError(f"regions must include the five case regions (missing: {', '.join(missing)}), "
                         "whose statistics the distance compares")


def run_config(values: dict[str, float], regions: tuple[str, ...] | None = None, start_from: str | None = None,
               era: str = REGION_ERA):
    """The run configuration of one particle: the defaults with ``values``, on the default calendar.

    The calendar runs to its end (2016), not only to the fieldwork window:
    where the calendar ends changes a run's random draws before then. With
    ``start_from`` the regions start from that simulated era (both eras are
    calibrated at once, :data:`chainsim.calibration.JOINT_STATISTICS`). With
    ``era`` the werkplein era, a particle is the locations of 2005-2011 on the
    era's calendar (the locations of ``regions``, all when None).
    """
    from chainsim.core.parameters import Parameters
    from chainsim.runner import RunConfig

    if era == WERKPLEIN_ERA:
        from chainsim.werkplein import era_config

        return era_config(Parameters.from_mapping(values), regions)
    return RunConfig(params=Parameters.from_mapping(values), regions=regions, start_from=start_from)


def statistics_of(start_from: str | None, era: str = REGION_ERA) -> tuple[str, ...]:
    """The statistics a calibration fits: the 2014 picture, and with a simulated history also the 2007 survey;
    for the werkplein era on its own, the 2007 survey's ``calibrate`` figures."""
    if era == WERKPLEIN_ERA:
        return SURVEY_STATISTICS
    return STATISTICS if start_from is None else JOINT_STATISTICS


def _picture_batch(task) -> list[dict[str, float]]:
    from chainsim.runner import simulate_batch

    config, seeds = task
    results = simulate_batch(config, [(seed_seq, i) for i, seed_seq in enumerate(seeds)], events=False)
    if config.era == WERKPLEIN_ERA:
        return [survey_picture(result) for result in results]
    return [fieldwork_picture(result, config.calendar) for result in results]


def simulate_pictures(configs: list, seed: int, workers: int = 1) -> pd.DataFrame:
    """One simulated Netherlands per configuration, as a picture row; run ``i`` gets child ``i`` of ``seed``.

    The configurations may repeat (replications): runs of one configuration
    that follow each other are simulated side by side in one world
    (:func:`chainsim.runner.simulate_batch`), which changes no row. With
    ``workers`` > 1 one process pool serves all of them; the rows do not
    depend on ``workers``.
    """
    from chainsim.runner import BATCH_MAX, worker_context

    seeds = np.random.SeedSequence(seed).spawn(len(configs))
    tasks: list[tuple] = []
    for config, seed_seq in zip(configs, seeds):
        if tasks and tasks[-1][0] == config and len(tasks[-1][1]) < BATCH_MAX:
            tasks[-1][1].append(seed_seq)
        else:
            tasks.append((config, [seed_seq]))
    if workers <= 1 or len(tasks) < 2:
        return pd.DataFrame([row for task in tasks for row in _picture_batch(task)])
    with ProcessPoolExecutor(max_workers=min(workers, len(tasks)), mp_context=worker_context()) as pool:
        return pd.DataFrame([row for rows in pool.map(_picture_batch, tasks) for row in rows])


class PictureModel:
    """pyABC's model: parameters -> the mean picture of ``replications`` simulated Netherlands.

    Its seed comes from numpy's global generator, which pyABC seeds in each
    worker process; with one worker :func:`run_abc_smc` seeds it, so that a
    single-core calibration repeats exactly.
    """

    def __init__(self, replications: int, regions: tuple[str, ...] | None = None,
                 start_from: str | None = None, era: str = REGION_ERA) -> None:
        self.replications = replications
        self.regions = regions
        self.start_from = start_from
        self.era = era

    def __call__(self, parameters) -> dict[str, float]:
        config = run_config({k: float(v) for k, v in dict(parameters).items()}, self.regions, self.start_from,
                            self.era)
        seed = int(np.random.randint(0, 2 ** 31 - 1))
        seeds = np.random.SeedSequence(seed).spawn(self.replications)
        rows = pd.DataFrame(_picture_batch((config, seeds)))      # the replications side by side
        names = list(statistics_of(self.start_from, self.era))
        return {k: float(v) for k, v in rows[names].mean(axis=0, skipna=False).items()}


def choose_replications(centre: pd.DataFrame, prior: pd.DataFrame, distance: CovarianceDistance,
                        rng: np.random.Generator, fraction: float = NOISE_FRACTION,
                        candidates=REPLICATION_CANDIDATES, bootstrap: int = 400,
                        quantile: float = EPSILON_QUANTILE) -> dict:
    """The number ``k`` of replications per particle, from measured noise.

    ``centre``: pictures of single replications at one point (the priors'
    centre); ``prior``: pictures of single replications at prior draws, one
    each. The noise of ``k`` is the standard deviation of the distance of a
    mean of ``k`` replications at the centre (``bootstrap`` resamples of the
    rows). The spread is that of the distance between the prior draws the
    first generation accepts (the closer ``quantile``, as the first epsilon),
    less the noise of one replication. ``k`` is the smallest candidate with
    noise <= ``fraction`` x spread, else the largest (``met`` is then False).
    """
    rows = centre[list(distance.names)].to_numpy(dtype=float)

    def d(matrix: np.ndarray) -> np.ndarray:
        return np.array([distance(dict(zip(distance.names, r))) for r in matrix])

    noise = {}
    for k in candidates:
        picks = rng.integers(0, len(rows), size=(bootstrap, k))
        noise[k] = float(np.std(d(rows[picks].mean(axis=1)), ddof=1))
    between = d(prior[list(distance.names)].to_numpy(dtype=float))
    between = between[np.isfinite(between)]
    accepted = between[between <= np.quantile(between, quantile)]
    spread = float(np.sqrt(max(np.var(accepted, ddof=1) - noise[candidates[0]] ** 2, 0.0)))
    ok = [k for k in candidates if noise[k] <= fraction * spread]
    rule = (f"distance noise <= {fraction:g} x the spread between the particles of the first generation "
            f"({spread:.3g})")
    return {"replications": ok[0] if ok else candidates[-1], "met": bool(ok), "fraction": fraction,
            "spread": spread, "noise": {str(k): v for k, v in noise.items()},
            "reason": f"fewest replications with {rule}" if ok else
                      f"no candidate up to {candidates[-1]} has {rule}; the largest is used"}


@dataclass
class Setup:
    """What a calibration fixes before its first generation, kept beside the history as ``<db>.json``."""

    priors: list[Prior]
    covariance: list[list[float]]
    replications: int
    seed: int
    regions: tuple[str, ...] | None = None
    noise: dict = field(default_factory=dict)
    reference: dict = field(default_factory=dict)
    seconds_per_run: float = float("nan")
    start_from: str | None = None     # a simulated era the regions start from: both eras are calibrated
    era: str = REGION_ERA             # the era whose figures the distance compares

    @property
    def statistics(self) -> tuple[str, ...]:
        return statistics_of(self.start_from, self.era)

    def distance(self, exclude: tuple[str, ...] = ()) -> CovarianceDistance:
        """The distance over every statistic outside the pattern groups ``exclude``."""
        names = tuple(n for n in self.statistics if n.split(".", 1)[0] not in exclude)
        return CovarianceDistance(np.array(self.covariance), names, universe=self.statistics)

    def write(self, path: Path) -> None:
        data = asdict(self)
        data["statistics"] = list(self.statistics)
        Path(path).write_text(json.dumps(data, indent=1), encoding="utf-8")

    @classmethod
    def read(cls, path: Path) -> Setup:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if tuple(data.pop("statistics")) != statistics_of(data.get("start_from"), data.get("era", REGION_ERA)):
            raise ValueError(f"{path}: its statistics differ from chainsim.calibration's "
                             "(written by another version); start a new calibration")
        data["priors"] = [Prior(**p) for p in data["priors"]]
        data["regions"] = tuple(data["regions"]) if data["regions"] is not None else None
        return cls(**data)


def measure_setup(priors: list[Prior], seed: int, workers: int = 1, reference_replications: int = 200,
                  prior_draws: int = 60, replications: int | None = None,
                  regions: tuple[str, ...] | None = None, fraction: float = NOISE_FRACTION,
                  quantile: float = EPSILON_QUANTILE, start_from: str | None = None, era: str = REGION_ERA) -> Setup:
    """Run the reference replications at the priors' centre and the prior draws; fix covariance and ``k``.

    ``replications`` fixes ``k`` instead of choosing it (the noise is still
    measured and recorded).
    """
    import time

    if era == REGION_ERA:
        check_regions(regions)
    rng = np.random.default_rng(seed)
    centre = prior_centre(priors)
    draws = [{p.name: float(rng.uniform(p.low, p.high)) for p in priors} for _ in range(prior_draws)]
    configs = ([run_config(centre, regions, start_from, era)] * reference_replications
               + [run_config(v, regions, start_from, era) for v in draws])
    start = time.perf_counter()
    pictures = simulate_pictures(configs, seed, workers)
    seconds = (time.perf_counter() - start) * max(1, workers) / len(configs)
    at_centre, at_draws = pictures.iloc[:reference_replications], pictures.iloc[reference_replications:]
    universe = statistics_of(start_from, era)
    cov = picture_covariance(at_centre, universe)
    noise = choose_replications(at_centre, at_draws, CovarianceDistance(cov, universe, universe=universe), rng,
                                fraction, quantile=quantile)
    k = int(replications) if replications is not None else noise["replications"]
    if replications is not None:
        noise["reason"] = f"fixed by the set-up at {k} (the rule would choose {noise['replications']}: {noise['reason']})"
    return Setup(priors=list(priors), covariance=cov.tolist(), replications=k, seed=int(seed), regions=regions,
                 noise=noise, reference={"point": centre, "replications": reference_replications,
                                         "prior_draws": prior_draws},
                 seconds_per_run=float(seconds), start_from=start_from, era=era)


def _sampler(workers: int, scheduler: str | None):
    """pyABC's sampler and the Dask client to close afterwards (None without ``scheduler``)."""
    import pyabc

    if scheduler:
        from dask.distributed import Client

        client = Client(scheduler)
        return pyabc.sampler.DaskDistributedSampler(dask_client=client), client
    if workers <= 1:
        return pyabc.sampler.SingleCoreSampler(), None
    return pyabc.sampler.MulticoreEvalParallelSampler(n_procs=workers), None


def run_abc_smc(setup: Setup, db: Path, generations: int, particles: int, workers: int = 1,
                exclude: tuple[str, ...] = (), scheduler: str | None = None,
                epsilon_quantile: float = EPSILON_QUANTILE, transition: str = "local"):
    """Run (or continue) ABC-SMC until the history holds ``generations`` populations; returns the pyabc History.

    ``db`` is pyABC's SQLite file: when it holds a history already, the run
    continues it (``ABCSMC.load``) with the same setup; a finished history is
    returned as it is. ``exclude`` leaves pattern groups out of the distance
    (cross-validation). ``scheduler`` (a Dask address, tcp://HOST:PORT) runs
    the particles on a Dask cluster instead of ``workers`` local processes.
    ``transition`` is a key of :data:`TRANSITIONS`.
    """
    import pyabc

    db = Path(db).resolve()
    url = f"sqlite:///{db}"
    done = generations_done(db)
    if done is not None and done >= generations:
        return _history(db)
    prior = pyabc.Distribution(**{p.name: pyabc.RV("uniform", p.low, p.high - p.low) for p in setup.priors})
    distance = setup.distance(exclude)
    sampler, client = _sampler(workers, scheduler)
    try:
        model = PictureModel(setup.replications, setup.regions, setup.start_from, setup.era)
        abc = pyabc.ABCSMC(model, prior, distance,
                           population_size=particles, sampler=sampler,
                           transitions=_transition(transition, setup.priors),
                           eps=pyabc.QuantileEpsilon(alpha=epsilon_quantile))
        np.random.seed(setup.seed + (done or 0))  # one worker repeats exactly (pyABC draws from numpy's global state)
        if done is not None:
            abc.load(url, _history(db).id)
        else:
            abc.new(url, {n: float(v) for n, v in zip(distance.names, distance.observed)})
        return abc.run(max_nr_populations=generations - (done or 0))
    finally:
        if client is not None:
            client.close()


def _history(db: Path):
    import pyabc

    history = pyabc.History(f"sqlite:///{Path(db).resolve()}")
    history.id = history.all_runs()[0].id
    return history


def generations_done(db: Path) -> int | None:
    """Generations the pyABC history in ``db`` holds; None when there is no history to continue."""
    import pyabc

    if not Path(db).is_file():
        return None
    runs = pyabc.History(f"sqlite:///{Path(db).resolve()}").all_runs()
    if not runs:
        return None
    last = _history(db).max_t
    return 0 if last is None or last < 0 else int(last) + 1


def effective_sizes(history) -> list[float]:
    """The effective number of particles of every generation in a pyabc history, in order."""
    return [effective_sample_size(history.get_distribution(m=0, t=t)[1]) for t in range(history.max_t + 1)]


def last_population(history) -> pd.DataFrame:
    """The particles of the last generation: one column per parameter and ``weight`` (summing to 1)."""
    frame, weights = history.get_distribution(m=0, t=history.max_t)
    out = frame.reset_index(drop=True).copy()
    out.columns.name = None
    out["weight"] = np.asarray(weights, dtype=float) / float(np.sum(weights))
    return out
