"""The werkplein era's spring-2007 picture beside the Inspectorate's survey (001 §4).

Runs the locations of 2005-2011 (:data:`chainsim.core.eras.LOCATIONS`) for
a number of replications and, for each figure of the 2007 survey
(``chainsim/data/werkplein_2007.toml``), puts the simulated national share
of locations in the survey's month -- its mean over replications and the
90% interval between replications, i.e. the spread of one simulated
Netherlands -- beside the interval the seed's words allow.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources

import numpy as np

from chainsim.core.calendar import Calendar, Month
from chainsim.core.config import RunConfig
from chainsim.core.location_measurement import LOCATION_INDICATOR_INDEX, LOCATION_ITEM_NAMES
from chainsim.core.parameters import Parameters
from chainsim.runner import iter_runs

ERA = "werkpleinen_2005"
CALENDAR = Calendar(Month(2005, 1), Month(2011, 12), Month(2007, 4))
"""January 2005 to December 2011, observed in April 2007, the middle of the survey's fieldwork (001 §1.4)."""


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


def survey_figures() -> tuple[Figure, ...]:
    """The figures of ``chainsim/data/werkplein_2007.toml``."""
    with resources.files("chainsim.data").joinpath("werkplein_2007.toml").open("rb") as fh:
        data = tomllib.load(fh)
    return tuple(Figure(item, float(f["low"]), float(f["high"]), f["words"], f["passage"], f["use"])
                 for item, f in data["figures"].items())


def picture_2007(replications: int = 100, seed: int = 2007, workers: int = 1,
                 params: Parameters | None = None, regions: tuple[str, ...] | None = None) -> list[Comparison]:
    """Each survey figure beside the simulated share of locations in April 2007."""
    config = RunConfig(params=params or Parameters(), calendar=CALENDAR, regions=regions,
                       scenario="werkpleinen_2005", era=ERA)
    month = CALENDAR.observed_index
    shares = np.array([run.items[month].mean(axis=0) for run in iter_runs([config], replications, seed, workers)])
    out = []
    for figure in survey_figures():
        values = shares[:, LOCATION_INDICATOR_INDEX[figure.item]]
        out.append(Comparison(figure, float(values.mean()), float(np.quantile(values, 0.05)),
                              float(np.quantile(values, 0.95))))
    return out


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
    return "\n".join(lines)
