"""ChainModel: the Dutch labour market regions moving towards a coordinated approach.

The Mesa model of chainsim. It wraps one :class:`~chainsim.core.world.World`
(the Mesa-free state of the chain), gives every organisation a Mesa agent
(:mod:`chainsim.agents`), steps the world month by month with
:func:`chainsim.core.simulation.step`, and collects, per month simulated,
the month ("YYYY-MM") and the share of regions per stage in a Mesa
``DataCollector``. It takes flat keyword settings, so Mesa's ``batch_run``,
``SolaraViz`` and the EMA Workbench can build it directly::

    ChainModel()                                        # the Netherlands 2012-2016, calibrated
    ChainModel("lever_joint_targets", rng=1)            # a shipped scenario by name (or a path)
    ChainModel(weight_pressure=1.2, lever_joint_targets=0.5, rng=1)
    mesa.batch_run(ChainModel, {"lever_minister_visits": [0.0, 1.0]}, rng=[1, 2], max_steps=60)

A setting named like a parameter (docs/ODD.md §7.2) replaces its value; a
setting ``lever_<kind>`` switches that lever on in every region with the
given strength from ``lever_start`` (default: a year after the start). See
docs/ODD.md for the model and :mod:`chainsim.core.mechanisms` for M1-M15.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import replace

import mesa
import numpy as np
from mesa.experimental.scenarios import Scenario as MesaScenario

from chainsim.agents import AGENT_CLASSES, Organisation
from chainsim.core import simulation
from chainsim.core.calendar import Calendar, Month
from chainsim.core.config import RunConfig
from chainsim.core.eras import ERAS
from chainsim.core.levers import LEVERS, Lever, RegionSelection, era_mismatch
from chainsim.core.parameters import SPECS, Parameters
from chainsim.core.population import Kind
from chainsim.core.recorder import DIAGNOSTICS
from chainsim.core.regions import RegionInfo
from chainsim.core.simulation import Intervention
from chainsim.scenario import Scenario, default_scenario, load_scenario

LEVER_PREFIX = "lever_"

__all__ = ["ChainModel", "DIAGNOSTICS", "LEVER_PREFIX", "Intervention"]


def _stage_share(stage: int, name: str):
    def share(model: "ChainModel") -> float:
        if model.t == 0:
            return float("nan")
        return float((model.recorder.stage[model.t - 1] == stage).mean())
    share.__name__ = f"share_{name}"
    return share


def _month_simulated(model: "ChainModel") -> str:
    """The month the last step simulated ("YYYY-MM"; "" before the first step)."""
    return str(model.calendar.months[model.t - 1]) if model.t else ""


class ChainModel(mesa.Model):
    """The chain of work and income in the Dutch labour market regions.

    Args:
        scenario: a scenario: a shipped one by name (``"netherlands_2012"``),
            a path to a TOML file, a loaded :class:`~chainsim.scenario.Scenario`,
            or None for the built-in Netherlands 2012-2016. (A Mesa
            ``mesa.experimental.scenarios.Scenario``, which SolaraViz passes
            on a reset, gives only the seed.)
        config: a whole :class:`~chainsim.core.config.RunConfig` instead of
            a scenario (what the runner and sweeps pass).
        params, calendar, regions, levers, mechanisms_off: replace what the
            scenario or config says. ``regions`` are names, codes or
            :class:`~chainsim.core.regions.RegionInfo`; ``mechanisms_off``
            switches mechanisms ("M1".."M15") off for the structural test of
            the calibration (docs/ODD.md §7.7).
        interventions: callables applied to the world at the start of every month.
        lever_start: the month ``lever_<kind>`` settings switch on ("YYYY-MM").
        rng: seed, SeedSequence or numpy Generator; every random draw of the run comes from it.
            Two models given the same seed or sequence draw the same numbers (a sequence is
            copied); models built one after another from one Generator draw different ones.
        **settings: parameter values by name, and ``lever_<kind>`` strengths in [0, 1].
    """

    def __init__(self, scenario: str | os.PathLike | Scenario | None = None, *,
                 config: RunConfig | None = None, params: Parameters | None = None,
                 calendar: Calendar | None = None,
                 regions: Sequence[str] | Sequence[RegionInfo] | None = None,
                 levers: Sequence[Lever] = (), interventions: Sequence[Intervention] = (),
                 mechanisms_off: Iterable[str] = (), lever_start: str | None = None,
                 rng=None, **settings: float) -> None:
        if isinstance(scenario, MesaScenario):
            # Mesa's own (experimental) Scenario, which SolaraViz and Mesa's
            # experiment tools pass on a reset: chainsim's settings come as
            # keywords, so only its seed is taken over.
            rng = scenario.rng if rng is None else rng
            scenario = None
        _check_rng(rng)
        if isinstance(rng, np.random.SeedSequence):
            # The run spawns its streams from this sequence, which changes it;
            # a caller such as mesa.batch_run hands one sequence to several
            # runs, so use a copy: a run's numbers must not depend on run order.
            rng = np.random.default_rng(_copy_seed(rng))
        # Mesa draws one number from the generator (to seed its ``random``);
        # that draw is undone, so that the world draws from the generator as
        # it was given: a run's numbers do not depend on Mesa's internals, and
        # a batch of replications without Mesa (chainsim.core.batch) draws
        # the same numbers from the same seed.
        given = rng.bit_generator.state if isinstance(rng, np.random.Generator) else None
        super().__init__(rng=rng)
        if given is not None:
            self.rng.bit_generator.state = given
        if config is not None and scenario is not None:
            raise ValueError("give a scenario or a config, not both")
        if config is None:
            config = _scenario(scenario).run_config()
        if config.start_from is not None:
            raise ValueError(f"the Mesa model cannot start from the simulated era {config.start_from} yet "
                             "(chainsim run and chainsim.runner can)")
        if params is not None and not isinstance(params, Parameters):
            raise ValueError(f"params: a {type(params).__name__} (allowed: a chainsim Parameters, e.g. "
                             "dataclasses.replace(Parameters(), ...); or give single values as keywords, "
                             "e.g. weight_pressure=1.2)")
        regions = _names(regions)
        mechanisms_off = _names(mechanisms_off) or ()
        if regions is not None and len(regions) == 0:
            raise ValueError("regions: an empty list (allowed: region names or codes, or None for all)")
        params = _with_settings(params or config.params, settings)
        calendar = calendar or config.calendar
        levers = tuple(levers)
        all_levers = (tuple(config.levers) + levers
                      + _lever_settings(settings, calendar, lever_start, config.era))
        for lever in levers:
            if (problem := era_mismatch(lever.kind, config.era)) is not None:
                raise ValueError(f"levers: {problem}")
        self.scenario_name = config.scenario
        self.era = era = ERAS[config.era]
        self.world = simulation.new_world(
            params, calendar, _region_infos(regions if regions is not None else config.regions, era),
            rng=self.rng, levers=all_levers, interventions=interventions,
            mechanisms_off=tuple(mechanisms_off) or config.mechanisms_off, era=era)
        self.agent_by_row: list[Organisation] = [
            AGENT_CLASSES[Kind(int(kind))](self, row) for row, kind in enumerate(self.world.population.kind)]
        self.datacollector = mesa.DataCollector(
            model_reporters={"month": _month_simulated}
            | {name: _stage_share(s, name) for s, name in enumerate(era.stages)})

    # --- views on the world ----------------------------------------------
    params = property(lambda self: self.world.params, doc="Parameter values of this run.")
    calendar = property(lambda self: self.world.calendar, doc="The run's months and national time line.")
    population = property(lambda self: self.world.population, doc="Organisations as columns (row = agent).")
    regions_state = property(lambda self: self.world.regions_state, doc="Per-region state.")
    catalogue = property(lambda self: self.world.catalogue, doc="The arrangements its units can adopt.")
    graph = property(lambda self: self.world.graph, doc="The network of ties; trust on its edges.")
    ties = property(lambda self: self.world.ties, doc="The ties as arrays (the graph's edges point here).")
    layout = property(lambda self: self.world.layout, doc="Rows per replication (one replication here).")
    tie_index = property(lambda self: self.world.tie_index, doc="Which ties are of which kind.")
    trust = property(lambda self: self.world.trust, doc="Trust summaries refreshed from the edges.")
    streams = property(lambda self: self.world.streams, doc="The run's random streams.")
    recorder = property(lambda self: self.world.recorder, doc="The monthly record of the run.")
    events = property(lambda self: self.world.events,
                      doc="Dated events: elections, closures, proposals not agreed (and who was against), failures.")
    t = property(lambda self: self.world.t, doc="Months simulated so far.")
    month = property(lambda self: self.world.month, doc="The month the next step simulates.")

    def off(self, mechanism: str) -> bool:
        """Whether a mechanism is switched off in this run."""
        return self.world.off(mechanism)

    def step(self) -> None:
        """Simulate one month."""
        if self.world.finished:
            raise RuntimeError(f"the run has ended: it simulated every month to {self.calendar.end}; "
                               "make a new model to run again")
        simulation.step(self.world)
        self.running = not self.world.finished
        self.datacollector.collect(self)

    def run(self) -> "ChainModel":
        """Simulate every month left in the calendar."""
        while not self.world.finished:
            self.step()
        return self


def _check_rng(rng) -> None:
    """A seed Mesa and numpy accept, or a one-line error saying what is allowed."""
    whole = isinstance(rng, (int, np.integer)) and not isinstance(rng, bool)
    if rng is None or isinstance(rng, (np.random.Generator, np.random.SeedSequence)) or (whole and rng >= 0):
        return
    raise ValueError(f"rng: {rng!r} (allowed: a whole number >= 0, a numpy Generator or SeedSequence, or None)")


def _names(value):
    """A list of names as given; a single string is one name, or several separated by commas."""
    if isinstance(value, str):
        return [name.strip() for name in value.split(",") if name.strip()]
    return None if value is None else list(value)


def _copy_seed(seed: np.random.SeedSequence) -> np.random.SeedSequence:
    return np.random.SeedSequence(seed.entropy, spawn_key=seed.spawn_key, pool_size=seed.pool_size)


def _scenario(scenario) -> Scenario:
    if isinstance(scenario, Scenario):
        return scenario
    if scenario is None:
        return default_scenario()
    return load_scenario(scenario)


def _with_settings(params: Parameters, settings: dict[str, float]) -> Parameters:
    unknown = [k for k in settings if k not in SPECS and not k.startswith(LEVER_PREFIX)]
    unknown += [k for k in settings if k.startswith(LEVER_PREFIX) and k.removeprefix(LEVER_PREFIX) not in LEVERS]
    if unknown:
        raise ValueError(f"unknown settings {', '.join(sorted(unknown))} (allowed: parameter names of "
                         f"docs/ODD.md §7.2, or {LEVER_PREFIX}<kind> with kind one of {', '.join(LEVERS)})")
    values = {k: _number(k, v) for k, v in settings.items() if k in SPECS}
    return replace(params, **values) if values else params


def _number(name: str, value) -> float:
    """A setting's value as a number, or a one-line error naming the setting and what is allowed."""
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: {value!r} is not a number (allowed: a number, see chainsim list "
                         "parameters)") from None


