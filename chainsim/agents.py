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

import math

import mesa

from chainsim.core.arrangements import GOVERNANCE, OPERATIONAL
from chainsim.core.mechanisms.table import FEAR_WITHOUT_TRUST, MANDATE_SAY_RELIEF, PRESSURE_BY_LEVEL, mandate
from chainsim.core.mechanisms.trust import NO_TIE_TRUST
from chainsim.core.population import Kind


def _arrangement(world, arrangement: int | str) -> int:
    """Position of an arrangement, given by id or position, in the world's catalogue."""
    return world.catalogue.index[arrangement] if isinstance(arrangement, str) else int(arrangement)


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

    def step(self) -> None:
        """Organisations do not step one by one: they act together, every month, in ChainModel.step."""
        raise NotImplementedError(
            f"{type(self).__name__}.step: organisations act together in ChainModel.step (the order of a "
            "month is chainsim.core.simulation); to see what one organisation weighs, call support_terms()")

    # --- the decision rule (docs/ODD.md §7.3) ------------------------------
    def support_terms(self, arrangement: int | str, sunk_effort: bool = False) -> dict[str, float]:
        """The reasons this organisation weighs for and against an arrangement, by name.

        Its support is their sum (plus noise when it votes). Every organisation
        at the table weighs its belief that cooperation pays (M11), its trust
        in the table (M3), outside pressure (M10, stronger on governance
        arrangements, 004 §4.6), governance agreements that mandate execution
        (M13), the arrangement's effort (left out with ``sunk_effort``, when an
        arrangement in force is reviewed), the say it costs times how much the
        organisation guards its say (M4; a joint arrangement's mandate halves
        it, 004 footnote 10), the own-target rivalry it touches (M1), feared
        the less the more the partners are trusted (M2), and the attention
        lost to turbulence (M15). Kinds of organisation add their own terms.
        The vectorised kernel :func:`chainsim.core.mechanisms.table.support_terms`
        states the same rule for all organisations at once; a test holds the
        two equal.
        """
        world = self.model.world
        p, rs, pop = world.params, world.regions_state, world.population
        a, r, row = _arrangement(world, arrangement), self.region, self.row
        level = int(world.catalogue.table.level[a])
        trust = float(world.trust.at_table[row])
        fear = 1.0 if world.off("M2") else FEAR_WITHOUT_TRUST - trust
        say_weight = 0.0 if world.off("M4") else p.weight_autonomy
        return {
            "belief": p.weight_belief * self.belief,
            "trust": p.weight_trust * trust,
            "pressure": p.weight_pressure * float(rs.pressure[r]) * float(PRESSURE_BY_LEVEL[level]),
            "mandate": p.weight_mandate * float(mandate(world)[r]) * (level != GOVERNANCE),
            "say": -(say_weight * float(world.catalogue.table.say_cost[a]) * float(pop.autonomy_guard[row])
                     * (1.0 - MANDATE_SAY_RELIEF * float(rs.formal_mandate[r]))),
            "rivalry": -(p.weight_rivalry * float(world.catalogue.table.rivalry[a]) * self.rivalry * fear),
            "turbulence": -p.weight_turbulence * self.turbulence,
            "effort": 0.0 if sunk_effort else -(p.effort_scale * float(rs.effort_factor[r, a])
                                                * float(world.catalogue.table.effort[a])),
        }

    def support(self, arrangement: int | str, sunk_effort: bool = False) -> float:
        """This organisation's support for an arrangement, without the noise of a vote."""
        return math.fsum(self.support_terms(arrangement, sunk_effort).values())


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

    def support_terms(self, arrangement: int | str, sunk_effort: bool = False) -> dict[str, float]:
        """As every organisation, plus its alderman and the centre's persuasion.

        A strong alderman with a regional outlook pulls the municipality
        towards the table, one with a local outlook away from it (M6, 004
        §4.1, §4.5); a strategically skilled centre persuades the other
        municipalities as far as they trust it, helped by the ally it found
        (a "white raven", M5, 004 §4.5).
        """
        world = self.model.world
        p = world.params
        terms = super().support_terms(arrangement, sunk_effort)
        if self.kind != Kind.CENTRE:
            in_centre = float(world.trust.in_centre[self.row])
            in_centre = NO_TIE_TRUST if math.isnan(in_centre) else in_centre
            m5 = 0.0 if world.off("M5") else p.weight_leadership
            rs = world.regions_state
            terms["leadership"] = m5 * (float(rs.strategic_skill[self.region]) * in_centre
                                        + p.ally_weight * float(rs.allies[self.region]))
        m6 = 0.0 if world.off("M6") else p.weight_alderman
        terms["alderman"] = m6 * self.alderman_strength * (2.0 * self.alderman_orientation - 1.0)
        return terms


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

    def support_terms(self, arrangement: int | str, sunk_effort: bool = False) -> dict[str, float]:
        """As every organisation, plus UWV's national frame and its representative's commitment.

        UWV can agree only within the room its national steering leaves
        (M7, 004 §4.2); at the governance table it is its regional manager,
        at the tactical level its unit managers, whose personal commitment
        differs between regions (004 §4.2, §3.1); on the shop floor there is
        no single representative. A skilled centre persuades UWV through
        their tie, as it persuades the municipalities (the UWV-centre
        "tandem", 004 §4.5).
        """
        world = self.model.world
        p = world.params
        a = _arrangement(world, arrangement)
        level = int(world.catalogue.table.level[a])
        terms = super().support_terms(arrangement, sunk_effort)
        m7 = not world.off("M7")
        terms["central_steering"] = -(m7 * p.uwv_central_steering * float(world.catalogue.table.central_room[a]))
        commitment = float(world.regions_state.uwv_stance[self.region, level]) if level < OPERATIONAL else 0.0
        terms["representative"] = m7 * p.uwv_person_spread * commitment
        # the centre persuades UWV too, through their tie (the "tandem", M5, 004 §4.5)
        m5 = 0.0 if world.off("M5") else p.weight_leadership
        rs = world.regions_state
        terms["leadership"] = m5 * float(rs.strategic_skill[self.region]) * float(world.trust.uwv_centre[self.region])
        return terms


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
