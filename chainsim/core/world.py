"""The world of one run: every organisation, tie and region, and the month.

:class:`World` holds the whole state of a simulated chain -- the
organisations (:class:`~chainsim.core.population.Population`), the network of
ties with trust on its edges, the regions' arrangements and pressures, the
random streams and the calendar -- with no Mesa in it. The mechanisms
(:mod:`chainsim.core.mechanisms`) read and change it; the order in which they
act each month is :mod:`chainsim.core.simulation`; the Mesa model
(:class:`chainsim.model.ChainModel`) wraps one world.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from chainsim.core.arrangements import REGION_CATALOGUE, Catalogue
from chainsim.core.calendar import Calendar, Month
from chainsim.core.client_groups import REGION_GROUPS, ClientGroups
from chainsim.core.layout import ReplicationLayout
from chainsim.core.network import TieGraph, TieStore
from chainsim.core.parameters import Parameters
from chainsim.core.population import Kind, Population
from chainsim.core.regions import RegionInfo
from chainsim.core.state import RegionState
from chainsim.core.streams import RandomStreams
from chainsim.core.ties import TieIndex, TrustSummary

MECHANISMS = {
    "M1": "own targets", "M2": "joint targets", "M3": "trust", "M4": "autonomy",
    "M5": "leadership of the centre", "M6": "aldermen", "M7": "UWV", "M8": "SW companies",
    "M9": "employer organisations", "M10": "outside pressure", "M11": "belief and evidence",
    "M12": "regional structure", "M13": "from governance to execution", "M14": "cost shifting",
    "M15": "turbulence",
}
"""The mechanisms of DOMAIN.md §3 by id (docs/ODD.md §7 says where each acts)."""


class World:
    """The state of the chain in the regions of one run.

    Created empty for ``infos`` (the regions) and filled by
    :func:`chainsim.core.initialise.build_world`; every random draw comes from
    ``rng`` (the initial state) or from the streams spawned from it (each
    monthly process). A world of several replications at once is joined from
    built ones by :func:`chainsim.core.batch.join`; its ``layout`` says which
    rows belong to which replication.
    """

    def __init__(self, params: Parameters, calendar: Calendar, infos: tuple[RegionInfo, ...],
                 rng: np.random.Generator | None, mechanisms_off: Iterable[str] = (),
                 streams: RandomStreams | None = None, catalogue: Catalogue = REGION_CATALOGUE,
                 groups: ClientGroups = REGION_GROUPS) -> None:
        self.mechanisms_off = frozenset(mechanisms_off)
        unknown = self.mechanisms_off - set(MECHANISMS)
        if unknown:
            raise ValueError(f"unknown mechanisms {sorted(unknown)} (allowed: {', '.join(MECHANISMS)})")
        self.params = params
        self.calendar = calendar
        self.rng = rng
        self.streams = streams if streams is not None else RandomStreams.from_generator(rng)
        n_rows = sum(r.n_municipalities + 1 + r.n_sw_companies + 1 for r in infos)
        self.population = Population(n_rows)
        self.catalogue = catalogue    # the arrangements its units can adopt
        self.groups = groups          # the client groups its organisations serve (labour market)
        self.regions_state = RegionState(infos, len(catalogue), len(groups))
        self.layout = ReplicationLayout.single(len(infos), n_rows)
        self.ties = TieStore()      # every tie, trust on it (the graph's edges point here)
        self._graph: TieGraph | None = None
        self.t = 0
        self.commuters: list[tuple[int, str]] = []
        self.neighbours: list[list[int]] = []
        self.replication_events: list[list[tuple[str, str, str]]] = [[]]
        # whether dated events are written at all: a run that nobody reads them from
        # (the runner's batches for `chainsim run`, sweeps, calibration) skips making their texts
        self.keeps_events = True
        self.interventions: list[Callable[["World"], None]] = []
        self.tie_index: TieIndex | None = None
        self.trust: TrustSummary | None = None
        self.recorder = None    # set by chainsim.core.simulation.new_world

    def index_ties(self) -> None:
        """Index the finished network and summarise its trust (once it is built)."""
        self.ties.freeze()
        self.tie_index = TieIndex(self.ties, self.population)
        self.trust = TrustSummary(self.ties, self.population, self.regions_state, self.tie_index)

    @property
    def graph(self) -> TieGraph:
        """The network as a networkx graph, made on first use; trust on an edge is its tie's.

        Nodes are organisation rows with their kind, name and region code;
        edges carry their tie's trust, kind and region code (``""`` for a
        tie between regions). The mechanisms work on :attr:`ties`; the graph
        reads and writes the same values, so a change made through either
        shows in both.
        """
        if self._graph is None:
            pop, codes = self.population, self.regions_state.codes
            self.ties.region_codes, self.ties.codes_fixed = tuple(codes), True
            nodes = ((row, {"kind": Kind(int(pop.kind[row])).name.lower(), "name": pop.name[row],
                            "region": codes[pop.region[row]]}) for row in range(pop.n))
            self._graph = TieGraph.over(self.ties, nodes)
        return self._graph

    @property
    def month(self) -> Month:
        """The month the next step simulates (the last one once the run is over)."""
        return self.calendar.months[min(self.t, self.calendar.n_months - 1)]

    @property
    def finished(self) -> bool:
        return self.t >= self.calendar.n_months

    def off(self, mechanism: str) -> bool:
        """Whether a mechanism is switched off in this run."""
        return mechanism in self.mechanisms_off

    @property
    def events(self) -> list[tuple[str, str, str]]:
        """Dated events (month, kind, text) of a world of one replication."""
        if len(self.replication_events) != 1:
            raise ValueError("a world of several replications keeps its events per replication "
                             "(replication_events)")
        return self.replication_events[0]

    def record_event(self, kind: str, text: str, replication: int = 0) -> None:
        if self.keeps_events:
            self.replication_events[replication].append((str(self.month), kind, text))

    def record_events(self, kind: str, texts: list[str], replications: np.ndarray) -> None:
        """Events of one kind this month, in order: ``record_event`` for each (text, replication) pair."""
        if not self.keeps_events:
            return
        month = str(self.month)
        for text, replication in zip(texts, replications.tolist()):
            self.replication_events[replication].append((month, kind, text))
