"""Initialisation: the organisations, their ties and the legacy of 2007-2011.

Builds, for the regions of a run, one agent per organisation, the network
of ties with initial trust, and the arrangements already in force in
January 2012. The state of 2012 carries the history of the werkplein era
(seeds 000-003): shop-floor consultation and shared staff where CWI, UWV and
municipalities worked in one building, subregional cooperation that
municipalities cherish (004 summary), and a tactical contact with UWV in
most regions. Everything not given by a source is drawn from the model's
random generator, so each replication is a different plausible 2012.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import numpy as np

from chainsim.core.arrangements import REGION_CATALOGUE, Catalogue
from chainsim.core.calendar import Calendar, Month
from chainsim.core.client_groups import REGION_GROUPS, ClientGroups
from chainsim.core.handover import Legacy
from chainsim.core.locations import LOCATION_SEPARATOR, region_of
from chainsim.core.mechanisms import labour_market
from chainsim.core.network import TieKind
from chainsim.core.parameters import TRAIT_SHAPES, Parameters
from chainsim.core.population import Kind
from chainsim.core.regions import RegionInfo, base_code, load_borders
from chainsim.core.state import IN_FORCE, RegionState
from chainsim.core.world import World

TRUST_OFFSET = {
    TieKind.CENTRE_MUNICIPALITY: 0.0,
    TieKind.UWV_MUNICIPALITY: -0.05,
    TieKind.SW_OWNER: 0.05,
    TieKind.EMPLOYER_CENTRE: -0.10,
    TieKind.EMPLOYER_UWV: -0.10,
    TieKind.SUBREGION_PEERS: 0.10,
    TieKind.BORDERING_CENTRES: 0.0,
    TieKind.COMMUTING_MUNICIPALITY: -0.10,
}
"""Offset of initial trust by kind of tie, added to ``trust_initial``
(estimates; M3): UWV starts a little lower (the werkplein history, 004 §4.2,
§4.6); SW companies and their owner municipalities a little higher (they
already work together in the SW company, 004 §4.3); municipalities of one
subregion higher (existing cooperation is cherished, 004 summary); employer
organisations lower (they keep their distance until the public parties
agree, 004 §4.4), and municipalities with the centre of a neighbouring region
they commute to lower (004 §4.1). A table per kind of tie, not a scalar."""

OWN_TARGET = {
    Kind.MUNICIPALITY: 0.6, Kind.CENTRE: 0.5, Kind.UWV: 0.8,
    Kind.SW_COMPANY: 0.7, Kind.EMPLOYER_ORGANISATION: 0.0,
}
"""Weight of own placement targets by kind of organisation (M1; estimates,
ordered by 004 §4.1-4.3): UWV is steered hardest on its national WW targets,
SW companies on their task targets, municipalities on their own assistance
clients (the centre a little less, as convenor); employer organisations have
none. A table per kind of organisation, not a scalar."""


def _from_middle(value):
    """How far a 0-1 region attribute lies above (+) or below (-) its middle."""
    return value - 0.5          # not a parameter: the middle of a 0-1 scale


def _beta_mean(rng: np.random.Generator, mean: float, concentration: float, size=None):
    """A Beta draw with the given mean and concentration (a + b)."""
    mean = min(max(mean, 0.02), 0.98)   # not a parameter: keeps both Beta shapes above zero
    return rng.beta(mean * concentration, (1 - mean) * concentration, size)


TRUST_OFFSET_BY_KIND = np.array([TRUST_OFFSET[k] for k in TieKind])


def _initial_trust(trust: np.ndarray) -> np.ndarray:
    """Initial trust kept off the ends of the scale."""
    # not a parameter: 0.05 and 0.95 keep a tie inside (0, 1), where the multiplicative
    # gains g(1 - trust) and losses l x trust of M3 can still move it
    return np.clip(trust, 0.05, 0.95)


def build_world(params: Parameters, calendar: Calendar, infos: tuple[RegionInfo, ...],
                rng: np.random.Generator, mechanisms_off: Iterable[str] = (),
                catalogue: Catalogue = REGION_CATALOGUE, history: Legacy | None = None,
                groups: ClientGroups = REGION_GROUPS) -> World:
    """The world of January of the calendar's first year for the regions ``infos``.

    Everything is drawn per region in a few calls (or for all regions at
    once) and the ties go straight into the world's arrays; the networkx
    graph is made only when someone asks for it (:attr:`World.graph`).
    With a ``history`` (the simulated werkplein era's end of 2011,
    :mod:`chainsim.core.handover`) the region starts from it where it says
    something, and from the same draws as without it everywhere else.
    """
    world = World(params, calendar, infos, rng, mechanisms_off, catalogue=catalogue, groups=groups)
    _draw_region_attributes(world, world.regions_state)
    row = 0
    for r, info in enumerate(infos):
        row = _create_region(world, r, info, row)
    _connect_regions(world, infos)
    if history is not None:
        _inherit(world, history)
    world.index_ties()
    _draw_legacy_arrangements(world, history)
    _schedule_availability(world)
    labour_market.start_labour_market(world)
    return world


def _given_or_drawn(given, drawn: np.ndarray) -> np.ndarray:
    """A source's value per region where it gives one, else the draw."""
    return np.array([drawn[r] if value is None else value for r, value in enumerate(given)], dtype=float)


