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

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import solara  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from mesa.visualization import SolaraViz  # noqa: E402
from mesa.visualization.utils import update_counter  # noqa: E402

from chainsim.explain import explain  # noqa: E402
from chainsim.levers import LEVERS, Lever, RegionSelection  # noqa: E402
from chainsim.model import ChainModel  # noqa: E402
from chainsim.parameters import SPECS, Parameters  # noqa: E402
from chainsim.plotting import (STAGE_COLOURS, plot_model_stage_shares, plot_region_network,  # noqa: E402
                               region_tiles)
from chainsim.scenario import default_scenario, load_scenario  # noqa: E402

SCENARIO_DIR = Path(__file__).resolve().parents[1] / "scenarios"
MAIN_PARAMETERS = ("weight_pressure", "weight_trust", "weight_belief", "weight_autonomy", "weight_rivalry",
                   "effort_scale")
APP_LEVERS = ("joint_targets", "minister_visits", "facilitative_leadership", "employer_demand",
              "ict_harmonisation", "co_location", "knowledge_sharing", "budget_cuts")

selected_region = solara.reactive("Friesland")


def scenario_names() -> list[str]:
    names = sorted(p.stem for p in SCENARIO_DIR.glob("*.toml")) if SCENARIO_DIR.is_dir() else []
    return names or ["netherlands_2012"]


class AppModel(ChainModel):
    """A ChainModel built from the app's controls: a scenario, lever strengths, parameters."""

    def __init__(self, scenario: str = "netherlands_2012", seed: int = 0, **controls: float) -> None:
        path = SCENARIO_DIR / f"{scenario}.toml"
        base = load_scenario(path) if path.is_file() else default_scenario()
        params = base.params.as_dict()
        params.update({k: float(v) for k, v in controls.items() if k in SPECS})
        levers = list(base.levers) + [
            Lever(kind, base.calendar.start.plus(12), None, RegionSelection(), float(strength))
            for kind, strength in controls.items() if kind in LEVERS and float(strength) > 0]
        super().__init__(Parameters.from_mapping(params), base.calendar, None, rng=int(seed), levers=levers)
        self.scenario_name = scenario


def model_params() -> dict:
    params = {"scenario": {"type": "Select", "value": "netherlands_2012", "values": scenario_names(),
                           "label": "scenario"},
              "seed": {"type": "SliderInt", "value": 0, "min": 0, "max": 99, "step": 1, "label": "seed"}}
    for kind in APP_LEVERS:
        params[kind] = {"type": "SliderFloat", "value": 0.0, "min": 0.0, "max": 1.0, "step": 0.1,
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


page = SolaraViz(AppModel(), components=[(StageShares, 0), (RegionTiles, 0), (RegionView, 0)],
                 model_params=model_params(),
                 name="chainsim: chain cooperation in the Dutch labour market regions", play_interval=300)
