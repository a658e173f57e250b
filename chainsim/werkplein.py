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

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from chainsim.compare import fmt, fmt_p
from chainsim.core.config import RunConfig
from chainsim.core.eras import LOCATIONS
from chainsim.core.location_measurement import (
    LOCATION_INDICATOR_INDEX,
    LOCATION_INDICATORS,
    LOCATION_ITEM_NAMES,
    Figure,
    survey_figures,
)
from chainsim.core.parameters import Parameters
from chainsim.results import config_record, config_sha256
from chainsim.runner import iter_runs
from chainsim.statistics import chance_finding
from chainsim.version import version

ERA = LOCATIONS.name
CALENDAR = LOCATIONS.calendar
"""January 2005 to December 2011, observed in April 2007, the middle of the survey's fieldwork (001 §1.4)."""

MEASURES: tuple[str, ...] = LOCATION_INDICATORS + tuple(f"stage_{s}" for s in LOCATIONS.stages)
"""What a run of the era records per month: the share of locations with each item, and in each stage."""


def rounded(value: float, digits: int | None) -> float:
    """``value`` to ``digits`` decimals; itself for None."""
    return value if digits is None else round(value, digits)


def decimals_keeping(judgement: Callable[[int | None], bool]) -> int:
    """Two decimals, or as many more (up to four) as it takes for ``judgement(d)``, made on values shown to
    ``d`` decimals, to agree with ``judgement(None)``, made on the values themselves: a table never shows a
    number that reads as inside a bound it is marked outside of, or the reverse."""
    truth, digits = judgement(None), 2
    while digits < 4 and judgement(digits) != truth:
        digits += 1
    return digits


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

    @property
    def digits(self) -> int:
        """Decimals that show the mean on the same side of the survey's bounds as it is (0.497 against
        0.5-0.67, never a 0.50 marked outside)."""
        f = self.figure
        return decimals_keeping(lambda d: f.low <= rounded(self.mean, d) <= f.high)

    @property
    def shown(self) -> str:
        """The simulated mean and its 90% interval, to :attr:`digits` decimals."""
        d = self.digits
        return f"{self.mean:.{d}f} ({self.low:.{d}f}-{self.high:.{d}f})"

    def as_dict(self) -> dict:
        f = self.figure
        return {"item": f.item, "survey": [f.low, f.high], "words": f.words, "passage": f.passage, "use": f.use,
                "simulated_mean": self.mean, "simulated_interval90": [self.low, self.high], "inside": self.inside}


@cache
def era_parameters() -> Parameters:
    """The era's own values: the ``[parameters]`` of the shipped ``werkpleinen_2005`` scenario, i.e. the
    representative particle of the era's calibration (docs/calibration.md); the region era's defaults elsewhere."""
    from chainsim.scenario import SHIPPED_DIR, load_scenario

    return load_scenario(SHIPPED_DIR / f"{ERA}.toml").params


def era_config(params: Parameters | None = None, regions: tuple[str, ...] | None = None,
               scenario: str = "werkpleinen_2005") -> RunConfig:
    """The configuration of a run of the era on its own calendar; without ``params``, on the era's own
    calibrated values (:func:`era_parameters`)."""
    return RunConfig(params=params if params is not None else era_parameters(), calendar=CALENDAR, regions=regions,
                     scenario=scenario, era=ERA)


@dataclass
class EraRun:
    """The shares of locations per replication, month and measure (:data:`MEASURES`) of one run."""

    config: RunConfig
    seed: int
    shares: np.ndarray          # replications x months x measures

    @property
    def replications(self) -> int:
        return self.shares.shape[0]

    @property
    def locations(self) -> int:
        return len(config_record(self.config)["regions"])

    @property
    def national(self) -> bool:
        """Whether every location ran: the survey's figures are national and compare with a national run only."""
        return self.locations == len(LOCATIONS.select(None))

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
            "schema_version": 1,
            "locations": self.locations,
            "national": self.national,
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


