"""The shipped posterior against the 2014 picture: every observed figure within what single simulated
Netherlands show.

The bounds of this regression test come from the posterior predictive, not
from a tolerance chosen beforehand: for each statistic the calibration fits,
the central 90% of single simulated Netherlands (parameter sets drawn from
the shipped particles, ``chainsim/data/posterior.csv``, one replication each,
each value the mean over September-December 2014) must hold the observed
figure, since the observed Netherlands is one such draw. The case regions
are left out here: one region's stage spans every stage over draws, so the
interval would hold any figure (docs/measures.md reports them).
"""

import numpy as np
import pytest

from chainsim.calibration import STATISTICS
from chainsim.posterior import posterior_draws, predictive_check, predictive_pictures

DRAWS = 100
"""Parameter sets drawn from the posterior, one simulated Netherlands each: a 90% interval's ends from
100 draws are the 5th and 95th of them, stable to about a region either way."""

KNOWN_MISSES: dict[str, str] = {
    "governance_parties.education": "education at the governance table in 0.290 of the regions, above the "
                                    "interval (top 0.268): under-predicted, as in every calibration so far",
    "governance_parties.unions": "unions at the governance table in 0.226 of the regions, above the interval "
                                 "(top 0.192): under-predicted, as in every calibration so far",
}
"""Observed figures outside the 90% predictive interval of the shipped posterior: strict expected
failures, each with the reason docs/validation.md gives (a change that brings one inside says so).
Since the seventh calibration (docs/calibration.md) joint staff lies well inside; after the eighth
education and unions still lie above their intervals, and consultation sits at its interval's top."""

CHECKED = [pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=KNOWN_MISSES[n])) if n in KNOWN_MISSES
           else n for n in STATISTICS if not n.startswith("case_regions.")]


@pytest.fixture(scope="module")
def predictive():
    draws = posterior_draws(None, DRAWS, np.random.default_rng(424242))
    return predictive_check(predictive_pictures(draws, 1, 424243, workers=2), level=0.9).set_index("item")


@pytest.mark.parametrize("item", CHECKED)
def test_the_observed_figure_lies_in_the_posterior_predictive_interval(predictive, item):
    row = predictive.loc[item]
    assert row["low"] <= row["observed"] <= row["high"], (
        f"{item}: observed {row['observed']:.3f} outside [{row['low']:.3f}, {row['high']:.3f}]")


def test_the_intervals_are_not_vacuous(predictive):
    """An interval that spans every possible share would hold any figure: the check must be able to fail."""
    rows = predictive.loc[[n for n in STATISTICS if not n.startswith("case_regions.")]]
    assert ((rows["high"] - rows["low"]) < 0.6).all()
    assert np.isfinite(rows[["low", "median", "high"]].to_numpy()).all()
