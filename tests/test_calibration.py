"""Calibration: the distance, the ABC step, and the calibrated defaults against the 2014 picture."""

import numpy as np
import pandas as pd
import pytest

from chainsim.calibration import GROUPS, compare, distance, rejection_abc, targets
from chainsim.parameters import CALIBRATION
from chainsim.results import load_observed
from chainsim.runner import RunConfig, run_replications
from chainsim.sweep import pattern_from_arrays

REPLICATIONS = 40
"""Enough for a stable test: the per-run standard deviation of the share of
coordinated regions is about 0.07, so the standard error of the mean over 40
runs is about 0.011, a fifth of the tolerance of 0.06; for the Table 3.4 and
3.3 counts (per-run sd about 2.5 regions) it is about 0.4 region against a
tolerance of 2 or 3."""


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


def test_calibration_provenance_is_recorded():
    assert CALIBRATION["data_sha256"] and CALIBRATION["method"] and CALIBRATION["distance"] > 0
    from chainsim.calibration import observed_data_sha256
    assert CALIBRATION["data_sha256"] == observed_data_sha256()


def test_calibrated_stage_shares_and_joint_activities(calibrated_rows):
    obs = load_observed()
    rows = calibrated_rows
    for stage, observed in obs["stage_shares"].items():
        assert abs(rows[f"n_{stage}"].mean() / 35 - observed) <= 0.06, stage
    for name, observed in obs["joint_activities"].items():
        assert abs(rows[f"n_{name}"].mean() - observed) <= 3, name
    assert np.isfinite(compare(rows)["simulated"]).all()


KNOWN_MISS = pytest.mark.xfail(strict=True, reason=(
    "known miss (docs/validation.md): the model puts about 2.5 regions too many in 'hardly' and as many "
    "too few in 'intermediate'; no point of the calibration sweep with the right stage shares fixes it"))


@pytest.mark.parametrize("name", ["all_levels", "none", pytest.param("intermediate", marks=KNOWN_MISS),
                                  pytest.param("hardly", marks=KNOWN_MISS)])
def test_calibrated_table_3_4_classes(calibrated_rows, name):
    observed = load_observed()["cooperation_levels"][name]
    assert abs(calibrated_rows[f"n_{name}"].mean() - observed) <= 2