def format_picture(rows: list[Comparison], replications: int, locations: int | None = None) -> str:
    """The comparison as a markdown table; on a run of fewer than all locations (``locations``) the
    survey's national figures are left out, as the region era leaves out the 2014 figures."""
    national = locations is None or locations == len(LOCATIONS.select(None))
    month = CALENDAR.observed_at
    head = (f"The werkplein locations in {month}, the middle of the survey's fieldwork: {replications} "
            f"replication{'s' if replications != 1 else ''}, share of locations (mean, 90% interval between "
            "replications)")
    if not national:
        lines = [head, "", "| item | simulated |", "|---|---|"]
        lines += [f"| {LOCATION_ITEM_NAMES[r.figure.item]} | {r.shown} |" for r in rows]
        lines += ["", f"The survey's figures (001 §4) are national; this run has {locations} of "
                      f"{len(LOCATIONS.select(None))} locations, so they are not shown beside it."]
        return "\n".join(lines)
    lines = [head + " beside the survey (001 §4)", "",
             "| item | survey | simulated | inside | use | passage |",
             "|---|---|---|---|---|---|"]
    for row in rows:
        f = row.figure
        lines.append(f"| {LOCATION_ITEM_NAMES[f.item]} | {f.low:.3g}-{f.high:.3g} | {row.shown} "
                     f"| {'yes' if row.inside else 'no'} | {f.use} | {f.passage} |")
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
               color="grey", linestyle=":", label=f"observed at {run.config.calendar.observed_at}")
    ax.set_ylim(0, 1)
    ax.set_xlabel("year")
    ax.set_ylabel("share of locations")
    ax.set_title(f"Werkplein locations by stage ({run.replications} replications, 90% band)")
    ax.legend(loc="upper left")


# --- comparing scenarios of the era -------------------------------------------------------
COMPARED: tuple[str, ...] = ("integrated_service", "shared_building", "one_counter",
                             "one_contact_person", "composed_teams", "chain_indicators", "shared_ict")
"""What a comparison of the era's scenarios reports: the share of locations with it, at the
survey's month and at the end of 2011."""


class EraComparisonError(ValueError):
    """Scenarios that cannot be compared as runs of the werkplein era."""


