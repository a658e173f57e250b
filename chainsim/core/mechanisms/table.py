"""The regional table: what the centre proposes and how the members decide.

The centre municipality convenes the region (M5). At each meeting it puts
one arrangement on the agenda; every member weighs it and votes. A member's
support adds up what the seeds name as reasons to cooperate and subtracts
the reasons not to (MODEL_SKETCH "The regional table"):

    support = belief that cooperation pays (M11)
            + trust in the centre and UWV (M3)
            + persuasion by a skilled centre, through trust in it, helped
              by an ally; UWV too, through its tie with the centre (M5)
            + the alderman's regional orientation (M6)
            + outside pressure, weighed by level (M10)
            + governance agreements that mandate execution (M13)
            - the arrangement's effort
            - say given up x how much the member guards its say (M4)
            - rivalry touched x own-target rivalry felt (M1, M14)
              x (1.5 - trust): trusted partners fear less for their own
              placements, which is why pooled targets need trust (M2)
            - attention lost to turbulence (M15)
            - for UWV: room needed in its national frame (M7)
            + for UWV: how far its representative at this level invests
              in the region -- the regional manager at the governance
              table, unit managers at the tactical level (M7)
            + noise

An arrangement is agreed when UWV consents (if it takes part), the centre
supports it, and enough participating municipalities do (the quorum; a
simple majority where a joint arrangement gives the centre a mandate).
"""

from __future__ import annotations

import numpy as np

from chainsim.core import jit
from chainsim.core.arrangements import GOVERNANCE, OPERATIONAL, TACTICAL
from chainsim.core.mechanisms import compiled, execution, labour_market, leadership
from chainsim.core.mechanisms.trust import NO_TIE_TRUST
from chainsim.core.state import ABSENT
from chainsim.core.world import World

PRESSURE_BY_LEVEL = np.array([1.0, 0.6, 0.35])
"""Outside pressure catalyses governance agreements more than execution
(004 §4.6; the values are estimates): its weight on governance, tactical and
operational proposals. A table per level, not a scalar."""

FEAR_WITHOUT_TRUST = 1.5
"""M2: the rivalry term is multiplied by (FEAR_WITHOUT_TRUST - trust at the
table), 1.5 with no trust and 0.5 with full trust: trusted partners fear less
for their own placements (estimate; 004 §4.2: "you have to trust each other",
or you see each other as competitors). A named constant, not yet a parameter,
because ``Organisation.support_terms`` in chainsim.agents states the same rule
with the same number and a test holds the two equal for any parameter values."""

MANDATE_SAY_RELIEF = 0.5
"""M4: a full formal mandate (a joint arrangement, WGR) lowers the say a
member gives up per arrangement by this share (estimate; 004 footnote 10:
Helmond-De Peel, where the municipalities already worked in a joint
arrangement). A named constant, not yet a parameter, for the same reason as
``FEAR_WITHOUT_TRUST`` (chainsim.agents states the same rule)."""

def mandate(world: World) -> np.ndarray:
    """Share of the governance agreements that mandate execution in force, per region (M13)."""
    if world.off("M13"):
        return np.zeros(world.regions_state.n)
    return world.catalogue.share_in_force(world.regions_state.in_force, "mandates")


def _on(world: World, mechanism: str) -> float:
    """1 when a mechanism is on, 0 when the structural test switched it off."""
    return 0.0 if world.off(mechanism) else 1.0


def uwv_representative(world: World, regions: np.ndarray, level: np.ndarray) -> np.ndarray:
    """M7: how far UWV's representative at a level invests in the region.

    UWV sits at the governance table through its regional manager and at the
    tactical level through unit managers: different people, whose personal
    commitment differs between regions (004 §4.2: "the individual UWV
    manager has a large influence"). Because they are drawn independently,
    the regions where UWV stays away from the governance table are mostly
    not the regions where it stays away at the tactical level (004 §3.1).
    The shop floor has no such single representative (0 there): operational
    cooperation exists in all regions but one (004 §3.1).
    """
    if world.off("M7"):
        return np.zeros(np.broadcast(regions, level).shape)
    stance = world.regions_state.uwv_stance
    per_level = np.where(level < OPERATIONAL, stance[regions, np.minimum(level, TACTICAL)], 0.0)
    return world.params.uwv_person_spread * per_level


