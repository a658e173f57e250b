"""The trust summary's and the trust steps' loops, compiled with numba.

:mod:`chainsim.core.ties` states each of them in readable numpy, the
reference; these loops compute the same values with the same operations in
the same order, so the results agree to the last bit
(``tests/test_compiled.py``: drawn states, repeated ties, whole runs of both
eras). :mod:`chainsim.core.ties` imports this module only where the process
runs the compiled loops (:data:`chainsim.core.jit.KERNELS`).
"""

from __future__ import annotations

import numpy as np

from chainsim.core.jit import compiled


@compiled
def group_mean(trust, idx, key, size, some, count):  # pragma: no cover - compiled
    """``chainsim.core.ties.TrustSummary._mean`` as one loop: the sums in the order np.bincount adds
    them, so the same bits."""
    total = np.zeros(size)
    for i in range(len(idx)):
        total[key[i]] += trust[idx[i]]
    out = np.empty(size)
    for r in range(size):
        out[r] = total[r] / count[r] if some[r] else np.nan
    return out


@compiled
def member_trust(trust, region_cm, region_um, sw_owner, centre_tie, uwv_tie, is_centre, is_uwv, is_sw,
                 is_employer, municipal, region):  # pragma: no cover - compiled
    """``chainsim.core.ties.TrustSummary._member_trust`` as one loop over the organisations, with the
    same operations."""
    n = len(region)
    in_centre, in_uwv, at_table = np.empty(n), np.empty(n), np.empty(n)
    for i in range(n):
        c = trust[centre_tie[i]] if centre_tie[i] >= 0 else np.nan
        u = trust[uwv_tie[i]] if uwv_tie[i] >= 0 else np.nan
        if is_centre[i]:
            c = region_cm[region[i]]
        if is_uwv[i]:
            u = region_um[region[i]]
        in_centre[i], in_uwv[i] = c, u
        t = np.nan
        if municipal[i]:
            t = 0.5 * c + 0.5 * u           # not a parameter: the two ties weigh alike, as in ties
        elif is_uwv[i]:
            t = u
        elif is_sw[i]:
            t = sw_owner[i]
        elif is_employer[i]:
            t = region_um[region[i]]
        at_table[i] = 0.5 if np.isnan(t) else t     # not a parameter: NO_TIE_TRUST (mechanisms.trust), as in ties
    return in_centre, in_uwv, at_table


@compiled
def scale_ties(trust, index, gain, loss):  # pragma: no cover - compiled
    """``chainsim.core.ties.scale_ties`` as one loop, with numpy's order: every new value from the old
    trust, then written (where ``index`` repeats a tie, the last write wins, as with numpy's assignment)."""
    moved = np.empty(len(index))
    for i in range(len(index)):
        t = trust[index[i]]
        value = t + gain[i] * (1.0 - t) - loss[i] * t
        if value < 0.0:             # np.clip's bounds (a NaN stays NaN, as there)
            value = 0.0
        elif value > 1.0:
            value = 1.0
        moved[i] = value
    for i in range(len(index)):
        trust[index[i]] = moved[i]


@compiled
def learn_from_record(trust, experience, index, gain, loss, damping):  # pragma: no cover - compiled
    """``chainsim.core.ties.learn_from_record`` as one loop. The reference applies a tie's repeated
    outcomes one after another, in the order they come, and each tie's steps touch that tie alone; going
    through the outcomes in their order does the same, step by step, with the same operations."""
    for i in range(len(index)):
        tie = index[i]
        weight = 1.0 / (1.0 + damping * experience[tie])
        t = trust[tie]
        value = t + (weight * gain[i]) * (1.0 - t) - (weight * loss[i]) * t
        if value < 0.0:             # np.clip's bounds, as in scale_ties
            value = 0.0
        elif value > 1.0:
            value = 1.0
        trust[tie] = value
        experience[tie] += 1.0
