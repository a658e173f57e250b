"""The calibrated posterior: its summary, the shipped particles, draws from it and predictive checks.

An ABC-SMC calibration (:mod:`chainsim.abc_smc`) ends with weighted
parameter sets, the particles of its last generation. The package default
(``calibrated.toml``) is the particle whose simulated picture is most typical
of the posterior predictive (:func:`typical_order`): with a weakly
identified posterior the vector of marginal medians is no particle's and its
picture can lie far from what the posterior predicts. The weighted medians
and 95% credible intervals per parameter say how well the 2014 picture pins
each parameter down,
and the particles themselves ship as ``chainsim/data/posterior.csv`` so that
a run can carry the calibration's uncertainty by drawing parameter sets from
them (:func:`posterior_draws`). The posterior predictive check simulates
single Netherlands over posterior draws and replications and asks, item by
item, whether the observed 2014 figure lies inside the central 90% of them
(Gelman et al. 2013, ch. 6). Reading and drawing need neither pyabc nor a
calibration run.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from chainsim.calibration import (
    STATISTICS,
    observed_data_sha256,
    observed_statistics,
    weighted_quantiles,
)

SHIPPED = "posterior.csv"
"""The particles shipped in chainsim/data (written by calibrate.py --write-defaults)."""


class PosteriorError(ValueError):
    """A posterior file that cannot be read, in one line naming the file."""


def particles_from(source) -> pd.DataFrame:
    """Weighted particles (one column per parameter and ``weight``, summing to 1) from any source.

    ``source``: such a DataFrame, a pyabc History (its last generation), or
    a path to a particles CSV (:func:`write_particles`) or a pyabc SQLite
    history (``.db``); None reads the shipped file.
    """
    if source is None or isinstance(source, (str, Path)):
        path = None if source is None else Path(source)
        if path is not None and path.suffix == ".db":
            from chainsim.abc_smc import _history, last_population

            if not path.is_file():
                raise PosteriorError(f"{path}: not found")
            return last_population(_history(path))
        return read_particles(path)
    if isinstance(source, pd.DataFrame):
        return _checked(source.copy(), "particles")
    from chainsim.abc_smc import last_population

    return last_population(source)


def _checked(frame: pd.DataFrame, where: str) -> pd.DataFrame:
    from chainsim.core.parameters import SPECS

    if "weight" not in frame.columns:
        raise PosteriorError(f"{where}: no column 'weight'")
    names = [c for c in frame.columns if c != "weight"]
    unknown = [n for n in names if n not in SPECS]
    if unknown or not names:
        raise PosteriorError(f"{where}: column {(unknown or ['(none)'])[0]!r} is not a parameter "
                             "(allowed: names from docs/ODD.md §7.2, and 'weight')")
    values = frame[names].to_numpy(dtype=float)
    w = frame["weight"].to_numpy(dtype=float)
    if len(frame) == 0 or not np.isfinite(values).all() or not np.isfinite(w).all() or (w < 0).any() or w.sum() <= 0:
        raise PosteriorError(f"{where}: needs at least one particle, finite values and weights >= 0 "
                             "that do not all vanish")
    for n in names:
        spec, col = SPECS[n], frame[n]
        if col.min() < spec.low or col.max() > spec.high:
            raise PosteriorError(f"{where}: {n} leaves its declared range {spec.low:g} to {spec.high:g}")
    frame["weight"] = w / w.sum()
    return frame.reset_index(drop=True)


def summarise(particles: pd.DataFrame) -> pd.DataFrame:
    """Weighted posterior median and 95% credible interval (2.5% and 97.5% quantiles) per parameter."""
    w = particles["weight"].to_numpy(dtype=float)
    names = [c for c in particles.columns if c != "weight"]
    return pd.DataFrame({n: weighted_quantiles(particles[n].to_numpy(dtype=float), w, [0.025, 0.5, 0.975])
                         for n in names}, index=["low95", "median", "high95"]).T


def _toml_value(value) -> str:
    import json

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.6g}"
    return json.dumps(str(value), ensure_ascii=False)


def typical_order(pictures: np.ndarray, weights: np.ndarray,
                  precision: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Particles ordered by how typical their simulated picture is of the posterior predictive.

    ``pictures``: one row of statistics per particle (its simulated mean
    picture); ``weights``: the particles' weights; ``precision``: the
    inverse covariance of the distance (:class:`chainsim.calibration.CovarianceDistance`).
    The posterior predictive mean picture is the weighted mean of the rows;
    each particle's nearness is the Mahalanobis distance of its row to that
    mean. Returns the order (most typical first, ties by position), the
    nearness of every particle and the mean picture.
    """
    pictures = np.asarray(pictures, dtype=float)
    w = np.asarray(weights, dtype=float)
    if pictures.ndim != 2 or len(pictures) != len(w) or not len(w) or w.sum() <= 0 or (w < 0).any():
        raise ValueError("need one picture row per particle and non-negative weights with a positive sum")
    mean = (w / w.sum()) @ pictures
    near = nearness(pictures, mean, precision)
    return np.argsort(near, kind="stable"), near, mean


