"""From the werkplein era to the regions: the simulated end of 2011 as the start of 2012."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from test_werkplein import chainsim

from chainsim.core.arrangements import REGION_CATALOGUE
from chainsim.core.config import RunConfig
from chainsim.core.handover import COUNTERPARTS, Legacy, legacies
from chainsim.core.network import TieKind
from chainsim.core.population import Kind
from chainsim.core.regions import select_regions
from chainsim.core.simulation import new_world
from chainsim.core.state import IN_FORCE
from chainsim.results import config_sha256
from chainsim.runner import simulate, simulate_batch
from chainsim.scenario import load_scenario
from chainsim.werkplein import era_config

ROOT = Path(__file__).resolve().parents[1]
REGIONS = ("Friesland", "Groningen")


def _finished_locations(seed: int = 2):
    from chainsim.core import batch, simulation
    from chainsim.core.eras import LOCATIONS

    config = era_config(regions=REGIONS)
    world = batch.new_batch(config.params, config.calendar, LOCATIONS.select(list(REGIONS)),
                            [np.random.default_rng(seed), np.random.default_rng(seed + 1)], era=LOCATIONS)
    simulation.run(world)
    return world


def test_a_legacy_holds_shares_beliefs_and_trust_of_every_municipality():
    world = _finished_locations()
    found = legacies(world)
    assert len(found) == 2
    names = {(r.code, m) for r in select_regions(list(REGIONS)) for m in r.municipalities}
    mapped = {REGION_CATALOGUE.index[a] for a in COUNTERPARTS}
    for legacy in found:
        assert set(legacy.chances) == {"AM01", "AM02"}
        for chances in legacy.chances.values():
            assert set(chances) == mapped and all(0.0 <= c <= 1.0 for c in chances.values())
        assert set(legacy.belief) == names and set(legacy.trust_uwv) == names
        assert set(legacy.trust_centre) < names          # only members of the centre's own location
        assert all(0.0 <= v <= 1.0 for v in [*legacy.belief.values(), *legacy.trust_uwv.values()])
    assert found[0] != found[1]                           # each replication its own history


def _legacy(chance: float, trust: float = 0.9, belief: float = 0.8) -> Legacy:
    infos = select_regions(["Friesland"])
    names = [("AM02", m) for m in infos[0].municipalities]
    return Legacy({"AM02": {REGION_CATALOGUE.index[a]: chance for a in COUNTERPARTS}},
                  {n: belief for n in names}, {n: trust for n in names}, {n: trust for n in names},
                  {"AM02": belief})


def test_the_history_replaces_values_and_keeps_every_other_draw():
    infos = select_regions(["Friesland"])
    plain = new_world(regions=infos, rng=np.random.default_rng(4))
    full = new_world(regions=infos, rng=np.random.default_rng(4), history=_legacy(1.0))
    empty = new_world(regions=infos, rng=np.random.default_rng(4), history=_legacy(0.0))
    for column in ("business_interest", "autonomy_guard", "alderman_orientation", "size"):
        assert np.array_equal(getattr(plain.population, column), getattr(full.population, column))
    municipal = np.isin(full.population.kind, [int(Kind.MUNICIPALITY), int(Kind.CENTRE), int(Kind.UWV)])
    assert (full.population.belief[municipal] == 0.8).all()
    uwv_ties = full.tie_index.by_kind[TieKind.UWV_MUNICIPALITY]
    assert (full.ties.trust[uwv_ties] == 0.9).all()
    consultation = REGION_CATALOGUE.index["joint_consultation"]
    assert full.regions_state.status[0, consultation] == IN_FORCE
    assert empty.regions_state.status[0, consultation] != IN_FORCE
    # an arrangement without a counterpart keeps its drawn legacy
    other = [i for i, a in enumerate(REGION_CATALOGUE.ids) if a not in COUNTERPARTS]
    assert np.array_equal(plain.regions_state.status[:, other], full.regions_state.status[:, other])


def test_a_run_with_history_is_the_same_alone_and_in_a_batch_and_hashes_differently():
    config = RunConfig(regions=("AM02",), start_from="werkpleinen_2005")
    seeds = np.random.SeedSequence(8).spawn(2)
    together = simulate_batch(config, [(s, k) for k, s in enumerate(seeds)])
    for k, s in enumerate(seeds):
        alone = simulate(config, s, k)
        assert np.array_equal(alone.stage, together[k].stage)
        assert np.array_equal(alone.prelude.items, together[k].prelude.items)
    without = simulate(replace(config, start_from=None), seeds[0], 0)
    assert without.prelude is None
    assert config_sha256(config) != config_sha256(replace(config, start_from=None))


def test_the_era_a_run_starts_from_runs_on_its_own_parameters():
    """``history_params``: the era simulated first runs on them (the regions on ``params``); the shipped
    both-eras scenario takes them from the era's own scenario, where the era's calibration lives."""
    from chainsim.core.parameters import Parameters

    config = RunConfig(regions=("AM02",), start_from="werkpleinen_2005")
    seed = np.random.SeedSequence(9)
    plain = simulate(config, seed, 0)
    same = simulate(replace(config, history_params=config.params), seed, 0)
    other = simulate(replace(config, history_params=Parameters(weight_trust=0.3, effort_scale=1.5)), seed, 0)
    assert np.array_equal(plain.prelude.items, same.prelude.items) and np.array_equal(plain.stage, same.stage)
    assert not np.array_equal(plain.prelude.items, other.prelude.items)
    assert config_sha256(config) != config_sha256(replace(config, history_params=config.params))
    both = load_scenario(ROOT / "scenarios/netherlands_2005_2016.toml")
    assert both.history_params == load_scenario(ROOT / "scenarios/werkpleinen_2005.toml").params
    assert both.run_config().history_params == both.history_params


def test_values_a_both_eras_scenario_sets_itself_reach_the_era_too(tmp_path):
    own = tmp_path / "mine.toml"
    own.write_text(f'extends = "{ROOT / "scenarios/netherlands_2005_2016.toml"}"\ndescription = "x"\nsources = ["y"]\n'
                   "[parameters]\nhandover_loss = 0.0\nweight_trust = 0.5\n", encoding="utf-8")
    scenario = load_scenario(own)
    era = load_scenario(ROOT / "scenarios/werkpleinen_2005.toml").params
    assert scenario.history_params.handover_loss == 0.0 and scenario.history_params.weight_trust == 0.5
    assert scenario.history_params.implementation_lag == era.implementation_lag != scenario.params.implementation_lag


def test_scenarios_start_from_a_known_era_only_in_the_region_era(tmp_path):
    scenario = load_scenario(ROOT / "scenarios/netherlands_2005_2016.toml")
    assert scenario.start_from == "werkpleinen_2005" and scenario.era == "regions_2012"
    bad = tmp_path / "bad.toml"
    bad.write_text('description = "x"\nsources = ["y"]\nstart_from = "regions_2012"\n')
    with pytest.raises(Exception, match=r"bad.toml:3: start_from: 'regions_2012' is no era a run can start from"):
        load_scenario(bad)
    loop = tmp_path / "loop.toml"
    loop.write_text('description = "x"\nsources = ["y"]\nera = "werkpleinen_2005"\nstart_from = "werkpleinen_2005"\n')
    with pytest.raises(Exception, match="only a run of regions_2012 starts from another era"):
        load_scenario(loop)
    from chainsim.model import ChainModel
    with pytest.raises(ValueError, match="cannot start from"):
        ChainModel(scenario)


def test_run_of_both_eras_reports_the_regions_and_the_2007_picture(tmp_path):
    out = tmp_path / "both"
    proc = chainsim("run", "netherlands_2005_2016", "--regions", "Friesland", "--replications", 2, "--workers", 1,
                    "--out", out, "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert "Stage of the coordinated approach" in proc.stdout
    assert "started from the simulated werkplein era" in proc.stdout
    summary = json.loads((out / "summary.json").read_text())
    assert summary["start_from"]["era"] == "werkpleinen_2005"
    assert summary["config"]["start_from"] == "werkpleinen_2005"
    assert (out / "werkplein_location_shares.csv").is_file()
    assert proc.stdout.index("started from the simulated werkplein era") < proc.stdout.index("Written")
    proc = chainsim("run", "netherlands_2005_2016", "--explain", "Friesland", "--out", tmp_path / "x")
    assert proc.returncode == 2 and "not available for a run that starts from" in proc.stderr


def test_the_history_effect_script_pairs_the_two_starts_and_refuses_bad_input(capsys):
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "experiments" / "werkplein" / "history_effect.py"
    spec = importlib.util.spec_from_file_location("history_effect", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--replications", "1"]) == 2
    assert "--replications" in capsys.readouterr().err
    assert module.main(["--replications", "2", "--seed", "3", "--workers", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("2 paired replications, seed 3") and len(lines) == 5
    trust = lines[2].split()
    history, legacy = float(trust[5]), float(trust[8])     # means: from the history, from the drawn legacy
    assert 0.0 <= legacy <= 1.0 and 0.0 <= history <= 1.0 and history != legacy
