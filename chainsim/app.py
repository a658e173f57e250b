"""Browser app (Solara): play the regions (or locations) month by month, look inside one, compare with the baseline.

Start it with ``chainsim app`` (localhost only by default; :mod:`chainsim.app_guard`
refuses requests addressed to other names and websockets from other sites).
Each browser session has its own run. The sidebar runs
the model (RESET, PLAY/PAUSE, STEP; both stop at the last month) and holds
the settings: a shipped scenario, the seed, extra lever strengths and the
main parameters, each showing its value. Settings apply when RESET starts a
new run; until then the page lists what changed. The page shows the share of
regions per stage over time, the 35 regions as tiles laid out like the
Netherlands and coloured by stage (click one to select it, hover for its
full name), the selected region's network of ties (kinds of actor and trust,
with legends) with the plain-language explanation of where it stands
(:func:`chainsim.explain.explain`), and, on request, the what-if of the
sidebar against the baseline over a few replications with the same seeds.

A scenario of the werkplein era 2005-2011 (``werkpleinen_2005`` and its
``werkplein_*`` variants) turns the page to the era's ~100 locations: their
stages (integrated, partly, separate) with the 2007 survey's interval as a
band over its fieldwork months, the survey's items over time with their
bands, the locations as small squares inside their region's tile (and a
list of them by region), and for the chosen location its organisations and
ties with trust, its stage and arrangements in force month by month, and
where it stands. Scenarios whose regions start from a simulated era
(``start_from``) are not offered: the Mesa model refuses them.

The page is built from Solara components around :class:`ChainModel`, not
with Mesa's SolaraViz: in Mesa 3.5 that shows a "Page 0" tab, sliders
without their values, and on RESET passes a Mesa ``Scenario`` object as
``scenario`` (ChainModel's own setting of that name). Visualisation only:
nothing imports this module but the command line.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pandas as pd
import solara
import solara.lab
from matplotlib.figure import Figure

from chainsim.core.eras import ERAS, LOCATIONS, REGIONS, Era
from chainsim.core.levers import LEVERS
from chainsim.core.location_measurement import INTEGRATED, LOCATION_ITEM_NAMES, PARTLY
from chainsim.core.locations import region_of
from chainsim.core.network import TieKind
from chainsim.core.parameters import SPECS
from chainsim.core.population import Kind
from chainsim.core.regions import find_region
from chainsim.core.state import AGREED, IN_FORCE
from chainsim.explain import explain
from chainsim.model import LEVER_PREFIX, ChainModel
from chainsim.plotting import (
    MERGER,
    NOT_IN_RUN,
    NOT_SIMULATED,
    STAGE_COLOURS_ALL,
    STAGE_TEXT_COLOURS,
    baseline_comparison_data,
    last_month,
    location_tile_map,
    plot_baseline_comparison,
    plot_location_history,
    plot_model_item_shares,
    plot_model_stage_shares,
    plot_region_network,
    region_tile_map,
    stage_colours,
    stage_text_colours,
    survey_band_data,
    unit_index,
)
from chainsim.runner import replication_seeds
from chainsim.scenario import load_scenario, shipped_scenarios

TITLE = "chainsim: chain cooperation in the Dutch labour market regions"
ERA_TITLE = "chainsim: CWI, UWV and the municipalities at the werkplein locations, 2005–2011"
DEFAULT_SCENARIO = "netherlands_2012"
DEFAULT_REGION = "Friesland"
MAIN_PARAMETERS = ("weight_pressure", "weight_trust", "weight_belief", "weight_autonomy", "weight_rivalry",
                   "effort_scale")
APP_LEVERS = ("joint_targets", "minister_visits", "facilitative_leadership", "employer_demand",
              "ict_harmonisation", "co_location", "knowledge_sharing", "budget_cuts")
ERA_LEVERS = tuple(kind for kind, spec in LEVERS.items() if LOCATIONS.name in spec.eras)
"""The levers the sidebar offers in the werkplein era: every lever built for it (chainsim.core.levers)."""
APP_LEVERS_BY_ERA = {REGIONS.name: APP_LEVERS, LOCATIONS.name: ERA_LEVERS}
DEFAULT_LOCATION = "AM02/1"             # Friesland's first location, hosted by Leeuwarden
SURVEY_ITEMS_SHOWN = ("shared_building", "one_counter", "composed_teams", "one_contact_person",
                      "integrated_service")
"""The survey items the era's item chart starts with (the user picks others)."""
LEVER_STEP = 0.1
PARAMETER_STEP = 0.01
SEED_MAX = 99
COMPARE_REPLICATIONS = 10
PLAY_INTERVAL_MS = 300


# --- settings: what the sidebar holds, and the ChainModel it stands for ----------
@cache
def scenario_names() -> list[str]:
    """The scenarios the app offers: the shipped ones of the region era and of the werkplein era that do not
    start from a simulated history (the Mesa model cannot start from one yet: :func:`refused_scenarios`)."""
    return sorted(name for name in shipped_scenarios()
                  if load_scenario(name).era in APP_LEVERS_BY_ERA and load_scenario(name).start_from is None)


