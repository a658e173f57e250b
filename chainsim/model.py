"""ChainModel: the Dutch labour market regions moving towards a coordinated approach.

A Mesa model of the organisations of the chain of work and income in the
labour market regions, month by month on a real calendar (2012-2016 by
default). Each month the national time line acts on the regions, the
actors take their stances, the regional tables meet and decide on joint
arrangements, agreements reach practice or fail, parties learn from results,
and the Inspectorate's items are scored. See docs/ODD.md for the full
description and :mod:`chainsim.mechanisms` for the mechanisms M1-M15.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields

import mesa
import numpy as np

from chainsim.arrangements import GOVERNANCE, OPERATIONAL, TACTICAL
from chainsim.calendar import Calendar, Month
from chainsim.initialise import build_world
from chainsim.levers import Lever, LeverSchedule
from chainsim.measurement import INDICATORS, measure
from chainsim.mechanisms import MECHANISMS, actors, belief, environment, table, trust
from chainsim.mechanisms.execution import Execution
from chainsim.mechanisms.ties import TieIndex, TrustSummary
from chainsim.parameters import Parameters
from chainsim.regions import RegionInfo, load_regions

DIAGNOSTICS = ("trust_uwv_municipalities", "trust_centre_municipalities", "belief", "pressure",
               "evidence", "arrangements_in_force", "employer_engaged", "sw_partners",
               "participation", "rivalry")

Intervention = Callable[["ChainModel"], None]


class Recorder:
    """Per-month record of every region's items, class, stage and a few diagnostics."""

    def __init__(self, n_months: int, n_regions: int) -> None:
        self.items = np.zeros((n_months, n_regions, len(INDICATORS)), dtype=bool)
        self.levels = np.zeros((n_months, n_regions, 3), dtype=bool)
        self.level_class = np.zeros((n_months, n_regions), dtype=np.int8)
        self.stage = np.zeros((n_months, n_regions), dtype=np.int8)
        self.diagnostics = np.zeros((n_months, n_regions, len(DIAGNOSTICS)), dtype=np.float32)

    def record(self, model: "ChainModel") -> None:
        t, rs, pop = model.t, model.regions_state, model.population
        items, levels, level_class, stage = measure(model)
        self.items[t], self.levels[t] = items, levels
        self.level_class[t], self.stage[t] = level_class, stage
        n_org = np.maximum(rs.n_organisations, 1)
        municipal = model.tie_index.municipal
        n_muni = np.maximum(np.bincount(pop.region[municipal], None, rs.n), 1)
        sw = model.tie_index.is_sw
        self.diagnostics[t] = np.stack([
            rs.trust_uwv, rs.trust_centre,
            np.bincount(pop.region, pop.belief, rs.n) / n_org,
            rs.pressure, rs.evidence, rs.in_force.sum(axis=1),
            pop.engaged[rs.employer_row],
            np.bincount(pop.region[sw], pop.partner[sw], rs.n),
            np.bincount(pop.region[municipal], pop.participates[municipal], rs.n) / n_muni,
            np.bincount(pop.region[municipal], pop.rivalry[municipal], rs.n) / n_muni,
        ], axis=1)


@dataclass(frozen=True)
class RandomStreams:
    """One random stream per kind of chance event, all children of the run's seed.

    The initial state is drawn from ``model.rng``; each monthly process draws
    from its own stream, and draws a fixed number of values whatever the
    state. Two scenarios run with the same seed therefore share their
    random numbers process by process (common random numbers): a lever that
    changes what one region decides does not shift the dice of every later
    decision, and paired differences between scenarios get narrow.
    """

    agenda: np.random.Generator      # what a centre proposes, reviews (M5)
    decisions: np.random.Generator   # idiosyncratic part of support (all weighing)
    delivery: np.random.Generator    # implementation delay and success (M13)
    actors: np.random.Generator      # participation (M4), ICT uptake (M7)
    events: np.random.Generator      # elections (M6), subsidy applications (M10)
    levers: np.random.Generator      # scenario levers: random region selections, subsidies

    @classmethod
    def from_generator(cls, rng: np.random.Generator) -> "RandomStreams":
        seed_seq = rng.bit_generator.seed_seq
        children = seed_seq.spawn(len(fields(cls)))
        return cls(*(np.random.default_rng(child) for child in children))


