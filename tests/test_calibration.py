"""Calibration: the distance, the ABC step, and the calibrated defaults against the 2014 picture."""

import numpy as np
import pandas as pd
import pytest

from chainsim.calibration import (
    BOUNDS,
    GROUPS,
    bound_errors,
    bound_excess,
    bound_misses,
    compare,
    distance,
    level_dependence,
    pmc_proposals,
    pmc_weights,
    rejection_abc,
    targets,
)
from chainsim.core.parameters import CALIBRATION
from chainsim.results import load_observed
from chainsim.runner import RunConfig, run_replications
from chainsim.sweep import pattern_from_arrays

REPLICATIONS = 100
"""Enough for a stable test: the per-run standard deviation of the share of
coordinated regions is about 0.08 and of a Table 3.4 or 3.3 count about 2.7
regions, so the standard error of the mean over 100 runs is about 0.008 (an
eighth of the tolerance of 0.06) and 0.27 region (against a tolerance of 2
or 3). The seeds are fixed, so the test is deterministic; items whose mean
lies within about one standard error of a bound are named in
docs/validation.md."""


@pytest.fixture(scope="module")
def calibrated_rows():
    runs = run_replications(RunConfig(), REPLICATIONS, seed=424242, workers=2)
    return pd.DataFrame([pattern_from_arrays(r.stage, r.level_class, r.items, r.region_codes, 34) for r in runs])


def perfect_row() -> pd.DataFrame:
    """A pattern row that reproduces the observed picture exactly."""
    obs = load_observed()
    row = {f"n_{k}": v * 35 for k, v in obs["stage_shares"].items()}
    row.update({f"n_{k}": v for k, v in obs["cooperation_levels"].items()})
    row.update({f"n_{k}": v for k, v in obs["joint_activities"].items()})
    gp = obs["governance_parties"]
    row["n_governance_uwv_all_municipalities"] = gp["n"]
    row.update({"n_gov_party_sw_companies": gp["sw_companies"],
                "n_gov_party_employer_organisations": gp["employer_organisations"],
                "n_gov_party_regional_employers": gp["regional_employers"],
                "n_gov_party_education": gp["education"], "n_gov_party_unions": gp["unions"]})
    s = obs["structure"]
    row.update({"n_all_municipalities_participate": s["all_municipalities_participate"],
                "n_tactical_uwv": 35 - s["uwv_absent_tactical"], "n_none": s["no_regional_cooperation_at_all"]})
    stage = {"good": 0, "fair": 1, "not good": 2}
    codes = {"Friesland": "AM02", "Gooi- en Vechtstreek": "AM12", "Rijnmond": "AM22",
             "Stedendriehoek en Noordwest Veluwe": "AM06", "Helmond-De Peel": "AM32"}
    for case in obs["case_regions"]:
        row[f"stage_{codes[case['name']]}"] = stage[case["cooperation"]]
    return pd.DataFrame([row])


def test_a_perfect_picture_has_distance_zero_and_errors_count():
    weights = {g: 1.0 for g in GROUPS}
    row = perfect_row()
    assert distance(row, weights) == pytest.approx(0.0, abs=1e-12)
    worse = row.copy()
    worse["n_coordinated"] += 7
    assert distance(worse, weights) > 0
    assert len(targets()) == 3 + 4 + 6 + 5 + 4 + 5


def test_rejection_keeps_the_closest_points_with_decreasing_weights():
    d = pd.Series([0.3, 0.1, 0.5, 0.2], index=[0, 1, 2, 3])
    points = pd.DataFrame({"x": [3.0, 1.0, 5.0, 2.0]})
    kept = rejection_abc(d, points, accept=0.5)
    assert list(kept.index) == [1, 3] and kept["weight"].is_monotonic_decreasing
    assert (kept["weight"] > 0).all()


def _population(rng, n=40):
    x = rng.uniform([0.0, 1.0], [1.0, 3.0], size=(n, 2))
    return pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "weight": rng.uniform(0.1, 1.0, n)})


def test_pmc_proposals_stay_in_the_prior_box_and_follow_the_seed():
    accepted = _population(np.random.default_rng(1))
    low, high = np.array([0.0, 1.0]), np.array([1.0, 3.0])
    one = pmc_proposals(accepted, ["a", "b"], low, high, 200, np.random.default_rng(5))
    again = pmc_proposals(accepted, ["a", "b"], low, high, 200, np.random.default_rng(5))
    assert one.shape == (200, 2)
    assert np.all((one >= low) & (one <= high))
    assert np.array_equal(one, again)


def test_pmc_proposals_concentrate_where_the_accepted_points_are():
    rng = np.random.default_rng(2)
    accepted = pd.DataFrame({"a": rng.normal(0.2, 0.02, 30), "b": rng.normal(2.0, 0.05, 30), "weight": 1.0})
    moved = pmc_proposals(accepted, ["a", "b"], np.array([0.0, 1.0]), np.array([1.0, 3.0]), 500, rng)
    assert abs(moved[:, 0].mean() - 0.2) < 0.02 and moved[:, 0].std() < 0.06


