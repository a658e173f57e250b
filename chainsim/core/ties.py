"""Indexes into the tie store and the trust summaries the mechanisms read.

Not a mechanism itself: it answers "how much does this municipality trust
its centre, its UWV office?" for all organisations at once, from the trust
on the graph's edges, once per month.
"""

from __future__ import annotations

import numpy as np

from chainsim.core.network import TieKind, TieStore
from chainsim.core.population import Kind, Population
from chainsim.core.state import RegionState


def _compiled_loops():
    """:mod:`chainsim.core.tie_loops` where this process runs the compiled loops (``CHAINSIM_KERNELS``),
    else None. Imported on first use, so that a command that never steps a world (``validate``) does not
    load numba."""
    from chainsim.core import jit
    if jit.KERNELS != "numba":
        return None
    from chainsim.core import tie_loops
    return tie_loops


class TieIndex:
    """Which ties are of which kind, and each municipality's tie to its centre and UWV."""

    def __init__(self, ties: TieStore, pop: Population) -> None:
        self.by_kind = {kind: np.flatnonzero(ties.kind == kind) for kind in TieKind}
        # Within-region ties are added hub first (centre, UWV, SW company,
        # employer organisation), so the second endpoint is the member.
        self.centre_tie = np.full(pop.n, -1, dtype=np.int64)
        self.uwv_tie = np.full(pop.n, -1, dtype=np.int64)
        cm = self.by_kind[TieKind.CENTRE_MUNICIPALITY]
        um = self.by_kind[TieKind.UWV_MUNICIPALITY]
        self.centre_tie[ties.v[cm]] = cm
        self.uwv_tie[ties.v[um]] = um
        self.municipal = pop.is_municipality
        self.is_centre = pop.kind == Kind.CENTRE
        self.is_uwv = pop.kind == Kind.UWV
        self.is_sw = pop.kind == Kind.SW_COMPANY
        self.is_employer = pop.kind == Kind.EMPLOYER_ORGANISATION
        # per kind, the ties ordered by region, and where each region's ties start
        self._by_region = {}
        for kind, idx in self.by_kind.items():
            ordered = idx[np.argsort(ties.region[idx], kind="stable")]
            n_regions = int(pop.region.max()) + 1 if pop.n else 0
            bounds = np.searchsorted(ties.region[ordered], np.arange(n_regions + 1))
            self._by_region[kind] = (ordered, bounds)
        self.derived: dict[str, tuple[np.ndarray, ...]] = {}
        """Static facts of the network a mechanism works out on first use and keeps (the ties do not change)."""

    def in_region(self, kind: TieKind, region: int) -> np.ndarray:
        """The ties of ``kind`` within region ``region``."""
        ordered, bounds = self._by_region[kind]
        return ordered[bounds[region]:bounds[region + 1]]

    def in_regions(self, kind: TieKind, regions: np.ndarray) -> np.ndarray:
        """The ties of ``kind`` within each of ``regions``, region after region (repeats repeat)."""
        ordered, bounds = self._by_region[kind]
        starts = bounds[regions]
        lengths = bounds[regions + 1] - starts
        within = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        return ordered[np.repeat(starts, lengths) + within]