def _fear_factor(world: World, trust):
    """M2: trusted partners fear less for their own placements (1.5 - trust); 1 without M2."""
    return 1.0 if world.off("M2") else FEAR_WITHOUT_TRUST - trust


def eligible(world: World, levels: tuple[int, ...]) -> np.ndarray:
    """(regions x arrangements): absent, prerequisites in force, needs met, at these levels."""
    tab = world.catalogue.table
    rs, pop = world.regions_state, world.population
    in_force = rs.in_force
    # prerequisites not in force, counted by a float product (BLAS; exact for counts this small)
    missing = (~in_force).astype(float) @ world.catalogue.requires_t
    ok = (rs.status == ABSENT) & (missing == 0) & (rs.shelved_until < world.t)
    ok &= np.isin(tab.level, levels)[None, :]
    ok &= ~(tab.needs_subregions[None, :] & ~rs.has_subregions[:, None])
    has_partner = labour_market.partner_sw_share(world) > 0
    ok &= ~(tab.needs_sw_partner[None, :] & ~has_partner[:, None])
    engaged = pop.engaged[rs.employer_row]
    ok &= ~(tab.needs_engaged_employers[None, :] & ~engaged[:, None])
    ok &= rs.available & (rs.available_from <= world.t)
    return ok


UWV_ANTICIPATION = 0.5
"""How far the convenor, estimating the table's support, weighs UWV's
national frame for an arrangement UWV must consent to (estimate; 004 §4.2:
UWV decides within national room, which a convenor learns to expect). A
named constant, not yet a parameter, because tests/test_decision_rule.py
restates the convenor's estimate with this constant for any parameter values."""

TERMS = ("belief", "trust", "pressure", "mandate", "say", "rivalry", "turbulence", "effort",
         "leadership", "alderman", "central_steering", "representative")
"""The reasons for and against an arrangement, in the order they are added up."""


def support_terms(world: World, arrangement: np.ndarray, sunk_effort: bool = False) -> dict[str, np.ndarray]:
    """The decision rule, for every organisation at once: each term of its support.

    ``arrangement`` gives, per organisation (first axis = population rows),
    the arrangement it weighs: one per row, or a row of several (rows x k).
    Terms that do not apply to an organisation are 0: persuasion by the
    centre (M5) applies to the other municipalities (through their trust in
    it, helped by its ally) and to UWV (through the UWV-centre tie), the alderman (M6) to
    all municipalities, UWV's national frame and its representative (M7) to
    UWV. With ``sunk_effort`` the effort term is 0 (a review of an
    arrangement already in force). The per-organisation statement of the
    same rule is ``Organisation.support_terms`` in :mod:`chainsim.agents`;
    a test holds the two equal.
    """
    tab = world.catalogue.table
    p, pop, rs, ix = world.params, world.population, world.regions_state, world.tie_index
    a = np.maximum(arrangement, 0)
    extra = (1,) * (a.ndim - 1)

    def row(values: np.ndarray) -> np.ndarray:      # a per-row value, broadcast over a row's arrangements
        return values.reshape(values.shape + extra)

    r = pop.region
    level = tab.level[a]
    trust = row(world.trust.at_table)
    in_centre = np.nan_to_num(world.trust.in_centre, nan=NO_TIE_TRUST)
    zero = np.zeros(a.shape)
    municipal, others = row(ix.municipal), row(ix.municipal & ~ix.is_centre)
    regional = 2.0 * pop.alderman_orientation - 1.0    # not a parameter: 0-1 read as -1 (local) to 1 (regional)
    return {
        "belief": p.weight_belief * row(pop.belief) + zero,
        "trust": p.weight_trust * trust + zero,
        "pressure": p.weight_pressure * row(rs.pressure[r]) * PRESSURE_BY_LEVEL[level],
        "mandate": p.weight_mandate * row(mandate(world)[r]) * (level != GOVERNANCE),
        "say": -(_on(world, "M4") * p.weight_autonomy * tab.say_cost[a] * row(pop.autonomy_guard)
                 * row(1.0 - MANDATE_SAY_RELIEF * rs.formal_mandate[r])),
        "rivalry": -(p.weight_rivalry * tab.rivalry[a] * row(pop.rivalry) * _fear_factor(world, trust)),
        "turbulence": -p.weight_turbulence * row(pop.turbulence) + zero,
        "effort": zero if sunk_effort else -(p.effort_scale * rs.effort_factor[row(r), a] * tab.effort[a]),
        "leadership": _on(world, "M5") * p.weight_leadership * (
            np.where(others, row(rs.strategic_skill[r]) * row(in_centre) + p.ally_weight * row(rs.allies[r]), 0.0)
            + np.where(row(ix.is_uwv), row(rs.strategic_skill[r]) * row(world.trust.uwv_centre[r]), 0.0)),
        "alderman": np.where(municipal, _on(world, "M6") * p.weight_alderman * row(pop.alderman_strength)
                             * row(regional), 0.0),
        "central_steering": np.where(row(ix.is_uwv), -(_on(world, "M7") * p.uwv_central_steering
                                                       * tab.central_room[a]), 0.0),
        "representative": np.where(row(ix.is_uwv), uwv_representative(world, row(r), level), 0.0),
    }