def nearness(pictures: np.ndarray, centre: np.ndarray, precision: np.ndarray) -> np.ndarray:
    """Mahalanobis distance of each row of ``pictures`` to ``centre`` under ``precision``."""
    diff = np.asarray(pictures, dtype=float) - np.asarray(centre, dtype=float)
    return np.sqrt(np.maximum(np.einsum("ij,jk,ik->i", diff, precision, diff), 0.0))


def write_calibrated(path: Path, summary: pd.DataFrame, provenance: dict,
                     values: dict[str, float] | None = None) -> Path:
    """Write a calibrated.toml (the format of chainsim/data/calibrated.toml).

    The values are ``values`` (the representative particle) or, without
    them, the weighted posterior medians of ``summary``; each parameter's
    median and 95% credible interval are written as a comment beside its
    value. ``provenance`` (method, date, distance, ...) is written as given,
    with the observed data file and its SHA-256 added.
    """
    path = Path(path)
    what = ("the representative particle of the last ABC-SMC generation (provenance: summary)" if values
            else "weighted posterior medians of the last ABC-SMC generation")
    lines = ["# Calibrated default values of chainsim's free parameters, read by",
             "# chainsim/core/parameters.py. Written by experiments/calibration/calibrate.py --write-defaults.",
             f"# Values: {what}; the weighted posterior median and 95% credible interval beside each.",
             "", "[provenance]"]
    record = {**provenance, **_data_record(provenance)}
    lines += [f"{k} = {_toml_value(v)}" for k, v in record.items()]
    lines += ["", "[values]"]
    lines += [f"{name} = {(values[name] if values else row['median']):.4f}   # median {row['median']:.4f}, "
              f"95% {row['low95']:.4f} to {row['high95']:.4f}" for name, row in summary.iterrows()]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _data_record(provenance: dict) -> dict:
    """The observed data a calibration fitted and its SHA-256: ``provenance["data_file"]``, by default
    the 2014 figures."""
    data_file = provenance.get("data_file", "chainsim/data/inspectie_2014.toml")
    return {"data_file": data_file, "data_sha256": observed_data_sha256(Path(data_file).name)}


def write_particles(path: Path, particles: pd.DataFrame, provenance: dict) -> Path:
    """Write weighted particles as CSV, with ``# key = value`` provenance lines above the header."""
    path = Path(path)
    particles = _checked(particles.copy(), str(path))
    head = [f"# {k} = {v}" for k, v in {**provenance, **_data_record(provenance)}.items()]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(head) + "\n" + particles.to_csv(index=False, float_format="%.6g"), encoding="utf-8")
    return path


def read_particles(path: Path | None = None) -> pd.DataFrame:
    """The particles of ``path``, or of the shipped chainsim/data/posterior.csv when None."""
    if path is None:
        resource = resources.files("chainsim.data").joinpath(SHIPPED)
        where = f"chainsim/data/{SHIPPED}"
        if not resource.is_file():
            raise PosteriorError(f"{where}: not shipped yet; run experiments/calibration/calibrate.py "
                                 "--method abc-smc --write-defaults")
        text = resource.read_text(encoding="utf-8")
    else:
        where = str(path)
        if not Path(path).is_file():
            raise PosteriorError(f"{where}: not found")
        text = Path(path).read_text(encoding="utf-8")
    from io import StringIO

    try:
        frame = pd.read_csv(StringIO(text), comment="#")
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise PosteriorError(f"{where}: not a particles CSV ({str(exc).splitlines()[0]})") from None
    return _checked(frame, where)


def posterior_draws(source, n: int, rng: np.random.Generator) -> list[dict[str, float]]:
    """``n`` parameter sets drawn (with replacement) from the weighted posterior of ``source``.

    ``source`` as for :func:`particles_from` (None: the shipped particles).
    Each set maps parameter names to values, for ``Parameters.from_mapping``.
    """
    if n < 1:
        raise ValueError(f"n must be a positive integer, got {n}")
    particles = particles_from(source)
    names = [c for c in particles.columns if c != "weight"]
    picks = rng.choice(len(particles), size=n, replace=True, p=particles["weight"].to_numpy(dtype=float))
    return [{name: float(particles.at[i, name]) for name in names} for i in picks]