class TrustSummary:
    """Per-organisation and per-region trust, refreshed from the edges each month."""

    def __init__(self, ties: TieStore, pop: Population, rs: RegionState, index: TieIndex) -> None:
        self._sources = (ties, pop, rs, index)
        # the ties do not change during a run (as TieIndex assumes): which tie counts towards which
        # mean, and how many ties each mean has, are worked out once
        self._groups = {}
        for kind, key, size in ((TieKind.CENTRE_MUNICIPALITY, ties.region, rs.n),
                                (TieKind.UWV_MUNICIPALITY, ties.region, rs.n),
                                (TieKind.SW_OWNER, ties.u, pop.n)):
            idx = index.by_kind[kind]
            count = np.bincount(key[idx], None, size)
            self._groups[kind] = (idx, key[idx], size, count > 0, np.maximum(count, 1))
        self.refresh()

    def _mean(self, kind: TieKind, trust: np.ndarray) -> np.ndarray:
        """Mean trust over the ties of ``kind`` per region (per owner for SW ties); NaN where none."""
        idx, key, size, some, count = self._groups[kind]
        loops = _compiled_loops()
        if loops is not None:
            return loops.group_mean(trust, idx, key, size, some, count)
        total = np.bincount(key, trust[idx], size)
        return np.where(some, total / count, np.nan)

    def refresh(self) -> None:
        ties, pop, rs, ix = self._sources
        trust = ties.trust
        region_cm = self._mean(TieKind.CENTRE_MUNICIPALITY, trust)
        region_um = self._mean(TieKind.UWV_MUNICIPALITY, trust)
        # a region with a single municipality has no centre-municipality tie
        region_cm = np.where(np.isnan(region_cm), region_um, region_cm)
        self.region_centre = region_cm
        self.region_uwv = region_um
        rs.trust_centre[:] = region_cm
        rs.trust_uwv[:] = region_um
        sw_owner_trust = self._mean(TieKind.SW_OWNER, trust)
        self.sw_owner = sw_owner_trust
        loops = _compiled_loops()
        if loops is not None:
            self.in_centre, self.in_uwv, self.at_table = loops.member_trust(
                trust, region_cm, region_um, sw_owner_trust, ix.centre_tie, ix.uwv_tie, ix.is_centre, ix.is_uwv,
                ix.is_sw, ix.is_employer, ix.municipal, pop.region)
        else:
            self.in_centre, self.in_uwv, self.at_table = self._member_trust(trust, region_cm, region_um,
                                                                            sw_owner_trust)
        # per region: trust on the tie between UWV and the centre (their "tandem", M5)
        # not a parameter: 0.5 is NO_TIE_TRUST (chainsim.core.mechanisms.trust), as for at_table
        self.uwv_centre = np.nan_to_num(self.in_uwv[rs.centre_row], nan=0.5)

    def _member_trust(self, trust, region_cm, region_um, sw_owner_trust) -> tuple[np.ndarray, ...]:
        """Each organisation's trust in its centre and its UWV office, and the trust it brings to the table
        (the numpy reference of ``tie_loops.member_trust``)."""
        _, pop, _, ix = self._sources
        in_centre = np.where(ix.centre_tie >= 0, trust[np.maximum(ix.centre_tie, 0)], np.nan)
        in_uwv = np.where(ix.uwv_tie >= 0, trust[np.maximum(ix.uwv_tie, 0)], np.nan)
        # the centre's own view of the region: its mean trust in the others
        in_centre = np.where(ix.is_centre, region_cm[pop.region], in_centre)
        # UWV and SW companies judge the region by their own ties
        in_uwv = np.where(ix.is_uwv, region_um[pop.region], in_uwv)
        # the trust a member brings to the regional table
        table = np.full(pop.n, np.nan)
        table[ix.municipal] = 0.5 * in_centre[ix.municipal] + 0.5 * in_uwv[ix.municipal]
        table[ix.is_uwv] = in_uwv[ix.is_uwv]
        table[ix.is_sw] = sw_owner_trust[ix.is_sw]
        table[ix.is_employer] = region_um[pop.region[ix.is_employer]]
        # not a parameter: 0.5 is NO_TIE_TRUST (chainsim.core.mechanisms.trust)
        return in_centre, in_uwv, np.nan_to_num(table, nan=0.5)


def scale_ties(trust: np.ndarray, index: np.ndarray, gain: np.ndarray | float,
               loss: np.ndarray | float = 0.0) -> None:
    """Move trust on ties ``index`` up by gain x (1 - trust) and down by loss x trust.

    Gains shrink as trust nears 1 and losses as it nears 0, so trust stays in
    [0, 1] and a tie with a long good history loses a larger absolute amount
    when it is betrayed than a tie that never had much (history matters; in
    the spirit of Klos & Nooteboom 2001).
    """
    if len(index) == 0:
        return
    loops = _compiled_loops()
    if loops is not None:
        loops.scale_ties(trust, index, _per_tie(gain, index), _per_tie(loss, index))
        return
    t = trust[index]
    trust[index] = np.clip(t + gain * (1.0 - t) - loss * t, 0.0, 1.0)


def _per_tie(value: np.ndarray | float, index: np.ndarray) -> np.ndarray:
    """A gain or loss as one float per entry of ``index``, in a fresh array (so that each loop of
    :mod:`chainsim.core.tie_loops` sees one type of array, whatever it was given)."""
    return np.array(np.broadcast_to(np.asarray(value, dtype=float), index.shape), dtype=float)


def learn_from_record(trust: np.ndarray, experience: np.ndarray, index: np.ndarray,
                      gain: np.ndarray | float, loss: np.ndarray | float, damping: float) -> None:
    """A kept (``gain``) or broken (``loss``) commitment moves trust on ties ``index``.

    The step shrinks with the record the two parties already share: it is
    divided by 1 + ``damping`` x the number of earlier experiences, so a long
    good record absorbs one failure and a fresh tie swings (partners learn
    each other's reliability; Klos & Nooteboom 2001). Each call adds one
    experience to the ties it touches. ``index`` may repeat a tie: each
    occurrence counts.
    """
    if len(index) == 0:
        return
    gain = np.broadcast_to(gain, index.shape)
    loss = np.broadcast_to(loss, index.shape)
    loops = _compiled_loops()
    if loops is not None:
        loops.learn_from_record(trust, experience, index, _per_tie(gain, index), _per_tie(loss, index),
                                float(damping))
        return
    order = np.argsort(index, kind="stable")
    index, gain, loss = index[order], gain[order], loss[order]
    first = np.r_[True, index[1:] != index[:-1]]
    # repeated ties (several outcomes in one month) are applied one after another
    rank = np.arange(len(index)) - np.maximum.accumulate(np.where(first, np.arange(len(index)), 0))
    for k in range(int(rank.max()) + 1):
        at = rank == k
        ties = index[at]
        weight = 1.0 / (1.0 + damping * experience[ties])
        scale_ties(trust, ties, weight * gain[at], weight * loss[at])
        experience[ties] += 1.0