@cache
def refused_scenarios() -> dict[str, str]:
    """The shipped scenarios the app leaves out because they start from a simulated era, each with the
    Mesa model's own refusal."""
    refused = {}
    for name in shipped_scenarios():
        if load_scenario(name).start_from is None:
            continue
        try:
            ChainModel(name)
        except ValueError as exc:
            refused[name] = str(exc)
        else:
            refused[name] = f"it starts from the simulated era {load_scenario(name).start_from}"
    return dict(sorted(refused.items()))


def scenario_era(name: str) -> Era:
    """The era a scenario the app offers runs in."""
    return ERAS[_scenario(name).era]


def app_levers(name: str) -> tuple[str, ...]:
    """The extra levers the sidebar offers for a scenario: those of its era."""
    return APP_LEVERS_BY_ERA[_scenario(name).era]


@cache
def _scenario(name: str):
    if name not in scenario_names():
        raise ValueError(f"unknown scenario {name!r} (allowed: {', '.join(scenario_names())})")
    return load_scenario(name)


def scenario_parameters(name: str) -> dict[str, float]:
    """The scenario's own values of the app's parameters."""
    params = _scenario(name).params
    return {p: float(getattr(params, p)) for p in MAIN_PARAMETERS}


def scenario_lever_text(name: str) -> str:
    """The levers a scenario switches on itself, in words."""
    levers = _scenario(name).levers
    if not levers:
        return "none"
    return "; ".join(f"{lv.kind} {lv.strength:g} from {lv.start}" for lv in levers)


def levers_from(name: str) -> str:
    """The month the extra levers switch on: ChainModel's ``lever_<kind>`` settings start a year in."""
    return str(_scenario(name).calendar.start.plus(12))


def default_settings(scenario: str = DEFAULT_SCENARIO, seed: int = 0) -> dict:
    """The sidebar's settings for a scenario: no extra levers, the scenario's parameter values."""
    return {"scenario": scenario, "seed": seed, **{LEVER_PREFIX + k: 0.0 for k in app_levers(scenario)},
            **scenario_parameters(scenario)}


def control_names(scenario: str = DEFAULT_SCENARIO) -> list[str]:
    """Names of the settings for a scenario: each is a ChainModel keyword (``seed`` goes to ``rng``)."""
    return list(default_settings(scenario))


def _same_on_slider(a: float, b: float, step: float) -> bool:
    return round(a / step) == round(b / step)


def model_kwargs(settings: dict) -> tuple[str, dict]:
    """The scenario name and ChainModel keywords for the sidebar's settings.

    Levers at 0 are left out; a parameter is passed only where its slider
    moved away from the scenario's value (a slider cannot show 1.6087 exactly,
    so an untouched slider keeps the scenario's own value).
    """
    scenario = settings["scenario"]
    base = scenario_parameters(scenario)
    kwargs: dict = {"rng": int(settings["seed"])}
    for kind in app_levers(scenario):
        value = float(settings.get(LEVER_PREFIX + kind, 0.0))
        if value > 0:
            kwargs[LEVER_PREFIX + kind] = value
    for name in MAIN_PARAMETERS:
        value = float(settings.get(name, base[name]))
        if not _same_on_slider(value, base[name], PARAMETER_STEP):
            kwargs[name] = value
    return scenario, kwargs


def build_model(settings: dict) -> ChainModel:
    """A new run for the sidebar's settings (what RESET does)."""
    scenario, kwargs = model_kwargs(settings)
    return ChainModel(scenario, **kwargs)


def _name(name: str) -> str:
    return f"lever {name.removeprefix(LEVER_PREFIX)}" if name.startswith(LEVER_PREFIX) else name


def _show(name: str, value) -> str:
    if name == "scenario":
        return str(value)
    if name == "seed":
        return str(int(value))
    return f"{float(value):.2f}" if name in SPECS else f"{float(value):.1f}"


def effective_settings(settings: dict) -> dict:
    """The settings as the run sees them: a parameter whose slider shows the scenario's value keeps that value."""
    base = scenario_parameters(settings["scenario"])
    return {name: (base[name] if name in base and _same_on_slider(float(value), base[name], PARAMETER_STEP)
                   else value) for name, value in settings.items()}


def pending_changes(settings: dict, applied: dict) -> list[str]:
    """Settings changed since the running model was built, as 'name old → new' (a lever of one era only
    counts as 0 in the other)."""
    new, old = effective_settings(settings), effective_settings(applied)
    names = control_names(settings["scenario"])
    names += [name for name in control_names(applied["scenario"]) if name not in names]
    return [f"{_name(name)} {_show(name, old.get(name, 0.0))} → {_show(name, new.get(name, 0.0))}"
            for name in names if new.get(name, 0.0) != old.get(name, 0.0)]