POSTERIOR_STREAM = 0x706F7374
"""Added to a run's seed for the generator that draws its parameter sets ("post"), so that the
draws never share numbers with the replications' own seeds."""


def posterior_configs(config, n: int, seed: int, source=None,
                      keep: tuple[str, ...] = ()) -> tuple[list, pd.DataFrame]:
    """``n`` run configurations, each with a parameter set drawn from the posterior.

    The draws come from a generator of their own, seeded by ``seed``: the
    same seed gives the same draws. Parameters named in ``keep`` (those a
    scenario sets itself) keep the configuration's value in every draw; the
    other parameters of the posterior take the draw's value; the rest keep
    their defaults. Returns the configurations and a table of the draws
    (column ``draw``, then one column per parameter as it was used).
    """
    from dataclasses import replace

    rng = np.random.default_rng([int(seed), POSTERIOR_STREAM])
    draws = posterior_draws(source, n, rng)
    configs = [replace(config, params=config.params.with_values(**{k: v for k, v in d.items() if k not in keep}))
               for d in draws]
    names = list(draws[0])
    table = pd.DataFrame({name: [getattr(c.params, name) for c in configs] for name in names})
    table.insert(0, "draw", np.arange(n))
    return configs, table


def particles_data_file(path) -> str | None:
    """The observed data a particles CSV says it was fitted to (its ``# data_file = ...`` line), if any."""
    if path is None or Path(path).suffix != ".csv" or not Path(path).is_file():
        return None
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            if not line.startswith("#"):
                return None
            key, _, value = line[1:].partition("=")
            if key.strip() == "data_file":
                return value.strip()
    return None


def check_fitted_to_regions(source) -> None:
    """Refuse particles that say they were fitted to other data than the 2014 picture of the regions."""
    fitted = particles_data_file(source)
    if fitted is not None and not fitted.endswith("inspectie_2014.toml"):
        raise PosteriorError(f"{source} was fitted to {fitted}, not to the 2014 picture of the regions this run "
                             "simulates (allowed: particles of a calibration of the regions, e.g. the shipped "
                             "chainsim/data/posterior.csv)")


INTERVALS = "over the draws' means: parameter and stochastic uncertainty"
"""What the intervals of a run over posterior draws are taken over (summary.json's ``posterior.intervals``)."""


def posterior_results(config, draws: int, replications: int, seed: int = 0, workers: int = 1, source=None,
                      keep: tuple[str, ...] = ()):
    """In Python, what ``chainsim run --posterior DRAWS --replications R --seed S`` computes.

    ``config`` is a :class:`~chainsim.runner.RunConfig` (a scenario's
    ``run_config()``; ``keep`` its ``parameters_set``, as the command keeps
    them). Returns the :class:`~chainsim.results.Results`, whose intervals
    are taken over the draws' means, and the table of the draws
    (``posterior_draws.csv``). The same arguments give the command's
    numbers; the runs are held in memory (the command streams them to disk).
    """
    from chainsim.results import Results
    from chainsim.runner import iter_runs

    check_fitted_to_regions(source)
    configs, table = posterior_configs(config, draws, seed, source, tuple(keep))
    runs = list(iter_runs(configs, replications, seed, workers))
    record = {"draws": int(draws), "replications_per_draw": int(replications),
              "parameters": [c for c in table.columns if c != "draw"], "intervals": INTERVALS}
    return Results(config, runs, seed, posterior=record), table


