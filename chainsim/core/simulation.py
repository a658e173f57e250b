"""One month of the chain: the order in which the mechanisms act.

Each month the national time line acts on the regions, the actors take
their stances, the regional tables meet and decide on joint arrangements,
agreements reach practice or fail, parties learn from results, and the
Inspectorate's items are scored (docs/ODD.md §3, process overview). This
module is the whole schedule; it is Mesa-free, so a script, a sweep worker
or the Mesa model (:class:`chainsim.model.ChainModel`) all step the same
world the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np

from chainsim.core.arrangements import GOVERNANCE, OPERATIONAL, TACTICAL
from chainsim.core.calendar import Calendar
from chainsim.core.eras import REGIONS, Era
from chainsim.core.handover import Legacy
from chainsim.core.initialise import build_world
from chainsim.core.levers import Lever, LeverSchedule
from chainsim.core.mechanisms import (
    actors,
    belief,
    environment,
    execution,
    labour_market,
    leadership,
    table,
    trust,
)
from chainsim.core.parameters import Parameters
from chainsim.core.recorder import Recorder
from chainsim.core.regions import RegionInfo
from chainsim.core.world import World

Intervention = Callable[[World], None]


def new_world(params: Parameters | None = None, calendar: Calendar | None = None,
              regions: Sequence[RegionInfo] | None = None, rng: np.random.Generator | None = None,
              levers: Sequence[Lever] = (), interventions: Sequence[Intervention] = (),
              mechanisms_off: Iterable[str] = (), era: Era = REGIONS, history: Legacy | None = None) -> World:
    """A world ready to simulate: built, with its levers scheduled and a recorder.

    ``rng`` is the run's generator (a seed is not accepted here: the Mesa
    model and the runner make the generator, so that every caller draws the
    same numbers from the same seed). ``era`` says what the units can adopt
    and how they are measured (the labour market regions by default);
    ``history`` is a simulated werkplein era's end to start from
    (:mod:`chainsim.core.handover`).
    """
    if rng is None:
        rng = np.random.default_rng()
    world = build_world(params or Parameters(), calendar or Calendar(),
                        tuple(regions) if regions is not None else era.select(None), rng, mechanisms_off,
                        era.catalogue, history, era.groups)
    world.interventions = list(interventions)
    if levers:
        world.interventions.insert(0, LeverSchedule(world, tuple(levers)))
    world.recorder = Recorder(world.calendar.n_months, world.regions_state.n, era.indicators, era.measure)
    return world


def step(world: World) -> None:
    """Simulate one month."""
    for intervention in world.interventions:
        intervention(world)
    governance_month = (world.t + world.regions_state.meeting_offset) % 3 == 0
    _national_time_line(world)
    _stances(world, governance_month)
    _regional_tables(world, governance_month)
    _practice_and_learning(world)
    world.recorder.record(world)
    world.t += 1


def run(world: World) -> World:
    """Simulate every month left in the calendar."""
    while not world.finished:
        step(world)
    return world


# --- the phases of a month -----------------------------------------------
def _national_time_line(world: World) -> None:
    # trust summaries are current: the previous month ended with a refresh
    # (and building the world made the first), and levers never change trust
    environment.hold_elections(world)                 # M6
    environment.close_uwv_offices(world)              # M7, M3
    environment.apply_subsidy_windows(world)          # M10


def _stances(world: World, governance_month: np.ndarray) -> None:
    labour_market.update_labour_market(world)         # M1, M11, M14: placements against targets
    environment.update_turbulence(world)              # M15
    environment.update_rivalry(world)                 # M1, M2, M14
    actors.update_sw_stance(world)                    # M8
    actors.strain_of_competing_sw(world)              # M8, M3
    actors.update_employer_engagement(world)          # M9
    environment.update_outside_pressure(world)        # M10
    world.trust.refresh()
    leadership.find_allies(world)                     # M5: white ravens
    actors.update_participation(world, governance_month)   # M4, M12


def _regional_tables(world: World, governance_month: np.ndarray) -> None:
    table.review_arrangements(world, governance_month)                       # M3, M4
    table.hold_meeting(world, (GOVERNANCE,), governance_month)               # M5 and the weighing
    table.hold_meeting(world, (TACTICAL, OPERATIONAL), np.ones_like(governance_month))


def _practice_and_learning(world: World) -> None:
    world.trust.refresh()
    execution.deliver(world)                          # M13
    execution.lapse(world)                            # M13: falling back without a driving force
    actors.adopt_uwv_systems(world)                   # M7
    trust.build_trust_through_contact(world)          # M3
    belief.gather_evidence(world)                     # M11
    belief.update_belief(world)                       # M11
    world.trust.refresh()