def _draw_region_attributes(world: World, rs: RegionState) -> None:
    """Region-level traits that no source gives are drawn per replication (one call per trait)."""
    rng, cal, p, infos, n = world.rng, world.calendar, world.params, rs.infos, rs.n
    drawn = {trait: rng.beta(*TRAIT_SHAPES[trait], n)
             for trait in ("leadership_style", "strategic_skill", "employer_activism", "uwv_connector")}
    rs.leadership_style[:] = _given_or_drawn([i.leadership_style for i in infos], drawn["leadership_style"])
    rs.strategic_skill[:] = _given_or_drawn([i.strategic_skill for i in infos], drawn["strategic_skill"])
    rs.employer_activism[:] = _given_or_drawn([i.employer_activism for i in infos], drawn["employer_activism"])
    rs.alderman_continuity[:] = [bool(i.alderman_continuity) for i in infos]
    rs.uwv_connector[:] = drawn["uwv_connector"]
    # UWV's regional manager (governance) and its unit managers (tactical)
    # are different people, drawn independently (004 §3.1, §4.2).
    # Not a parameter: a standard normal for each of the 2 levels; uwv_person_spread scales it.
    rs.uwv_stance[:] = rng.normal(0.0, 1.0, (n, 2))
    # not a parameter: spreads the quarterly governance meetings (simulation.py) over months 0-2
    rs.meeting_offset[:] = rng.integers(0, 3, n)
    # UWV closes the region's local offices in one month of the window.
    window = np.flatnonzero(cal.drivers.closure_window[: cal.n_months] > 0)
    rs.closure_month[:] = rng.choice(window, n) if len(window) else -1
    offices = np.maximum(1, np.round(p.werkpleinen_per_municipality * rs.n_municipalities))
    rs.closure_severity[:] = (offices - 1) / offices


