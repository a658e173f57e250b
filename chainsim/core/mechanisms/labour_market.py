"""A light labour market per region: jobseekers, placements, own targets, visible results (M1, M2, M11).

Stock-based and simple: it feeds rivalry and evidence, it is not a forecast.
Per region and month:

- three client groups, each an organisation's own (004 §4.2 quote: UWV is
  steered on WW, municipalities on assistance; SW companies on their staff):
  WW at UWV, assistance (bijstand) at the municipalities, SW staff at the SW
  companies -- stocks as an index (1 = a region of average labour market in
  January of the first year, per inhabitant);
- vacancies per jobseeker: the region's labour-market quality (004 App. 3)
  times the national business cycle;
- placements per jobseeker: a matching function of vacancies per jobseeker
  (``matching_elasticity``), raised where UWV and municipalities pool their
  vacancies and candidates (``pooling_gain`` x the pooled share of the
  region's arrangements; the scale argument of 003 "Voordelen": the more
  jobseekers and vacancies in one file, the higher the chance of a match),
  and more so where the region's SW companies act as partners and bring
  their employer contacts into the file (``sw_network_gain`` x the partner
  share; 004 §4.3: they know the market through their secondments),
  with month-to-month luck (``placement_luck``);
- own targets as numbers each organisation is judged on (M1): the national
  expectation for its group in this month's national market; the shortfall
  of its recent results against that target is what it fears for;
- visible results (M11): the placements that pooling adds, measured against
  the target -- "in that region placements tripled since they work
  together" (004 §4.5) is the kind of proof belief needs.

Flows: inflow into WW and assistance rises when the business cycle is low;
WW ends in work or by exhaustion, part of which flows into assistance (the
cost shifting of 003 "Kostenafwenteling", M14).

The client groups, their owners and rates are the era's
(:mod:`chainsim.core.client_groups`). In the werkplein era clients enter at
CWI's intake and most are handed over to the organisation that pays their
benefit; a share ``handover_loss`` of their placements is lost between the
organisations ("tussen wal en schip", 000 'Ketensamenwerking') unless
arrangements that bridge the handover are in force (the catalogue's
``bridging`` weights: one contact person, one counter, composed teams,
electronic messages, shared ICT -- "geen overdrachtsmomenten, één keer
gegevensuitvraag", 001 §1.3). The placements the bridges win back are a
visible result of cooperation, as the pooled placements are.
"""

from __future__ import annotations

import numpy as np

from chainsim.core.population import Kind
from chainsim.core.world import World

REFERENCE_RATIO = 0.5
"""Vacancies per jobseeker of an average labour market: the middle of the
three readings of 004 App. 3's signs (0.35, 0.5, 0.65; chainsim.core.regions)."""


def vacancy_ratio(world: World) -> np.ndarray:
    """Vacancies per jobseeker in each region this month."""
    return world.regions_state.tightness * world.calendar.drivers.business_cycle[world.t]


def matching(world: World, ratio: np.ndarray) -> np.ndarray:
    """Placement rate per jobseeker without pooling, regions x groups."""
    a = world.params.matching_elasticity
    return world.groups.placement[None, :] * (np.maximum(ratio, 0.0) / REFERENCE_RATIO)[:, None] ** a


def _share_of_weight(world: World, weights: np.ndarray) -> np.ndarray:
    """Per unit, the share of the catalogue's total ``weights`` in force (0 where nothing carries weight)."""
    total = float(weights.sum())
    if total == 0:          # an era whose arrangements carry none of this weight
        return np.zeros(world.regions_state.n)
    return (world.regions_state.in_force @ weights) / total


def pooled_share(world: World) -> np.ndarray:
    """Share of the catalogue's pooling of vacancies and candidates in force, per region (0-1)."""
    return _share_of_weight(world, world.catalogue.table.pooling)


def partner_sw_share(world: World) -> np.ndarray:
    """Share of each region's SW companies that act as partner (M8; 0 where a region has none)."""
    pop, n = world.population, world.regions_state.n
    sw = pop.kind == Kind.SW_COMPANY
    companies = np.bincount(pop.region[sw], minlength=n)
    partners = np.bincount(pop.region[sw], pop.partner[sw], n)
    return partners / np.maximum(companies, 1)


def bridged_share(world: World) -> np.ndarray:
    """Share of the catalogue's bridging of handovers in force, per unit (0-1; 0 where nothing bridges)."""
    return _share_of_weight(world, world.catalogue.table.bridging)


def handover_factor(world: World) -> tuple[np.ndarray, np.ndarray]:
    """The share of placements the handover leaves: per unit and group with this month's bridges, and per
    group without any (1 for groups nobody hands over)."""
    loss = world.params.handover_loss
    handed = world.groups.handed_over_in(world.calendar.months[world.t])
    with_bridges = np.where(handed[None, :], 1.0 - loss * (1.0 - bridged_share(world))[:, None], 1.0)
    return with_bridges, _unbridged(world)


