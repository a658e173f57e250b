"""From agreement to practice (M13), and what delivery does to trust (M3).

An arrangement agreed at the table reaches the shop floor of UWV and every
municipality only after a delay that grows with the number of
organisations, each with its own steering layers (fewer where the
municipalities already steer as one), and with the attention they have
left; governance agreements take effect sooner than execution
(004 summary, §4.6). Delivery can fail. Success -- a "small win" -- builds
trust on the region's ties; failure costs more trust than success gains
(004 §4.2, §4.5; Ansell & Gash 2008).
"""

from __future__ import annotations

import math

import numpy as np

from chainsim.core.mechanisms.trust import NO_TIE_TRUST
from chainsim.core.network import TieKind
from chainsim.core.state import ABSENT, AGREED, IN_FORCE
from chainsim.core.ties import learn_from_record
from chainsim.core.world import World

LAG_BY_LEVEL = np.array([0.3, 0.8, 1.2])
"""Relative delay of governance, tactical and operational arrangements, as a
multiple of ``implementation_lag`` (estimate; 004 summary, §4.6: governance
agreements are made, their translation into the practice of UWV and every
municipality lags behind). A table per level, not a scalar."""

# 1024: not a parameter, the largest delay (months) the table of log k! covers
_LOG_FACTORIAL = np.array([math.lgamma(k + 1) for k in range(1024)])