def _lever_settings(settings: dict[str, float], calendar: Calendar, start: str | None,
                    era: str) -> tuple[Lever, ...]:
    begin = Month.parse(start) if start else calendar.start.plus(12)
    if start and not calendar.start <= begin <= calendar.end:
        raise ValueError(f"lever_start: {begin} lies outside the calendar (allowed: {calendar.start} to "
                         f"{calendar.end})")
    levers = []
    for name, value in settings.items():
        if name.startswith(LEVER_PREFIX) and _number(name, value) != 0:
            strength = _number(name, value)
            if not 0 <= strength <= 1:
                raise ValueError(f"{name}: strength {strength} (allowed: 0 to 1)")
            kind = name.removeprefix(LEVER_PREFIX)
            if (problem := era_mismatch(kind, era)) is not None:
                raise ValueError(f"{name}: {problem}")
            levers.append(Lever(name.removeprefix(LEVER_PREFIX), begin, None, RegionSelection(), strength))
    return tuple(levers)


def _region_infos(regions, era) -> tuple[RegionInfo, ...] | None:
    """The units to simulate: given as RegionInfo, or the era's units in the named regions."""
    if regions is None:
        return None
    regions = list(regions)
    if all(isinstance(r, RegionInfo) for r in regions):
        return tuple(regions)
    return tuple(era.select([str(r) for r in regions]))