def _create_region(world: World, r: int, info: RegionInfo, row: int) -> int:
    """Organisations of one region and the ties between them; returns the next free row."""
    rng, p, pop, rs = world.rng, world.params, world.population, world.regions_state
    n = info.n_municipalities
    structure = 0.0 if world.off("M12") else 1.0      # the structural test: regions alike
    base_trust = (p.trust_initial + structure * p.trust_identity_effect * _from_middle(info.regional_identity)
                  + structure * p.trust_history_effect * _from_middle(info.joint_arrangement_history))

    # --- the organisations: municipalities (the centre first), UWV, SW companies, employers ---
    centre, uwv = row, row + n
    munis = np.arange(row, row + n)
    sw_rows = np.arange(uwv + 1, uwv + 1 + info.n_sw_companies)
    employer = uwv + 1 + info.n_sw_companies
    all_rows = np.arange(row, employer + 1)
    kinds = [Kind.CENTRE] + [Kind.MUNICIPALITY] * (n - 1) + [Kind.UWV] \
        + [Kind.SW_COMPANY] * info.n_sw_companies + [Kind.EMPLOYER_ORGANISATION]
    pop.kind[all_rows] = kinds
    pop.region[all_rows] = r
    pop.name[row: employer + 1] = (list(info.municipalities) + [f"UWV {info.name}"]
                                   + [f"SW company {k + 1} {info.name}" for k in range(info.n_sw_companies)]
                                   + [f"Employers {info.name}"])
    pop.own_target[all_rows] = [OWN_TARGET[k] for k in kinds]

    other_share = (1 - info.centre_population_share) / max(n - 1, 1)
    raw = other_share * rng.lognormal(0.0, p.municipality_size_spread, n - 1)
    sizes = np.concatenate([[info.centre_population_share],
                            raw * (1 - info.centre_population_share) / max(raw.sum(), 1e-12)])
    smallness = 1.0 - sizes / sizes.max()
    local_success = rng.beta(*TRAIT_SHAPES["local_success"], n)
    pop.size[munis] = sizes
    pop.local_success[munis] = local_success
    pop.autonomy_guard[munis] = np.clip(
        p.guard_base + p.guard_smallness * smallness + p.guard_local_success * local_success
        - p.guard_history * _from_middle(info.joint_arrangement_history),
        0.0, 1.0)
    pop.alderman_orientation[munis] = np.clip(
        rng.beta(*TRAIT_SHAPES["alderman_orientation"], n)
        + p.alderman_identity_effect * _from_middle(info.regional_identity), 0.0, 1.0)
    pop.alderman_strength[munis] = rng.beta(*TRAIT_SHAPES["alderman_strength"], n)
    pop.participates[munis] = True
    pop.uses_sonar[munis] = rng.random(n) < p.initial_sonar_share
    pop.uses_wbs[munis] = rng.random(n) < p.initial_wbs_share
    # subregions: the centre leads subregion 0; the others are split at random
    # (the real composition is not in the data).
    if info.n_subregions > 0:
        pop.subregion[centre] = 0
        for s, group in enumerate(np.array_split(rng.permutation(munis[1:]), info.n_subregions)):
            pop.subregion[group] = s
    # commuting municipalities feel the pull of a neighbouring region (M12)
    n_commuting = round(structure * info.commuting_out * (n - 1))
    commuters = rng.choice(munis[1:], size=n_commuting, replace=False) if n_commuting else munis[:0]
    pop.outside_orientation[commuters] = rng.uniform(p.commuter_orientation_min, p.commuter_orientation_max,
                                                     len(commuters))
    world.commuters.extend((int(c), info.code) for c in commuters)

    beliefs = np.clip(rng.normal(p.belief_initial
                                 + structure * p.belief_identity_effect * _from_middle(info.regional_identity),
                                 p.belief_spread, len(all_rows)), 0.0, 1.0)
    pop.belief_prior[all_rows] = beliefs
    pop.belief[all_rows] = beliefs
    pop.autonomy_guard[uwv] = p.uwv_autonomy_guard
    pop.uses_sonar[uwv] = pop.uses_wbs[uwv] = True
    rs.centre_row[r], rs.uwv_row[r], rs.employer_row[r] = centre, uwv, employer
    rs.n_organisations[r] = len(all_rows)

    # SW companies are owned by groups of municipalities, often along subregions (004 §3.1)
    n_sw = info.n_sw_companies
    pop.business_interest[sw_rows] = _beta_mean(rng, p.sw_business_interest, p.sw_interest_concentration, n_sw)
    pop.partner_offset[sw_rows] = rng.normal(0.0, p.sw_stance_spread, n_sw)
    owners = np.array_split(munis[np.lexsort((munis, pop.subregion[munis]))], n_sw) if n_sw else []
    owns = np.array([centre in group for group in owners], dtype=bool)
    pop.double_role[sw_rows] = owns & (rng.random(n_sw) < p.double_role_chance)

    # --- ties within the region, hubs first (chainsim.core.ties.TieIndex reads the member second) ---
    hubs: list[np.ndarray] = [np.full(n - 1, centre), np.full(n, uwv)]
    members: list[np.ndarray] = [munis[1:], munis]
    kinds_of_tie: list[np.ndarray] = [np.full(n - 1, TieKind.CENTRE_MUNICIPALITY), np.full(n, TieKind.UWV_MUNICIPALITY)]
    for sw, group in zip(sw_rows, owners):
        hubs.append(np.full(len(group), sw))
        members.append(group)
        kinds_of_tie.append(np.full(len(group), TieKind.SW_OWNER))
    hubs.append(np.array([employer, employer]))
    members.append(np.array([centre, uwv]))
    kinds_of_tie.append(np.array([TieKind.EMPLOYER_CENTRE, TieKind.EMPLOYER_UWV]))
    for s in range(info.n_subregions):
        # the centre already has a tie with every municipality
        peers = munis[1:][pop.subregion[munis[1:]] == s]
        a, b = _pairs(len(peers))
        hubs.append(peers[a])
        members.append(peers[b])
        kinds_of_tie.append(np.full(len(a), TieKind.SUBREGION_PEERS))
    _add_ties(world, np.concatenate(hubs), np.concatenate(members), np.concatenate(kinds_of_tie), r, base_trust)
    return employer + 1


