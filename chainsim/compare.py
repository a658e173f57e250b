"""Comparing scenarios with common random numbers.

Every scenario runs with the same replication seeds, so replication *i* of
the base and of another scenario share their random draws as far as the
runs stay alike; the difference in the share of coordinated regions is
then taken per replication (a paired difference), which gives a much
narrower interval than comparing two independent means.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from chainsim.core.measurement import COORDINATED
from chainsim.results import Results, mean_ci
from chainsim.runner import RunConfig, run_replications
from chainsim.scenario import Scenario


class ComparisonError(ValueError):
    """Scenarios that cannot be compared (different calendars or regions)."""


@dataclass
class Comparison:
    base: str
    results: dict[str, Results]   # scenario name -> results, base first
    seed: int

    @property
    def calendar(self):
        return self.results[self.base].calendar

    def coordinated(self, name: str) -> np.ndarray:
        """(replications x months) share of coordinated regions."""
        return self.results[name].stage_shares()[:, :, COORDINATED]

    def summary(self) -> dict:
        from chainsim import __version__

        cal = self.calendar
        points = {"observed_at": cal.observed_index, "end": cal.n_months - 1}
        base = self.coordinated(self.base)
        scenarios = {}
        for name in self.results:
            share = self.coordinated(name)
            scenarios[name] = {
                "share_coordinated": {k: mean_ci(share[:, t], 0.0, 1.0) for k, t in points.items()},
                "difference_vs_base": {k: mean_ci(share[:, t] - base[:, t], -1.0, 1.0)
                                       for k, t in points.items()},
            }
        return {"chainsim_version": __version__, "base": self.base, "seed": self.seed,
                "replications": len(self.results[self.base].runs), "observed_at": str(cal.observed_at),
                "end": str(cal.end), "regions": self.results[self.base].n_regions, "scenarios": scenarios}


def _check_comparable(configs: dict[str, RunConfig], base: str) -> None:
    ref = configs[base]
    for name, config in configs.items():
        if config.calendar != ref.calendar:
            raise ComparisonError(f"scenario {name} runs {config.calendar.start}..{config.calendar.end} "
                                  f"(observed {config.calendar.observed_at}), the base {base} "
                                  f"{ref.calendar.start}..{ref.calendar.end} (observed {ref.calendar.observed_at}); "
                                  "compared scenarios must share their calendar")
        if config.regions != ref.regions:
            raise ComparisonError(f"scenario {name} simulates other regions than the base {base}; "
                                  "compared scenarios must simulate the same regions")


def compare(scenarios: list[Scenario], replications: int, seed: int = 0, workers: int = 1,
            regions: tuple[str, ...] | None = None, progress=None) -> Comparison:
    """Run the base (first) and every other scenario with the same seeds."""
    from dataclasses import replace

    configs: dict[str, RunConfig] = {}
    for scenario in scenarios:
        config = scenario.run_config()
        if regions:
            config = replace(config, regions=regions)
        name = scenario.name
        while name in configs:          # two files with the same name
            name += "'"
        configs[name] = replace(config, scenario=name)
    base = next(iter(configs))
    _check_comparable(configs, base)
    results = {}
    for i, (name, config) in enumerate(configs.items()):
        runs = run_replications(config, replications, seed, workers,
                                (lambda done, i=i: progress(i * replications + done)) if progress else None)
        results[name] = Results(config, runs, seed)
    return Comparison(base, results, seed)
