"""Small hand-built regions and models for unit tests."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from chainsim.core.calendar import Calendar, Month
from chainsim.core.parameters import Parameters
from chainsim.core.regions import RegionInfo
from chainsim.core.simulation import new_world
from chainsim.core.world import World
from chainsim.model import ChainModel


def small_region(code: str = "XX01", n_municipalities: int = 5, n_sw: int = 1, n_subregions: int = 0,
                 **overrides) -> RegionInfo:
    """A made-up region with round numbers, for tests that need to see one mechanism."""
    info = RegionInfo(
        code=code, name=f"Testregio {code}", centre="Centrum",
        municipalities=("Centrum",) + tuple(f"Dorp {i}" for i in range(1, n_municipalities)),
        labour_market="+/-", regional_identity=0.5, economy_concentration=0.5, commuting_out=0.0,
        joint_arrangement_history=0.5, centre_population_share=0.4, n_sw_companies=n_sw,
        n_subregions=n_subregions, formal_mandate=False, aldermen_platform=False, leadership_style=0.5,
        strategic_skill=0.5, employer_activism=0.3, alderman_continuity=None,
    )
    return replace(info, **overrides)


def small_model(regions=None, seed: int = 1, params: Parameters | None = None,
                calendar: Calendar | None = None, levers=(), mechanisms_off=()) -> ChainModel:
    """A model of hand-built regions (default: two regions of five municipalities)."""
    regions = regions or [small_region("XX01"), small_region("XX02")]
    return ChainModel(params=params or Parameters(), calendar=calendar or Calendar(), regions=regions, rng=seed,
                      levers=levers, mechanisms_off=mechanisms_off)


def small_world(regions=None, seed: int = 1, params: Parameters | None = None,
                calendar: Calendar | None = None, levers=(), mechanisms_off=()) -> World:
    """The Mesa-free world of hand-built regions (what the mechanism tests act on)."""
    regions = regions or [small_region("XX01"), small_region("XX02")]
    return new_world(params or Parameters(), calendar or Calendar(), regions, rng=np.random.default_rng(seed),
                     levers=levers, mechanisms_off=mechanisms_off)


def at_month(model: World, month: str) -> World:
    """Set the world's clock to a month (mechanisms read drivers at ``world.t``)."""
    model.t = model.calendar.index(Month.parse(month))
    return model


def clear_arrangements(model: ChainModel) -> ChainModel:
    model.regions_state.status[:] = 0
    model.regions_state.due[:] = -1
    return model


def set_all_trust(model: ChainModel, value: float) -> ChainModel:
    ties = model.graph.ties
    ties.trust[ties.kind >= 0] = value
    model.trust.refresh()
    return model


def mean_support(model: ChainModel, arrangement: str, rows=None) -> float:
    """Mean support (noise switched off) of the given rows for an arrangement in every region."""
    from chainsim.core.arrangements import INDEX
    from chainsim.core.mechanisms.table import member_support

    proposal = np.full(model.regions_state.n, INDEX[arrangement])
    support = member_support(model, proposal, noise=False)
    rows = np.flatnonzero(model.tie_index.municipal) if rows is None else rows
    return float(np.nanmean(support[rows]))


def session_processes(sid: int) -> list[int]:
    """Live (not zombie) processes of session ``sid``, read from /proc (to check that nothing is left behind)."""
    from pathlib import Path

    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid and fields[0] != "Z":
            pids.append(int(entry.name))
    return pids
