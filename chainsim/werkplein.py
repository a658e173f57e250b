"""Runs of the werkplein era, and its spring-2007 picture beside the Inspectorate's survey (001 §4).

A run of the locations of 2005-2011 (:data:`chainsim.core.eras.LOCATIONS`)
is summarised per replication and month as national shares of locations:
one share per item of the era's measurement and per stage. For each figure
of the 2007 survey (``chainsim/data/werkplein_2007.toml``) the simulated
share in the survey's month -- its mean over replications and the 90%
interval between replications, i.e. the spread of one simulated
Netherlands -- is put beside the interval the seed's words allow.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources

import numpy as np
import pandas as pd

from chainsim.core.config import RunConfig
from chainsim.core.eras import LOCATIONS
from chainsim.core.location_measurement import LOCATION_INDICATOR_INDEX, LOCATION_INDICATORS, LOCATION_ITEM_NAMES
from chainsim.core.parameters import Parameters
from chainsim.results import config_record, config_sha256
from chainsim.runner import iter_runs
from chainsim.version import version

ERA = LOCATIONS.name
CALENDAR = LOCATIONS.calendar
"""January 2005 to December 2011, observed in April 2007, the middle of the survey's fieldwork (001 §1.4)."""

MEASURES: tuple[str, ...] = LOCATION_INDICATORS + tuple(f"stage_{s}" for s in LOCATIONS.stages)
"""What a run of the era records per month: the share of locations with each item, and in each stage."""


@dataclass(frozen=True)
class Figure:
    """One figure of the 2007 survey as an interval of shares."""

    item: str
    low: float
    high: float
    words: str
    passage: str
    use: str


@dataclass(frozen=True)
class Comparison:
    """A survey figure beside the simulated share of locations."""

    figure: Figure
    mean: float
    low: float       # 5th percentile between replications
    high: float      # 95th percentile

    @property
    def inside(self) -> bool:
        """Whether the simulated mean lies within the interval the seed's words allow."""
        return self.figure.low <= self.mean <= self.figure.high

    def as_dict(self) -> dict:
        f = self.figure
        return {"item": f.item, "survey": [f.low, f.high], "words": f.words, "passage": f.passage, "use": f.use,
                "simulated_mean": self.mean, "simulated_interval90": [self.low, self.high], "inside": self.inside}


def survey_figures() -> tuple[Figure, ...]:
    """The figures of ``chainsim/data/werkplein_2007.toml``."""
    with resources.files("chainsim.data").joinpath("werkplein_2007.toml").open("rb") as fh:
        data = tomllib.load(fh)
    return tuple(Figure(item, float(f["low"]), float(f["high"]), f["words"], f["passage"], f["use"])
                 for item, f in data["figures"].items())


def era_config(params: Parameters | None = None, regions: tuple[str, ...] | None = None,
               scenario: str = "werkpleinen_2005") -> RunConfig:
    """The configuration of a run of the era on its own calendar."""
    return RunConfig(params=params or Parameters(), calendar=CALENDAR, regions=regions, scenario=scenario, era=ERA)


@dataclass
class EraRun:
    """The shares of locations per replication, month and measure (:data:`MEASURES`) of one run."""

    config: RunConfig
    seed: int
    shares: np.ndarray          # replications x months x measures

    @property
    def replications(self) -> int:
        return self.shares.shape[0]

    def at(self, month_index: int) -> np.ndarray:
        """Replications x measures in one month."""
        return self.shares[:, month_index, :]

    def compare(self) -> list[Comparison]:
        """Each survey figure beside the simulated share in the calendar's observation month."""
        observed = self.at(self.config.calendar.observed_index)
        out = []
        for figure in survey_figures():
            values = observed[:, LOCATION_INDICATOR_INDEX[figure.item]]
            out.append(Comparison(figure, float(values.mean()), float(np.quantile(values, 0.05)),
                                  float(np.quantile(values, 0.95))))
        return out

    def table(self) -> pd.DataFrame:
        """Long table: replication, month (YYYY-MM), measure, share."""
        r, m, k = self.shares.shape
        months = [str(x) for x in self.config.calendar.months]
        return pd.DataFrame({
            "replication": np.repeat(np.arange(r), m * k),
            "month": np.tile(np.repeat(months, k), r),
            "measure": np.tile(MEASURES, r * m),
            "share": self.shares.reshape(-1),
        })

    def summary(self) -> dict:
        """Everything ``summary.json`` of a run of the era holds, with its provenance."""
        cal = self.config.calendar
        end = self.at(cal.n_months - 1)
        return {
            "chainsim_version": version(),
            "era": ERA,
            "scenario": self.config.scenario,
            "config": config_record(self.config),
            "config_sha256": config_sha256(self.config),
            "replications": self.replications,
            "seed": self.seed,
            "start": str(cal.start), "end": str(cal.end), "observed_at": str(cal.observed_at),
            "locations": len(config_record(self.config)["regions"]),
            "survey_2007": [c.as_dict() for c in self.compare()],
            "stage_shares_end": {s: _mean_interval(end[:, MEASURES.index(f"stage_{s}")]) for s in LOCATIONS.stages},
        }


