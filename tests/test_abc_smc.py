"""ABC-SMC calibration: the fieldwork picture, the distance that counts each pattern once, the choice of k, pyABC."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from chainsim.abc_smc import (
    REPLICATION_CANDIDATES,
    Prior,
    Setup,
    _transition,
    choose_replications,
    declared_priors,
    effective_sample_size,
    effective_sizes,
    generations_done,
    last_population,
    measure_setup,
    run_abc_smc,
)
from chainsim.calibration import (
    PATTERN_GROUPS,
    STATISTICS,
    VARIANCE_FLOOR,
    CovarianceDistance,
    fieldwork_picture,
    observed_statistics,
)
from chainsim.core.calendar import Calendar, Month
from chainsim.core.measurement import INDICATOR_INDEX, INDICATORS
from chainsim.core.parameters import SPECS

CASE_REGIONS = ("AM02", "AM12", "AM22", "AM06", "AM32")
"""The five case regions: the smallest run in which every statistic is defined (tiny budgets in tests)."""


def _fake_run(calendar: Calendar) -> SimpleNamespace:
    """Two regions, with a picture that changes inside the window in known ways."""
    months, k = calendar.n_months, len(INDICATORS)
    stage = np.full((months, 2), 1)
    level_class = np.full((months, 2), 1)
    items = np.zeros((months, 2, k), dtype=bool)
    sep = calendar.index(Month(2014, 9))
    stage[sep:sep + 2, 0] = 0                      # region AM02 coordinated in Sep and Oct only
    stage[calendar.index(Month(2014, 11)), 1] = 2  # region AM12 little in November only
    level_class[sep - 1, :] = 3                    # August: outside the window, must not count
    gov, party = INDICATOR_INDEX["governance_uwv_all_municipalities"], INDICATOR_INDEX["gov_party_unions"]
    items[sep:sep + 2, 0, gov] = True              # a governance table in Sep-Oct in one region ...
    items[sep, 0, party] = True                    # ... with unions in September
    items[:, 1, party] = True                      # unions without a table: not counted (Table 3.2 base)
    items[sep:sep + 4, :, INDICATOR_INDEX["joint_staff"]] = [True, False]
    return SimpleNamespace(stage=stage, level_class=level_class, items=items, region_codes=["AM02", "AM12"])


def test_the_picture_is_the_mean_over_september_to_december_2014():
    calendar = Calendar()
    picture = fieldwork_picture(_fake_run(calendar), calendar)
    assert set(STATISTICS) <= set(picture)
    assert picture["stages_and_classes.coordinated"] == pytest.approx(2 / 8)
    assert picture["stages_and_classes.little"] == pytest.approx(1 / 8)
    assert picture["stages_and_classes.none"] == 0.0 and picture["stages_and_classes.intermediate"] == 1.0
    assert picture["joint_activities.joint_staff"] == pytest.approx(0.5)
    # Table 3.2 among regions with a table: 1 of 1 in September, 0 of 1 in October, no table in Nov-Dec
    assert picture["governance_parties.unions"] == pytest.approx(0.5)
    assert picture["governance_parties.education"] == 0.0          # a table in the window, never education
    assert picture["structure.uwv_absent_tactical"] == 1.0
    assert picture["case_regions.Friesland"] == pytest.approx((2 * 0 + 2 * 1) / 4 / 2)
    assert picture["case_regions.Gooi- en Vechtstreek"] == pytest.approx((3 * 1 + 2) / 4 / 2)
    assert np.isnan(picture["case_regions.Rijnmond"])           # not in the run
    assert "items.joint_logo" in picture and "items.joint_staff" not in picture


def test_each_observed_figure_is_counted_once():
    observed = observed_statistics()
    assert list(observed)[: len(STATISTICS)] == list(STATISTICS) and len(STATISTICS) == 26
    # the rest are the 2007 survey's figures (every one: which are fitted is the joint calibration's choice)
    assert all(n.startswith("survey_2007.") for n in list(observed)[len(STATISTICS):])
    assert observed["stages_and_classes.middle"] == 0.5
    assert observed["stages_and_classes.all_levels"] == pytest.approx(13 / 35)
    assert observed["governance_parties.unions"] == pytest.approx(7 / 31)
    assert observed["case_regions.Friesland"] == 0.0 and observed["case_regions.Gooi- en Vechtstreek"] == 1.0
    # class "none" and "no regional cooperation at all" are one figure: kept in the joint pattern only
    assert "structure.no_regional_cooperation_at_all" not in STATISTICS
    assert sum(len(v) for v in PATTERN_GROUPS.values()) == len(STATISTICS)


def _diagonal(variance: float = 0.0) -> np.ndarray:
    return np.eye(len(STATISTICS)) * variance


def test_the_distance_weighs_each_error_by_its_noise():
    cov = _diagonal(0.01)
    d = CovarianceDistance(cov)
    obs = observed_statistics()
    assert d(obs) == pytest.approx(0.0)
    moved = {**obs, "joint_activities.joint_staff": obs["joint_activities.joint_staff"] + 0.2}
    assert d(moved) == pytest.approx(0.2 / np.sqrt(0.01 + VARIANCE_FLOOR))
    assert d({**obs, "case_regions.Rijnmond": float("nan")}) == float("inf")


def test_two_statistics_that_move_together_count_as_one():
    a, b = STATISTICS.index("stages_and_classes.coordinated"), STATISTICS.index("stages_and_classes.all_levels")
    var = 0.04                                   # much above the floor, so the floor hardly matters
    cov = _diagonal(var)
    cov[a, b] = cov[b, a] = var                  # perfectly correlated
    obs = observed_statistics()
    both = {**obs, STATISTICS[a]: obs[STATISTICS[a]] + 0.1, STATISTICS[b]: obs[STATISTICS[b]] + 0.1}
    one = {**obs, STATISTICS[a]: obs[STATISTICS[a]] + 0.1}
    independent = CovarianceDistance(_diagonal(var))
    assert CovarianceDistance(cov)(both) == pytest.approx(independent(one), rel=0.05)
    assert independent(both) == pytest.approx(np.sqrt(2) * independent(one))


def test_leaving_out_a_group_drops_its_statistics():
    setup = Setup(priors=[], covariance=_diagonal(0.01).tolist(), replications=1, seed=0)
    d = setup.distance(exclude=("case_regions",))
    assert not any(n.startswith("case_regions.") for n in d.names) and len(d.names) == len(STATISTICS) - 5
    obs = observed_statistics()
    assert d({**obs, "case_regions.Friesland": 1.0}) == pytest.approx(0.0)
    with pytest.raises(ValueError, match="unknown statistic"):
        CovarianceDistance(_diagonal(), ("stage.coordinated",))


def _synthetic(rng, n: int, shift: float, noise: float) -> pd.DataFrame:
    obs = np.array([observed_statistics()[n] for n in STATISTICS])
    return pd.DataFrame(obs + shift + rng.normal(0, noise, size=(n, len(obs))), columns=list(STATISTICS))


def test_the_replications_follow_from_the_measured_noise():
    rng = np.random.default_rng(11)
    cov = _diagonal(0.05 ** 2)
    centre = _synthetic(rng, 400, 0.2, 0.05)     # far from the observed picture: the distance is nearly linear
    prior = pd.concat([_synthetic(rng, 1, s, 0.05) for s in rng.uniform(0.0, 0.6, 200)], ignore_index=True)
    choice = choose_replications(centre, prior, CovarianceDistance(cov), rng, fraction=0.25)
    noise = {int(k): v for k, v in choice["noise"].items()}
    assert noise[4] == pytest.approx(noise[1] / 2, rel=0.2)            # a mean of k: noise / sqrt(k)
    k = choice["replications"]
    assert choice["met"] and noise[k] <= 0.25 * choice["spread"]
    smaller = [c for c in REPLICATION_CANDIDATES if c < k]
    assert all(noise[c] > 0.25 * choice["spread"] for c in smaller)
    hopeless = choose_replications(centre, centre, CovarianceDistance(cov), rng, fraction=0.25)
    assert not hopeless["met"] and hopeless["replications"] == REPLICATION_CANDIDATES[-1]


def test_priors_are_the_declared_ranges_unless_a_reason_narrows_them():
    (p,) = declared_priors(["weight_trust"])
    assert (p.low, p.high, p.reason) == (SPECS["weight_trust"].low, SPECS["weight_trust"].high, "")
    (q,) = declared_priors(["weight_trust"], {"weight_trust": (0.5, 1.5, "support terms of one order")})
    assert (q.low, q.high) == (0.5, 1.5)
    with pytest.raises(ValueError, match="reason"):
        declared_priors(["weight_trust"], {"weight_trust": (0.5, 1.5, " ")})
    with pytest.raises(ValueError, match="within"):
        declared_priors(["weight_trust"], {"weight_trust": (0.0, 1.5, "wider")})
    with pytest.raises(ValueError, match="unknown parameter"):
        declared_priors(["weight_trsut"])


def test_the_setup_survives_its_file(tmp_path):
    setup = Setup(priors=[Prior("weight_trust", 0.3, 2.0)], covariance=_diagonal(0.01).tolist(), replications=3,
                  seed=5, regions=CASE_REGIONS, noise={"replications": 3}, seconds_per_run=0.1)
    setup.write(tmp_path / "abc.json")
    again = Setup.read(tmp_path / "abc.json")
    assert again == setup
    text = (tmp_path / "abc.json").read_text().replace("case_regions.Helmond-De Peel", "case_regions.Helmond")
    (tmp_path / "other.json").write_text(text)
    with pytest.raises(ValueError, match="statistics differ"):
        Setup.read(tmp_path / "other.json")


@pytest.fixture(scope="module")
def tiny_setup():
    """Two free parameters, the five case regions, one replication per particle: seconds, not hours."""
    priors = declared_priors(["weight_trust", "trust_initial"])
    return measure_setup(priors, seed=3, reference_replications=12, prior_draws=6, replications=1,
                         regions=CASE_REGIONS)


def test_measuring_the_setup_records_its_choices(tiny_setup):
    assert tiny_setup.replications == 1 and tiny_setup.regions == CASE_REGIONS
    cov = np.array(tiny_setup.covariance)
    assert cov.shape == (26, 26) and np.allclose(cov, cov.T) and (np.diag(cov) >= 0).all()
    assert set(tiny_setup.noise) >= {"replications", "noise", "spread", "reason"}
    assert tiny_setup.seconds_per_run > 0
    assert tiny_setup.reference["point"] == {"weight_trust": (0.3 + 2.0) / 2, "trust_initial": (0.25 + 0.65) / 2}


def test_abc_smc_runs_resumes_and_repeats(tiny_setup, tmp_path):
    db = tmp_path / "abc.db"
    assert generations_done(db) is None
    history = run_abc_smc(tiny_setup, db, generations=1, particles=4)
    assert generations_done(db) == 1
    first = last_population(history)
    assert len(first) == 4 and first["weight"].sum() == pytest.approx(1.0)
    for p in tiny_setup.priors:
        assert first[p.name].between(p.low, p.high).all()
    again = last_population(run_abc_smc(tiny_setup, tmp_path / "again.db", generations=1, particles=4))
    pd.testing.assert_frame_equal(first, again)                 # one worker: the same seed, the same particles
    resumed = run_abc_smc(tiny_setup, db, generations=2, particles=4, workers=2)   # continues, on two processes
    assert generations_done(db) == 2 and resumed.max_t == 1
    sizes = effective_sizes(resumed)
    assert len(sizes) == 2 and sizes[0] == pytest.approx(4.0) and 1.0 <= sizes[1] <= 4.0 + 1e-9
    eps = resumed.get_all_populations().set_index("t")["epsilon"]
    assert eps[1] <= eps[0]
    assert run_abc_smc(tiny_setup, db, generations=2, particles=4).max_t == 1   # finished: nothing runs


def test_the_effective_number_of_particles_counts_how_evenly_they_weigh():
    assert effective_sample_size([1, 1, 1, 1]) == pytest.approx(4.0)
    assert effective_sample_size([5, 0, 0, 0]) == pytest.approx(1.0)
    assert effective_sample_size([3, 1]) == pytest.approx(1 / (0.75 ** 2 + 0.25 ** 2))
    with pytest.raises(ValueError, match="allowed: local, gaussian, wide"):
        _transition("narrow")


def test_abc_smc_runs_on_a_dask_cluster(tiny_setup, tmp_path):
    from distributed import LocalCluster  # the cluster extra, part of the dev extra

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        history = run_abc_smc(tiny_setup, tmp_path / "abc.db", generations=1, particles=3,
                              scheduler=cluster.scheduler_address)
    particles = last_population(history)
    assert len(particles) == 3 and particles["weight"].sum() == pytest.approx(1.0)


def test_a_joint_calibration_of_both_eras_fits_the_survey_figures_it_may_and_no_others(tmp_path):
    from chainsim.calibration import JOINT_STATISTICS, SURVEY_GROUP, SURVEY_STATISTICS
    from chainsim.core.location_measurement import survey_figures

    assert set(SURVEY_STATISTICS) == {f"{SURVEY_GROUP}.{f.item}" for f in survey_figures() if f.use == "calibrate"}
    assert not any(f"{SURVEY_GROUP}.{f.item}" in JOINT_STATISTICS for f in survey_figures() if f.use == "test")
    observed = observed_statistics()
    assert all(0.0 < observed[n] < 1.0 for n in SURVEY_STATISTICS)
    priors = declared_priors(["weight_trust", "co_location_trust"])
    setup = measure_setup(priors, seed=4, reference_replications=6, prior_draws=4, replications=1,
                          regions=CASE_REGIONS, start_from="werkpleinen_2005")
    assert setup.start_from == "werkpleinen_2005" and setup.statistics == JOINT_STATISTICS
    assert np.array(setup.covariance).shape == (len(JOINT_STATISTICS),) * 2
    setup.write(tmp_path / "joint.json")
    assert Setup.read(tmp_path / "joint.json") == setup
    distance = setup.distance()
    assert set(SURVEY_STATISTICS) <= set(distance.names)
    history = run_abc_smc(setup, tmp_path / "joint.db", generations=1, particles=3)
    assert len(last_population(history)) == 3
    assert set(setup.distance(exclude=(SURVEY_GROUP,)).names) == set(STATISTICS)


def test_a_calibration_of_the_werkplein_era_alone_fits_only_its_calibrate_figures(tmp_path):
    """The era on its own: every particle runs the locations, the distance compares the survey's calibrate
    figures and nothing of 2014; the set-up keeps its era, so a resume cannot mix the two."""
    from chainsim.abc_smc import WERKPLEIN_ERA, run_config
    from chainsim.calibration import SURVEY_STATISTICS

    priors = declared_priors(["weight_trust", "handover_loss"])
    setup = measure_setup(priors, seed=4, reference_replications=6, prior_draws=4, replications=1,
                          regions=("AM02",), era=WERKPLEIN_ERA)
    assert setup.era == WERKPLEIN_ERA and setup.statistics == SURVEY_STATISTICS
    assert run_config({"weight_trust": 1.0}, ("AM02",), era=WERKPLEIN_ERA).era == WERKPLEIN_ERA
    setup.write(tmp_path / "era.json")
    assert Setup.read(tmp_path / "era.json") == setup
    assert setup.distance().names == SURVEY_STATISTICS
    history = run_abc_smc(setup, tmp_path / "era.db", generations=1, particles=3)
    particles = last_population(history)
    assert len(particles) == 3 and set(particles.columns) == {"weight_trust", "handover_loss", "weight"}


def test_the_wide_transition_proposes_inside_the_priors_as_pyabc_s_own_loop_would():
    """Drawing in blocks and keeping the first proposal inside the box gives pyABC's distribution."""
    import pyabc

    from chainsim.abc_smc import _transition

    priors = [SimpleNamespace(name="a", low=0.0, high=1.0), SimpleNamespace(name="b", low=0.0, high=2.0)]
    rng = np.random.default_rng(5)
    particles = pd.DataFrame({"a": rng.uniform(0.6, 1.0, 40), "b": rng.uniform(0.0, 0.5, 40)})
    weights = rng.uniform(0.5, 1.5, 40)
    boxed, plain = _transition("wide", priors), pyabc.MultivariateNormalTransition(scaling=4.0)
    boxed.fit(particles, weights)
    plain.fit(particles, weights)
    prior = pyabc.Distribution(a=pyabc.RV("uniform", 0.0, 1.0), b=pyabc.RV("uniform", 0.0, 2.0))
    np.random.seed(1)
    ours = pd.DataFrame([dict(boxed.rvs_single()) for _ in range(3000)])
    theirs = []
    while len(theirs) < 3000:                        # pyABC's loop: redraw while the prior density is zero
        proposal = plain.rvs_single()
        if prior.pdf(proposal) > 0:
            theirs.append(dict(proposal))
    theirs = pd.DataFrame(theirs)
    assert ((ours >= [0.0, 0.0]) & (ours <= [1.0, 2.0])).all().all()
    for column in ("a", "b"):                        # same distribution: means and spreads within sampling error
        assert abs(ours[column].mean() - theirs[column].mean()) < 4 * theirs[column].std() / np.sqrt(1500)
        assert ours[column].std() == pytest.approx(theirs[column].std(), rel=0.1)
    assert boxed.pdf(ours.iloc[0]) == pytest.approx(plain.pdf(ours.iloc[0]))