def predictive_pictures(draws: list[dict[str, float]], replications: int, seed: int, workers: int = 1,
                        regions: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Pictures of single simulated Netherlands: ``replications`` for each of ``draws`` (column ``draw``)."""
    from chainsim.abc_smc import run_config, simulate_pictures

    configs = [run_config(d, regions) for d in draws for _ in range(replications)]
    pictures = simulate_pictures(configs, seed, workers)
    pictures.insert(0, "draw", np.repeat(np.arange(len(draws)), replications))
    return pictures


def predictive_check(pictures: pd.DataFrame, level: float = 0.9) -> pd.DataFrame:
    """Per item: the central ``level`` interval of single simulated Netherlands, and whether the observed figure lies in it.

    ``pictures`` from :func:`predictive_pictures`. Every item is listed,
    those with no observed figure (``items.*``) with ``observed`` NaN and
    ``inside`` None. Units: shares of regions (case regions: stage / 2).
    """
    observed = observed_statistics()
    q = [(1 - level) / 2, 0.5, (1 + level) / 2]
    rows = []
    for name in [c for c in pictures.columns if c != "draw"]:
        x = pictures[name].to_numpy(dtype=float)
        x = x[np.isfinite(x)]
        low, median, high = np.quantile(x, q) if len(x) else (np.nan,) * 3
        obs = observed.get(name, np.nan)
        inside = None if np.isnan(obs) or not len(x) else bool(low - 1e-12 <= obs <= high + 1e-12)
        rows.append({"item": name, "observed": obs, "low": float(low), "median": float(median),
                     "high": float(high), "mean": float(x.mean()) if len(x) else np.nan, "inside": inside})
    out = pd.DataFrame(rows)
    order = {n: i for i, n in enumerate(STATISTICS)}
    out["_order"] = [order.get(n, len(order)) for n in out["item"]]
    return out.sort_values(["_order", "item"], kind="stable").drop(columns="_order").reset_index(drop=True)


def check_lines(table: pd.DataFrame, level: float = 0.9) -> list[str]:
    """Markdown table of :func:`predictive_check` (for validate.py and posterior_check.py)."""
    lines = [f"| item | observed | {level:.0%} interval of one simulated Netherlands | median | inside |",
             "|---|---|---|---|---|"]
    for r in table.itertuples():
        obs = "–" if np.isnan(r.observed) else f"{r.observed:.3f}"
        inside = "–" if r.inside is None else ("yes" if r.inside else "**no**")
        lines.append(f"| `{r.item}` | {obs} | {r.low:.3f} – {r.high:.3f} | {r.median:.3f} | {inside} |")
    return lines


REPRESENTATIVE_CANDIDATES = 10
"""Particles of the last generation nearest the posterior predictive mean picture (by their stored
pictures) that are simulated again to choose the default among them."""

REPRESENTATIVE_REPLICATIONS = 48
"""Simulated Netherlands per candidate in that choice: the noise of a candidate's nearness falls to
about a third of that of the stored picture of a few replications."""


def representative_particle(history, setup, exclude: tuple[str, ...] = (), seed: int = 0, workers: int = 1,
                            candidates: int = REPRESENTATIVE_CANDIDATES,
                            replications: int = REPRESENTATIVE_REPLICATIONS) -> dict:
    """The particle of the last generation whose simulated picture is most typical of the posterior predictive.

    The posterior predictive mean picture is the weighted mean of the
    particles' stored pictures (:func:`chainsim.posterior.typical_order`);
    the ``candidates`` particles nearest it are simulated again with
    ``replications`` runs each (seed ``seed``) and the nearest is chosen.
    Returns its ``values``, its ``nearness`` to the mean picture, its
    ``distance`` to the observed picture on fresh seeds (``seed`` + 1: the
    distance on the runs that chose it, ``selection_distance``, is flattered
    by the choice), the mean picture's own distance to the observed
    (``predictive_mean_distance``) and the settings.
    """
    from chainsim.abc_smc import run_config, simulate_pictures

    population = history.get_population(t=history.max_t)
    particles = population.particles
    distance = setup.distance(exclude)
    names = list(distance.names)
    pictures = np.array([[float(p.sum_stat[n]) for n in names] for p in particles])
    weights = np.array([float(p.weight) for p in particles])
    order, _, mean = typical_order(pictures, weights, distance.precision)
    picked = [int(i) for i in order[:candidates]]
    values = [{k: float(v) for k, v in dict(particles[i].parameter).items()} for i in picked]
    configs = [run_config(v, setup.regions, setup.start_from, setup.era) for v in values for _ in range(replications)]
    rows = simulate_pictures(configs, seed, workers)[names].to_numpy(dtype=float)
    means = rows.reshape(len(picked), replications, len(names)).mean(axis=1)
    near = nearness(means, mean, distance.precision)
    best = int(np.argmin(near))
    again = [run_config(values[best], setup.regions, setup.start_from, setup.era)] * replications
    fresh = simulate_pictures(again, seed + 1, workers)[names].to_numpy(dtype=float).mean(axis=0)
    return {"values": values[best], "nearness": float(near[best]),
            "distance": distance(dict(zip(names, fresh))),
            "selection_distance": distance(dict(zip(names, means[best]))),
            "predictive_mean_distance": distance(dict(zip(names, mean))),
            "candidates": len(picked), "replications": replications, "seed": seed, "check_seed": seed + 1}