def _mean_interval(values: np.ndarray) -> dict:
    return {"mean": float(values.mean()), "interval90": [float(np.quantile(values, 0.05)),
                                                          float(np.quantile(values, 0.95))]}


def run_era(config: RunConfig, replications: int, seed: int, workers: int = 1,
            progress: Callable[[int], None] | None = None) -> EraRun:
    """Simulate the era and keep, per replication, the national shares of locations (a few KB each)."""
    if config.era != ERA:
        raise ValueError(f"run_era needs a configuration of the era {ERA}, got {config.era}")
    rows = []
    for run in iter_runs([config], replications, seed, workers):
        rows.append(shares_of(run))
        if progress is not None:
            progress(len(rows))
    return EraRun(config, seed, np.stack(rows))


def shares_of(record) -> np.ndarray:
    """Months x :data:`MEASURES`: the national shares of locations of one replication's record."""
    stage = np.stack([(record.stage == s).mean(axis=1) for s in range(len(LOCATIONS.stages))], axis=1)
    return np.concatenate([record.items.mean(axis=1), stage], axis=1)


def picture_2007(replications: int = 100, seed: int = 2007, workers: int = 1,
                 params: Parameters | None = None, regions: tuple[str, ...] | None = None) -> list[Comparison]:
    """Each survey figure beside the simulated share of locations in April 2007."""
    return run_era(era_config(params, regions), replications, seed, workers).compare()


def format_picture(rows: list[Comparison], replications: int) -> str:
    """The comparison as a markdown table."""
    lines = [f"Spring 2007 at the werkplein locations: {replications} replications, share of locations "
             "(mean, 90% interval between replications) beside the survey (001 §4)",
             "",
             "| item | survey | simulated | inside | use | passage |",
             "|---|---|---|---|---|---|"]
    for row in rows:
        f = row.figure
        lines.append(f"| {LOCATION_ITEM_NAMES[f.item]} | {f.low:.2f}-{f.high:.2f} | {row.mean:.2f} "
                     f"({row.low:.2f}-{row.high:.2f}) | {'yes' if row.inside else 'no'} | {f.use} | {f.passage} |")
    inside = sum(r.inside for r in rows)
    lines += ["", f"{inside} of {len(rows)} figures inside the survey's interval. The survey counted responding "
                  "organisations, not locations (docs/research/werkplein_sources.md §6)."]
    return "\n".join(lines)


def plot_stages(run: EraRun, ax) -> None:
    """Share of locations per stage over the months: mean and 90% band between replications."""
    months = [m.year + (m.month - 1) / 12 for m in run.config.calendar.months]
    for s in LOCATIONS.stages:
        values = run.shares[:, :, MEASURES.index(f"stage_{s}")]
        mean = values.mean(axis=0)
        ax.plot(months, mean, label=s)
        ax.fill_between(months, np.quantile(values, 0.05, axis=0), np.quantile(values, 0.95, axis=0), alpha=0.2)
    ax.axvline(run.config.calendar.observed_at.year + (run.config.calendar.observed_at.month - 1) / 12,
               color="grey", linestyle=":", label="survey (April 2007)")
    ax.set_ylim(0, 1)
    ax.set_xlabel("year")
    ax.set_ylabel("share of locations")
    ax.set_title(f"Werkplein locations by stage ({run.replications} replications, 90% band)")
    ax.legend(loc="upper left")