def describe_whatif(settings: dict) -> str:
    """The sidebar's settings as the what-if, against the baseline, in words."""
    scenario, kwargs = model_kwargs(settings)
    parts = [f"{k.removeprefix(LEVER_PREFIX)} {v:g}" for k, v in kwargs.items() if k.startswith(LEVER_PREFIX)]
    parts = ([f"extra levers {', '.join(parts)} (from {levers_from(scenario)})"] if parts else [])
    base = scenario_parameters(scenario)
    parts += [f"{k} {base[k]:.2f} → {v:.2f}" for k, v in kwargs.items() if k in SPECS]
    return "; ".join(parts)


def advance(model: ChainModel) -> bool:
    """Simulate one month unless the run has ended (the model sets ``running = False`` after its last month)."""
    if not model.running:
        return False
    model.step()
    return True


# --- the what-if against the baseline, same seeds --------------------------------
def coordinated_share(model: ChainModel) -> np.ndarray:
    """Share of units in the era's top stage (regions coordinated, locations integrated), per simulated month."""
    return (model.recorder.stage[: model.t] == 0).mean(axis=1)      # stage 0: the era's first, top stage


def compare_with_baseline(settings: dict, replications: int = COMPARE_REPLICATIONS,
                          progress=None) -> pd.DataFrame:
    """Run the baseline and the what-if ``replications`` times with the same seeds.

    The what-if is the sidebar's settings; the baseline is the same scenario
    without extra levers and with its own parameter values. Replication ``i``
    of both uses child ``i`` of ``SeedSequence(seed)`` (as ``chainsim run
    --seed``), so their difference is paired. One process, in the caller's
    thread; ``progress`` (optional) is called with the replications done.
    """
    scenario, kwargs = model_kwargs(settings)
    seed = kwargs.pop("rng")
    baseline, whatif = [], []
    calendar = None
    for i, seed_seq in enumerate(replication_seeds(seed, replications)):
        base_model = ChainModel(scenario, rng=seed_seq).run()       # ChainModel copies a sequence it is given
        calendar = base_model.calendar
        baseline.append(coordinated_share(base_model))
        if kwargs:
            whatif.append(coordinated_share(ChainModel(scenario, rng=seed_seq, **kwargs).run()))
        else:
            whatif.append(baseline[-1])
        if progress is not None:
            progress(i + 1)
    data = baseline_comparison_data(calendar.months, baseline, whatif)
    era = scenario_era(scenario)
    data.attrs.update(observed_at=calendar.observed_at, end=calendar.months[-1], stage=era.stages[0],
                      unit=era.unit)
    return data


def comparison_summary(data: pd.DataFrame) -> str:
    """Baseline, what-if and paired difference at the observation month and at the end, in words."""
    lines, stage = [], data.attrs.get("stage", "coordinated")
    unit = data.attrs.get("unit", "region")
    for label, month in (("observation month", data.attrs.get("observed_at")), ("end", data.attrs.get("end"))):
        if month is None:
            continue
        at = data[data["month"] == pd.Timestamp(month.year, month.month, 1)].set_index("series")
        d = at.loc["difference"]
        n = int(d["replications"])
        if n < 2:
            interval = "no interval from 1 replication"
        elif np.isnan(d["low"]) and d["mean"] == 0:
            interval = (f"0 in all {n} replications: by this month the what-if leaves the number of {stage} "
                        f"{unit}s the same in every replication; other {unit}s may still have moved between "
                        "other stages")
        elif np.isnan(d["low"]):
            interval = f"the same in all {n} replications, so no interval: run more to see its spread"
        else:
            interval = f"95% CI {d['low']:+z.2f} to {d['high']:+z.2f} over {n} replications"
        lines.append(f"At the {label} ({month}): share {stage} {at.loc['baseline', 'mean']:.2f} in the "
                     f"baseline, {at.loc['what-if', 'mean']:.2f} in the what-if; difference {d['mean']:+z.2f} "
                     f"({interval}).")
    return " ".join(lines)


# --- one werkplein location: what the detail views show -------------------------
STAGE_MEANING = {
    "integrated": "integrated guidance to work (001 §1.3): one contact person, one counter, and electronic "
                  "chain messages or shared ICT",
    "partly": "some shop-floor integration (a shared building, one counter or composed teams), not yet the whole "
              "of integrated guidance",
    "separate": "the partners work side by side, at most consulting each other",
}
"""The werkplein era's stages in words (chainsim.core.location_measurement)."""