@dataclass
class EraComparison:
    """Paired runs of the era's scenarios: replication i of every scenario runs on the same seed."""

    runs: list[EraRun]
    names: list[str]

    def effects(self) -> list[dict]:
        """Per scenario against the base, per measure and month: the paired mean difference and its 95% interval.

        Holm's correction (``p_holm``) runs over every difference shown that has a p, of all scenarios
        together, as the region era's compare does: they form one family.
        """
        from chainsim.statistics import estimate, holm

        base = self.runs[0]
        cal = base.config.calendar
        months = {str(cal.observed_at): cal.observed_index, str(cal.end): cal.n_months - 1}
        rows = []
        for name, run in zip(self.names[1:], self.runs[1:]):
            for measure in COMPARED:
                k = MEASURES.index(measure)
                for month, t in months.items():
                    e = estimate(run.shares[:, t, k] - base.shares[:, t, k], bounds=(-1.0, 1.0))
                    rows.append({"scenario": name, "measure": measure, "month": month,
                                 "base": float(base.shares[:, t, k].mean()), "scenario_mean":
                                 float(run.shares[:, t, k].mean()), "difference": e.mean, "ci95": e.ci(),
                                 "p": e.p, **e.reason_field()})
        for row, p in zip(rows, holm([r["p"] for r in rows])):
            row["p_holm"] = p
        return rows

    def summary(self) -> dict:
        base = self.runs[0]
        return {"chainsim_version": version(), "era": ERA, "base": self.names[0], "scenarios": self.names[1:],
                "replications": base.replications, "seed": base.seed,
                "configs": {n: config_record(r.config) for n, r in zip(self.names, self.runs)},
                "config_sha256": {n: config_sha256(r.config) for n, r in zip(self.names, self.runs)},
                "design": "paired: replication i of every scenario runs on child i of the root seed; intervals are "
                          "t intervals of the per-replication differences",
                "effects": self.effects()}

    def report(self) -> str:
        effects = self.effects()
        family = sum(row["p"] is not None for row in effects)
        base = self.runs[0]
        if base.national:
            where = ""
        else:
            from chainsim.core.regions import find_region
            names = [find_region(code).name for code in base.config.regions or ()]
            shown = ", ".join(names[:6]) + (f" and {len(names) - 6} more regions" if len(names) > 6 else "")
            where = f" on {base.locations} of {len(LOCATIONS.select(None))} locations (those of {shown})"
        lines = [f"Werkplein era: {len(self.names) - 1} scenario(s) against {self.names[0]}{where}, "
                 f"{base.replications} paired replications; difference in the share of locations "
                 f"(mean and 95% interval of the paired difference; p Holm-adjusted over the {family} "
                 f"difference{'s' if family != 1 else ''} shown with a p, one family, as in the region era's "
                 "compare; ! where the interval excludes zero on its own but not after the adjustment). A lever "
                 "that starts later than a month differs by exactly 0 there.", "",
                 "| scenario | measure | month | base | difference | Holm p |", "|---|---|---|---|---|---|"]
        for row in effects:
            stat = {"mean": row["difference"], "ci95": row["ci95"], "no_interval": row.get("no_interval")}
            chance = chance_finding(row["ci95"], row["p_holm"])
            lines.append(f"| {row['scenario']} | {LOCATION_ITEM_NAMES.get(row['measure'], row['measure'])} | "
                         f"{row['month']} | {row['base']:.3f} | {fmt(stat, signed=True)}"
                         f"{' !' if chance else ''} | {fmt_p(row['p_holm'])} |")
        return "\n".join(lines)


def compare_era(scenarios, replications: int, seed: int, workers: int = 1, regions: tuple[str, ...] | None = None,
                progress: Callable[[int], None] | None = None) -> EraComparison:
    """Run the era's scenarios with common random numbers and compare each with the first."""
    if replications < 2:
        raise EraComparisonError(f"--replications: {replications} (allowed: at least 2, for an interval)")
    runs = []
    for k, scenario in enumerate(scenarios):
        config = scenario.run_config()
        if config.era != ERA:
            raise EraComparisonError(f"{scenario.name}: era {config.era} (allowed: scenarios of {ERA} only)")
        if config.calendar != scenarios[0].calendar:
            raise EraComparisonError(f"{scenario.name}: calendar {config.calendar.start}..{config.calendar.end}, "
                                     f"the base's is {scenarios[0].calendar.start}..{scenarios[0].calendar.end} "
                                     "(allowed: the base's calendar: paired runs compare the same months)")
        if regions is not None:
            from dataclasses import replace
            config = replace(config, regions=regions)
        done = k * replications
        runs.append(run_era(config, replications, seed, workers,
                            None if progress is None else (lambda n, done=done: progress(done + n))))
    return EraComparison(runs, [s.name for s in scenarios])


def plot_comparison(comparison: EraComparison, ax) -> None:
    """Share of integrated locations over time per scenario: mean and 90% band between replications."""
    k = MEASURES.index("stage_integrated")
    for name, run in zip(comparison.names, comparison.runs):
        months = [m.year + (m.month - 1) / 12 for m in run.config.calendar.months]
        values = run.shares[:, :, k]
        ax.plot(months, values.mean(axis=0), label=name)
        ax.fill_between(months, np.quantile(values, 0.05, axis=0), np.quantile(values, 0.95, axis=0), alpha=0.15)
    ax.set_ylim(0, 1)
    ax.set_xlabel("year")
    ax.set_ylabel("share of locations with integrated service")
    ax.set_title(f"Werkplein era: scenarios compared ({comparison.runs[0].replications} paired replications)")
    ax.legend(loc="upper left", fontsize=8)