def total_support(terms: dict[str, np.ndarray]) -> np.ndarray:
    """The terms added up in the order of :data:`TERMS`."""
    total = terms[TERMS[0]]
    for name in TERMS[1:]:
        total = total + terms[name]
    return total


def _coefficients(world: World) -> tuple[np.ndarray, np.ndarray]:
    """The rule's numbers and switches as the compiled loops take them (see :mod:`compiled`)."""
    p = world.params
    coef = np.array([p.weight_belief, p.weight_trust, p.weight_pressure, p.weight_mandate,
                     _on(world, "M4") * p.weight_autonomy, p.weight_rivalry, p.weight_turbulence, p.effort_scale,
                     _on(world, "M5") * p.weight_leadership, p.ally_weight, _on(world, "M6") * p.weight_alderman,
                     _on(world, "M7") * p.uwv_central_steering, p.uwv_person_spread, FEAR_WITHOUT_TRUST,
                     MANDATE_SAY_RELIEF, NO_TIE_TRUST, _on(world, "M7") * UWV_ANTICIPATION], dtype=np.float64)
    flags = np.array([not world.off("M2"), not world.off("M7"), False, GOVERNANCE, TACTICAL, OPERATIONAL],
                     dtype=np.int64)
    return coef, flags


def expected_support(world: World) -> np.ndarray:
    """(regions x arrangements): the convenor's estimate of the table's support.

    The mean, over the municipalities taking part, of their support by the
    members' own rule (:func:`support_terms`, without noise), for every
    arrangement; where UWV must consent, the convenor also weighs UWV's
    national frame (:data:`UWV_ANTICIPATION`).

    Every term of the rule is a member's own value times a factor of the
    arrangement (plus parts that are the same for the whole region), so the
    mean over the members is computed from the members' mean values per
    region -- regions x arrangements numbers instead of members x
    arrangements. ``tests/test_decision_rule.py`` holds it equal to the mean
    of every member's own ``support_terms``.
    """
    tab = world.catalogue.table
    p, pop, rs, ix = world.params, world.population, world.regions_state, world.tie_index
    members = ix.municipal & pop.participates
    if jit.KERNELS == "numba":
        coef, flags = _coefficients(world)
        uwv = p.uwv_central_steering * tab.central_room * tab.needs_uwv
        return compiled.expected_support(
            pop.region, members, pop.belief, world.trust.at_table, pop.autonomy_guard, pop.rivalry,
            pop.turbulence, world.trust.in_centre, pop.alderman_strength, pop.alderman_orientation,
            ix.is_centre, rs.n, rs.pressure, mandate(world), rs.formal_mandate, rs.effort_factor,
            rs.strategic_skill, rs.allies, tab.level, tab.say_cost, tab.rivalry, tab.effort, uwv,
            PRESSURE_BY_LEVEL, coef, flags)
    region = pop.region[members]
    count = np.bincount(region, None, rs.n)

    def mean(values) -> np.ndarray:          # per region: the mean over its members
        return np.bincount(region, np.broadcast_to(values, members.shape)[members], rs.n) / np.maximum(count, 1)

    trust = world.trust.at_table
    in_centre = np.nan_to_num(world.trust.in_centre, nan=NO_TIE_TRUST)
    regional = 2.0 * pop.alderman_orientation - 1.0    # not a parameter: as in support_terms
    own = (p.weight_belief * mean(pop.belief) + p.weight_trust * mean(trust)
           - p.weight_turbulence * mean(pop.turbulence)
           + _on(world, "M5") * p.weight_leadership * (rs.strategic_skill * mean(in_centre * ~ix.is_centre)
                                                       + p.ally_weight * rs.allies * mean(~ix.is_centre))
           + _on(world, "M6") * p.weight_alderman * mean(pop.alderman_strength * regional))
    level = tab.level
    estimate = (own[:, None]
                + p.weight_pressure * rs.pressure[:, None] * PRESSURE_BY_LEVEL[level][None, :]
                + p.weight_mandate * mandate(world)[:, None] * (level != GOVERNANCE)[None, :]
                - (_on(world, "M4") * p.weight_autonomy * tab.say_cost[None, :] * mean(pop.autonomy_guard)[:, None]
                   * (1.0 - MANDATE_SAY_RELIEF * rs.formal_mandate)[:, None])
                - p.weight_rivalry * tab.rivalry[None, :] * mean(pop.rivalry * _fear_factor(world, trust))[:, None]
                - p.effort_scale * rs.effort_factor * tab.effort[None, :])
    estimate = np.where(count[:, None] > 0, estimate, 0.0)
    uwv = p.uwv_central_steering * tab.central_room * tab.needs_uwv
    return estimate - _on(world, "M7") * UWV_ANTICIPATION * uwv[None, :]


