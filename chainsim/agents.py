"""The organisations of the chain: municipalities, centre, UWV, SW companies, employers.

Each organisation is a Mesa agent with its own targets, trust and attitudes
(DOMAIN.md §1). Their attributes are kept column-wise in a
:class:`Population` so that the mechanisms can act on all organisations of
all regions at once (one array operation instead of hundreds of Python
calls per month); an agent reads and writes its own row through plain
attributes (``municipality.belief``), so code that looks at one organisation
reads naturally. Trust is not an agent attribute: it lives on the ties of
the network (:mod:`chainsim.network`), and ``agent.trust_in(other)`` reads it
there.
"""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING

import mesa
import numpy as np

if TYPE_CHECKING:
    from chainsim.model import ChainModel


class Kind(IntEnum):
    MUNICIPALITY = 0
    CENTRE = 1
    UWV = 2
    SW_COMPANY = 3
    EMPLOYER_ORGANISATION = 4


FLOAT_COLUMNS = (
    "size",                  # share of the region's population (municipalities)
    "belief",                # belief that regional cooperation pays (M11)
    "belief_prior",          # belief without evidence: the organisation's own disposition (M11)
    "own_target",            # weight of its own placement targets (M1)
    "rivalry",               # own-target rivalry felt this month (M1, M2, M14)
    "autonomy_guard",        # how much it guards its say (M4)
    "local_success",         # existing local successes it would give up (M4)
    "outside_orientation",   # pull of a neighbouring region through commuting (M12)
    "alderman_orientation",  # alderman's regional (1) vs local (0) orientation (M6)
    "alderman_strength",     # alderman's administrative strength (M6)
    "turbulence",            # attention lost to reorganisation, cuts, caseloads (M15)
    "business_interest",     # SW company's weight on its own business (M8)
    "partner_offset",        # SW company's idiosyncratic stance (M8)
)
BOOL_COLUMNS = (
    "participates",          # municipality takes part in the regional table (M4)
    "partner",               # SW company acts as partner rather than competitor (M8)
    "engaged",               # employer organisation actively engaged (M9)
    "uses_sonar",            # uses UWV's employer-contact system Sonar (M7)
    "uses_wbs",              # uses UWV's werkgeversbenaderingssysteem WBS (M7)
    "double_role",           # SW company on whose board the centre's alderman sits (M8)
)


class Population:
    """Column store of all organisations' attributes; row i is agent i."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.kind = np.zeros(n, dtype=np.int8)
        self.region = np.zeros(n, dtype=np.int64)
        self.subregion = np.full(n, -1, dtype=np.int64)
        for name in FLOAT_COLUMNS:
            setattr(self, name, np.zeros(n))
        for name in BOOL_COLUMNS:
            setattr(self, name, np.zeros(n, dtype=bool))

    def mask(self, *kinds: Kind) -> np.ndarray:
        return np.isin(self.kind, [int(k) for k in kinds])

    @property
    def is_municipality(self) -> np.ndarray:
        """Municipalities including the centre municipalities."""
        return self.mask(Kind.MUNICIPALITY, Kind.CENTRE)


class Column:
    """Attribute of an agent that lives in its row of the model's Population."""

    def __set_name__(self, owner, name: str) -> None:
        self.name = name

    def __get__(self, agent, owner=None):
        if agent is None:
            return self
        value = getattr(agent.model.population, self.name)[agent.row]
        return value.item()

    def __set__(self, agent, value) -> None:
        getattr(agent.model.population, self.name)[agent.row] = value


class Organisation(mesa.Agent):
    """An organisation in the chain, belonging to one region."""

    kind: Kind
    belief = Column()
    belief_prior = Column()
    own_target = Column()
    rivalry = Column()
    turbulence = Column()

    def __init__(self, model: "ChainModel", row: int, region_code: str, name: str) -> None:
        super().__init__(model)
        self.row = row
        self.region_code = region_code
        self.name = name
        model.population.kind[row] = int(self.kind)

    @property
    def region(self) -> int:
        return int(self.model.population.region[self.row])

    def trust_in(self, other: "Organisation") -> float:
        """Trust on the tie with ``other`` (KeyError when they have no tie)."""
        return self.model.graph.edges[self.row, other.row]["trust"]

    def ties(self) -> list[tuple["Organisation", float]]:
        """Partners this organisation has a tie with, and the trust on each tie."""
        agents = self.model.agent_by_row
        return [(agents[v], d["trust"]) for v, d in self.model.graph.adj[self.row].items()]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, region={self.region_code})"


class Municipality(Organisation):
    """A municipality: autonomous, judged on placing its own assistance clients.

    Guards its say (M4), feels own-target rivalry (M1), is steered by an
    alderman whose orientation and strength matter (M6), and may be pulled
    towards a neighbouring region by commuting (M12). 004 §4.1.
    """

    kind = Kind.MUNICIPALITY
    size = Column()
    autonomy_guard = Column()
    local_success = Column()
    outside_orientation = Column()
    alderman_orientation = Column()
    alderman_strength = Column()
    participates = Column()
    uses_sonar = Column()
    uses_wbs = Column()

    @property
    def subregion(self) -> int:
        return int(self.model.population.subregion[self.row])


class CentreMunicipality(Municipality):
    """The centre municipality: convenes the regional table without formal powers.

    Its leadership style and strategic skill (stored per region, because the
    region's table is what they shape) decide what it proposes and whether
    it earns the lead (M5; 004 §4.1, §4.5, footnote 10).
    """

    kind = Kind.CENTRE

    @property
    def leadership_style(self) -> float:
        return float(self.model.regions_state.leadership_style[self.region])

    @property
    def strategic_skill(self) -> float:
        return float(self.model.regions_state.strategic_skill[self.region])


class UWVOffice(Organisation):
    """UWV's regional office: centrally steered, with its own WW targets (M7, 004 §4.2)."""

    kind = Kind.UWV

    @property
    def connector(self) -> float:
        """How much the regional manager connects parties (004 §4.2, §4.6)."""
        return float(self.model.regions_state.uwv_connector[self.region])


class SWCompany(Organisation):
    """A sheltered-employment company owned by a group of municipalities (M8, 004 §4.3)."""

    kind = Kind.SW_COMPANY
    business_interest = Column()
    partner = Column()
    double_role = Column()


class EmployerOrganisation(Organisation):
    """The region's employer organisation: waits, then presses once engaged (M9, 004 §4.4)."""

    kind = Kind.EMPLOYER_ORGANISATION
    engaged = Column()


AGENT_CLASSES = {
    Kind.MUNICIPALITY: Municipality,
    Kind.CENTRE: CentreMunicipality,
    Kind.UWV: UWVOffice,
    Kind.SW_COMPANY: SWCompany,
    Kind.EMPLOYER_ORGANISATION: EmployerOrganisation,
}