class ChainModel(mesa.Model):
    """The chain of work and income in the Dutch labour market regions.

    Args:
        params: parameter values (defaults: :class:`Parameters`).
        calendar: start, end and observation month (default 2012-01..2016-12,
            observed 2014-11).
        regions: the regions to simulate (default: all 35).
        rng: seed or numpy Generator; every random draw of the run comes from it.
        levers: scenario levers (:mod:`chainsim.levers`), applied at the start
            of every month; they change attributes of agents, ties or
            arrangements, never outcomes.
        interventions: further callables applied at the start of every month.
        mechanisms_off: mechanism ids ("M1".."M15") to switch off, for the
            structural test of the calibration (docs/ODD.md §7.7).
    """

    def __init__(self, params: Parameters | None = None, calendar: Calendar | None = None,
                 regions: Sequence[RegionInfo] | None = None, rng=None,
                 levers: Sequence[Lever] = (), interventions: Sequence[Intervention] = (),
                 mechanisms_off: Iterable[str] = ()) -> None:
        super().__init__(rng=rng)
        self.mechanisms_off = frozenset(mechanisms_off)
        unknown = self.mechanisms_off - set(MECHANISMS)
        if unknown:
            raise ValueError(f"unknown mechanisms {sorted(unknown)} (allowed: {', '.join(MECHANISMS)})")
        self.streams = RandomStreams.from_generator(self.rng)
        self.lever_rng = self.streams.levers
        self.params = params or Parameters()
        self.calendar = calendar or Calendar()
        self.interventions = list(interventions)
        self.t = 0
        self.commuters: list[tuple[int, str]] = []
        self.neighbours: list[list[int]] = []
        self.events: list[tuple[str, str, str]] = []
        build_world(self, tuple(regions) if regions is not None else load_regions())
        self.tie_index = TieIndex(self)
        self.trust = TrustSummary(self)
        self.execution = Execution(self)
        self.recorder = Recorder(self.calendar.n_months, self.regions_state.n)
        if levers:
            self.interventions.insert(0, LeverSchedule(self, tuple(levers)))

    @property
    def month(self) -> Month:
        """The month the next step simulates (the last one once the run is over)."""
        return self.calendar.months[min(self.t, self.calendar.n_months - 1)]

    def off(self, mechanism: str) -> bool:
        """Whether a mechanism is switched off in this run."""
        return mechanism in self.mechanisms_off

    def record_event(self, kind: str, text: str) -> None:
        self.events.append((str(self.month), kind, text))

    def step(self) -> None:
        """Simulate one month."""
        for intervention in self.interventions:
            intervention(self)
        governance_month = (self.t + self.regions_state.meeting_offset) % 3 == 0
        self._national_time_line()
        self._stances(governance_month)
        self._regional_tables(governance_month)
        self._practice_and_learning()
        self.recorder.record(self)
        self.t += 1
        self.running = self.t < self.calendar.n_months

    def run(self) -> "ChainModel":
        """Simulate every month of the calendar."""
        while self.t < self.calendar.n_months:
            self.step()
        return self

    # --- the phases of a month -------------------------------------------
    def _national_time_line(self) -> None:
        # trust summaries are current: the previous month ended with a refresh
        # (and __init__ made the first), and levers never change trust
        environment.hold_elections(self)                 # M6
        environment.close_uwv_offices(self)              # M7, M3
        environment.apply_subsidy_windows(self)          # M10

    def _stances(self, governance_month: np.ndarray) -> None:
        environment.update_turbulence(self)              # M15
        environment.update_rivalry(self)                 # M1, M2, M14
        actors.update_sw_stance(self)                    # M8
        actors.update_employer_engagement(self)          # M9
        environment.update_outside_pressure(self)        # M10
        self.trust.refresh(self)
        actors.update_participation(self, governance_month)   # M4, M12

    def _regional_tables(self, governance_month: np.ndarray) -> None:
        table.review_arrangements(self, governance_month)                       # M3, M4
        table.hold_meeting(self, (GOVERNANCE,), governance_month)               # M5 and the weighing
        table.hold_meeting(self, (TACTICAL, OPERATIONAL), np.ones_like(governance_month))
        trust.dominance_erodes_trust(self, governance_month)                    # M5

    def _practice_and_learning(self) -> None:
        self.trust.refresh(self)
        self.execution.deliver()                         # M13
        actors.adopt_uwv_systems(self)                   # M7
        trust.build_trust_through_contact(self)          # M3
        belief.gather_evidence(self)                     # M11
        belief.update_belief(self)                       # M11
        self.trust.refresh(self)