def choose_proposals(world: World, levels: tuple[int, ...], regions: np.ndarray) -> np.ndarray:
    """M5, M10: the arrangement each convening centre puts on the agenda (-1: none).

    A facilitating, strategic centre looks for openings -- the points people
    can agree on -- and brings shared ambitions forward (004 summary: "only
    persons with a strong vision who connect partial interests"): of the
    arrangements its members look ready for (expected support above zero)
    it proposes the most ambitious, and when none is ready, the one closest
    to it. A
    dominating centre pushes the most ambitious arrangement whether or not
    the members are ready, which is how the 'big brother' reflex is provoked
    (004 summary, §4.1, §4.5); chance blurs what it finds most ambitious
    (``ambition_jitter``). The style is the chance of acting
    facilitatively at a given meeting. When
    the 2015 deadline nears, arrangements the law requires are put on the
    agenda with a chance that grows with the deadline's pressure (004 §2.1;
    ``deadline_agenda_chance`` x deadline shape).
    """
    tab = world.catalogue.table
    rs, rng, t, p = world.regions_state, world.streams.agenda, world.t, world.params
    ok = eligible(world, levels) & regions[:, None]
    split = world.layout.regions
    jitter = rng.random(ok.shape, split=split)
    style_draw, law_draw = rng.random(rs.n, split=split), rng.random(rs.n, split=split)
    if not ok.any():
        # nothing eligible anywhere: as below, a region without an eligible item proposes nothing
        rs.facilitating[regions] = (style_draw < rs.leadership_style)[regions] & (not world.off("M5"))
        return np.full(rs.n, -1)
    score = expected_support(world)
    facilitating = style_draw < rs.leadership_style
    deadline = np.maximum(world.calendar.drivers.deadline[t], rs.deadline_push) * (not world.off("M10"))
    law_calls = law_draw < p.deadline_agenda_chance * deadline
    if jit.KERNELS == "numba":
        choice = compiled.proposals(ok, score, tab.effort, jitter, p.ambition_jitter, facilitating,
                                    not world.off("M5"), tab.deadline, law_calls)
    else:
        choice = _proposals(ok, score, tab.effort, jitter, p.ambition_jitter, facilitating, not world.off("M5"),
                            tab.deadline, law_calls)
    if world.off("M5"):
        facilitating = np.zeros(rs.n, dtype=bool)
    rs.facilitating[regions] = facilitating[regions]
    return choice