def poisson_quantile(u: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """Smallest k with P(Poisson(mean) <= k) >= u: one uniform number per draw."""
    if len(u) == 0:
        return np.zeros(0, dtype=np.int64)
    # not a parameter: the mean + 12 standard deviations + 12 bounds the search (numerical device)
    top = int(min(1023, mean.max() + 12 * math.sqrt(mean.max()) + 12))
    k = np.arange(top + 1)
    log_pmf = (k[None, :] * np.log(np.maximum(mean, 1e-12))[:, None]       # 1e-12: log(0) guard
               - mean[:, None] - _LOG_FACTORIAL[: top + 1])
    cdf = np.cumsum(np.exp(log_pmf), axis=1)
    return np.minimum((cdf < u[:, None]).sum(axis=1), top).astype(np.int64)


def steering_layers(world: World) -> np.ndarray:
    """Per region, the steering layers an agreement passes on its way to practice (M13, M12).

    Every organisation that must implement is a layer of its own (004
    summary: "het grote aantal gemeenten en uitvoeringsorganisaties ...
    ieder met hun eigen sturingslagen"), except where the municipalities
    already steer as one: in a joint arrangement that gives the centre a
    mandate (004 footnote 10, §4.1: Helmond-De Peel) or through a platform
    where the aldermen endorse a direction together, "zodat het management
    en de uitvoering efficiënter kunnen samenwerken" (004 §4.5, Friesland's
    Vereniging van Friese Gemeenten). The municipalities then count as one
    layer, in proportion to the mandate (a lever can grant part of one). The
    platform has no formal status (004 §4.5), so it counts as
    ``platform_steering_share`` of a mandate.
    """
    rs = world.regions_state
    shared = np.maximum(rs.formal_mandate, world.params.platform_steering_share * rs.aldermen_platform)
    return rs.n_organisations - shared * (rs.n_municipalities - 1)


def schedule(world: World, regions: np.ndarray, arrangements: np.ndarray) -> None:
    """Mark arrangements as agreed and draw the month they reach practice.

    One uniform number per region is drawn at every call and turned into
    a Poisson delay by its inverse distribution function, so the stream
    advances the same way whatever was agreed (common random numbers).
    """
    tab = world.catalogue.table
    p, rs, pop = world.params, world.regions_state, world.population
    uniform = world.streams.delivery.random(rs.n, split=world.layout.regions)
    if len(regions) == 0:
        return
    turbulence = np.bincount(pop.region, pop.turbulence, rs.n) / np.maximum(rs.n_organisations, 1)
    mean_lag = (p.implementation_lag * LAG_BY_LEVEL[tab.level[arrangements]]
                * (1.0 + (not world.off("M12")) * p.lag_per_organisation * steering_layers(world)[regions])
                * (1.0 + turbulence[regions]))
    rs.status[regions, arrangements] = AGREED
    delay = poisson_quantile(uniform[regions], mean_lag)
    rs.due[regions, arrangements] = world.t if world.off("M13") else world.t + 1 + delay


def deliver(world: World) -> None:
    """Arrangements whose month has come are delivered, or fail.

    The chance of delivery is ``delivery_reliability``, lowered by the
    attention the region's organisations lost to turbulence (M15;
    ``delivery_turbulence_effect``) and by low trust between the parties
    that must deliver (M3; ``delivery_trust_share``).
    """
    tab = world.catalogue.table
    catalogue = world.catalogue.arrangements
    p, rs, pop = world.params, world.regions_state, world.population
    uniform = world.streams.delivery.random(rs.status.shape, split=world.layout.regions)
    due = (rs.status == AGREED) & (rs.due <= world.t)
    if not due.any():
        return
    regions, arrangements = np.nonzero(due)
    turbulence = np.bincount(pop.region, pop.turbulence, rs.n) / np.maximum(rs.n_organisations, 1)
    trust = np.where(tab.needs_uwv[arrangements], rs.trust_uwv[regions], rs.trust_centre[regions])
    trust = np.nan_to_num(trust, nan=NO_TIE_TRUST)
    share = p.delivery_trust_share
    chance = (p.delivery_reliability * (1.0 - p.delivery_turbulence_effect * turbulence[regions])
              * ((1.0 - share) + share * trust))
    if world.off("M13"):
        chance = np.ones(len(regions))
    success = uniform[regions, arrangements] < chance
    rs.status[regions[success], arrangements[success]] = IN_FORCE
    rs.status[regions[~success], arrangements[~success]] = ABSENT
    rs.due[regions, arrangements] = -1
    scale = p.delivery_trust_scale
    _trust_after_delivery(world, regions[success], scale * p.trust_success_gain, 0.0, arrangements[success])
    _trust_after_delivery(world, regions[~success], 0.0, scale * p.trust_failure_loss, arrangements[~success])
    if world.keeps_events:
        failed_r, failed_a = regions[~success], arrangements[~success]
        world.record_events("failed", [f"{rs.names[r]}: {catalogue[a].id} not delivered"
                                       for r, a in zip(failed_r.tolist(), failed_a.tolist())],
                            world.layout.of_region[failed_r])


LAPSE_BY_LEVEL = np.array([0.25, 0.5, 1.0])
"""Relative monthly lapse hazard of governance, tactical and operational
arrangements (estimate): written governance agreements last longest, the
shop floor's joint casework falls back first (001 §5.6; 004 §4.5
recommendations: clear agreements make cooperation less vulnerable). A table
per level, not a scalar."""


def lapse(world: World) -> None:
    """M13, M3: arrangements in force fall back when no driving force keeps them up.

    Without a driving force, organisations fall back into their own
    procedures (001 §5.6, on the end of the support structure in 2007), and
    rising caseloads crowd out joint casework (001 §5.6). Each month an
    arrangement in force lapses with chance ``lapse_rate`` x its level's
    factor (:data:`LAPSE_BY_LEVEL`) x (1 - the region's mean belief that
    cooperation pays) x (1 - trust between the parties that carry it) x
    (1 + attention lost to turbulence). A lapse is a drop: what rests on the
    arrangement goes with it, and trust suffers (:func:`drop`). The stream
    draws one number per region and arrangement every month.
    """
    tab = world.catalogue.table
    p, rs, pop = world.params, world.regions_state, world.population
    uniform = world.streams.delivery.random(rs.status.shape, split=world.layout.regions)
    if world.off("M13") or p.lapse_rate <= 0:
        return
    n_org = np.maximum(rs.n_organisations, 1)
    belief = np.bincount(pop.region, pop.belief, rs.n) / n_org
    turbulence = np.bincount(pop.region, pop.turbulence, rs.n) / n_org
    trust = np.where(tab.needs_uwv[None, :], np.nan_to_num(rs.trust_uwv, nan=NO_TIE_TRUST)[:, None],
                     np.nan_to_num(rs.trust_centre, nan=NO_TIE_TRUST)[:, None])
    hazard = (p.lapse_rate * LAPSE_BY_LEVEL[tab.level][None, :] * (1.0 - belief)[:, None] * (1.0 - trust)
              * (1.0 + turbulence)[:, None])
    drop(world, *np.nonzero(rs.in_force & (uniform < hazard)), "lapsed")


def drop(world: World, regions: np.ndarray, arrangements: np.ndarray, how: str = "dropped") -> None:
    """Drop arrangements in force, each with everything that requires it, one after another.

    ``regions`` and ``arrangements`` pair up; a pair whose arrangement is no
    longer in force (it went with something it rested on) is skipped. Each
    drop costs the region's ties ``drop_trust_share`` of what a failed
    delivery costs. The trust steps of all drops are made together at the
    end, which changes nothing: every drop moves a tie by the same amount
    and :func:`chainsim.core.ties.learn_from_record` applies a tie's repeated
    steps one after another, as separate calls would.
    """
    catalogue = world.catalogue.arrangements
    rs = world.regions_state
    roots = []
    for region, arrangement in zip(np.asarray(regions).tolist(), np.asarray(arrangements).tolist()):
        if rs.status[region, arrangement] != IN_FORCE:
            continue
        stack, dropped = [arrangement], []
        while stack:
            a = stack.pop()
            if rs.status[region, a] == ABSENT:
                continue
            rs.status[region, a] = ABSENT
            rs.due[region, a] = -1
            dropped.append(a)
            stack.extend(world.catalogue.dependants[a].tolist())
        roots.append((region, arrangement))
        if world.keeps_events:
            world.record_event(how, f"{rs.names[region]}: {', '.join(catalogue[a].id for a in dropped)}",
                               int(world.layout.of_region[region]))
    if roots:
        p = world.params
        done = np.array(roots, dtype=np.int64)
        _trust_after_delivery(world, done[:, 0], 0.0,
                              p.drop_trust_share * p.delivery_trust_scale * p.trust_failure_loss, done[:, 1])


def _trust_after_delivery(world: World, regions: np.ndarray, gain: float, loss: float,
                          arrangements: np.ndarray) -> None:
    """M3: a kept or broken commitment moves trust on the ties of the parties involved.

    The parties are the municipalities taking part in the region's table
    and, where the arrangement needs UWV, UWV: their ties with the centre
    (the table's agreement) and with UWV. Ties of municipalities that stay
    out are not touched. Each tie learns from its own record
    (:func:`chainsim.core.ties.learn_from_record`).
    """
    tab = world.catalogue.table
    if len(regions) == 0 or world.off("M3"):
        return
    ties, pop, ix = world.ties, world.population, world.tie_index
    needs_uwv = tab.needs_uwv[arrangements]
    damping = world.params.trust_record_damping
    for kind, involved in ((TieKind.CENTRE_MUNICIPALITY, np.ones(len(regions), dtype=bool)),
                           (TieKind.UWV_MUNICIPALITY, needs_uwv)):
        idx = ix.in_regions(kind, regions[involved])
        if len(idx) == 0:
            continue
        idx = idx[pop.participates[ties.v[idx]]]
        learn_from_record(ties.trust, ties.experience, idx, gain, loss, damping)
