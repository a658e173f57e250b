"""Browser app (Mesa SolaraViz): play the regions month by month, look inside one.

Start it with ``chainsim app`` (localhost only by default). The sidebar has
Mesa's play/step/reset controls, the scenario, lever strengths and the main
parameters (the names of scenario files); the page shows the share of
regions per stage over time, the 35 regions as tiles coloured by stage
(click one to select it), the selected region's network of ties coloured by
trust, and the plain-language explanation of where it stands
(:func:`chainsim.explain.explain`). Visualisation only: nothing imports
this module but the command line.
"""

from __future__ import annotations

import solara
from matplotlib.figure import Figure
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from chainsim.core.parameters import SPECS
from chainsim.explain import explain
from chainsim.model import LEVER_PREFIX, ChainModel
from chainsim.plotting import STAGE_COLOURS, plot_model_stage_shares, plot_region_network, region_tiles
from chainsim.scenario import shipped_scenarios

MAIN_PARAMETERS = ("weight_pressure", "weight_trust", "weight_belief", "weight_autonomy", "weight_rivalry",
                   "effort_scale")
APP_LEVERS = ("joint_targets", "minister_visits", "facilitative_leadership", "employer_demand",
              "ict_harmonisation", "co_location", "knowledge_sharing", "budget_cuts")

selected_region = solara.reactive("Friesland")


def scenario_names() -> list[str]:
    return list(shipped_scenarios()) or ["netherlands_2012"]


def model_params() -> dict:
    params = {"scenario": {"type": "Select", "value": "netherlands_2012", "values": scenario_names(),
                           "label": "scenario"},
              "rng": {"type": "SliderInt", "value": 0, "min": 0, "max": 99, "step": 1, "label": "seed"}}
    for kind in APP_LEVERS:
        params[LEVER_PREFIX + kind] = {"type": "SliderFloat", "value": 0.0, "min": 0.0, "max": 1.0, "step": 0.1,
                        "label": f"lever {kind} (from 2013)"}
    for name in MAIN_PARAMETERS:
        spec = SPECS[name]
        params[name] = {"type": "SliderFloat", "value": round(spec.default, 2), "min": spec.low, "max": spec.high,
                        "step": 0.05, "label": name}
    return params


# --- the views ---------------------------------------------------------------
@solara.component
def StageShares(model):
    update_counter.get()
    fig = Figure(figsize=(6, 3.2))
    plot_model_stage_shares(model, ax=fig.subplots())
    fig.tight_layout()
    solara.FigureMatplotlib(fig, format="png")


@solara.component
def RegionTiles(model):
    update_counter.get()
    with solara.Card("Regions by stage (click one)"):
        with solara.ColumnsResponsive(small=3, large=2):
            for name, stage in region_tiles(model):
                solara.Button(name, on_click=lambda name=name: selected_region.set(name),
                              style={"background-color": STAGE_COLOURS[stage], "color": "white",
                                     "font-size": "9px", "width": "100%", "text-transform": "none",
                                     "padding": "0 2px", "letter-spacing": "0"},
                              outlined=name == selected_region.value)


@solara.component
def RegionView(model):
    update_counter.get()
    region = selected_region.value
    if region not in model.regions_state.names:
        region = model.regions_state.names[0]
    fig = Figure(figsize=(6, 4.5))
    plot_region_network(model, region, ax=fig.subplots())
    with solara.Card(f"Inside {region}"):
        solara.FigureMatplotlib(fig, format="png")
        if model.t == 0:
            solara.Markdown("Press **Step** or **Play** to simulate the first month.")
        else:
            solara.Markdown(f"**Why {region} is where it is.** " + explain(model, region).text())


page = SolaraViz(ChainModel(rng=0), components=[(StageShares, 0), (RegionTiles, 0), (RegionView, 0)],
                 model_params=model_params(),
                 name="chainsim: chain cooperation in the Dutch labour market regions", play_interval=300)