def _proposals(ok: np.ndarray, score: np.ndarray, effort: np.ndarray, jitter: np.ndarray, ambition_jitter: float,
               facilitating: np.ndarray, strategy: bool, deadline: np.ndarray, law_calls: np.ndarray) -> np.ndarray:
    """Per region, the arrangement the convenor proposes (-1: none), from what is eligible (``ok``), the
    estimate ``score``, the style of this meeting and whether the law puts a deadline item first
    (:func:`choose_proposals`; ``compiled.proposals`` is the same as one loop)."""
    ambition = effort[None, :] + ambition_jitter * jitter
    boldest = np.where(ok, ambition, -np.inf).argmax(axis=1)
    ripe = ok & (score > 0)
    strategic = np.where(ripe, ambition, -np.inf).argmax(axis=1)
    ripest = np.where(ok, score, -np.inf).argmax(axis=1)
    choice = np.where(facilitating, np.where(ripe.any(axis=1), strategic, ripest), boldest)
    if not strategy:                    # no convenor's strategy (M5 off): any eligible item, at random
        choice = np.where(ok, jitter, -np.inf).argmax(axis=1)
    deadline_ok = ok & deadline[None, :]
    forced = deadline_ok.any(axis=1) & law_calls
    by_law = np.where(deadline_ok, score, -np.inf).argmax(axis=1)
    choice = np.where(forced, by_law, choice)
    return np.where(ok.any(axis=1), choice, -1)


def member_support(world: World, proposal: np.ndarray, sunk_effort: bool = False,
                   noise: bool = True) -> np.ndarray:
    """Support of every organisation for the arrangement on its region's table.

    ``proposal`` gives the arrangement per region (-1: none); rows of regions
    without one get NaN. With ``sunk_effort`` the effort term is left out
    (used when members review an arrangement already in force); without
    ``noise`` the systematic part alone is returned (for explanations).
    """
    p, pop = world.params, world.population
    a_of_row = proposal[pop.region]
    if jit.KERNELS == "numba":
        s = _compiled_support(world, a_of_row, sunk_effort)
    else:
        s = total_support(support_terms(world, a_of_row, sunk_effort))
    if noise:
        s = s + world.streams.decisions.normal(0.0, p.decision_noise, pop.n, split=world.layout.organisations)
    return np.where(a_of_row >= 0, s, np.nan)


def _compiled_support(world: World, a_of_row: np.ndarray, sunk_effort: bool) -> np.ndarray:
    """``total_support(support_terms(...))`` for one arrangement per row, by the compiled loop."""
    tab = world.catalogue.table
    pop, rs, ix = world.population, world.regions_state, world.tie_index
    coef, flags = _coefficients(world)
    flags[2] = sunk_effort              # not a parameter: its position in ``flags``
    return compiled.member_support_total(
        a_of_row, pop.region, pop.belief, world.trust.at_table, pop.autonomy_guard, pop.rivalry,
        pop.turbulence, world.trust.in_centre, pop.alderman_strength, pop.alderman_orientation,
        ix.municipal, ix.municipal & ~ix.is_centre, ix.is_uwv, rs.pressure, mandate(world),
        rs.formal_mandate, rs.effort_factor, rs.strategic_skill, rs.allies, world.trust.uwv_centre,
        rs.uwv_stance, tab.level, tab.say_cost, tab.rivalry, tab.effort, tab.central_room,
        PRESSURE_BY_LEVEL, coef, flags)


