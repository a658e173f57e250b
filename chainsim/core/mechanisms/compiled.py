"""The decision rule's two hottest sums and the convenor's choice, compiled with numba.

:mod:`chainsim.core.mechanisms.table` states the decision rule once, in
readable numpy (``support_terms``, ``expected_support``); that version is
the reference the documentation describes and the tests check against the
per-agent rule of :mod:`chainsim.agents`. On the arrays of a batch the
numpy version builds some forty temporary arrays per call; the loops here
compute the same sums element by element in one pass, with the same
operations in the same order, so that the result is the same to the last
bit (``tests/test_compiled.py`` holds them equal for any parameter values,
with and without each mechanism). ``proposals`` does the same for the
convenor's choice (``table._proposals``).

Which version runs is chosen once per process by ``CHAINSIM_KERNELS``
(:data:`chainsim.core.jit.KERNELS`): ``numba`` (the default where numba
imports), or ``numpy`` (the reference; also used where numba is not
installed, and, with a warning, where it is installed but does not
import). numba compiles each loop on its first call and caches the machine
code beside this file (``cache=True``), so later processes load it in a
fraction of a second. The loops do not check their indices: they are only
called by :mod:`chainsim.core.mechanisms.table`, on indices the model made.
"""

from __future__ import annotations

import numpy as np

from chainsim.core.jit import compiled as _compiled


@_compiled
def member_support_total(arrangement, region, belief, at_table, autonomy_guard, rivalry, turbulence,
                         in_centre, alderman_strength, alderman_orientation, municipal, others, is_uwv,
                         pressure, mandate, formal_mandate, effort_factor, strategic_skill, allies,
                         uwv_centre, uwv_stance, level, say_cost, tab_rivalry, effort, central_room,
                         pressure_by_level, coef, flags):  # pragma: no cover - compiled
    """Per organisation: the sum of ``table.support_terms`` for its one arrangement, without noise.

    ``coef`` holds, in this order: weight_belief, weight_trust,
    weight_pressure, weight_mandate, M4 x weight_autonomy, weight_rivalry,
    weight_turbulence, effort_scale, M5 x weight_leadership, ally_weight,
    M6 x weight_alderman, M7 x uwv_central_steering, uwv_person_spread,
    FEAR_WITHOUT_TRUST, MANDATE_SAY_RELIEF, NO_TIE_TRUST (and M7 x
    UWV_ANTICIPATION, which only :func:`expected_support` reads). ``flags``:
    M2 on, M7 on, sunk effort, the governance, tactical and operational
    level codes.
    """
    # not a parameter: positions in ``coef`` and ``flags`` (array plumbing; table._coefficients fills them)
    (w_belief, w_trust, w_pressure, w_mandate, say_coef, w_rivalry, w_turbulence, effort_scale,
     lead_coef, ally_weight, alderman_coef, steering_coef, person_spread, fear_without_trust,
     say_relief, no_tie) = (coef[0], coef[1], coef[2], coef[3], coef[4], coef[5], coef[6], coef[7],
                            coef[8], coef[9], coef[10], coef[11], coef[12], coef[13], coef[14], coef[15])
    m2_on, m7_on, sunk = flags[0] != 0, flags[1] != 0, flags[2] != 0     # not a parameter: positions
    governance, tactical, operational = flags[3], flags[4], flags[5]     # not a parameter: positions
    n = arrangement.shape[0]
    out = np.empty(n)
    for i in range(n):
        a = max(arrangement[i], 0)
        r = region[i]
        lv = level[a]
        trust = at_table[i]
        centre = in_centre[i]
        if centre != centre:                                    # NaN: no tie to the centre
            centre = no_tie
        uwv = is_uwv[i]
        s = w_belief * belief[i] + 0.0
        s = s + (w_trust * trust + 0.0)
        s = s + (w_pressure * pressure[r]) * pressure_by_level[lv]
        s = s + (w_mandate * mandate[r]) * (1.0 if lv != governance else 0.0)
        s = s + -(((say_coef * say_cost[a]) * autonomy_guard[i]) * (1.0 - say_relief * formal_mandate[r]))
        fear = (fear_without_trust - trust) if m2_on else 1.0
        s = s + -(((w_rivalry * tab_rivalry[a]) * rivalry[i]) * fear)
        s = s + ((-w_turbulence) * turbulence[i] + 0.0)
        s = s + (0.0 if sunk else -((effort_scale * effort_factor[r, a]) * effort[a]))
        persuaded = strategic_skill[r] * centre + ally_weight * allies[r] if others[i] else 0.0
        via_uwv = strategic_skill[r] * uwv_centre[r] if uwv else 0.0
        s = s + lead_coef * (persuaded + via_uwv)
        regional = 2.0 * alderman_orientation[i] - 1.0     # not a parameter: as in table.support_terms
        s = s + (((alderman_coef * alderman_strength[i]) * regional) if municipal[i] else 0.0)
        s = s + (-(steering_coef * central_room[a]) if uwv else 0.0)
        if uwv:
            if m7_on:
                stance = uwv_stance[r, min(lv, tactical)] if lv < operational else 0.0
                s = s + person_spread * stance
            else:
                s = s + 0.0
        else:
            s = s + 0.0
        out[i] = s
    return out


