"""ChainModel as Mesa's tools use it: flat settings, batch_run, SolaraViz's reset, a DataCollector."""

from __future__ import annotations

import mesa
import numpy as np
import pytest

from chainsim.model import ChainModel


def test_flat_settings_reach_parameters_levers_and_regions():
    model = ChainModel("lever_joint_targets", regions=["Friesland", "Twente"], weight_pressure=1.3,
                       lever_minister_visits=0.5, lever_start="2013-06", rng=2)
    assert model.params.weight_pressure == 1.3 and model.regions_state.codes == ["AM02", "AM05"]
    kinds = [lever.kind for lever in model.world.interventions[0].levers]
    assert kinds == ["joint_targets", "minister_visits"]
    with pytest.raises(ValueError, match="unknown settings weight_presure"):
        ChainModel(weight_presure=1.0)
    with pytest.raises(ValueError, match="strength 2.0"):
        ChainModel(lever_joint_targets=2.0)
    with pytest.raises(ValueError, match="weight_pressure: 'high' is not a number"):
        ChainModel(weight_pressure="high")


@pytest.mark.parametrize("settings, message", [
    ({"rng": "abc"}, "rng: 'abc' (allowed: a whole number >= 0"),
    ({"rng": -1}, "rng: -1 (allowed"),
    ({"params": {"weight_pressure": 1}}, "params: a dict (allowed: a chainsim Parameters"),
    ({"regions": []}, "regions: an empty list"),
    ({"lever_joint_targets": 1, "lever_start": "2019-01"}, "lever_start: 2019-01 lies outside the calendar"),
    ({"lever_joint_targets": -1}, "strength -1.0 (allowed: 0 to 1)"),
])
def test_a_python_users_slips_get_one_line_naming_what_is_allowed(settings, message):
    with pytest.raises(ValueError) as err:
        ChainModel(**settings)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_a_name_may_be_given_as_text_and_a_finished_run_says_so():
    model = ChainModel(regions="Friesland, Twente", mechanisms_off="M5", rng=1)
    assert model.regions_state.codes == ["AM02", "AM05"] and model.off("M5")
    model = ChainModel(regions="Friesland", rng=1).run()
    with pytest.raises(RuntimeError, match="the run has ended: it simulated every month to 2016-12"):
        model.step()


def test_the_data_collector_records_stage_shares_each_month():
    model = ChainModel(regions=["Friesland", "Rijnmond"], rng=1)
    for _ in range(3):
        model.step()
    frame = model.datacollector.get_model_vars_dataframe()
    assert list(frame.columns) == ["month", "coordinated", "middle", "little"] and len(frame) == 3
    assert list(frame["month"]) == ["2012-01", "2012-02", "2012-03"]
    assert np.allclose(frame[["coordinated", "middle", "little"]].sum(axis=1), 1.0)


def test_batch_run_uses_chainmodel_directly_and_seeds_do_not_depend_on_run_order():
    params = {"regions": [("Friesland", "Twente")], "lever_minister_visits": [0.0, 1.0]}
    rows = mesa.batch_run(ChainModel, params, rng=[1, 2], max_steps=60, display_progress=False)
    assert len(rows) == 4 and {r["Step"] for r in rows} == {60}
    again = mesa.batch_run(ChainModel, {**params, "lever_minister_visits": [1.0, 0.0]}, rng=[1, 2],
                           max_steps=60, display_progress=False)
    key = lambda r: (r["rng"], r["lever_minister_visits"])     # noqa: E731
    assert sorted((key(r), r["coordinated"]) for r in rows) == sorted((key(r), r["coordinated"]) for r in again)


def test_solaraviz_can_rebuild_the_model_on_reset():
    from mesa.visualization.solara_viz import _build_model_init_kwargs

    model = ChainModel(regions=["Friesland"], rng=3)
    kwargs = _build_model_init_kwargs(model, {"regions": ["Friesland"], "rng": 3, "lever_joint_targets": 0.5},
                                      add_scenario_when_empty=True, require_model_accepts_scenario=False)
    rebuilt = ChainModel(**kwargs)
    assert rebuilt.regions_state.codes == ["AM02"]
    assert rebuilt.world.interventions[0].levers[0].kind == "joint_targets"


def test_models_from_one_seed_or_seed_sequence_are_paired_and_from_one_generator_are_not():
    """A baseline and a what-if built from one seed or sequence share their numbers (the sequence is copied);
    models built one after another from one generator are replications and draw different numbers."""
    from chainsim.runner import replication_seeds

    def stages(rng):
        return ChainModel(regions=["Friesland", "Twente"], rng=rng).run().recorder.items

    seed = replication_seeds(3, 1)[0]
    assert np.array_equal(stages(seed), stages(seed)) and seed.n_children_spawned == 0
    assert np.array_equal(stages(11), stages(11))
    shared = np.random.default_rng(11)
    assert not np.array_equal(stages(shared), stages(shared))
