"""Why is a region where it is? Its stage, what it has and lacks, who blocks, and why.

``explain(model, region)`` reads the model's current state (after the last
simulated month) and returns an :class:`Explanation`: the region's stage and
Table 3.4 class, the assessment items it has and lacks (by the three parts
of the Inspectorate's framework), the next steps its table could take with
the members' support for each, the members whose support blocks the most
promising next step and the mechanism behind it, the weakest ties, and a few
plain sentences. The same object serves the command line
(``chainsim run --explain REGION``), the browser app and the notebooks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from chainsim.core.arrangements import ARRANGEMENTS, INDEX, LEVEL_NAMES
from chainsim.core.measurement import INDICATOR_INDEX, ITEM_NAMES, LEVEL_CLASSES, PARTS, STAGES, measure
from chainsim.core.mechanisms.table import eligible, expected_support
from chainsim.core.population import Kind
from chainsim.core.regions import find_region
from chainsim.core.state import IN_FORCE

TERM_MECHANISM = {
    "belief": "M11 belief that cooperation pays",
    "trust": "M3 trust in the centre and UWV",
    "pressure": "M10 outside pressure",
    "mandate": "M13 governance agreements that mandate execution",
    "effort": "the effort the arrangement takes",
    "say": "M4 the say it costs",
    "rivalry": "M1 own-target rivalry",
    "turbulence": "M15 turbulence",
    "leadership": "M5 persuasion by the centre",
    "alderman": "M6 the alderman's orientation",
    "central_steering": "M7 UWV's national frame",
    "representative": "M7 the commitment of UWV's representative at this level",
}

LEVEL_READING = {"operational": " (joint consultation, staff and projects, all three)"}
"""How a level of Table 3.4 is read where its name could mislead (:func:`chainsim.core.measurement.cooperation_levels`):
the operational level asks for more than the item 'cooperation on the shop floor' (any one arrangement)."""

ARRANGEMENT_WORDS = {
    "governance_table": "a regional governance table of UWV and all municipalities",
    "shared_vision": "a shared vision with joint goals",
    "market_plan": "a joint market plan",
    "fte_agreements": "agreed staff (FTE) for employer services",
    "subregion_single_contact": "one employer contact per subregion",
    "seat_sw_companies": "SW companies at the governance table",
    "seat_employer_organisations": "employer organisations at the governance table",
    "seat_regional_employers": "regional employers at the governance table",
    "seat_education": "education at the governance table",
    "seat_unions": "unions at the governance table",
    "tactical_meeting": "a tactical (management) meeting of UWV and the municipalities",
    "attuned_employer_approach": "an attuned joint approach of employers",
    "written_minimum_package": "a written minimum service package for employers",
    "joint_placement_targets": "joint placement targets",
    "shared_systems": "shared employer-contact systems (Sonar, WBS)",
    "monitors_employer_fit": "checking that candidates fit employers' demand",
    "joint_consultation": "joint consultation of UWV and the municipalities",
    "joint_projects": "joint projects",
    "joint_staff": "joint staff",
    "joint_preferred_employers": "a joint approach of preferred employers or sectors",
    "single_contact_person": "one contact person per employer",
    "single_phone_number": "one phone number for employers",
    "joint_website": "a joint website for employers",
    "joint_logo": "a joint logo",
    "subregional_wsp": "employer service points per subregion",
    "subregional_fte": "staff (FTE) agreements per subregion",
    "multiple_public_counters": "several public counters for employers",
    "regional_wsp": "one regional employer service point",
    "single_public_counter": "one public counter for employers",
    "demand_oriented": "demand-oriented service to employers",
    "outreach": "outreaching acquisition of vacancies",
}
"""The region era's arrangements (chainsim.core.arrangements) in plain words, for explanations."""


def arrangement_words(arrangement: str) -> str:
    """An arrangement's id in plain words (its id with spaces where no words are given)."""
    return ARRANGEMENT_WORDS.get(arrangement, arrangement.replace("_", " "))