@dataclass
class LocationFacts:
    """Where one werkplein location stands after the model's last simulated month."""

    code: str
    name: str
    region: str                                  # the labour market region it lies in
    month: str
    stage: str | None                            # None before the first month is simulated
    host: str
    municipalities: list[str]                    # the host first
    agency: str                                  # what its agency is at this month
    in_force: list[str]                          # arrangements
    agreed: list[str]                            # agreed, not yet in practice (M13)
    has: list[str] = field(default_factory=list)     # the survey's items it has (plain words)
    lacks: list[str] = field(default_factory=list)   # ... and lacks
    needed: list[str] = field(default_factory=list)  # what the stage rule still asks for the next stage
    trust_agency: float = float("nan")           # mean trust on its agency-municipality ties
    weakest: tuple[str, str, float] | None = None

    def text(self) -> str:
        """The facts in a few plain sentences (markdown, a paragraph per subject)."""
        others = [m for m in self.municipalities if m != self.host]
        lines = [f"**{self.name}** ({self.code}) in the labour market region {self.region}: hosted by {self.host}"
                 + (f" with {', '.join(others)}" if others else "") + f"; its agency is {self.agency}."]
        if self.stage is None:
            return "\n\n".join(lines + ["Press **Step** or **Play** to simulate the first month."])
        lines.append(f"In {self.month} it is in the '{self.stage}' stage: {STAGE_MEANING[self.stage]}.")
        done = "In force: " + (", ".join(_words(self.in_force)) or "nothing yet") + "."
        if self.agreed:
            done += " Agreed, not yet in practice: " + ", ".join(_words(self.agreed)) + "."
        lines.append(done)
        if self.needed:
            lines.append("For the next stage the stage rule still asks for " + "; ".join(self.needed) + ".")
        if self.has or self.lacks:
            lines.append("Of the 2007 survey's items it has: " + ("; ".join(self.has) or "none") + ". It lacks: "
                         + ("; ".join(self.lacks) or "none") + ".")
        if self.weakest is not None:
            a, b, trust = self.weakest
            lines.append(f"Trust between the agency and the municipalities averages {self.trust_agency:.2f}; the "
                         f"weakest tie is {a} – {b} ({trust:.2f}).")
        return "\n\n".join(lines)


COMPLEMENT_ITEMS = ("no_regional_form", "other_regional_form")
"""Survey items that count an absence (no regional form; a form without a shared building): left out of what a
location has and lacks."""


def _words(ids: list[str]) -> list[str]:
    return [a.replace("_", " ") for a in ids]


def _item(name: str) -> str:
    return LOCATION_ITEM_NAMES.get(name, name.replace("_", " "))


def agency_words(model: ChainModel) -> str:
    """A location's agency at the model's last simulated month: CWI's branch with UWV's coaches, then UWV."""
    return (f"UWV, since CWI merged into it in {MERGER}" if last_month(model) >= MERGER
            else "CWI's branch with UWV's coaches (one agency in the model)")


def location_facts(model: ChainModel, location: str) -> LocationFacts:
    """Organisations, arrangements, survey items and trust of one location (name or code) of a werkplein run."""
    if model.era.name != LOCATIONS.name:
        raise ValueError(f"location_facts reads a run of the era {LOCATIONS.name}, not {model.era.name}")
    r = unit_index(model, location)
    rs, pop, ties = model.regions_state, model.population, model.ties
    rows = np.flatnonzero(pop.region == r)
    kinds = {row: int(pop.kind[row]) for row in rows}
    host = next(pop.name[row] for row in rows if kinds[row] == Kind.CENTRE)
    towns = [pop.name[row] for row in rows if kinds[row] in (Kind.CENTRE, Kind.MUNICIPALITY)]
    agency_row = next(row for row in rows if kinds[row] == Kind.UWV)
    ids = list(model.catalogue.ids)
    status = rs.status[r]
    facts = LocationFacts(
        code=rs.codes[r], name=rs.names[r], region=find_region(region_of(rs.codes[r])).name,
        month=str(model.calendar.months[max(model.t - 1, 0)]), stage=None, host=host, municipalities=towns,
        agency=f"{agency_words(model)} ('{pop.name[agency_row]}' in the model)",
        in_force=[a for k, a in enumerate(ids) if status[k] == IN_FORCE],
        agreed=[a for k, a in enumerate(ids) if status[k] == AGREED])
    if model.t == 0:
        return facts
    stage = int(model.recorder.stage[model.t - 1, r])
    facts.stage = model.era.stages[stage]
    items = dict(zip(model.recorder.indicators, model.recorder.items[model.t - 1, r]))
    survey = [i for i in survey_band_data(model)["item"] if i not in COMPLEMENT_ITEMS]
    facts.has = [_item(i) for i in survey if items[i]]
    facts.lacks = [_item(i) for i in survey if not items[i]]
    if stage == PARTLY:
        need = [_item(i) for i in ("one_contact_person", "one_counter") if not items[i]]
        if not (items["chain_messages"] or items["shared_ict"]):
            need.append(f"{_item('chain_messages')} or {_item('shared_ict')}")
        facts.needed = need
    elif stage != INTEGRATED:
        facts.needed = ["one of: " + ", ".join(_item(i) for i in ("shared_building", "one_counter",
                                                                  "composed_teams"))]
    used = (ties.region == r) & (ties.kind >= 0)
    agency = np.flatnonzero(used & (ties.kind == int(TieKind.UWV_MUNICIPALITY)))
    if len(agency):
        facts.trust_agency = float(ties.trust[agency].mean())
    inside = np.flatnonzero(used)
    if len(inside):
        t = inside[np.argmin(ties.trust[inside])]
        facts.weakest = (pop.name[ties.u[t]], pop.name[ties.v[t]], float(ties.trust[t]))
    return facts


