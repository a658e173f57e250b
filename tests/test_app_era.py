"""The browser app in the werkplein era 2005-2011: its scenarios, its data views and its page.

The data tests run a tiny model of the era (Friesland's six locations) and
check what the views draw: the era's stage names and colours, locations as
units (with their region), the 2007 survey's figures as bands over its
fieldwork months, a location's organisations, ties, arrangements and stage
over time. The region view's functions must give what they gave before the
views were generalised (the values here are computed the old way). The page
test renders the app in a Solara kernel context (no browser), switches to
the era's scenario and plays a few months.
"""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from chainsim.core.calendar import Month
from chainsim.core.eras import LOCATIONS
from chainsim.core.levers import LEVERS
from chainsim.core.location_measurement import LOCATION_STAGES, survey_figures
from chainsim.core.measurement import STAGES
from chainsim.core.population import Kind
from chainsim.model import ChainModel
from chainsim.plotting import (
    KIND_LABELS,
    LOCATION_STAGE_COLOURS,
    NOT_IN_RUN,
    STAGE_COLOURS,
    baseline_comparison_data,
    item_share_series,
    kind_labels,
    location_history_data,
    location_tile_map,
    plot_baseline_comparison,
    plot_location_history,
    plot_model_item_shares,
    plot_model_stage_shares,
    plot_region_network,
    region_network,
    stage_band_data,
    stage_share_series,
    survey_band_data,
)
from chainsim.results import load_observed
from chainsim.scenario import load_scenario, shipped_scenarios

FRIESLAND = ["AM02/1", "AM02/2", "AM02/3", "AM02/4", "AM02/5", "AM02/6"]


@pytest.fixture(scope="module")
def era_model():
    """Friesland's locations, 30 months in (to June 2007: past the survey's fieldwork)."""
    model = ChainModel("werkpleinen_2005", regions=["Friesland"], rng=3)
    for _ in range(30):
        model.step()
    return model


# --- without solara: the data the views draw ---------------------------------------
def test_the_era_views_give_stages_locations_and_survey_bands(era_model):
    m = era_model
    assert m.regions_state.codes == FRIESLAND
    shares = stage_share_series(m)
    assert list(shares) == list(LOCATION_STAGES) == ["integrated", "partly", "separate"]
    assert all(len(v) == 30 for v in shares.values())
    assert np.allclose(sum(shares.values()), 1.0)

    tiles = location_tile_map(m)
    assert len(tiles) == len(LOCATIONS.select(None)) and tiles["code"].is_unique
    ours = tiles[tiles["code"].isin(FRIESLAND)]
    assert list(ours["number"]) == [1, 2, 3, 4, 5, 6] and set(ours["region_name"]) == {"Friesland"}
    assert set(ours["stage"]) <= set(LOCATION_STAGES)
    assert dict(zip(ours["code"], ours["stage"])) == {c: LOCATION_STAGES[s] for c, s in
                                                      zip(m.regions_state.codes, m.recorder.stage[29])}
    assert set(tiles[~tiles["code"].isin(FRIESLAND)]["stage"]) == {NOT_IN_RUN}
    assert ours.iloc[0]["name"] == "Werkplein Leeuwarden"

    bands = survey_band_data(m)
    march, may = m.calendar.index(Month(2007, 3)), m.calendar.index(Month(2007, 5))
    assert list(bands["item"]) == [f.item for f in survey_figures()]
    assert (bands["first"] == march).all() and (bands["last"] == may).all()
    assert list(zip(bands["low"], bands["high"])) == [(f.low, f.high) for f in survey_figures()]
    stage_bands = stage_band_data(m)
    assert list(stage_bands["stage"]) == ["integrated"] and list(stage_bands["item"]) == ["integrated_service"]
    items = item_share_series(m, ["integrated_service", "shared_building"])
    assert np.allclose(items["integrated_service"], shares["integrated"])   # the stage is the survey's item
    with pytest.raises(ValueError, match="not measured in this era"):
        item_share_series(m, ["market_plan"])


def test_a_location_shows_its_organisations_ties_and_history(era_model):
    m = era_model
    net = region_network(m, "AM02/1")
    assert sorted(net.edges) == sorted(region_network(m, "Werkplein Leeuwarden").edges)
    kinds = {d["kind"] for _, d in net.nodes(data=True)}
    assert {Kind.CENTRE, Kind.MUNICIPALITY, Kind.UWV} <= kinds
    assert all(0 <= d["trust"] <= 1 for *_, d in net.edges(data=True))
    assert "CWI" in kind_labels(m)[Kind.UWV] and kind_labels(m)[Kind.CENTRE] == "host municipality"

    history = location_history_data(m, "AM02/1")
    assert len(history) == 30 and history.index[0] == "2005-01" and history.index[-1] == "2007-06"
    assert list(history.columns) == ["stage", *m.catalogue.ids]
    assert list(history["stage"]) == [LOCATION_STAGES[s] for s in m.recorder.stage[:30, 0]]
    in_force_now = m.regions_state.in_force[0]
    assert list(history.iloc[-1][list(m.catalogue.ids)]) == list(in_force_now)

    fig = Figure()
    ax = plot_region_network(m, "AM02/1", ax=fig.subplots())
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(label.startswith("host municipality") for label in labels)
    assert any(label.startswith("agency: CWI + UWV") for label in labels)
    fig = Figure()
    top, bottom = plot_location_history(m, "AM02/1", ax=fig.subplots(2, 1, sharex=True))
    assert len(bottom.get_yticklabels()) == len(m.catalogue.ids) and "AM02/1" in top.get_title()


