"""Policy levers: scheduled changes that act through the mechanisms.

A lever switches on at a month, for some regions, with a strength in [0, 1]
(1 = the strongest version the sources support), and may switch off again.
It changes attributes of agents, ties, arrangements or decision rules --
the handles of docs/ODD.md §7 -- and never an outcome: whether a region
then reaches a coordinated approach is still decided at its table.

Each month, before the mechanisms run, every handle is reset to its value
without levers and every active lever applies its change, so levers combine
and switch off cleanly. Each lever class names the mechanism it works
through and its source; the coefficient by which its strength acts is a
declared parameter (docs/ODD.md §7.2, the "... lever:" rows), so that
a sweep can vary how strong the strongest version of a lever is.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from chainsim.core.arrangements import EFFORT_PER_OBSTACLE
from chainsim.core.calendar import Month
from chainsim.core.locations import region_of
from chainsim.core.population import Kind
from chainsim.core.regions import RegionInfo
from chainsim.core.world import World

# --- which regions a lever applies to -------------------------------------
RULE_ATTRIBUTES: dict[str, str] = {
    "n_municipalities": "number of municipalities",
    "n_sw_companies": "number of SW companies",
    "n_subregions": "number of subregions",
    "regional_identity": "regional identity (0-1)",
    "economy_concentration": "economic concentration (0-1)",
    "commuting_out": "commuting towards other regions (0-1)",
    "joint_arrangement_history": "earlier joint arrangements (0-1)",
    "labour_tightness": "vacancies per jobseeker (+ 0.65, +/- 0.5, - 0.35)",
}
_OPERATORS = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le,
              "==": operator.eq, "!=": operator.ne}
RULE_PATTERN = re.compile(r"^\s*([a-z_]+)\s*(>=|<=|==|!=|>|<)\s*(-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))\s*$")
"""A rule is ATTRIBUTE OP NUMBER; the number is a decimal (``15``, ``0.5``, ``.5``, ``-1``), so whatever
matches converts with float()."""


@dataclass(frozen=True)
class RegionSelection:
    """All regions, named regions, a random fraction, or a rule on an attribute."""

    codes: tuple[str, ...] | None = None    # named regions
    fraction: float | None = None           # random share of the regions, drawn per replication
    rule: str | None = None                 # e.g. "n_municipalities > 15"

    def mask(self, infos: tuple[RegionInfo, ...], rng: np.random.Generator) -> np.ndarray:
        n = len(infos)
        if self.codes is not None:       # a werkplein location is chosen with its region
            return np.array([region_of(info.code) in self.codes for info in infos])
        if self.fraction is not None:
            chosen = np.zeros(n, dtype=bool)
            chosen[rng.permutation(n)[: round(self.fraction * n)]] = True
            return chosen
        if self.rule is not None:
            attribute, op, value = RULE_PATTERN.match(self.rule).groups()
            return np.array([_OPERATORS[op](getattr(info, attribute), float(value)) for info in infos])
        return np.ones(n, dtype=bool)

    def describe(self) -> str:
        if self.codes is not None:
            return ", ".join(self.codes)
        if self.fraction is not None:
            return f"a random {self.fraction:g} of the regions"
        return f"regions with {self.rule}" if self.rule else "all regions"


# --- the levers -------------------------------------------------------------
@dataclass(frozen=True)
class Lever:
    """A lever as written in a scenario: kind, period, regions, strength, options."""

    kind: str
    start: Month
    end: Month | None = None
    regions: RegionSelection = field(default_factory=RegionSelection)
    strength: float = 1.0
    options: tuple[tuple[str, float], ...] = ()

    def active(self, month: Month) -> bool:
        return self.start <= month and (self.end is None or month <= self.end)

    def option(self, name: str) -> float:
        return dict(self.options).get(name, LEVERS[self.kind].options[name][0])


REGION_ERA, WERKPLEIN_ERA = "regions_2012", "werkpleinen_2005"
BOTH_ERAS = (REGION_ERA, WERKPLEIN_ERA)


class LeverKind:
    """Base of the lever kinds: how one lever changes the model while active."""

    kind: ClassVar[str]
    mechanisms: ClassVar[str]
    source: ClassVar[str]
    options: ClassVar[dict[str, tuple[float, float, float, str]]] = {}
    """Extra settings: name -> (default, low, high, meaning); declared with their
    range and listed in docs/ODD.md §7.6, like parameters."""
    whole_options: ClassVar[frozenset[str]] = frozenset()
    """Options that count something (months) and must be whole numbers."""
    eras: ClassVar[tuple[str, ...]] = (REGION_ERA,)
    """The eras (chainsim.core.eras.ERAS) the lever is built for: what it acts on exists there."""

    @staticmethod
    def apply(world: World, lever: Lever, regions: np.ndarray, months_active: int) -> None:
        raise NotImplementedError


LEVERS: dict[str, type[LeverKind]] = {}


def _register(cls: type[LeverKind]) -> type[LeverKind]:
    LEVERS[cls.kind] = cls
    return cls


def _remove_obstacles(world: World, regions: np.ndarray, removed: dict[str, tuple[str, ...]],
                      strength: float) -> None:
    """Take cited obstacles out of arrangements' efforts, in the given regions, by ``strength``.

    ``removed`` maps an arrangement to the obstacles (the start of their
    citation, as in :mod:`chainsim.core.arrangements`) the lever takes away;
    each removed obstacle lowers the effort by ``EFFORT_PER_OBSTACLE`` x
    strength. No coefficient of its own: a lever acts on what makes an
    arrangement costly.
    """
    catalogue = world.catalogue
    if not set(removed) & set(catalogue.index):
        raise ValueError(f"none of {sorted(removed)} is an arrangement of the catalogue {catalogue.name}")
    for name, starts in removed.items():
        if name not in catalogue.index:       # listed for the other era's catalogue
            continue
        a = catalogue.arrangements[catalogue.index[name]]
        gone = sum(any(o.startswith(s) for o in a.obstacles) for s in starts)
        if len(starts) != gone:
            raise ValueError(f"{name}: obstacles {starts} not all in the catalogue")
        by = strength * gone * EFFORT_PER_OBSTACLE / a.effort
        world.regions_state.effort_factor[regions, catalogue.index[name]] *= (1.0 - by)


@_register
class JointTargets(LeverKind):
    """Joint placement targets set for UWV and municipalities together (M2).

    The pooled target ("100 WWB + 500 WW = 600 together") acts as if joint
    steering were in place: it relieves own-target rivalry as far as the
    partners trust each other and stops cost shifting in proportion to the
    strength. It changes how results are counted, not what an arrangement
    costs.
    Source: 004 §4.2, §4.5 (recommendation to set joint targets); 003.
    """

    kind = "joint_targets"
    mechanisms = "M2, M1, M14"
    source = "004 §4.2, §4.5; 003; for the werkplein era 000 'Verschillende organisaties' (chain indicators)"
    eras = BOTH_ERAS

    @staticmethod
    def apply(world, lever, regions, months_active):
        rs = world.regions_state
        rs.imposed_joint_targets[regions] = np.maximum(rs.imposed_joint_targets[regions], lever.strength)


@_register
class LegalDeadline(LeverKind):
    """A legal obligation with a deadline at the lever's end month (M10).

    Pressure rises linearly from the start to the deadline (at ``strength``
    times the height of the 2015 Participatiewet deadline; without an end
    month over ``deadline_ramp_months``) and the
    arrangements the law requires are put on the agenda as the deadline
    nears -- like the Werkbedrijf obligation, which catalysed governance
    agreements more than execution (004 §2.1, §4.6).
    """

    kind = "legal_deadline"
    mechanisms = "M10"
    source = "004 §2.1, §4.6"

    @staticmethod
    def apply(world, lever, regions, months_active):
        rs = world.regions_state
        span = max(lever.end.minus(lever.start), 1) if lever.end else world.params.deadline_ramp_months
        ramp = min(1.0, (months_active + 1) / span) * lever.strength
        rs.extra_pressure[regions] += world.params.deadline_pressure * ramp
        rs.deadline_push[regions] = np.maximum(rs.deadline_push[regions], ramp)


@_register
class CooperationSubsidy(LeverKind):
    """A subsidy for which the parties must apply jointly (M10).

    Each month, a region whose parties meet at a governance table (or whose
    employers are engaged) obtains it with chance ``strength`` x
    ``subsidy_lever_chance`` (0.3); a grant binds the partners to a concrete
    shared goal for ``subsidy_months`` (18), as the sector plans and ESF did
    (004 §3.1, §4.5, App. 2).
    """

    kind = "cooperation_subsidy"
    mechanisms = "M10"
    source = "004 §3.1, §4.5, App. 2"

    @staticmethod
    def apply(world, lever, regions, months_active):
        rs, pop, p = world.regions_state, world.population, world.params
        able = world.catalogue.any_in_force(rs.in_force, "governing_table") | pop.engaged[rs.employer_row]
        draw = world.streams.levers.random(rs.n, split=world.layout.regions)
        granted = regions & able & (rs.subsidy_until < world.t) & (draw < p.subsidy_lever_chance * lever.strength)
        rs.subsidy_until[granted] = world.t + round(p.subsidy_months)


@_register
class MinisterVisits(LeverKind):
    """Repeated visits by a minister to the regions (M10).

    A visit every ``interval`` months adds outside pressure of ``strength``
    times the deadline's height, which falls to ``visit_pressure_decay``
    (half) of itself each month after the visit. The
    seed recommends organising outside pressure "through (repeated) visits
    by a minister" where cooperation stalls (004 §4.5).
    """

    kind = "minister_visits"
    mechanisms = "M10"
    source = "004 §4.5"
    options = {"interval": (3.0, 1.0, 24.0, "months between visits")}   # a lever option, not a parameter
    whole_options = frozenset({"interval"})

    @staticmethod
    def apply(world, lever, regions, months_active):
        interval = int(lever.option("interval"))
        since_visit = months_active % interval
        world.regions_state.extra_pressure[regions] += (
            lever.strength * world.params.deadline_pressure * world.params.visit_pressure_decay ** since_visit)


@_register
class EmployerDemand(LeverKind):
    """Employers demand one harmonised service from the public parties (M9, M10).

    Employers who have trouble placing people from different municipalities
    ask for harmonised service (004 §4.5): the employer organisation becomes
    more active (it engages sooner, M9) and the demand adds outside pressure
    (``employer_demand_pressure`` x ``employer_pressure`` at strength 1).
    """

    kind = "employer_demand"
    mechanisms = "M9, M10"
    source = "004 §4.4, §4.5"

    @staticmethod
    def apply(world, lever, regions, months_active):
        rs = world.regions_state
        rs.employer_activism[regions] = np.minimum(1.0, rs.employer_activism[regions] + lever.strength)
        rs.extra_pressure[regions] += (world.params.employer_demand_pressure * lever.strength
                                       * world.params.employer_pressure)


@_register
class ICTHarmonisation(LeverKind):
    """A national programme to harmonise ICT between UWV and municipalities (M7).

    Takes two of the three cited obstacles out of the shared-systems
    arrangement's effort (systems not linked, 003; no steering above the
    parties, 000 'Praktische problemen') and makes UWV's push for its systems (Sonar,
    WBS) stronger (``ict_harmonisation_push``: three times at strength 1); ICT
    was named a condition of chain cooperation and different systems a main
    bottleneck (004 §4.2; 001 §5.5).
    """

    kind = "ict_harmonisation"
    mechanisms = "M7"
    source = "004 §4.2; 001 §5.5"
    eras = BOTH_ERAS

    @staticmethod
    def apply(world, lever, regions, months_active):
        p = world.params
        _remove_obstacles(world, regions, {"shared_systems": ("003", "000"), "shared_ict": ("003", "000")},
                          lever.strength)
        world.regions_state.ict_push[regions] *= 1.0 + p.ict_harmonisation_push * lever.strength


@_register
class FacilitativeLeadership(LeverKind):
    """Coaching of the centre municipality towards facilitating, strategic leadership (M5).

    Moves the centre's style and strategic skill ``strength`` of the way to
    the best: the connecting centre the seed found in every successful case
    (004 summary, §4.5).
    """

    kind = "facilitative_leadership"
    mechanisms = "M5"
    source = "004 summary, §4.5"

    @staticmethod
    def apply(world, lever, regions, months_active):
        rs = world.regions_state
        for name in ("leadership_style", "strategic_skill"):
            values = getattr(rs, name)
            values[regions] += lever.strength * (1.0 - values[regions])


@_register
class FormalPowers(LeverKind):
    """A joint arrangement (WGR) that gives the centre municipality a mandate.

    Under a mandate the table decides by a simple majority, members give
    up less say per arrangement and the municipalities pass agreements to
    practice as one steering layer, as in Helmond-De Peel where nearly all
    municipalities already worked in a joint arrangement (004 footnote 10,
    §4.1). Strength 1 is a full mandate.
    """

    kind = "formal_powers"
    mechanisms = "M4, M5, M13"
    source = "004 footnote 10, §4.1"

    @staticmethod
    def apply(world, lever, regions, months_active):
        rs = world.regions_state
        rs.formal_mandate[regions] = np.maximum(rs.formal_mandate[regions], lever.strength)


@_register
class SubregionDesign(LeverKind):
    """Subregions organised with one contact point for the region (M12).

    Where a region has subregions, the design provides the strong regional
    steering that one contact point per subregion needs (004 §4.5): that
    cited obstacle leaves the arrangement's effort. The seed sees subregions
    as a way to accommodate local differences (004 §3.1). No effect in
    regions without subregions. One contact point per subregion is an item
    of the Inspectorate's framework, not a step of the stage rule, so this
    lever moves no region's stage (docs/measures.md: a paired difference of
    exactly 0 in all 100 replications); it shows in the subregion items.
    """

    kind = "subregion_design"
    mechanisms = "M12"
    source = "004 §3.1, §4.5"

    @staticmethod
    def apply(world, lever, regions, months_active):
        with_sub = regions & world.regions_state.has_subregions
        _remove_obstacles(world, with_sub, {"subregion_single_contact": ("004 §4.5",)}, lever.strength)


@_register
class AldermanContinuity(LeverKind):
    """Aldermen stay on after the elections (M6).

    Lowers the chance that an alderman changes at the 2014 elections by the
    strength; continuity kept the agenda going in a case region (004 §4.5).
    """

    kind = "alderman_continuity"
    mechanisms = "M6"
    source = "004 §4.5"

    @staticmethod
    def apply(world, lever, regions, months_active):
        world.regions_state.turnover_factor[regions] *= 1.0 - lever.strength


@_register
class UWVPresence(LeverKind):
    """UWV keeps its local presence: the counterfactual of its redesign (M3, M7).

    Where UWV keeps staff on site, closing the werkplein does not cost trust
    ("in one municipality it went fine because UWV kept staff on site",
    004 §4.2); strength 1 removes the closure's damage entirely.
    """

    kind = "uwv_presence"
    mechanisms = "M3, M7"
    source = "004 §4.2, §4.6"

    @staticmethod
    def apply(world, lever, regions, months_active):
        world.regions_state.uwv_withdrawal[regions] *= 1.0 - lever.strength


@_register
class KnowledgeSharing(LeverKind):
    """Learning between regions: sharing practice, process facilitators (M11).

    Widens the reach of evidence: the results of the country's best region
    and of bordering regions weigh more in what organisations believe
    cooperation yields (``knowledge_sharing_boost`` at strength 1), and ties
    between bordering centres strengthen; the older chain programme used
    managers' sharing and process facilitators (000 'Leren van elkaar';
    004 §2.3, Programmaraad).
    """

    kind = "knowledge_sharing"
    mechanisms = "M11"
    source = "000 'Leren van elkaar'; 004 §2.3"
    eras = BOTH_ERAS

    @staticmethod
    def apply(world, lever, regions, months_active):
        world.regions_state.knowledge_boost[regions] += world.params.knowledge_sharing_boost * lever.strength


@_register
class SWPartnership(LeverKind):
    """Agreements that give SW companies a regional role (M8).

    Shifts each SW company's weighing towards a partner role by
    ``sw_partnership_shift`` (0.6) at strength 1;
    the seed describes regions where the SW company becomes a full partner in
    regional cooperation and execution (004 §4.3; Werkkamer advice, §2.3).
    """

    kind = "sw_partnership"
    mechanisms = "M8"
    source = "004 §4.3, §2.3"

    @staticmethod
    def apply(world, lever, regions, months_active):
        pop = world.population
        sw = (pop.kind == Kind.SW_COMPANY) & regions[pop.region]
        pop.partner_offset[sw] += world.params.sw_partnership_shift * lever.strength


@_register
class BudgetCuts(LeverKind):
    """Extra cuts in the municipal reintegration budget (M1, M15).

    Adds to the national cuts: own-target pressure grows and municipalities
    lose attention (004 §4.1, §4.3: participation budgets "hugely cut"; 003).
    """

    kind = "budget_cuts"
    mechanisms = "M1, M15"
    source = "004 §4.1, §4.3; 003"

    @staticmethod
    def apply(world, lever, regions, months_active):
        world.regions_state.budget_cut_extra[regions] += lever.strength


@_register
class CoLocation(LeverKind):
    """UWV and municipalities work from one building (M3).

    Physical co-location built trust faster than virtual cooperation in the
    werkplein era (001 §5.6): UWV-municipality ties gain trust up to three
    times as fast (``co_location_contact_boost``), and the shortage of
    suitable housing (000) leaves the effort of joint staff and shared
    counters.
    """

    kind = "co_location"
    mechanisms = "M3, M13"
    source = "001 §5.6; 004 §3.1; 000"
    eras = BOTH_ERAS

    @staticmethod
    def apply(world, lever, regions, months_active):
        p = world.params
        world.regions_state.contact_factor[regions] *= 1.0 + p.co_location_contact_boost * lever.strength
        _remove_obstacles(world, regions, {"joint_staff": ("000",), "multiple_public_counters": ("000",),
                                           "shared_building": ("000",)}, lever.strength)


@_register
class WrittenAgreements(LeverKind):
    """A clear, written set of agreements between the parties (M6, M3).

    Makes cooperation less vulnerable to changes of persons (004 §4.5): a new
    alderman resets less of the trust on the municipality's ties.
    """

    kind = "written_agreements"
    mechanisms = "M6, M3"
    source = "004 §4.5"

    @staticmethod
    def apply(world, lever, regions, months_active):
        world.regions_state.reset_factor[regions] *= 1.0 - lever.strength


@_register
class SupportStructure(LeverKind):
    """The werkplein era's support structure continues after 1 July 2007 (M11).

    Support groups, a support pool and chain ambassadors carried lessons
    between the chain consultations until the state stopped them on
    2007-07-01; the support point held that the regions lacked the capacity
    to organise without them (001 §3.2, §5.6). While active, the lever makes
    up what the national learning programmes lost after that date: the
    country's best location reaches belief elsewhere as it did before
    (``knowledge_sharing`` x (1 - the time line's learning support) x
    strength). Like the knowledge-sharing lever's, the boost also widens
    the reach of neighbouring locations' results and the contact between
    their hosts (M11, M3). No coefficient of its own.
    """

    kind = "support_structure"
    mechanisms = "M11"
    source = "001 §3.2, §5.6"
    eras = (WERKPLEIN_ERA,)

    @staticmethod
    def apply(world, lever, regions, months_active):
        lost = 1.0 - world.calendar.drivers.learning_support[world.t]
        world.regions_state.knowledge_boost[regions] += world.params.knowledge_sharing * lost * lever.strength


@_register
class SharedBudgets(LeverKind):
    """One budget for the partners at a location instead of three money streams (M1, M2).

    The partners were still settled with as separate columns, and using each
    other's instruments needed settling between them (001 §5.1; 000
    'Verschillende organisaties'). The lever takes that obstacle out of the
    effort of joint results against chain indicators. It is the cost side
    only: the partners' separate accounting itself (their own-target
    rivalry) is what the ``joint_targets`` lever relieves. No coefficient
    of its own.
    """

    kind = "shared_budgets"
    mechanisms = "M1, M2"
    source = "001 §5.1; 000 'Verschillende organisaties'"
    eras = (WERKPLEIN_ERA,)

    @staticmethod
    def apply(world, lever, regions, months_active):
        _remove_obstacles(world, regions, {"chain_indicators": ("001 §5.1: separate money",)}, lever.strength)


def built_for(era: str | None) -> list[str]:
    """The lever kinds built for an era (all kinds where the era is not known)."""
    return [k for k, spec in LEVERS.items() if era is None or era in spec.eras]


def era_mismatch(kind: str, era: str) -> str | None:
    """Why a lever of ``kind`` cannot act in ``era``, in words ("the lever ... is not built for the era ...
    (allowed there: ...)"); None where it can, or where the kind is unknown (reported as such elsewhere). A
    lever of another era would run and change nothing, silently."""
    built = built_for(era)
    if kind not in LEVERS or kind in built or not built:
        return None                     # an unknown era (no lever built for it) is reported as such where eras are read
    return f"the lever {kind} is not built for the era {era} (allowed there: {', '.join(built)})"


# --- applying the levers each month ---------------------------------------
HANDLES = ("extra_pressure", "effort_factor", "leadership_style", "strategic_skill", "formal_mandate",
           "employer_activism", "uwv_withdrawal", "knowledge_boost", "imposed_joint_targets",
           "budget_cut_extra", "deadline_push", "ict_push", "turnover_factor", "contact_factor",
           "reset_factor")


class LeverSchedule:
    """The levers of a scenario, applied at the start of every month (a model intervention)."""

    def __init__(self, world: World, levers: tuple[Lever, ...]) -> None:
        self.levers = levers
        infos = world.regions_state.infos
        self.masks = [lever.regions.mask(infos, world.streams.levers.single) for lever in levers]
        rs = world.regions_state
        self.baseline = {name: getattr(rs, name).copy() for name in HANDLES}
        self.partner_offset = world.population.partner_offset.copy()

    def __call__(self, world: World) -> None:
        rs = world.regions_state
        for name, values in self.baseline.items():
            getattr(rs, name)[...] = values
        world.population.partner_offset[:] = self.partner_offset
        month = world.month
        for lever, mask in zip(self.levers, self.masks):
            # applied even where the mask is empty, so the levers' stream advances alike
            # in every replication, whether it runs alone or beside others
            if lever.active(month):
                LEVERS[lever.kind].apply(world, lever, mask, month.minus(lever.start))

    @classmethod
    def joined(cls, schedules: list["LeverSchedule"]) -> "LeverSchedule":
        """One schedule for replications joined into one world (:mod:`chainsim.core.batch`)."""
        first = schedules[0]
        if any(s.levers != first.levers for s in schedules):
            raise ValueError("replications joined into one world must share their levers")
        joined = cls.__new__(cls)
        joined.levers = first.levers
        joined.masks = [np.concatenate([s.masks[i] for s in schedules]) for i in range(len(first.levers))]
        joined.baseline = {name: np.concatenate([s.baseline[name] for s in schedules]) for name in HANDLES}
        joined.partner_offset = np.concatenate([s.partner_offset for s in schedules])
        return joined
