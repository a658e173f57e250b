"""chainsim as an EMA Workbench model (the optional [ema] extra; part of the dev extras)."""

import numpy as np
import pytest

ema = pytest.importorskip("ema_workbench")

from chainsim.core.levers import LEVERS  # noqa: E402
from chainsim.core.parameters import SPECS  # noqa: E402
from chainsim.ema import LEVER_PREFIX, build_model, run_chainsim  # noqa: E402


def test_names_and_ranges_are_chainsim_s():
    model = build_model(replications=2, uncertainties=("weight_trust", "weight_pressure"))
    assert [u.name for u in model.uncertainties] == ["weight_trust", "weight_pressure"]
    assert model.uncertainties[0].lower_bound == SPECS["weight_trust"].low
    # the levers of the scenario's era only: one of the other era would make every run refuse
    assert {lv.name for lv in model.levers} == {LEVER_PREFIX + k for k in LEVERS if "regions_2012" in LEVERS[k].eras}
    era = build_model(replications=1, scenario="werkpleinen_2005")
    assert {lv.name for lv in era.levers} == {LEVER_PREFIX + k for k in LEVERS if "werkpleinen_2005" in LEVERS[k].eras}
    assert len(model.replications) == 2


def test_one_replication_is_reproducible_and_levers_act():
    a = run_chainsim(rng=4, weight_pressure=1.2)
    assert a == run_chainsim(rng=4, weight_pressure=1.2)
    assert 0 <= a["coordinated_end"] <= 1 and len(a["coordinated"]) == 60
    with_lever = run_chainsim(rng=4, weight_pressure=1.2, lever_co_location=1.0)
    assert with_lever != a
    with pytest.raises(ValueError, match="unknown settings weight_presure"):
        run_chainsim(rng=1, weight_presure=1.0)


def test_perform_experiments_runs_replications():
    model = build_model(replications=2, uncertainties=("weight_trust",), levers=("joint_targets",))
    with ema.SequentialEvaluator(model) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(scenarios=2, policies=1,
                                                              uncertainty_sampling_kwargs={"rng": 1},
                                                              lever_sampling_kwargs={"rng": 2})
    assert len(experiments) == 2
    assert np.asarray(outcomes["coordinated_end"]).shape == (2, 2)


def test_scenario_and_regions_reach_the_model():
    model = build_model(replications=1, uncertainties=("weight_trust",), levers=(),
                        scenario="lever_joint_targets", regions=["Friesland", "Rijnmond"])
    assert {c.name: c.value for c in model.constants} == {"scenario": "lever_joint_targets",
                                                          "regions": "Friesland,Rijnmond"}
    two = run_chainsim(rng=1, scenario="lever_joint_targets", regions="Friesland,Rijnmond")
    assert {round(s * 2) / 2 for s in two["coordinated"]} <= {0.0, 0.5, 1.0}


def test_without_the_workbench_build_model_says_what_to_install(monkeypatch):
    import sys

    for name in [m for m in sys.modules if m == "ema_workbench" or m.startswith("ema_workbench.")]:
        monkeypatch.setitem(sys.modules, name, None)          # as if it were not installed
    with pytest.raises(ModuleNotFoundError, match=r"pip install 'chainsim\[ema\]'") as err:
        build_model(replications=1)
    assert "\n" not in str(err.value)
