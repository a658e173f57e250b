"""Several replications simulated as one world: replications as an axis of the state.

Every mechanism acts on arrays over regions and organisations, so R
replications of a configuration can run as one world of R disjoint copies of
the regions: one call of each numpy operation serves them all, and the fixed
cost of a call (what dominates a single run of 35 regions) is paid once per
batch instead of once per replication.

Each replication is built on its own, from its own generator, exactly as a
lone run builds it; :func:`join` then lays the replications' rows one after
the other (:class:`~chainsim.core.layout.ReplicationLayout`). Nothing links
the copies: no tie crosses from one to another, what a mechanism reduces over
the country it reduces per replication, and every random draw is split into
the replications' own blocks (:class:`~chainsim.core.streams.Stream`). So
replication k gives the same record whether it runs alone or beside any
others -- the tests hold the two equal.

The joined world's networkx graph (made on demand, like a lone world's) holds
the replications as disconnected parts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from chainsim.core.calendar import Calendar
from chainsim.core.eras import REGIONS, Era
from chainsim.core.handover import Legacy
from chainsim.core.layout import ReplicationLayout
from chainsim.core.levers import Lever, LeverSchedule
from chainsim.core.network import TieStore
from chainsim.core.parameters import Parameters
from chainsim.core.population import BOOL_COLUMNS, FLOAT_COLUMNS
from chainsim.core.recorder import Recorder
from chainsim.core.regions import RegionInfo
from chainsim.core.simulation import new_world
from chainsim.core.streams import RandomStreams
from chainsim.core.world import World

NATIONAL = ("inflow_base", "target_rate")
"""Region-state arrays that hold one national value per group, not one per region."""

ROW_POINTERS = ("centre_row", "uwv_row", "employer_row")
"""Region-state arrays that point at organisation rows."""

TIE_COLUMNS = ("trust", "u", "v", "kind", "region", "experience")


def new_batch(params: Parameters, calendar: Calendar, regions: Sequence[RegionInfo] | None,
              rngs: Sequence[np.random.Generator], levers: Sequence[Lever] = (),
              mechanisms_off: Iterable[str] = (), era: Era = REGIONS,
              histories: Sequence[Legacy] | None = None, events: bool = True) -> World:
    """One world simulating a replication per generator in ``rngs``, each as a lone run would.

    ``histories`` gives each replication the simulated werkplein era it starts from (or none).
    Without ``events`` the world writes no dated events (making their texts took about 4% of a
    batch's months in a profile); nothing else changes.
    """
    if not rngs:
        raise ValueError("a batch needs at least one replication")
    if histories is not None and len(histories) != len(rngs):
        raise ValueError("one history per replication")
    mechanisms_off = tuple(mechanisms_off)
    worlds = [new_world(params, calendar, regions, rng=rng, levers=levers, mechanisms_off=mechanisms_off, era=era,
                        history=None if histories is None else histories[k])
              for k, rng in enumerate(rngs)]
    world = worlds[0] if len(worlds) == 1 else join(worlds)
    world.keeps_events = events
    return world


def join(worlds: Sequence[World]) -> World:
    """The replications ``worlds`` (built, not yet stepped) as one world, in that order."""
    first = worlds[0]
    for w in worlds:
        if w.t != 0 or w.layout.n != 1:
            raise ValueError("only freshly built worlds of one replication can be joined")
        if (w.params != first.params or (w.calendar is not first.calendar and w.calendar != first.calendar)
                or w.mechanisms_off != first.mechanisms_off or w.catalogue is not first.catalogue
                or w.groups is not first.groups):
            raise ValueError("replications joined into one world must share parameters, calendar, mechanisms "
                             "catalogue and client groups")
    infos = tuple(info for w in worlds for info in w.regions_state.infos)
    joined = World(first.params, first.calendar, infos, None, first.mechanisms_off,
                   streams=RandomStreams.joined([w.streams for w in worlds]), catalogue=first.catalogue,
                   groups=first.groups)
    n_regions = np.array([w.regions_state.n for w in worlds])
    n_organisations = np.array([w.population.n for w in worlds])
    joined.layout = layout = ReplicationLayout(n_regions, n_organisations)
    _join_population(joined, worlds, layout)
    _join_regions(joined, worlds, layout)
    _join_ties(joined, worlds, layout)
    joined.commuters = [(int(row) + int(layout.organisation_start[k]), code)
                        for k, w in enumerate(worlds) for row, code in w.commuters]
    joined.neighbours = [[int(n) + int(layout.region_start[k]) for n in near]
                         for k, w in enumerate(worlds) for near in w.neighbours]
    joined.replication_events = [list(w.events) for w in worlds]
    joined.index_ties()
    joined.interventions = _join_interventions(worlds)
    joined.recorder = Recorder(first.calendar.n_months, joined.regions_state.n, first.recorder.indicators,
                               first.recorder.measure)
    return joined


def _join_population(joined: World, worlds: Sequence[World], layout: ReplicationLayout) -> None:
    pop = joined.population
    for column in FLOAT_COLUMNS + BOOL_COLUMNS + ("kind", "subregion"):
        setattr(pop, column, np.concatenate([getattr(w.population, column) for w in worlds]))
    pop.region = np.concatenate([w.population.region + layout.region_start[k] for k, w in enumerate(worlds)])
    pop.name = [name for w in worlds for name in w.population.name]


def _join_regions(joined: World, worlds: Sequence[World], layout: ReplicationLayout) -> None:
    rs = joined.regions_state
    for name, value in vars(worlds[0].regions_state).items():
        if name in ("infos", "n", "codes", "names"):
            continue                                   # set by RegionState itself
        if not isinstance(value, np.ndarray):
            raise TypeError(f"RegionState.{name}: joining knows arrays only")
        parts = [getattr(w.regions_state, name) for w in worlds]
        if name in NATIONAL:
            if any(not np.array_equal(part, parts[0]) for part in parts):
                raise ValueError(f"RegionState.{name} differs between replications, but is national")
            setattr(rs, name, parts[0].copy())
        elif name in ROW_POINTERS:
            setattr(rs, name, np.concatenate([part + layout.organisation_start[k] for k, part in enumerate(parts)]))
        else:
            setattr(rs, name, np.concatenate(parts))


def _join_ties(joined: World, worlds: Sequence[World], layout: ReplicationLayout) -> None:
    store = TieStore(0)
    for name in TIE_COLUMNS:
        parts = [getattr(w.ties, name)[: w.ties.n] for w in worlds]
        if name in ("u", "v"):
            parts = [part + layout.organisation_start[k] for k, part in enumerate(parts)]
        elif name == "region":
            parts = [part + layout.region_start[k] for k, part in enumerate(parts)]
        setattr(store, name, np.concatenate(parts))
    store.n = len(store.trust)
    joined.ties = store


def _join_interventions(worlds: Sequence[World]) -> list:
    schedules = []
    for w in worlds:
        if len(w.interventions) > 1 or any(not isinstance(i, LeverSchedule) for i in w.interventions):
            raise ValueError("only levers can act on a batch of replications (not other interventions)")
        schedules.append(w.interventions[0] if w.interventions else None)
    if schedules[0] is None:
        return []
    return [LeverSchedule.joined(schedules)]


@dataclass
class ReplicationRecord:
    """The monthly record of one replication of a batch (arrays over months x regions)."""

    region_codes: list[str]
    items: np.ndarray
    levels: np.ndarray
    level_class: np.ndarray
    stage: np.ndarray
    diagnostics: np.ndarray
    events: list[tuple[str, str, str]] | None       # None: the run kept no events


def records(world: World) -> list[ReplicationRecord]:
    """Each replication's own record, in replication order (copies: the batch may be dropped)."""
    rec, rs, layout = world.recorder, world.regions_state, world.layout
    out = []
    for k in range(layout.n):
        part = layout.region_slice(k)
        out.append(ReplicationRecord(
            region_codes=list(rs.codes[part]), items=rec.items[:, part].copy(), levels=rec.levels[:, part].copy(),
            level_class=rec.level_class[:, part].copy(), stage=rec.stage[:, part].copy(),
            diagnostics=rec.diagnostics[:, part].copy(),
            events=list(world.replication_events[k]) if world.keeps_events else None))
    return out