def location_choices(model: ChainModel) -> dict[str, str]:
    """The run's locations for a selector, labelled by their region: label → code, in region order."""
    tiles = location_tile_map(model)
    tiles = tiles[tiles["code"].isin(model.regions_state.codes)]
    return {f"{t.region_name} — {t.name} ({t.code})": t.code for t in tiles.itertuples()}


def selected_unit(model: ChainModel, selected: str) -> str:
    """The unit the detail views show: the selected one where the run has it, else the run's first region,
    or for the werkplein era the default location (Friesland's first) where the run has it, else its first.
    Regions by name, locations by code."""
    if model.era.name == REGIONS.name:
        names = model.regions_state.names
        return selected if selected in names else names[0]
    codes = model.regions_state.codes
    return selected if selected in codes else (DEFAULT_LOCATION if DEFAULT_LOCATION in codes else codes[0])


@solara.lab.task(prefer_threaded=True)
def comparison_task(settings: dict):
    def progress(done: int) -> None:
        comparison_task.progress = 100 * done / COMPARE_REPLICATIONS

    return dict(settings), compare_with_baseline(settings, COMPARE_REPLICATIONS, progress)


# --- controls ------------------------------------------------------------------------
@solara.component
def StageLegend(colours: dict, counts):
    """The stage colours with the number of units in each; the two grey states only where they occur."""
    with solara.Row(gap="10px", style={"flex-wrap": "wrap", "margin-top": "8px"}, classes=["stage-legend"]):
        solara.Text("Stage:", style={"font-weight": "500", "font-size": "13px"})
        for stage, colour in colours.items():
            if stage in (NOT_IN_RUN, NOT_SIMULATED) and stage not in counts:
                continue
            with solara.Row(gap="4px", style={"align-items": "center"}):
                solara.Div(style={"width": "14px", "height": "14px", "background-color": colour,
                                  "border": "1px solid #999"})
                solara.Text(f"{stage} ({counts.get(stage, 0)})", style={"font-size": "13px"})


@solara.component
def ValueSlider(label: str, value, on_value, min: float, max: float, step: float, help: str = "",
                integer: bool = False, digits: int = 2):
    """A slider with its current value in its label (Solara's own shows the value only while dragging)."""
    shown = f"{int(value)}" if integer else f"{float(value):.{digits}f}"
    with solara.Column(gap="0px", style={"margin-bottom": "2px"}, classes=["value-slider"]):
        solara.Div(children=[f"{label}: {shown}"], classes=["control-label"], attributes={"title": help},
                   style={"font-size": "13px", "font-weight": "500"})
        if integer:
            solara.SliderInt("", value=int(value), on_value=lambda v: on_value(int(v)), min=int(min), max=int(max),
                             step=int(step))
        else:
            solara.SliderFloat("", value=float(value), on_value=lambda v: on_value(round(float(v), 6)),
                               min=min, max=max, step=step)


STATUS_STYLE = {"margin": "10px 0 6px 0", "font-size": "14px", "font-weight": "500"}


@solara.component
def RunControls(model: ChainModel, version: int, playing: solara.Reactive, speed: solara.Reactive,
                on_reset, on_step):
    month = model.calendar.months[model.t - 1] if model.t else None
    n = model.calendar.n_months
    with solara.Card("Run month by month"):
        with solara.Row(justify="space-between"):
            solara.Button("Reset", color="primary", on_click=on_reset)
            solara.Button("❚❚ Pause" if playing.value else "▶ Play", color="primary",
                          on_click=lambda: playing.set(not playing.value), disabled=not model.running)
            solara.Button("Step", color="primary", on_click=on_step, disabled=playing.value or not model.running)
        if model.t == 0:
            status = f"Month 0 of {n}: press STEP or PLAY to simulate {model.calendar.start}."
        else:
            status = f"Month {model.t} of {n} simulated ({month})."
        solara.Div(children=[status], classes=["month-status"], style=STATUS_STYLE)
        if not model.running:
            solara.Info(f"Last month reached ({month}): the run has ended; STEP and PLAY stop here. "
                        f"Press RESET for a new run.", dense=True, classes=["run-ended"])
        ValueSlider("play speed (ms per month)", speed.value, speed.set, 50, 1000, 50, integer=True,
                    help="pause between months while playing; takes effect at once")


