"""From agreement to practice (M13), and what delivery does to trust (M3).

An arrangement agreed at the table reaches the shop floor of UWV and every
municipality only after a delay that grows with the number of
organisations, each with its own steering layers, and with the attention
they have left; governance agreements take effect sooner than execution
(004 summary, §4.6). Delivery can fail. Success -- a "small win" -- builds
trust on the region's ties; failure costs more trust than success gains
(004 §4.2, §4.5; Ansell & Gash 2008).
"""

from __future__ import annotations

import math

import numpy as np

from chainsim.core.arrangements import ARRANGEMENTS, TABLE
from chainsim.core.mechanisms.trust import NO_TIE_TRUST
from chainsim.core.network import TieKind
from chainsim.core.state import ABSENT, AGREED, IN_FORCE
from chainsim.core.ties import scale_ties
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


DEPENDANTS = [np.flatnonzero(TABLE.requires[:, a]) for a in range(len(ARRANGEMENTS))]


def schedule(world: World, regions: np.ndarray, arrangements: np.ndarray) -> None:
    """Mark arrangements as agreed and draw the month they reach practice.

    One uniform number per region is drawn at every call and turned into
    a Poisson delay by its inverse distribution function, so the stream
    advances the same way whatever was agreed (common random numbers).
    """
    p, rs, pop = world.params, world.regions_state, world.population
    uniform = world.streams.delivery.random(rs.n)
    if len(regions) == 0:
        return
    turbulence = np.bincount(pop.region, pop.turbulence, rs.n) / np.maximum(rs.n_organisations, 1)
    mean_lag = (p.implementation_lag * LAG_BY_LEVEL[TABLE.level[arrangements]]
                * (1.0 + (not world.off("M12")) * p.lag_per_organisation * rs.n_organisations[regions])
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
    p, rs, pop = world.params, world.regions_state, world.population
    uniform = world.streams.delivery.random(rs.status.shape)
    due = (rs.status == AGREED) & (rs.due <= world.t)
    if not due.any():
        return
    regions, arrangements = np.nonzero(due)
    turbulence = np.bincount(pop.region, pop.turbulence, rs.n) / np.maximum(rs.n_organisations, 1)
    trust = np.where(TABLE.needs_uwv[arrangements], rs.trust_uwv[regions], rs.trust_centre[regions])
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
    _trust_after_delivery(world, regions[success], scale * p.trust_success_gain, 0.0)
    _trust_after_delivery(world, regions[~success], 0.0, scale * p.trust_failure_loss)
    for r, a in zip(regions[~success], arrangements[~success]):
        world.record_event("failed", f"{rs.names[r]}: {ARRANGEMENTS[a].id} not delivered")


def drop(world: World, region: int, arrangement: int) -> None:
    """Drop an arrangement in force and everything that requires it.

    The region's ties lose ``drop_trust_share`` of what a failed delivery costs.
    """
    rs = world.regions_state
    stack, dropped = [arrangement], []
    while stack:
        a = stack.pop()
        if rs.status[region, a] == ABSENT:
            continue
        rs.status[region, a] = ABSENT
        rs.due[region, a] = -1
        dropped.append(a)
        stack.extend(DEPENDANTS[a].tolist())
    p = world.params
    _trust_after_delivery(world, np.array([region]), 0.0,
                          p.drop_trust_share * p.delivery_trust_scale * p.trust_failure_loss)
    world.record_event("dropped", f"{rs.names[region]}: {', '.join(ARRANGEMENTS[a].id for a in dropped)}")


def _trust_after_delivery(world: World, regions: np.ndarray, gain: float, loss: float) -> None:
    """M3: success builds, failure breaks trust on the region's centre and UWV ties."""
    if len(regions) == 0 or world.off("M3"):
        return
    ties = world.graph.ties
    counts = np.bincount(regions, None, world.regions_state.n)
    for kind in (TieKind.CENTRE_MUNICIPALITY, TieKind.UWV_MUNICIPALITY):
        idx = world.tie_index.by_kind[kind]
        times = counts[ties.region[idx]]
        hit = times > 0
        # several deliveries in one month compound
        scale_ties(ties.trust, idx[hit], 1.0 - (1.0 - gain) ** times[hit],
                   1.0 - (1.0 - loss) ** times[hit])