@dataclass
class Blocker:
    """A member that would vote against the next step, and its largest reason."""

    name: str
    kind: str
    support: float
    reason: str          # the term that pulls support down most, as a mechanism
    terms: dict[str, float] = field(default_factory=dict)


@dataclass
class Explanation:
    region: str
    month: str
    stage: str
    cooperation_class: str
    levels: dict[str, bool]
    has: dict[str, list[str]]
    lacks: dict[str, list[str]]
    needed: list[str]                            # missing for the next stage (or, when coordinated, to deepen)
    pending: list[str]                           # agreed, not yet in practice (M13)
    next_steps: list[tuple[str, float]]          # eligible arrangements and expected support
    blockers: list[Blocker]
    leaders: list[str]
    weakest_ties: list[tuple[str, str, float]]
    mechanisms: list[str]
    sentences: list[str]

    def text(self) -> str:
        return " ".join(self.sentences)

    def as_dict(self) -> dict:
        from dataclasses import asdict
        return asdict(self)


DEEPEN_APPROACH = ["market_plan", "written_minimum_package", "regional_wsp", "demand_oriented"]
"""What a coordinated region could add to deepen its approach (the framework's further items). What the stage
rule (chainsim.core.measurement) asks before a region moves up is worked out by :func:`next_stage_words`."""


OPERATIONAL_LEVEL = ("joint_consultation", "joint_projects", "joint_staff")
"""The three arrangements that together make the operational level (chainsim.core.measurement)."""


ALTERNATIVE_NAMES = {OPERATIONAL_LEVEL: "the operational level"}
"""What an alternative of several arrangements, all needed together, is called in the explanation."""


def next_stage_asks(stage: str, in_force) -> list[tuple[str | None, list[tuple[str, ...]]]]:
    """What the stage rule (:func:`chainsim.core.measurement.classify_stage`) still asks before a region in
    ``stage`` moves up: every ask is needed, and is met by any one of its alternatives, each a group of
    arrangements all in force (``in_force(arrangement)`` says what the region has). An ask with alternatives
    carries its name. A coordinated region gets what would deepen its approach, each on its own."""
    def lacking(ids) -> list:
        return [(None, [(a,)]) for a in ids if not in_force(a)]

    if stage == "little":               # the governance table, and a second level
        asks = lacking(["governance_table"])
        if not (in_force("tactical_meeting") or all(map(in_force, OPERATIONAL_LEVEL))):
            asks.append(("a second level", [("tactical_meeting",), OPERATIONAL_LEVEL]))
        return asks
    if stage == "middle":               # every level, and a binding commitment
        asks = lacking(["governance_table", "tactical_meeting", *OPERATIONAL_LEVEL])
        if not (in_force("joint_placement_targets") or in_force("fte_agreements")):
            asks.append(("a binding commitment", [("joint_placement_targets",), ("fte_agreements",)]))
        return asks
    return lacking(DEEPEN_APPROACH)


def _first_needs(arrangement: str, in_force) -> list[str]:
    """The arrangements ``arrangement`` requires (the catalogue's ``requires``, in turn), not yet in force."""
    out: list[str] = []
    for r in ARRANGEMENTS[INDEX[arrangement]].requires:
        if not in_force(r):
            out += [a for a in [*_first_needs(r, in_force), r] if a not in out]
    return out


def next_stage_ids(stage: str, in_force) -> list[str]:
    """The candidates for the next step: every arrangement of every alternative of :func:`next_stage_asks`
    not yet in force, each after what it requires first."""
    out: list[str] = []
    for _, alternatives in next_stage_asks(stage, in_force):
        for group in alternatives:
            for a in group:
                if not in_force(a):
                    out += [b for b in [*_first_needs(a, in_force), a] if b not in out]
    return out