@solara.component
def SettingsPanel(settings: solara.Reactive, applied: dict):
    current = settings.value
    changes = pending_changes(current, applied)

    def put(name: str, value) -> None:
        settings.set({**settings.value, name: value})

    def pick_scenario(name: str) -> None:
        fresh = default_settings(name, settings.value["seed"])
        keep = {k: v for k, v in settings.value.items() if k.startswith(LEVER_PREFIX) and k in fresh}
        settings.set({**fresh, **keep})

    with solara.Card("Settings"):
        if changes:
            solara.Warning("Changed: " + "; ".join(changes) + ". These apply when you press RESET (a new run "
                           "from the first month); the run on the page keeps its old settings.", dense=True,
                           classes=["pending-changes"])
        else:
            solara.Text("Changes apply when you press RESET: a new run starts from the first month.",
                        classes=["apply-note"], style={"font-size": "13px", "font-style": "italic"})
        solara.Select("scenario (shipped)", value=current["scenario"], values=scenario_names(), on_value=pick_scenario)
        solara.Text(f"{_scenario(current['scenario']).description} Its own levers: "
                    f"{scenario_lever_text(current['scenario'])}.", style={"font-size": "12px", "color": "#555"})
        for name, why in refused_scenarios().items():
            solara.Text(f"Not offered: {name}: {why}.", classes=["refused-scenario"],
                        style={"font-size": "12px", "color": "#8a6d3b", "margin-top": "4px"})
        unit = scenario_era(current["scenario"]).unit
        ValueSlider("seed", current["seed"], lambda v: put("seed", v), 0, SEED_MAX, 1,
                    help="the random numbers of the run", integer=True)
        solara.Markdown(f"**Extra levers** (all {unit}s, from {levers_from(current['scenario'])}; 0 = off, on top "
                        f"of the scenario's own; hover a name for what it does)", style={"font-size": "13px"})
        for kind in app_levers(current["scenario"]):
            ValueSlider(kind, current[LEVER_PREFIX + kind], lambda v, k=LEVER_PREFIX + kind: put(k, v), 0.0, 1.0,
                        LEVER_STEP, help=(LEVERS[kind].__doc__ or "").strip().splitlines()[0], digits=1)
        solara.Markdown("**Parameters** (start at the scenario's values; docs/ODD.md §7.2)",
                        style={"font-size": "13px"})
        for name in MAIN_PARAMETERS:
            spec = SPECS[name]
            ValueSlider(name, current[name], lambda v, k=name: put(k, v), spec.low, spec.high, PARAMETER_STEP,
                        help=spec.description)


# --- the views ------------------------------------------------------------------------
@solara.component
def StageShares(model: ChainModel, version: int):
    def draw():
        fig = Figure(figsize=(6.4, 3.4))
        plot_model_stage_shares(model, ax=fig.subplots())
        fig.tight_layout()
        return fig

    fig = solara.use_memo(draw, [id(model), version])
    with solara.Card(f"Share of {model.era.unit}s per stage"):
        solara.FigureMatplotlib(fig, format="png", dependencies=[id(model), version])


TILE_W, TILE_H = 84, 40


@solara.component
def RegionTiles(model: ChainModel, version: int, selected: solara.Reactive):
    tiles = region_tile_map(model)
    n_rows, n_cols = int(tiles["row"].max()) + 1, int(tiles["col"].max()) + 1
    with solara.Card("Regions by stage (click a tile)"):
        grid = {"display": "grid", "grid-template-columns": f"repeat({n_cols}, {TILE_W}px)",
                "grid-template-rows": f"repeat({n_rows}, {TILE_H}px)", "gap": "3px"}
        with solara.Div(style=grid, classes=["tile-map"]):
            for tile in tiles.itertuples():
                chosen = tile.name == selected.value
                style = {"grid-row": str(tile.row + 1), "grid-column": str(tile.col + 1),
                         "background-color": STAGE_COLOURS_ALL[tile.stage], "color": STAGE_TEXT_COLOURS[tile.stage],
                         "min-width": "0", "width": f"{TILE_W}px", "height": f"{TILE_H}px", "padding": "0 2px",
                         "font-size": "10.5px", "line-height": "1.1", "text-transform": "none",
                         "letter-spacing": "0", "white-space": "normal",
                         "border": "3px solid black" if chosen else "1px solid #999"}
                solara.Button(tile.label, on_click=lambda name=tile.name: selected.set(name), style=style,
                              classes=["region-tile"], elevation=0,
                              attributes={"title": f"{tile.name} ({tile.code}): {tile.stage}",
                                          "data-region": tile.name})
        StageLegend(STAGE_COLOURS_ALL, tiles["stage"].value_counts())
        solara.Text("Laid out roughly like the Netherlands (not to scale). Hover a tile for the full name; "
                    "coordinated: every level, and joint targets or agreed staff in practice; middle: UWV and "
                    "the municipalities at the table and on a second level; little: less than that.",
                    style={"font-size": "12px", "color": "#555"})


@solara.component
def RegionView(model: ChainModel, version: int, region: str):
    def draw():
        fig = Figure(figsize=(7.2, 4.8))
        plot_region_network(model, region, ax=fig.subplots())
        fig.subplots_adjust(left=0.02, right=0.72, top=0.92, bottom=0.08)
        return fig

    fig = solara.use_memo(draw, [id(model), version, region])
    r = unit_index(model, region)
    title = region if model.era.name == REGIONS.name else f"{model.regions_state.names[r]} ({region})"
    with solara.Card(f"Inside {title}"):
        solara.FigureMatplotlib(fig, format="png", dependencies=[id(model), version, region])


