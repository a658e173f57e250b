"""Intervals, adjusted p-values and a seed check for effects estimated from replications.

chainsim reports an effect as the mean of one value per replication (a
paired difference with common random numbers, or the mean of the several
differences that share a replication) with a Student t interval, or as a
regression coefficient with its t interval. The rules:

- an interval needs at least two replications; with one, the interval and
  p-value are ``None`` ("n/a"), never a zero-width interval; likewise when
  every replication gives the same value (likely with few replications,
  since shares move in steps of one region): the spread cannot be
  estimated, and a t test would call a non-zero effect certain and a zero
  one certainly absent. That holds for zero too: no replication changing a
  region's stage in a few replications does not show that a lever cannot;
- when several effects are shown at once, each keeps its own 95% interval,
  and the family gets Holm-adjusted p-values (:func:`holm`) and
  Bonferroni-simultaneous intervals (each at level 1 - 0.05/m, so that all
  m cover together with at least 95%, :func:`simultaneous_level`); both
  hold whatever the dependence between the effects (they share base runs);
- an effect whose 95% interval excludes zero while the first and the
  second half of the replications give estimates of opposite sign (or one
  of them zero) is *seed-sensitive* (:func:`seed_sensitive`): its sign
  rests on which replications were drawn.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

LEVEL = 0.95
NO_SPREAD = 1e-12
"""A standard error at most this (relative to the mean, or absolute below 1) is no spread: rounding, not chance
(the mean of three copies of 3/35 has a standard deviation of about 1e-17)."""


@dataclass(frozen=True)
class Estimate:
    """An effect with its standard error: mean, t interval, two-sided p-value (H0: no effect)."""

    mean: float | None
    se: float | None = None              # None: no interval (fewer than two replications)
    dof: int | None = None
    n: int = 0                           # replications (or runs, for a regression) it rests on
    first_half: float | None = None      # the estimate from the first / second half of the replications
    second_half: float | None = None
    bounds: tuple[float, float] | None = None   # the possible range; intervals are clipped to it
    regression: bool = False             # a regression coefficient (n counts runs), not a mean of values

    @property
    def no_spread(self) -> bool:
        """The values (or a regression's residuals) show no spread, up to rounding."""
        return self.se is not None and self.mean is not None and self.se <= NO_SPREAD * max(1.0, abs(self.mean))

    @property
    def has_interval(self) -> bool:
        """A t interval exists: a standard error from two or more values that show some spread."""
        return self.mean is not None and self.se is not None and not self.no_spread

    @property
    def why_no_interval(self) -> str | None:
        """Why there is no interval, in words for a report (None where there is one)."""
        if self.has_interval:
            return None
        if self.mean is None:
            return "no value"
        if self.se is None:
            return "1 replication" if self.n <= 1 else "too few values"
        return "the fit leaves no spread" if self.regression else f"all {self.n} values equal"

    def reason_field(self) -> dict[str, str]:
        """``{"no_interval": why}`` for a value shown without an interval (JSON outputs); empty otherwise."""
        return {} if self.mean is None or self.has_interval else {"no_interval": self.why_no_interval}

    def interval(self, level: float = LEVEL) -> tuple[float | None, float | None]:
        """(low, high) at ``level``, clipped to the bounds; (None, None) without an interval."""
        if not self.has_interval:
            return None, None
        half = float(stats.t.ppf(0.5 + level / 2, self.dof)) * self.se
        low, high = self.mean - half, self.mean + half
        if self.bounds is not None:
            low, high = max(low, self.bounds[0]), min(high, self.bounds[1])
        return low, high

    @property
    def low(self) -> float | None:
        return self.interval()[0]

    @property
    def high(self) -> float | None:
        return self.interval()[1]

    @property
    def p(self) -> float | None:
        """Two-sided p-value of a t test of a zero effect; None without an interval."""
        if not self.has_interval:
            return None
        return float(2 * stats.t.sf(abs(self.mean) / self.se, self.dof))

    @property
    def excludes_zero(self) -> bool:
        return self.has_interval and (self.low > 0 or self.high < 0)

    def ci(self, level: float = LEVEL) -> list[float] | None:
        """``[low, high]``, or None without an interval (JSON null)."""
        return list(self.interval(level)) if self.has_interval else None


def estimate(values, bounds: tuple[float, float] | None = None) -> Estimate:
    """The mean of per-replication values (in replication order, NaN left out), with its two halves."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = len(x)
    if n == 0:
        return Estimate(None, bounds=bounds)
    first, second = split_half(x)
    if n < 2:
        return Estimate(float(x.mean()), n=n, bounds=bounds)
    se = 0.0 if np.ptp(x) == 0 else float(x.std(ddof=1) / np.sqrt(n))    # equal values: no spread, exactly
    return Estimate(float(x.mean()), se, n - 1, n, first, second, bounds)


def all_equal(reason: str | None) -> bool:
    """Whether a ``no_interval`` reason says every replication gave the same value."""
    return reason is not None and str(reason).startswith("all ")


def split_half(values) -> tuple[float | None, float | None]:
    """Means of the first and the second half of the values (NaN left out); None below four values."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if len(x) < 4:
        return None, None
    k = len(x) // 2
    return float(x[:k].mean()), float(x[k:].mean())


def chance_finding(ci, p_holm: float | None) -> bool:
    """An interval ``ci`` ([low, high] or None) that excludes zero on its own while the Holm-adjusted p is
    0.05 or more: a possible chance finding among the effects shown (the reports flag it ``!``)."""
    return (ci is not None and ci[0] is not None and (ci[0] > 0 or ci[1] < 0)
            and p_holm is not None and p_holm >= 0.05)


def seed_sensitive(e: Estimate) -> bool:
    """The 95% interval excludes zero, but the two halves of the replications disagree in sign."""
    if not e.excludes_zero or e.first_half is None or e.second_half is None:
        return False
    return e.first_half * e.second_half <= 0


def holm(pvalues) -> list[float | None]:
    """Holm's step-down adjusted p-values (Holm 1979), in the given order; None stays None.

    Sorted ascending, the i-th of m p-values (i from 0) is multiplied by
    m - i; the adjusted values are made non-decreasing and capped at 1.
    """
    pvalues = list(pvalues)
    given = [(i, float(p)) for i, p in enumerate(pvalues) if p is not None and not np.isnan(p)]
    adjusted: list[float | None] = [None] * len(pvalues)
    running = 0.0
    for rank, (i, p) in enumerate(sorted(given, key=lambda item: item[1])):
        running = max(running, min(1.0, (len(given) - rank) * p))
        adjusted[i] = running
    return adjusted


def simultaneous_level(m: int, level: float = LEVEL) -> float:
    """Bonferroni: the level of each of ``m`` intervals so that all cover together with ``level``."""
    return 1 - (1 - level) / max(m, 1)