@lru_cache(maxsize=64)    # not a parameter: how many subregion sizes to remember (more than occur)
def _pairs(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Every pair of n peers once (``np.triu_indices(n, 1)``), worked out once per size (read-only)."""
    a, b = np.triu_indices(n, 1)
    a.flags.writeable = b.flags.writeable = False
    return a, b


def _add_ties(world: World, u: np.ndarray, v: np.ndarray, kind: np.ndarray, region: np.ndarray | int,
              base_trust: float) -> None:
    """Ties with initial trust: the base, the kind's offset and a draw of ``trust_spread`` each."""
    p = world.params
    noise = world.rng.normal(0.0, p.trust_spread, len(u))
    world.ties.extend(u, v, kind, region, _initial_trust(base_trust + TRUST_OFFSET_BY_KIND[kind] + noise))


def _connect_regions(world: World, infos: tuple[RegionInfo, ...]) -> None:
    """Ties between units: bordering centres (hosts of locations in one region), commuting municipalities (M11, M12)."""
    rng, rs = world.rng, world.regions_state
    index = {info.code: r for r, info in enumerate(infos)}
    neighbours: dict[str, list[str]] = {code: [] for code in index}
    copies: dict[str, list[str]] = {}
    for code in index:
        copies.setdefault(base_code(code)[1], []).append(code)
    pairs = []
    for group in copies.values():          # real regions, or each synthetic copy on its own
        by_real = {base_code(code)[0]: code for code in group}
        for real_a, real_b in load_borders():
            if real_a in by_real and real_b in by_real:
                a, b = by_real[real_a], by_real[real_b]
                neighbours[a].append(b)
                neighbours[b].append(a)
                pairs.append((index[a], index[b]))
    # werkplein locations of one labour market region are neighbours (000 'Leren van elkaar')
    by_region: dict[str, list[str]] = {}
    for code in index:
        if LOCATION_SEPARATOR in code:
            by_region.setdefault(region_of(code), []).append(code)
    for group in by_region.values():
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                neighbours[a].append(b)
                neighbours[b].append(a)
                pairs.append((index[a], index[b]))
    pairs = np.array(pairs, dtype=np.int64).reshape(-1, 2)      # not a parameter: pairs of regions
    u, v = rs.centre_row[pairs[:, 0]], rs.centre_row[pairs[:, 1]]
    kind = np.full(len(pairs), TieKind.BORDERING_CENTRES)
    # each commuting municipality ties with the centre of one neighbouring region, drawn at random
    commuting = [(row, neighbours[code]) for row, code in world.commuters if neighbours[code]]
    pick = rng.random(len(commuting))
    targets = [index[near[int(x * len(near))]] for (_, near), x in zip(commuting, pick)]
    u = np.concatenate([u, np.array([row for row, _ in commuting], dtype=np.int64)])
    v = np.concatenate([v, rs.centre_row[np.array(targets, dtype=np.int64)]])
    kind = np.concatenate([kind, np.full(len(commuting), TieKind.COMMUTING_MUNICIPALITY)])
    _add_ties(world, u, v, kind, -1, world.params.trust_initial)
    world.neighbours = [[index[c] for c in neighbours[info.code]] for info in infos]


def _draw_legacy_arrangements(world: World, history: Legacy | None = None) -> None:
    """Arrangements already in force in January 2012 (the werkplein legacy).

    Each arrangement is in force with probability legacy x ((1 - w) + w x
    joint-arrangement history), w = ``legacy_history_share``, provided what
    it requires is in force too. The legacy chance is the one a passage
    gives (:data:`chainsim.core.arrangements.LEGACY`: 001 §4.3 for
    consultation, shared buildings, composed teams and counters) or, where
    the seeds give no share, ``legacy_common``; seats of partners outside the
    public chain (SW companies, employers) start empty. A ``history`` replaces
    the chance, per region, by the share of its locations that had the
    arrangement's counterpart in December 2011 (:mod:`chainsim.core.handover`);
    the draws stay the same.
    """
    rng, rs, p, cat = world.rng, world.regions_state, world.params, world.catalogue
    share = p.legacy_history_share
    handed = np.full((rs.n, len(cat)), np.nan)
    if history is not None:
        for r, code in enumerate(rs.codes):
            for i, chance in history.chances.get(code, {}).items():
                handed[r, i] = chance
    for i, a in enumerate(cat.arrangements):
        legacy = cat.table.legacy[i] if not np.isnan(cat.table.legacy[i]) else p.legacy_common
        chance = legacy * ((1.0 - share) + share * rs.history)
        given = ~np.isnan(handed[:, i])
        chance = np.where(given, handed[:, i], chance)
        ok = rng.random(rs.n) < chance
        if legacy <= 0 and not given.any():
            continue
        for req in a.requires:
            ok &= rs.status[:, cat.index[req]] == IN_FORCE
        if a.needs_subregions:
            ok &= rs.has_subregions
        if a.needs_sw_partner or a.needs_engaged_employers or a.available_from is not None:
            ok[:] = False
        rs.status[ok, i] = IN_FORCE


def _inherit(world: World, history: Legacy) -> None:
    """Belief and trust of the simulated end of 2011 replace the drawn ones where the history has them."""
    pop, rs, ties = world.population, world.regions_state, world.ties
    code = [rs.codes[r] for r in pop.region]
    for row in range(pop.n):
        kind = Kind(int(pop.kind[row]))
        if kind in (Kind.MUNICIPALITY, Kind.CENTRE):
            value = history.belief.get((code[row], pop.name[row]))
        elif kind == Kind.UWV:
            value = history.uwv_belief.get(code[row])
        else:
            continue
        if value is not None:
            pop.belief[row] = value
    lookup = {TieKind.UWV_MUNICIPALITY: history.trust_uwv, TieKind.CENTRE_MUNICIPALITY: history.trust_centre}
    for t in range(ties.n):
        given = lookup.get(TieKind(int(ties.kind[t])))
        if given is not None:
            m = int(ties.v[t])
            value = given.get((code[m], pop.name[m]))
            if value is not None:
                ties.trust[t] = value


def _schedule_availability(world: World) -> None:
    """Arrangements that cannot be proposed before a date (e.g. unions as social
    partners in a Werkbedrijf, prepared during 2014, 004 §3.1)."""
    rs, cal = world.regions_state, world.calendar
    for i, a in enumerate(world.catalogue.arrangements):
        if a.available_from is not None:
            first = Month.parse(a.available_from)
            rs.available_from[:, i] = max(0, first.minus(cal.start))