@solara.component
def Explanation(model: ChainModel, version: int, region: str):
    with solara.Card(f"Why {region} is where it is"):
        if model.t == 0:
            solara.Markdown("Press **Step** or **Play** to simulate the first month.")
        else:
            solara.Markdown(explain(model, region).text())


LOCATION_W, LOCATION_H, SQUARE = 76, 50, 15


@solara.component
def LocationTiles(model: ChainModel, version: int, selected: solara.Reactive, location: str):
    """The werkplein locations as small squares inside their region's tile, and a list of them by region."""
    tiles = location_tile_map(model)
    colours, text = stage_colours(model.era.stages, extra=True), stage_text_colours(model.era.stages)
    choices = location_choices(model)
    label = {code: name for name, code in choices.items()}
    with solara.Card("Locations by stage (click a square, or pick one)"):
        solara.Select("location (by region)", value=label[location], values=list(choices),
                      on_value=lambda name: name in choices and selected.set(choices[name]),
                      classes=["location-select"])
        regions = tiles.drop_duplicates("region")
        grid = {"display": "grid", "grid-template-columns": f"repeat({int(tiles['col'].max()) + 1}, {LOCATION_W}px)",
                "grid-template-rows": f"repeat({int(tiles['row'].max()) + 1}, {LOCATION_H}px)", "gap": "3px"}
        with solara.Div(style=grid, classes=["location-map"]):
            for region in regions.itertuples():
                cell = {"grid-row": str(region.row + 1), "grid-column": str(region.col + 1),
                        "border": "1px solid #bbb", "padding": "1px 2px", "overflow": "hidden"}
                with solara.Div(style=cell, classes=["region-cell"], attributes={"title": region.region_name}):
                    solara.Div(children=[region.region_label], style={"font-size": "9.5px", "line-height": "1.1",
                                                                       "white-space": "nowrap"})
                    with solara.Div(style={"display": "flex", "flex-wrap": "wrap", "gap": "2px"}):
                        for tile in tiles[tiles["region"] == region.region].itertuples():
                            chosen = tile.code == location
                            style = {"background-color": colours[tile.stage], "color": text[tile.stage],
                                     "min-width": "0", "width": f"{SQUARE}px", "height": f"{SQUARE}px",
                                     "padding": "0", "font-size": "8.5px", "line-height": "1",
                                     "border": "2px solid black" if chosen else "1px solid #999"}
                            solara.Button(str(tile.number), on_click=lambda code=tile.code: selected.set(code),
                                          style=style, classes=["location-tile"], elevation=0,
                                          disabled=tile.stage == NOT_IN_RUN,
                                          attributes={"title": f"{tile.name} ({tile.code}), {tile.region_name}: "
                                                               f"{tile.stage}", "data-location": tile.code})
        StageLegend(colours, tiles["stage"].value_counts())
        solara.Text("Each box is a labour market region, laid out roughly like the Netherlands; each square a "
                    "werkplein location in it (hover for its name). The locations are chainsim's grouping of the "
                    "region's municipalities, an estimate: the sources list none. Integrated: one contact person, "
                    "one counter and chain messages or shared ICT; partly: a shared building, one counter or "
                    "composed teams; separate: side by side.", style={"font-size": "12px", "color": "#555"})


@solara.component
def SurveyItems(model: ChainModel, version: int):
    """The survey's items over the months, each with the survey's interval as a band over its fieldwork."""
    items = solara.use_reactive(list(SURVEY_ITEMS_SHOWN))
    bands = survey_band_data(model)

    def draw():
        fig = Figure(figsize=(6.4, 3.6))
        plot_model_item_shares(model, items.value, ax=fig.subplots())
        fig.tight_layout()
        return fig

    fig = solara.use_memo(draw, [id(model), version, tuple(items.value)])
    with solara.Card("Share of locations with the 2007 survey's items"):
        solara.SelectMultiple("items shown", items.value, list(bands["item"]), on_value=items.set,
                              classes=["survey-items"])
        solara.FigureMatplotlib(fig, format="png", dependencies=[id(model), version, tuple(items.value)])
        shown = bands[bands["item"].isin(items.value)]
        solara.Markdown("Bands: the Inspectorate's survey (March–May 2007, 001 §4), each an interval of what "
                        "its words allow: " + "; ".join(f"{b.label} {b.low:.2f}–{b.high:.2f} (\"{b.words}\")"
                                                        for b in shown.itertuples())
                        + ". The survey counted responding organisations, not locations, and its figures are "
                          "national.", style={"font-size": "12px", "color": "#555"})


@solara.component
def LocationHistory(model: ChainModel, version: int, location: str):
    def draw():
        fig = Figure(figsize=(7.2, 4.6))
        plot_location_history(model, location, ax=fig.subplots(2, 1, sharex=True, height_ratios=(1, 6)))
        fig.tight_layout()
        return fig

    fig = solara.use_memo(draw, [id(model), version, location])
    with solara.Card(f"{model.regions_state.names[unit_index(model, location)]} over time"):
        solara.FigureMatplotlib(fig, format="png", dependencies=[id(model), version, location])