@_compiled
def expected_support(region, member, belief, at_table, autonomy_guard, rivalry, turbulence, in_centre,
                     alderman_strength, alderman_orientation, is_centre, n_regions,
                     pressure, mandate, formal_mandate, effort_factor, strategic_skill, allies,
                     level, say_cost, tab_rivalry, effort, uwv_anticipated, pressure_by_level,
                     coef, flags):  # pragma: no cover - compiled
    """(regions x arrangements): ``table.expected_support`` in two passes.

    The members' sums per region are added in row order, as ``np.bincount``
    adds them, so the means are the same to the bit. ``coef`` as in
    :func:`member_support_total`, with M7 x UWV_ANTICIPATION appended;
    ``uwv_anticipated`` is uwv_central_steering x central_room x needs_uwv.
    """
    # not a parameter: positions in ``coef`` and ``flags`` (array plumbing; table._coefficients fills them)
    (w_belief, w_trust, w_pressure, w_mandate, say_coef, w_rivalry, w_turbulence, effort_scale,
     lead_coef, ally_weight, alderman_coef, fear_without_trust, say_relief, no_tie,
     anticipation) = (coef[0], coef[1], coef[2], coef[3], coef[4], coef[5], coef[6], coef[7],
                      coef[8], coef[9], coef[10], coef[13], coef[14], coef[15], coef[16])
    m2_on = flags[0] != 0
    governance = flags[3]               # not a parameter: a position in ``flags``
    count = np.zeros(n_regions)
    belief_sum, trust_sum, turbulence_sum = np.zeros(n_regions), np.zeros(n_regions), np.zeros(n_regions)
    in_centre_sum, not_centre_sum, alderman_sum = np.zeros(n_regions), np.zeros(n_regions), np.zeros(n_regions)
    guard_sum, fear_sum = np.zeros(n_regions), np.zeros(n_regions)
    for i in range(region.shape[0]):
        if not member[i]:
            continue
        r = region[i]
        trust = at_table[i]
        centre = in_centre[i]
        if centre != centre:
            centre = no_tie
        not_centre = 0.0 if is_centre[i] else 1.0
        count[r] += 1.0
        belief_sum[r] += belief[i]
        trust_sum[r] += trust
        turbulence_sum[r] += turbulence[i]
        in_centre_sum[r] += centre * not_centre
        not_centre_sum[r] += not_centre
        # not a parameter: as in table.support_terms, the 0-1 orientation read as -1 (local) to 1 (regional)
        alderman_sum[r] += alderman_strength[i] * (2.0 * alderman_orientation[i] - 1.0)
        guard_sum[r] += autonomy_guard[i]
        fear_sum[r] += rivalry[i] * ((fear_without_trust - trust) if m2_on else 1.0)
    n_arrangements = level.shape[0]
    out = np.empty((n_regions, n_arrangements))
    for r in range(n_regions):
        c = max(count[r], 1.0)
        own = (w_belief * (belief_sum[r] / c) + w_trust * (trust_sum[r] / c)) - w_turbulence * (turbulence_sum[r] / c)
        own = own + lead_coef * (strategic_skill[r] * (in_centre_sum[r] / c)
                                 + (ally_weight * allies[r]) * (not_centre_sum[r] / c))
        own = own + alderman_coef * (alderman_sum[r] / c)
        guard, fearful = guard_sum[r] / c, fear_sum[r] / c
        relief = 1.0 - say_relief * formal_mandate[r]
        for a in range(n_arrangements):
            lv = level[a]
            e = own + (w_pressure * pressure[r]) * pressure_by_level[lv]
            e = e + (w_mandate * mandate[r]) * (1.0 if lv != governance else 0.0)
            e = e - ((say_coef * say_cost[a]) * guard) * relief
            e = e - (w_rivalry * tab_rivalry[a]) * fearful
            e = e - (effort_scale * effort_factor[r, a]) * effort[a]
            if count[r] == 0.0:
                e = 0.0
            out[r, a] = e - anticipation * uwv_anticipated[a]
    return out