def test_the_era_charts_use_its_stages_units_and_bands(era_model):
    fig = Figure()
    ax = plot_model_stage_shares(era_model, ax=fig.subplots())
    assert ax.get_ylabel() == "share of locations"
    assert [(line.get_label(), line.get_color()) for line in ax.get_lines()[:3]] == list(LOCATION_STAGE_COLOURS.items())
    assert any("survey 2007, 0.07-0.13" in t.get_text() for t in ax.get_legend().get_texts())
    fig = Figure()
    ax = plot_model_item_shares(era_model, ["one_counter", "integrated_service"], ax=fig.subplots())
    assert len(ax.collections) >= 2                                    # a band per item shown
    assert any("2007-03..2007-05" in t.get_text() for t in ax.get_legend().get_texts())


def test_the_region_views_give_what_they_gave_before():
    """The generalised functions, on a region run, against the old code path written out."""
    model = ChainModel("netherlands_2012", rng=2)
    for _ in range(4):
        model.step()
    stage = model.recorder.stage[: model.t]
    old = {name: (stage == k).mean(axis=1) for k, name in enumerate(STAGES)}
    new = stage_share_series(model)
    assert list(new) == list(old) and all(np.array_equal(new[k], old[k]) for k in old)
    assert survey_band_data(model).empty and stage_band_data(model).empty
    assert kind_labels(model) is KIND_LABELS
    fig = Figure()
    ax = plot_model_stage_shares(model, ax=fig.subplots())
    assert ax.get_ylabel() == "share of regions" and not ax.collections
    assert [(line.get_label(), line.get_color()) for line in ax.get_lines()[:3]] == list(STAGE_COLOURS.items())
    # all 35 regions: the Inspectorate's national 2014 shares marked at 2014-11, one legend entry for the three
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [*STAGES, "observed 2014-11 (Inspectie SZW)"]
    marks = [line for line in ax.get_lines() if line.get_marker() == "D"]
    assert [(m.get_xdata()[0], m.get_ydata()[0]) for m in marks] == \
        [(model.calendar.observed_index, share) for share in load_observed()["stage_shares"].values()]
    assert ax.get_title() == "Stage shares, month 4 (2012-04)"
    few = ChainModel("netherlands_2012", regions=["Friesland"], rng=2)     # national figures: not beside one region
    ax = plot_model_stage_shares(few, ax=Figure().subplots())
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(STAGES)
    assert ax.get_title() == "Stage shares, before its first month (2012-01)"
    fig = Figure()
    ax = plot_region_network(model, "Friesland", ax=fig.subplots())
    assert ax.get_title() == "Friesland: ties coloured by trust (red low, green high)"
    assert region_network(model, "Friesland").number_of_nodes() > 24
    data = baseline_comparison_data(model.calendar.months[:3], np.zeros((2, 3)), np.ones((2, 3)))
    top, bottom = plot_baseline_comparison(data, ax=Figure().subplots(2, 1))
    assert top.get_ylabel() == "share coordinated"
    assert top.get_title().startswith("Share of regions with a coordinated approach (2 replications each")


# --- the app (needs solara, the app extra) --------------------------------------------
@pytest.fixture(scope="module")
def app():
    pytest.importorskip("solara")
    from chainsim import app

    return app


def test_the_app_offers_the_werkplein_scenarios_and_no_simulated_start(app):
    names = app.scenario_names()
    werkplein = [n for n in shipped_scenarios() if n == "werkpleinen_2005" or n.startswith("werkplein_")]
    assert len(werkplein) >= 2 and set(werkplein) <= set(names)
    assert all(load_scenario(n).start_from is None for n in names)
    assert "netherlands_2012" in names and "netherlands_2005_2016" not in names
    refused = app.refused_scenarios()
    assert "netherlands_2005_2016" in refused and "cannot start from the simulated era" in \
        refused["netherlands_2005_2016"]
    assert set(refused).isdisjoint(names)