@solara.component
def LocationExplanation(model: ChainModel, version: int, location: str):
    facts = location_facts(model, location)
    with solara.Card(f"Where {facts.name} stands", classes=["location-facts"]):
        solara.Markdown(facts.text())


@solara.component
def BaselineComparison(settings: dict):
    task = comparison_task
    with solara.Card("Compare with baseline", classes=["compare-card"]):
        solara.Markdown(
            f"Runs the settings in the sidebar (whether or not you pressed RESET) and the **baseline** — the same "
            f"scenario without extra levers and with its own parameter values — {COMPARE_REPLICATIONS} times each "
            f"over all months, replication *i* of both with the same seed (spawned from the seed slider). "
            f"Takes about ten seconds.", style={"font-size": "13px"})
        solara.Button("Compare with baseline", color="primary", on_click=lambda: task(dict(settings)),
                      disabled=task.pending, classes=["compare-button"])
        if task.pending:
            solara.ProgressLinear(task.progress if task.progress else True)
            done = round((task.progress or 0) * COMPARE_REPLICATIONS / 100)
            solara.Text(f"Running the baseline and the what-if: {done} of {COMPARE_REPLICATIONS} replications "
                        f"done …", classes=["compare-running"])
        elif task.error:
            solara.Error(f"The comparison failed: {task.exception}")
        if task.finished and task.value is not None:
            used, data = task.value
            ComparisonResult(used, data, stale=used != settings)


@solara.component
def ComparisonResult(used: dict, data: pd.DataFrame, stale: bool):
    what = describe_whatif(used) or "no change, so the what-if is the baseline"
    fig = solara.use_memo(lambda: _comparison_figure(data), [id(data)])
    if stale:
        solara.Warning("The settings changed since: press the button again to compare them.", dense=True)
    solara.Markdown(f"**What-if:** {used['scenario']}, seed {used['seed']}: {what}. "
                    f"**Baseline:** {used['scenario']} as shipped, the same seeds.", style={"font-size": "13px"})
    solara.FigureMatplotlib(fig, format="png", dependencies=[id(data)])
    solara.Text(comparison_summary(data), classes=["compare-summary"], style={"font-size": "13px"})


def _comparison_figure(data: pd.DataFrame) -> Figure:
    fig = Figure(figsize=(9, 5.2))
    plot_baseline_comparison(data, ax=fig.subplots(2, 1, sharex=True), observed_at=data.attrs.get("observed_at"))
    fig.tight_layout()
    return fig


# --- the page ---------------------------------------------------------------------------
@solara.component
def Page():
    settings = solara.use_reactive(default_settings())
    first = solara.use_memo(lambda: build_model(default_settings()), [])
    model = solara.use_reactive(first)
    applied = solara.use_reactive(default_settings())
    version = solara.use_reactive(0)
    playing = solara.use_reactive(False)
    speed = solara.use_reactive(PLAY_INTERVAL_MS)
    selected = solara.use_reactive(DEFAULT_REGION)
    error = solara.use_reactive("")

    def step() -> None:
        if advance(model.value):
            version.set(version.value + 1)

    def reset() -> None:
        playing.set(False)
        try:
            new = build_model(settings.value)
        except ValueError as exc:
            error.set(str(exc))
            return
        error.set("")
        model.set(new)
        applied.set(dict(settings.value))
        version.set(version.value + 1)

    def play_loop() -> None:
        current = model.value
        while playing.value and model.value is current:
            time.sleep(speed.value / 1000)
            if not playing.value or model.value is not current:
                return
            if not advance(current):
                break
            version.set(version.value + 1)
        if model.value is current:
            playing.set(False)

    solara.lab.use_task(play_loop, dependencies=[playing.value], prefer_threaded=True)

    m = model.value
    unit = selected_unit(m, selected.value)
    solara.Title("chainsim")
    with solara.AppBar():
        solara.AppBarTitle(TITLE if m.era.name == REGIONS.name else ERA_TITLE)
    with solara.Sidebar():
        RunControls(m, version.value, playing, speed, reset, step)
        if error.value:
            solara.Error(error.value)
        SettingsPanel(settings, applied.value)
    if m.era.name == REGIONS.name:
        with solara.Columns([1, 1]):
            StageShares(m, version.value)
            RegionTiles(m, version.value, selected)
        with solara.Columns([3, 2]):
            RegionView(m, version.value, unit)
            Explanation(m, version.value, unit)
    else:
        with solara.Columns([1, 1]):
            with solara.Column():
                StageShares(m, version.value)
                SurveyItems(m, version.value)
            LocationTiles(m, version.value, selected, unit)
        with solara.Columns([1, 1]):
            RegionView(m, version.value, unit)
            LocationHistory(m, version.value, unit)
        LocationExplanation(m, version.value, unit)
    BaselineComparison(settings.value)
