"""Known answers for the intervals, adjusted p-values and the seed check of chainsim.statistics."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from chainsim.statistics import Estimate, estimate, holm, seed_sensitive, simultaneous_level, split_half


def test_paired_t_interval_on_a_hand_computed_example():
    # shares of coordinated regions in four replications, scenario and base (paired by replication)
    scenario = np.array([0.30, 0.25, 0.40, 0.35])
    base = np.array([0.26, 0.20, 0.37, 0.33])
    e = estimate(scenario - base)
    # differences 0.04 0.05 0.03 0.02: mean 0.035, sd sqrt(0.0005 / 3) = 0.012910, se = 0.006455;
    # t(0.975, 3 df) = 3.182 (table), half width 0.02054
    assert e.mean == pytest.approx(0.035)
    assert e.n == 4 and e.dof == 3
    assert e.se == pytest.approx(0.0064550, abs=1e-6)
    assert e.low == pytest.approx(0.014457, abs=1e-4)
    assert e.high == pytest.approx(0.055543, abs=1e-4)
    assert e.p == pytest.approx(stats.ttest_rel(scenario, base).pvalue)    # t = 5.42, p = 0.0123
    assert e.p == pytest.approx(0.0123, abs=1e-4)
    assert e.excludes_zero


def test_one_replication_gives_no_interval():
    e = estimate([0.3])
    assert e.mean == 0.3
    assert not e.has_interval and e.ci() is None and e.p is None
    assert (e.low, e.high) == (None, None)
    assert not e.excludes_zero and not seed_sensitive(e)
    assert estimate([np.nan, 0.2, np.nan]).ci() is None          # NaN (no regions) is left out
    assert estimate([]).mean is None


def test_no_difference_in_any_replication_gives_no_interval_either():
    # three replications in which nothing changed say nothing about what more would show
    e = estimate([0.0, 0.0, 0.0])
    assert e.mean == 0.0 and e.ci() is None and e.p is None and e.why_no_interval == "all 3 values equal"


def test_equal_non_zero_values_give_no_interval_rather_than_certainty():
    # two replications that happen to differ by the same step of one region in 35: a t test would give
    # a zero-width interval and p = 0; the spread cannot be estimated
    e = estimate([4 / 35, 4 / 35])
    assert e.mean == pytest.approx(4 / 35)
    assert e.ci() is None and e.p is None and not e.excludes_zero
    assert e.why_no_interval == "all 2 values equal"
    assert estimate([0.1]).why_no_interval == "1 replication"


@pytest.mark.parametrize("n", [3, 5, 10, 20])
@pytest.mark.parametrize("steps", [1, 3, 7])
def test_equal_values_are_caught_through_rounding(n, steps):
    # differences of shares computed per replication: equal on paper, their mean and spread off by rounding
    e = estimate(np.full(n, 0 / 35) - np.full(n, steps / 35))
    assert e.ci() is None and e.p is None and e.why_no_interval == f"all {n} values equal"
    regression = Estimate(0.2, 1e-17, 8, 10, regression=True)    # an exact fit: residuals zero up to rounding
    assert not regression.has_interval and regression.p is None
    assert regression.why_no_interval == "the fit leaves no spread"
    assert Estimate(1e-18, 1e-18, 8, 10).p is None   # no effect and no spread, up to rounding


def test_intervals_are_clipped_to_the_possible_range():
    e = estimate([0.0, 0.02, 0.0, 0.01], bounds=(0.0, 1.0))
    assert e.low == 0.0 and e.high < 1


def test_holm_on_a_textbook_example():
    # m = 4: sorted 0.005, 0.01, 0.03, 0.04 -> 4 x 0.005, 3 x 0.01, 2 x 0.03, 1 x 0.04 = 0.02, 0.03, 0.06, 0.04;
    # made non-decreasing: 0.02, 0.03, 0.06, 0.06; back in the given order:
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm([0.5, 0.6]) == pytest.approx([1.0, 1.0])           # capped at 1
    assert holm([0.01, None, 0.04]) == pytest.approx([0.02, None, 0.04])   # no p-value: not in the family
    assert holm([]) == []


def test_holm_agrees_with_statsmodels():
    multitest = pytest.importorskip("statsmodels.stats.multitest")
    p = np.random.default_rng(3).uniform(0, 0.2, 25)
    assert holm(p) == pytest.approx(list(multitest.multipletests(p, method="holm")[1]))


def test_bonferroni_simultaneous_intervals_are_wider():
    assert simultaneous_level(10) == pytest.approx(0.995)
    assert simultaneous_level(1) == pytest.approx(0.95)
    e = estimate([0.01, 0.03, 0.02, 0.05, 0.04])
    low, high = e.interval(simultaneous_level(12))
    assert low < e.low and high > e.high
    half = stats.t.ppf(1 - 0.05 / 24, 4) * e.se
    assert (low, high) == pytest.approx((e.mean - half, e.mean + half))


def test_split_half_and_the_seed_check():
    assert split_half([1, 2, 3]) == (None, None)                      # too few to split
    assert split_half([1, 2, 3, 4, 5]) == (1.5, 4.0)                   # first floor(n/2), then the rest
    steady = estimate([0.02, 0.03, 0.025, 0.03, 0.02, 0.03])
    assert steady.excludes_zero and not seed_sensitive(steady)
    # strong in the first half, slightly negative in the second: the interval excludes zero, the halves disagree
    flipping = estimate([0.06, 0.05, 0.07, 0.06, 0.05, -0.002, -0.001, -0.003, -0.002, -0.001])
    assert flipping.excludes_zero and flipping.first_half > 0 > flipping.second_half
    assert seed_sensitive(flipping)
    assert not seed_sensitive(estimate([0.05, -0.01, 0.04, -0.02]))   # halves disagree, interval includes zero


def test_a_chance_finding_excludes_zero_only_before_the_adjustment():
    from chainsim.statistics import chance_finding

    assert chance_finding([0.01, 0.05], 0.2) and chance_finding([-0.05, -0.01], 0.05)
    assert not chance_finding([0.01, 0.05], 0.01)            # holds after the adjustment too
    assert not chance_finding([-0.01, 0.05], 0.9)            # spans zero
    assert not chance_finding(None, None) and not chance_finding([None, None], None)