@_compiled
def _argmax_step(x, j, best, value, seen_nan):  # pragma: no cover - compiled
    """One step of np.argmax over a row: the first maximum, or the first NaN where there is one."""
    if seen_nan:
        return best, value, seen_nan
    if np.isnan(x):
        return j, x, True
    if x > value:
        return j, x, False
    return best, value, False


@_compiled
def proposals(ok, score, effort, jitter, ambition_jitter, facilitating, strategy, deadline,
              law_calls):  # pragma: no cover - compiled
    """``table._proposals`` as one loop per region: the same five np.argmax over masked rows (-inf where
    masked, so an empty row gives 0, as there), and the same choice between them."""
    n, m = ok.shape
    choice = np.empty(n, dtype=np.int64)
    for r in range(n):
        bold, bold_v, bold_nan = 0, -np.inf, False
        strategic, strategic_v, strategic_nan = 0, -np.inf, False
        ripest, ripest_v, ripest_nan = 0, -np.inf, False
        by_law, law_v, law_nan = 0, -np.inf, False
        anything, any_ripe, any_law = False, False, False
        drawn, drawn_v, drawn_nan = 0, -np.inf, False
        for j in range(m):
            eligible = ok[r, j]
            ambition = effort[j] + ambition_jitter * jitter[r, j]
            ripe = eligible and score[r, j] > 0
            law = eligible and deadline[j]
            anything = anything or eligible
            any_ripe = any_ripe or ripe
            any_law = any_law or law
            bold, bold_v, bold_nan = _argmax_step(ambition if eligible else -np.inf, j, bold, bold_v, bold_nan)
            strategic, strategic_v, strategic_nan = _argmax_step(ambition if ripe else -np.inf, j, strategic,
                                                                 strategic_v, strategic_nan)
            ripest, ripest_v, ripest_nan = _argmax_step(score[r, j] if eligible else -np.inf, j, ripest, ripest_v,
                                                        ripest_nan)
            by_law, law_v, law_nan = _argmax_step(score[r, j] if law else -np.inf, j, by_law, law_v, law_nan)
            drawn, drawn_v, drawn_nan = _argmax_step(jitter[r, j] if eligible else -np.inf, j, drawn, drawn_v,
                                                     drawn_nan)
        if not strategy:
            pick = drawn
        elif facilitating[r]:
            pick = strategic if any_ripe else ripest
        else:
            pick = bold
        if any_law and law_calls[r]:
            pick = by_law
        choice[r] = pick if anything else -1
    return choice