def test_pmc_weights_favour_particles_the_proposal_rarely_draws():
    accepted = pd.DataFrame({"a": [0.0, 0.1, 0.2, 1.0], "b": [0.0, 0.1, 0.0, 1.0], "weight": 1.0})
    w = pmc_weights(np.array([[0.1, 0.05], [1.0, 1.0]]), accepted, ["a", "b"])
    assert w.sum() == pytest.approx(1.0) and np.all(w > 0)
    assert w[1] > w[0]          # the lone accepted point proposes less mass around itself


def test_calibration_provenance_is_recorded():
    assert CALIBRATION["data_sha256"] and CALIBRATION["method"] and CALIBRATION["distance"] > 0
    from chainsim.calibration import observed_data_sha256
    assert CALIBRATION["data_sha256"] == observed_data_sha256()


def test_bound_misses_names_the_items_outside_the_bounds():
    row = perfect_row()
    assert bound_misses(row) == {}
    row["n_hardly"] += 2.5            # beyond 2 regions
    row["n_joint_staff"] -= 3.0       # exactly on the bound of 3 regions: still inside
    row["n_little"] += 0.07 * 35      # beyond 0.06
    misses = bound_misses(row)
    assert set(misses) == {"cooperation_levels.hardly", "stage_shares.little"}
    assert misses["cooperation_levels.hardly"] == pytest.approx(2.5)
    assert misses["stage_shares.little"] == pytest.approx(0.07)


def test_bound_excess_is_zero_inside_the_margin_and_grows_outside():
    row = perfect_row()
    assert bound_excess(row) == 0.0
    row["n_hardly"] += 1.0                       # half the bound: inside
    assert bound_excess(row) == 0.0 and bound_excess(row, margin=0.75) == 0.0
    row["n_hardly"] += 2.0                       # 1.5 bounds out
    assert bound_excess(row) == pytest.approx(0.5 ** 2)
    assert bound_excess(row, margin=0.75) == pytest.approx(0.75 ** 2)


KNOWN_MISSES: dict[str, str] = {
    "joint_activities.joint_consultation": "about 4.8 regions too few (32 observed): the consultation rests on "
                                           "UWV staff on site and lapses with the closing offices (M7)",
}
"""Items the calibrated default misses by more than the fixed acceptance bounds of the earlier
calibration (stage shares 0.06, Table 3.4 two regions, Table 3.3 three). The default is the
posterior's representative particle: chosen by the whole picture (the calibration's distance), not
by these bounds. The eighth calibration (docs/calibration.md), with the SW partners' employer networks
in the pooled file (``sw_network_gain``, 004 §4.3), misses one of these bounds where the seventh
missed five; Table 3.4's *hardly* lies at its bound (+1.99 of 2). The arrangement efforts come from
the obstacles the seeds cite, not from the observed order of Table 3.3; the prerequisites of joint
projects, staff and preferred employers (none since the seventh run) and joint staff's obstacles were
revised after projects and staff had missed (docs/ODD.md §7.8), so those counts are not independent
predictions. Strict expected failures: if a change of the model makes one fit, the test says so."""

BOUNDED = [pytest.param(t.group, t.name, marks=pytest.mark.xfail(strict=True, reason=KNOWN_MISSES[key]))
           if (key := f"{t.group}.{t.name}") in KNOWN_MISSES else (t.group, t.name)
           for t in targets() if t.group in BOUNDS]


@pytest.mark.parametrize("group,name", BOUNDED)
def test_calibrated_defaults_meet_the_acceptance_bounds(calibrated_rows, group, name):
    """Stage shares within 0.06, Table 3.4 classes within 2 regions, Table 3.3 within 3 (issue #5)."""
    error = {k: e for k, (e, _) in bound_errors(calibrated_rows).items()}[f"{group}.{name}"]
    assert f"{group}.{name}" not in bound_misses(calibrated_rows), f"{group}.{name} is {error:+.3f} off"


def test_every_pattern_is_simulated(calibrated_rows):
    table = compare(calibrated_rows)
    assert np.isfinite(table["simulated"]).all()
    banded = table["low"].notna()
    assert banded.eq(table["high"].notna()).all() and banded.eq(table["no_interval"] == "").all()
    assert (table["low"] <= table["simulated"])[banded].all() and (table["simulated"] <= table["high"])[banded].all()
    # one run's rows: every pattern has a mean, none an interval, and the table says why
    one = compare(calibrated_rows.iloc[:1])
    assert one["low"].isna().all() and (one["no_interval"] == "1 replication").all()


def test_level_dependence_tells_correlated_from_independent_levels():
    rng = np.random.default_rng(3)
    independent = rng.random((20000, 3)) < [0.8, 0.7, 0.6]
    d = level_dependence(independent)
    assert np.allclose(d["marginals"], [0.8, 0.7, 0.6], atol=0.01)
    assert np.allclose(d["correlation"], 0.0, atol=0.03)
    assert np.allclose(d["count_shares"], d["independent_shares"], atol=0.01)
    assert d["independent_shares"].sum() == pytest.approx(1.0)
    common = rng.random(20000) < 0.7                  # one factor for all three: fully correlated
    d = level_dependence(np.stack([common] * 3, axis=1))
    assert np.allclose(d["correlation"], 1.0)
    assert d["count_shares"][1] == 0.0 and d["count_shares"][2] == 0.0
    assert d["independent_shares"][2] > 0.3
