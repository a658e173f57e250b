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
import matplotlib.pyplot as plt  # noqa: E402
import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402
import solara  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from mesa.visualization import SolaraViz  # noqa: E402
from mesa.visualization.utils import update_counter  # noqa: E402

from chainsim.agents import Kind  # noqa: E402
from chainsim.explain import explain  # noqa: E402
from chainsim.levers import LEVERS, Lever, RegionSelection  # noqa: E402
from chainsim.measurement import STAGES  # noqa: E402
from chainsim.model import ChainModel  # noqa: E402
from chainsim.parameters import SPECS, Parameters  # noqa: E402
from chainsim.plotting import STAGE_COLOURS  # noqa: E402
from chainsim.scenario import default_scenario, load_scenario  # noqa: E402

SCENARIO_DIR = Path(__file__).resolve().parents[1] / "scenarios"
MAIN_PARAMETERS = ("weight_pressure", "weight_trust", "weight_belief", "weight_autonomy", "weight_rivalry",
                   "effort_scale")
APP_LEVERS = ("joint_targets", "minister_visits", "facilitative_leadership", "employer_demand",
              "ict_harmonisation", "co_location", "knowledge_sharing", "budget_cuts")
KIND_COLOURS = {Kind.MUNICIPALITY: "#9ecae1", Kind.CENTRE: "#08519c", Kind.UWV: "#e6550d",
                Kind.SW_COMPANY: "#31a354", Kind.EMPLOYER_ORGANISATION: "#756bb1"}

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


# --- data for the views (testable without a browser) ------------------------
def stage_share_series(model: ChainModel) -> dict[str, np.ndarray]:
    """Share of regions per stage for every simulated month so far."""
    stage = model.recorder.stage[: model.t]
    return {name: (stage == k).mean(axis=1) for k, name in enumerate(STAGES)}


def region_tiles(model: ChainModel) -> list[tuple[str, str]]:
    """(region name, current stage) for every region, in table order."""
    if model.t == 0:
        return [(name, "little") for name in model.regions_state.names]
    stage = model.recorder.stage[model.t - 1]
    return [(name, STAGES[s]) for name, s in zip(model.regions_state.names, stage)]


def region_network(model: ChainModel, region: str) -> nx.Graph:
    """The region's own ties (without ties to other regions), with kind of actor and trust."""
    r = model.regions_state.names.index(region)
    g = model.graph
    edges = [(u, v, d["trust"]) for u, v, d in g.edges(data=True) if d["region"] == r]
    sub = nx.Graph()
    for u, v, trust in edges:
        for node in (u, v):
            agent = model.agent_by_row[node]
            sub.add_node(node, name=agent.name, kind=Kind(int(model.population.kind[node])))
        sub.add_edge(u, v, trust=trust)
    return sub


# --- the views ---------------------------------------------------------------
@solara.component
def StageShares(model):
    update_counter.get()
    series = stage_share_series(model)
    fig = Figure(figsize=(6, 3.2))
    ax = fig.subplots()
    months = np.arange(model.t)
    for name, values in series.items():
        ax.plot(months, values, color=STAGE_COLOURS[name], lw=2, label=name)
    ax.axvline(model.calendar.observed_index, color="grey", ls=":", lw=0.8)
    ax.set_xlim(0, model.calendar.n_months)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel(f"months since {model.calendar.start} (dotted: observation month)")
    ax.set_ylabel("share of regions")
    ax.legend(fontsize=8, frameon=False, loc="center right")
    fig.tight_layout()
    ax.set_title(f"Stage shares, month {model.t} ({model.calendar.months[max(model.t - 1, 0)]})", fontsize=10)
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
    sub = region_network(model, region)
    fig = Figure(figsize=(6, 4.5))
    ax = fig.subplots()
    pos = nx.spring_layout(sub, seed=1)
    trust = [d["trust"] for _, _, d in sub.edges(data=True)]
    nx.draw_networkx_edges(sub, pos, ax=ax, edge_color=trust, edge_cmap=plt.get_cmap("RdYlGn"),
                           edge_vmin=0, edge_vmax=1, width=1.5)
    nx.draw_networkx_nodes(sub, pos, ax=ax, node_size=60,
                           node_color=[KIND_COLOURS[d["kind"]] for _, d in sub.nodes(data=True)])
    ax.set_title(f"{region}: ties coloured by trust (red low, green high)", fontsize=10)
    ax.axis("off")
    with solara.Card(f"Inside {region}"):
        solara.FigureMatplotlib(fig, format="png")
        if model.t == 0:
            solara.Markdown("Press **Step** or **Play** to simulate the first month.")
        else:
            solara.Markdown(f"**Why {region} is where it is.** " + explain(model, region).text())


page = SolaraViz(AppModel(), components=[(StageShares, 0), (RegionTiles, 0), (RegionView, 0)],
                 model_params=model_params(),
                 name="chainsim: chain cooperation in the Dutch labour market regions", play_interval=300)