def _unbridged(world: World) -> np.ndarray:
    """1 x groups: the share of placements the handover leaves where nothing bridges it (1 for groups
    nobody hands over this month)."""
    handed = world.groups.handed_over_in(world.calendar.months[world.t])
    return np.where(handed, 1.0 - world.params.handover_loss, 1.0)[None, :]


def start_labour_market(world: World) -> None:
    """Stocks in January of the first year: each region in balance with its own market."""
    rs = world.regions_state
    ratio = vacancy_ratio(world)
    rates = matching(world, ratio)
    exits = world.groups.other_exit
    inflow = (matching(world, np.array([REFERENCE_RATIO])) + exits)[0]
    rs.inflow_base[:] = inflow
    if world.groups.handed_over.any():
        rates = rates * handover_factor(world)[0]
    rs.jobseekers[:] = inflow[None, :] / (rates + exits[None, :])
    rs.jobseekers_start[:] = rs.jobseekers
    rs.placement_rate[:] = rates
    rs.recent_rate[:] = rates
    _judge(world, rates)
    rs.results[:] = 0.0


def _judge(world: World, recent: np.ndarray) -> np.ndarray:
    """Set this month's national targets and each region's shortfall against them (M1).

    The target is the placement rate of an average market without pooling,
    and, for a group handed over between organisations, with the handover as
    it is where nothing bridges it: targets were set on what the system
    placed, handovers included (estimate). A unit whose handovers are not
    bridged is therefore not short of its target for that reason alone; what
    bridges win back shows as placements above it.
    """
    rs = world.regions_state
    ratio = REFERENCE_RATIO * world.calendar.drivers.business_cycle[world.t]
    national = matching(world, np.array([ratio]))          # 1 x groups: the same target everywhere
    if world.groups.handed_over.any():
        national = national * _unbridged(world)        # the same for every unit: no bridged share needed
    rs.target_rate[:] = national[0]
    rs.shortfall[:] = np.clip(1.0 - recent / national, 0.0, 1.0)
    return national


def update_labour_market(world: World) -> None:
    """One month of flows, placements against targets, and the visible results of cooperation."""
    p, rs, t, d, g = world.params, world.regions_state, world.t, world.calendar.drivers, world.groups
    luck = world.streams.labour.normal(0.0, 1.0, (rs.n, len(g)), split=world.layout.regions)
    ratio = vacancy_ratio(world)
    unpooled = matching(world, ratio)
    pooled = pooled_share(world) if not world.off("M11") else np.zeros(rs.n)
    gain = p.pooling_gain * pooled * (1.0 + p.sw_network_gain * partner_sw_share(world))
    sigma = p.placement_luck
    # not a parameter: - sigma^2 / 2 makes the luck factor average 1 (a lognormal with mean 1)
    rates = unpooled * (1.0 + gain)[:, None] * np.exp(sigma * luck - 0.5 * sigma ** 2)
    handovers = bool(g.handed_over.any())
    if handovers:
        bridges, unbridged = handover_factor(world)
        rates = rates * bridges
    exits = g.other_exit
    rates = np.minimum(rates, 1.0 - exits[None, :])     # not a parameter: at most everyone leaves
    stock = rs.jobseekers
    placements = rates * stock
    other = exits[None, :] * stock
    inflow = rs.inflow_base[None, :] / max(d.business_cycle[t], 1e-9) * np.ones_like(stock)   # 1e-9: guard
    if g.closes_with_wsw is not None:
        k = g.closes_with_wsw
        inflow[:, k] = rs.inflow_base[k] * (1.0 - d.sw_transition[t])   # the Wsw closes (2015)
    inflow[:, g.assistance] += p.ww_to_assistance * other[:, g.ww]                 # M14
    rs.jobseekers[:] = np.maximum(stock + inflow - placements - other, 0.0)
    rs.placement_rate[:] = rates
    memory = 1.0 / p.results_memory_months
    rs.recent_rate += memory * (rates - rs.recent_rate)
    national = _judge(world, rs.recent_rate)
    # visible result of pooling: the placements made through the pooled file (the
    # share gain / (1 + gain) of all placements), per placement the target asks
    extra = rates * (gain / (1.0 + gain))[:, None] / national
    if handovers and not world.off("M11"):
        # and of bridging: the placements the bridges kept from falling between the organisations
        extra = extra + rates * (1.0 - unbridged / bridges) / (1.0 + gain)[:, None] / national
    weights = stock / np.maximum(stock.sum(axis=1, keepdims=True), 1e-12)   # 1e-12: guard
    seen = (extra * weights).sum(axis=1)
    rs.results += memory * (seen - rs.results)