def next_stage_words(stage: str, in_force) -> list[str]:
    """:func:`next_stage_asks` in words, an ask per entry ("or" between alternatives); an arrangement that
    builds on one not in force and not asked for anyway says so."""
    asks = next_stage_asks(stage, in_force)
    asked = {group[0] for _, alternatives in asks for group in alternatives if len(group) == 1}

    def group_words(group: tuple[str, ...]) -> str:
        if len(group) > 1:
            names = [arrangement_words(a) for a in group]
            lacking = ", ".join(arrangement_words(a) for a in group if not in_force(a))
            return (f"{ALTERNATIVE_NAMES.get(group, 'these together')}, all of {', '.join(names[:-1])} "
                    f"and {names[-1]} (missing: {lacking})")
        first = [a for a in _first_needs(group[0], in_force) if a not in asked]
        builds = f" (which builds on {'; '.join(map(arrangement_words, first))}, not yet in force)" if first else ""
        return arrangement_words(group[0]) + builds

    return [f"{name}: " + ", or ".join(map(group_words, alternatives)) if name else group_words(alternatives[0])
            for name, alternatives in asks]


def explain(model, region: str | int, top: int = 3) -> Explanation:
    """Explain where ``region`` stands at the model's last simulated month."""
    rs, pop, ties = model.regions_state, model.population, model.graph.ties
    if isinstance(region, str):
        code = find_region(region).code if region not in rs.codes else region
        if code not in rs.codes:
            raise ValueError(f"region {region!r} is not simulated in this model")
        r = rs.codes.index(code)
    else:
        r = int(region)
    month = model.calendar.months[max(model.t - 1, 0)]
    items, levels, level_class, stage = measure(model)
    name = rs.names[r]
    applies = {part: [i for i in ids if rs.has_subregions[r] or not i.startswith("subregion_")]
               for part, ids in PARTS.items()}            # subregion items only where there are subregions
    has = {part: [i for i in ids if items[r, INDICATOR_INDEX[i]]] for part, ids in applies.items()}
    lacks = {part: [i for i in ids if not items[r, INDICATOR_INDEX[i]]] for part, ids in applies.items()}

    ok = eligible(model, (0, 1, 2))[r]
    score = expected_support(model)[r]
    pending = [ARRANGEMENTS[a].id for a in np.flatnonzero(rs.status[r] == 1)]
    needed = [a for a in next_stage_ids(STAGES[stage[r]], lambda a: rs.status[r, INDEX[a]] == IN_FORCE)
              if rs.status[r, INDEX[a]] == 0]             # agreed ones are listed as pending
    ready_needed = [INDEX[a] for a in needed if ok[INDEX[a]]]
    order = sorted(ready_needed, key=lambda a: -score[a]) or [a for a in np.argsort(-score) if ok[a]]
    next_steps = [(ARRANGEMENTS[a].id, float(score[a])) for a in order[:5]]

    members = np.flatnonzero((pop.region == r) & (model.tie_index.municipal & pop.participates
                                                  | model.tie_index.is_uwv))
    blockers: list[Blocker] = []
    leaders: list[str] = []
    if order:
        target = order[0]
        for row in members:
            agent = model.agent_by_row[row]
            terms = agent.support_terms(target)        # the members' own decision rule
            support = sum(terms.values())
            if support < 0:
                worst = min(terms, key=terms.get)
                blockers.append(Blocker(agent.name, type(agent).__name__, support, TERM_MECHANISM[worst], terms))
            elif support > 0.5:
                leaders.append(agent.name)
        blockers.sort(key=lambda b: b.support)
    out = np.flatnonzero((pop.region == r) & (pop.kind == Kind.MUNICIPALITY) & ~pop.participates)

    in_region = np.flatnonzero((ties.region == r) & (ties.kind >= 0))
    weakest = in_region[np.argsort(ties.trust[in_region])[:top]]
    weakest_ties = [(model.agent_by_row[ties.u[e]].name, model.agent_by_row[ties.v[e]].name, float(ties.trust[e]))
                    for e in weakest]

    mechanisms = list(dict.fromkeys(b.reason for b in blockers))
    diag_trust = float(rs.trust_uwv[r])
    sentences = [f"In {month}, {name} is in the '{STAGES[stage[r]]}' stage "
                 f"(Table 3.4: {LEVEL_CLASSES[level_class[r]].replace('_', ' ')}; cooperation on the "
                 + ", ".join(f"{LEVEL_NAMES[i]} level{LEVEL_READING.get(LEVEL_NAMES[i], '')} "
                             f"{'yes' if levels[r, i] else 'no'}" for i in range(3)) + ")."]
    n_has = sum(len(v) for v in has.values())
    n_all = n_has + sum(len(v) for v in lacks.values())
    missing = [ITEM_NAMES[i] for i in sum(lacks.values(), [])]
    sentences.append(f"It meets {n_has} of the {n_all} items of the Inspectorate's framework"
                     + (f"; it lacks {len(missing)}: {'; '.join(missing)}" if missing else "") + ".")
    asks = next_stage_words(STAGES[stage[r]], lambda a: rs.status[r, INDEX[a]] == IN_FORCE)   # needed, in words
    if asks and STAGES[stage[r]] != "coordinated":
        sentences.append(f"To move up a stage the stage rule still asks for {'; and '.join(asks)}.")
    elif asks:
        sentences.append(f"To deepen its approach it could add {'; '.join(asks[:4])}.")
    if pending:
        sentences.append(f"Agreed but not yet in practice (M13): {'; '.join(map(arrangement_words, pending))}.")
    if order:
        sentences.append(f"The most promising next step is {arrangement_words(ARRANGEMENTS[order[0]].id)} "
                         f"(expected support {score[order[0]]:+.2f}: the members' reasons for it minus those "
                         "against, as the centre estimates them; above 0 they lean towards yes).")
    if blockers:
        names = ", ".join(f"{b.name} ({b.reason})" for b in blockers[:top])
        sentences.append(f"{len(blockers)} member(s) would vote against it, most strongly {names}.")
    elif order:
        sentences.append("No member would vote against it; it waits for its turn on the agenda or for delivery.")
    if len(out):
        shown = ", ".join(model.agent_by_row[i].name for i in out[:top])
        more = f" and {len(out) - top} more" if len(out) > top else ""
        sentences.append(f"{len(out)} municipalit{'y stays' if len(out) == 1 else 'ies stay'} out of the "
                         f"regional table's decisions (M4, M12: {shown}{more}), so 'all municipalities take part' "
                         "is not met; the governance table itself counts as the Inspectorate counted it, as the "
                         "table of UWV and the region's municipalities.")
    sentences.append(f"Trust between UWV and the municipalities averages {diag_trust:.2f}; the weakest tie in the "
                     "region is "
                     f"{weakest_ties[0][0]} - {weakest_ties[0][1]} ({weakest_ties[0][2]:.2f})." if weakest_ties
                     else f"Trust between UWV and the municipalities averages {diag_trust:.2f}.")
    return Explanation(region=name, month=str(month), stage=STAGES[stage[r]],
                       cooperation_class=LEVEL_CLASSES[level_class[r]],
                       levels={LEVEL_NAMES[i]: bool(levels[r, i]) for i in range(3)}, has=has, lacks=lacks,
                       needed=needed, pending=pending, next_steps=next_steps, blockers=blockers, leaders=leaders, weakest_ties=weakest_ties,
                       mechanisms=mechanisms, sentences=sentences)


def explain_at(region: str, month: str | None = None, seed: int = 0, config=None,
               replication: int = 0) -> Explanation:
    """Run replication ``replication`` of ``seed`` up to ``month`` (default: the observation month) and explain
    ``region`` there. The replication is the same run that ``chainsim run --seed SEED`` records under that number."""
    from chainsim.core.calendar import Month
    from chainsim.model import ChainModel
    from chainsim.runner import RunConfig, replication_seeds

    config = config or RunConfig()
    if replication < 0:
        raise ValueError(f"replication must be 0 or more, got {replication}")
    seed_seq = replication_seeds(seed, replication + 1)[replication]
    until = config.calendar.index(Month.parse(month)) if month else config.calendar.observed_index
    model = ChainModel(config=config, rng=np.random.default_rng(seed_seq))
    for _ in range(until + 1):
        model.step()
    return explain(model, region)


__all__ = ["Blocker", "Explanation", "explain", "explain_at"]
