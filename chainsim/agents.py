"""The organisations of the chain: municipalities, centre, UWV, SW companies, employers.

Each organisation is a Mesa agent with its own targets, trust and attitudes
(DOMAIN.md §1). Their attributes are kept column-wise in the world's
:class:`~chainsim.core.population.Population` so that the mechanisms can act on all organisations of
all regions at once (one array operation instead of hundreds of Python
calls per month); an agent reads and writes its own row through plain
attributes (``municipality.belief``), so code that looks at one organisation
reads naturally. Trust is not an agent attribute: it lives on the ties of
the network (:mod:`chainsim.core.network`), and ``agent.trust_in(other)`` reads it
there.
"""

from __future__ import annotations

import mesa

from chainsim.core.population import Kind


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

    def __init__(self, model: mesa.Model, row: int) -> None:
        super().__init__(model)
        self.row = row
        if int(model.population.kind[row]) != int(self.kind):
            raise ValueError(f"row {row} is not a {type(self).__name__}")

    @property
    def name(self) -> str:
        return self.model.population.name[self.row]

    @property
    def region_code(self) -> str:
        return self.model.regions_state.codes[self.region]

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
