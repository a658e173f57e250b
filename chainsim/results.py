"""Results of replicated runs: tables, summaries with confidence intervals, files.

Every stochastic figure chainsim reports is a mean over replications with a
95% confidence interval of that mean (Student t), never a single run.
Files are written atomically: a reader never sees half a file, and an
interrupted run leaves the previous file in place.
"""

from __future__ import annotations

import json
import os
import tempfile
import tomllib
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from chainsim.core.calendar import Calendar
from chainsim.core.measurement import DENOMINATOR, INDICATOR_INDEX, INDICATORS, LEVEL_CLASSES, STAGES
from chainsim.core.recorder import DIAGNOSTICS
from chainsim.runner import RunConfig, RunResult


def load_observed() -> dict:
    """The Inspectorate's autumn-2014 national picture shipped with chainsim."""
    with resources.files("chainsim.data").joinpath("inspectie_2014.toml").open("rb") as fh:
        return tomllib.load(fh)


def mean_ci(values, low: float | None = None, high: float | None = None) -> dict:
    """Mean and 95% confidence interval of the mean (Student t) of replicate values.

    NaN values (a share whose denominator was empty in that replication) are
    left out. With fewer than two values the interval is the mean itself.
    """
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if len(x) == 0:
        return {"mean": None, "ci95": [None, None]}
    mean = float(x.mean())
    if len(x) < 2:
        lo = hi = mean
    else:
        half = float(stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x)))
        lo, hi = mean - half, mean + half
    if low is not None:
        lo = max(lo, low)
    if high is not None:
        hi = min(hi, high)
    return {"mean": mean, "ci95": [lo, hi]}


class Results:
    """The replications of one configuration, with the views users need."""

    def __init__(self, config: RunConfig, runs: list[RunResult], seed: int) -> None:
        if not runs:
            raise ValueError("no replications to summarise")
        self.config = config
        self.runs = sorted(runs, key=lambda r: r.replication)
        self.seed = seed
        self.calendar: Calendar = config.calendar
        self.region_codes = self.runs[0].region_codes

    @property
    def n_regions(self) -> int:
        return len(self.region_codes)

    # --- arrays over replications ----------------------------------------
    def stage_shares(self) -> np.ndarray:
        """(replications x months x 3) share of regions in each stage."""
        stage = np.stack([r.stage for r in self.runs])
        return np.stack([(stage == k).mean(axis=2) for k in range(len(STAGES))], axis=2)

    def level_class_counts(self) -> np.ndarray:
        """(replications x months x 4) number of regions per Table 3.4 class."""
        cls = np.stack([r.level_class for r in self.runs])
        return np.stack([(cls == k).sum(axis=2) for k in range(len(LEVEL_CLASSES))], axis=2)

    def indicator_shares(self) -> np.ndarray:
        """(replications x months x indicators) shares, with the seed's denominators."""
        items = np.stack([r.items for r in self.runs])          # (rep, T, R, K)
        counts = items.sum(axis=2).astype(float)                 # (rep, T, K)
        shares = counts / self.n_regions
        for name, denominator in DENOMINATOR.items():
            if denominator is None:
                continue
            k, d = INDICATOR_INDEX[name], INDICATOR_INDEX[denominator]
            both = (items[..., k] & items[..., d]).sum(axis=2)
            base = items[..., d].sum(axis=2)
            with np.errstate(invalid="ignore", divide="ignore"):
                shares[..., k] = np.where(base > 0, both / np.maximum(base, 1), np.nan)
        return shares

    # --- summary ---------------------------------------------------------
    def summary(self) -> dict:
        """Everything ``summary.json`` holds (see the README for the fields)."""
        from chainsim import __version__

        t_obs, t_end = self.calendar.observed_index, self.calendar.n_months - 1
        stage, classes, shares = self.stage_shares(), self.level_class_counts(), self.indicator_shares()

        def stage_at(t: int) -> dict:
            return {name: mean_ci(stage[:, t, k], 0.0, 1.0) for k, name in enumerate(STAGES)}

        observed = load_observed()
        return {
            "chainsim_version": __version__,
            "scenario": self.config.scenario,
            "replications": len(self.runs),
            "seed": self.seed,
            "start": str(self.calendar.start),
            "end": str(self.calendar.end),
            "observed_at": str(self.calendar.observed_at),
            "regions": self.n_regions,
            "stage_shares": stage_at(t_obs),
            "cooperation_levels": {name: mean_ci(classes[:, t_obs, k], 0.0, float(self.n_regions))
                                   for k, name in enumerate(LEVEL_CLASSES)},
            "indicators": {name: mean_ci(shares[:, t_obs, k], 0.0, 1.0)
                           for k, name in enumerate(INDICATORS)},
            "stage_shares_end": stage_at(t_end),
            "observed_2014": {
                "source": "Inspectie SZW (2015) 'Samen voor werkgevers', R16/10a (seed 004)",
                "stage_shares": observed["stage_shares"],
                "cooperation_levels": observed["cooperation_levels"],
            },
            "parameters": self.config.params.as_dict(),
        }

    # --- tables ----------------------------------------------------------
    def region_month_table(self) -> pd.DataFrame:
        """One row per replication, month and region, with every item and diagnostic."""
        months = [str(m) for m in self.calendar.months]
        names = {info.code: info.name for info in _infos(self.region_codes)}
        frames = []
        for run in self.runs:
            T, R = run.stage.shape
            frame = {
                "replication": np.repeat(np.int32(run.replication), T * R),
                "month": np.repeat(months, R),
                "region_code": np.tile(self.region_codes, T),
                "stage": np.asarray(STAGES)[run.stage.ravel()],
                "cooperation_class": np.asarray(LEVEL_CLASSES)[run.level_class.ravel()],
                "level_governance": run.levels[:, :, 0].ravel(),
                "level_tactical": run.levels[:, :, 1].ravel(),
                "level_operational": run.levels[:, :, 2].ravel(),
            }
            for k, name in enumerate(INDICATORS):
                frame[name] = run.items[:, :, k].ravel()
            for k, name in enumerate(DIAGNOSTICS):
                frame[name] = run.diagnostics[:, :, k].ravel()
            frames.append(pd.DataFrame(frame))
        table = pd.concat(frames, ignore_index=True)
        table.insert(3, "region_name", table["region_code"].map(names))
        for column in ("month", "region_code", "region_name", "stage", "cooperation_class"):
            table[column] = table[column].astype("category")
        return table


def _infos(codes: list[str]):
    from chainsim.core.regions import find_region
    return [find_region(c) for c in codes]


# --- atomic file writing ---------------------------------------------------
def _atomic(path: Path, write) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.chmod(tmp, 0o666 & ~umask)   # mkstemp creates 0600; files are for sharing
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_json(path: Path, data: dict) -> None:
    def write(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2)
            fh.write("\n")
    _atomic(Path(path), write)


def write_parquet(path: Path, table: pd.DataFrame) -> None:
    _atomic(Path(path), lambda tmp: table.to_parquet(tmp, index=False))


def write_figure(path: Path, figure) -> None:
    _atomic(Path(path), lambda tmp: figure.savefig(tmp, dpi=120, bbox_inches="tight", format="png"))