def test_the_sidebar_follows_the_era(app):
    settings = app.default_settings("werkpleinen_2005", seed=2)
    levers = [k.removeprefix("lever_") for k in settings if k.startswith("lever_")]
    assert levers == list(app.ERA_LEVERS) and all(LOCATIONS.name in LEVERS[k].eras for k in levers)
    assert app.control_names() == list(app.default_settings())                       # the region era's, as before
    assert app.levers_from("werkpleinen_2005") == "2006-01"
    region = app.default_settings()
    assert app.pending_changes(settings, region)[:2] == ["scenario netherlands_2012 → werkpleinen_2005", "seed 0 → 2"]
    assert "lever minister_visits 0.5 → 0.0" in app.pending_changes(settings, {**region, "lever_minister_visits": 0.5})
    scenario, kwargs = app.model_kwargs({**settings, "lever_co_location": 0.5, "lever_minister_visits": 1.0})
    assert scenario == "werkpleinen_2005" and kwargs == {"rng": 2, "lever_co_location": 0.5}
    model = app.build_model({**settings, "lever_co_location": 0.5})
    assert model.era is LOCATIONS and len(model.regions_state.codes) == len(LOCATIONS.select(None))


def test_the_era_model_steps_through_the_app(app):
    model = ChainModel("werkpleinen_2005", regions=["Friesland"], rng=1)
    assert app.selected_unit(model, "Friesland") == "AM02/1"
    assert app.selected_unit(model, "AM02/4") == "AM02/4"
    facts = app.location_facts(model, "AM02/1")
    assert facts.stage is None and "Press **Step**" in facts.text()
    for _ in range(3):
        assert app.advance(model)
    assert model.t == 3 and model.datacollector.get_model_vars_dataframe().shape == (3, 4)
    assert list(model.datacollector.get_model_vars_dataframe().columns) == ["month", *LOCATION_STAGES]
    facts = app.location_facts(model, "AM02/1")
    assert facts.host == "Leeuwarden" and facts.municipalities[0] == "Leeuwarden" and facts.region == "Friesland"
    assert facts.stage in LOCATION_STAGES and facts.agency.startswith("CWI's branch") and 0 <= facts.trust_agency <= 1
    assert "Werkplein Leeuwarden" in facts.text() and f"'{facts.stage}' stage" in facts.text()
    choices = app.location_choices(model)
    assert list(choices.values()) == FRIESLAND and next(iter(choices)).startswith("Friesland — Werkplein Leeuwarden")
    while app.advance(model):
        pass
    assert model.t == model.calendar.n_months == 84 and not app.advance(model)
    assert app.location_facts(model, "AM02/2").agency.startswith("UWV, since CWI merged into it in 2009-01")


def test_the_page_switches_to_the_werkplein_era(app, monkeypatch):
    import ipyvuetify as v
    import solara
    import solara.server.app  # noqa: F401  (Solara's per-kernel patches, as in the server)
    from solara.server import kernel, kernel_context

    built, build = [], app.build_model

    def small(settings):          # the era's scenario on Friesland's locations only: a fast page
        scenario, kwargs = app.model_kwargs(settings)
        model = ChainModel(scenario, regions=["Friesland"], **kwargs) if scenario != app.DEFAULT_SCENARIO \
            else build(settings)
        built.append(model)
        return model

    monkeypatch.setattr(app, "build_model", small)
    context = kernel_context.VirtualKernelContext(id="kernel-era", kernel=kernel.Kernel(), session_id="session-era")
    try:
        with context:
            rc = solara.render(solara.AppLayout(children=[app.Page()]), handle_error=False)[1]
            rc.find(v.Select, label="scenario (shipped)").widget.v_model = "werkpleinen_2005"
            assert "scenario netherlands_2012 → werkpleinen_2005" in \
                rc.find(v.Alert, class_="pending-changes").widget.children[0]
            assert "Not offered: netherlands_2005_2016" in rc.find(v.Html, class_="refused-scenario").widget.children[0]
            rc.find(v.Btn, children=["Reset"]).widget.click()
            assert built[-1].era is LOCATIONS
            for _ in range(2):
                rc.find(v.Btn, children=["Step"]).widget.click()
            assert rc.find(v.Html, class_="month-status").widget.children[0] == "Month 2 of 84 simulated (2005-02)."
            tiles = rc.find(v.Btn, class_="location-tile").widgets
            assert len(tiles) == len(LOCATIONS.select(None))
            ours = [w for w in tiles if w.attributes["data-location"] in FRIESLAND]
            assert len(ours) == 6 and all(not w.disabled for w in ours)
            assert all(w.disabled for w in tiles if w not in ours)
            rc.find(v.CardTitle, children=["Where Werkplein Leeuwarden stands"]).assert_not_empty()
            next(w for w in ours if w.attributes["data-location"] == "AM02/3").click()
            rc.find(v.CardTitle, children=["Where Werkplein Harlingen stands"]).assert_not_empty()
            select = rc.find(v.Select, label="location (by region)").widget
            select.v_model = next(label for label in select.items if label.endswith("(AM02/5)"))
            rc.find(v.CardTitle, children=["Where Werkplein Schiermonnikoog stands"]).assert_not_empty()
            rc.find(v.Select, label="items shown").widget.v_model = ["one_counter"]
            rc.find(v.CardTitle, children=["Share of locations per stage"]).assert_not_empty()
            assert built[-1].t == 2
    finally:
        context.close()