def tally(world: World, proposal: np.ndarray, support: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per region: whether the proposal is carried, and the share of municipalities in favour."""
    share, against = consent(world, proposal, support)
    return _carried(proposal, against), share


def _carried(proposal: np.ndarray, against: dict[str, np.ndarray]) -> np.ndarray:
    """A proposal is carried where there is one and nobody withholds consent."""
    return (proposal >= 0) & ~against["UWV"] & ~against["the centre"] & ~against["the municipalities"]


def consent(world: World, proposal: np.ndarray, support: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Per region: the share of municipalities in favour, and who withholds consent.

    A proposal needs UWV (if it takes part), the centre and a quorum of the
    participating municipalities; ``against`` says per region which of the
    three withheld it (UWV, the centre, the municipalities: too few in favour).
    """
    tab = world.catalogue.table
    p, pop, rs = world.params, world.population, world.regions_state
    a = np.where(proposal >= 0, proposal, 0)
    voters = world.tie_index.municipal & pop.participates
    yes = voters & (support > 0)
    n_voters = np.bincount(pop.region[voters], None, rs.n)
    share = np.bincount(pop.region[yes], None, rs.n) / np.maximum(n_voters, 1)
    # a mandate (joint arrangement, 004 footnote 10) moves the quorum towards a simple majority;
    # not a parameter: 0.5 is a simple majority and 1.0 everyone (definitions)
    quorum = p.municipal_quorum - (p.municipal_quorum - 0.5) * rs.formal_mandate
    quorum = np.where(tab.consensus[a], 1.0, quorum)
    return share, {"UWV": tab.needs_uwv[a] & ~(support[rs.uwv_row] > 0),
                   "the centre": ~(support[rs.centre_row] > 0),
                   "the municipalities": share < quorum}


def hold_meeting(world: World, levels: tuple[int, ...], regions: np.ndarray) -> np.ndarray:
    """One round of the regional tables: propose, weigh, vote, agree (M5, M1-M4, M6, M10, M11).

    Returns the regions that agreed something. An agreed arrangement is not
    yet practice: it waits for implementation (M13, :mod:`execution`).
    """
    rs = world.regions_state
    proposal = choose_proposals(world, levels, regions)
    support = member_support(world, proposal)
    share, against = consent(world, proposal, support)
    carried = _carried(proposal, against)
    rs.last_vote_share[proposal >= 0] = share[proposal >= 0]
    rs.proposal[:] = proposal
    rejected = np.flatnonzero((proposal >= 0) & ~carried)
    _record_rejections(world, proposal, against, rejected)
    rs.shelved_until[rejected, proposal[rejected]] = world.t + round(world.params.shelf_months)
    execution.schedule(world, np.flatnonzero(carried), proposal[carried])
    if GOVERNANCE in levels:
        leadership.after_the_vote(world, proposal, support, carried, regions)
    return carried


def _record_rejections(world: World, proposal: np.ndarray, against: dict[str, np.ndarray],
                       rejected: np.ndarray) -> None:
    """An event per proposal not agreed, saying who withheld consent (``against``, from :func:`consent`)."""
    if len(rejected) == 0 or not world.keeps_events:
        return
    names, catalogue = world.regions_state.names, world.catalogue.arrangements
    texts = [f"{names[r]}: {catalogue[proposal[r]].id} not agreed; against: "
             + ", ".join(who for who, no in against.items() if no[r]) for r in rejected.tolist()]
    world.record_events("rejected", texts, world.layout.of_region[rejected])


def review_arrangements(world: World, regions: np.ndarray) -> None:
    """M3, M4: at a governance meeting the table reviews one arrangement in force.

    If too few members still support it (their trust or belief has eroded,
    their rivalry grown), the region drops it, with everything that rests on
    it; members who had invested in it lose some trust (004 §4.2: agreements
    not kept). Arrangements are not given up lightly: the effort already
    made is sunk.
    """
    rs, rng, p = world.regions_state, world.streams.agenda, world.params
    in_force = rs.in_force & regions[:, None]
    pick = np.where(in_force, rng.random(in_force.shape, split=world.layout.regions), -1.0).argmax(axis=1)
    proposal = np.where(in_force.any(axis=1), pick, -1)
    support = member_support(world, proposal, sunk_effort=True)
    _, share = tally(world, proposal, support)
    dropped = np.flatnonzero((proposal >= 0) & (share < p.drop_share))
    execution.drop(world, dropped, proposal[dropped])
