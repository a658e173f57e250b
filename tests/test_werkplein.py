"""The werkplein era, 2005-2011: locations, catalogue, time line and the 2007 picture."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chainsim.core.calendar import Calendar, Month
from chainsim.core.config import RunConfig
from chainsim.core.eras import ERAS, LOCATIONS
from chainsim.core.levers import LEVERS, Lever, RegionSelection
from chainsim.core.location_arrangements import LOCATION_CATALOGUE
from chainsim.core.location_measurement import LOCATION_INDICATORS
from chainsim.core.locations import load_locations, region_of
from chainsim.core.regions import load_regions
from chainsim.results import config_sha256
from chainsim.runner import iter_runs, simulate, simulate_batch
from chainsim.scenario import ScenarioError, load_scenario
from chainsim.werkplein import CALENDAR, MEASURES, format_picture, picture_2007, run_era, survey_figures

ROOT = Path(__file__).resolve().parents[1]
SMALL = ("Friesland", "Groningen")


def test_every_municipality_lies_in_one_location_of_its_own_region():
    locations = load_locations()
    assert 95 <= len(locations) <= 110          # "about 100" (000 'Beleidscontext')
    members = Counter(m for loc in locations for m in loc.municipalities)
    assert set(members.values()) == {1}
    assert sum(members.values()) == sum(r.n_municipalities for r in load_regions())
    by_code = {r.code: r for r in load_regions()}
    for loc in locations:
        region = by_code[region_of(loc.code)]
        assert set(loc.municipalities) <= set(region.municipalities)
        assert loc.n_sw_companies == 0 and loc.n_subregions == 0
    for region in load_regions():            # the centre hosts the region's first location
        first = next(loc for loc in locations if region_of(loc.code) == region.code)
        assert first.centre == region.centre


def test_the_location_catalogue_has_what_the_measurement_reads():
    assert "integrated_service" in LOCATION_INDICATORS
    assert len(LOCATION_CATALOGUE.role("meets_agency")) > 0
    assert len(LOCATION_CATALOGUE.role("public_core")) == 0     # employers stay outside this era
    assert ERAS["werkpleinen_2005"] is LOCATIONS


def test_the_time_line_of_the_era_leaves_2012_onwards_as_it_was():
    drivers = Calendar(Month(2005, 1), Month(2016, 12), Month(2007, 4)).drivers
    months = Calendar(Month(2005, 1), Month(2016, 12), Month(2007, 4)).months
    at = {str(m): i for i, m in enumerate(months)}
    assert drivers.learning_support[at["2007-06"]] == 1.0
    assert drivers.learning_support[at["2007-07"]] == 0.0          # support stopped 2007-07-01 (001 §3.2)
    assert drivers.deadline[at["2009-12"]] == pytest.approx(1.0)
    assert drivers.turbulence_uwv[at["2009-01"]] == pytest.approx(0.5)
    later = Calendar().drivers
    start = at["2012-01"]
    for name in ("deadline", "turbulence_uwv", "accord", "elections", "business_cycle"):
        assert np.array_equal(getattr(drivers, name)[start:], getattr(later, name)), name
    assert (drivers.learning_support[start:] == 1.0).all()


def _config(**overrides) -> RunConfig:
    return RunConfig(calendar=CALENDAR, regions=SMALL, era="werkpleinen_2005", **overrides)


def test_a_location_run_keeps_requirements_and_is_the_same_alone_and_in_a_batch():
    config = _config()
    seeds = np.random.SeedSequence(5).spawn(3)
    batch = simulate_batch(config, [(s, k) for k, s in enumerate(seeds)])
    for k, s in enumerate(seeds):
        alone = simulate(config, s, k)
        assert np.array_equal(alone.items, batch[k].items)
        assert np.array_equal(alone.stage, batch[k].stage)
    items = batch[0].items
    n_locations = sum(1 for loc in load_locations() if region_of(loc.code) in ("AM01", "AM02"))
    assert items.shape == (CALENDAR.n_months, n_locations, len(LOCATION_INDICATORS))
    col = {name: k for k, name in enumerate(LOCATION_INDICATORS)}
    assert not (items[..., col["shared_building"]] & ~items[..., col["regional_form"]]).any()
    assert not (items[..., col["integrated_teams"]] & ~items[..., col["composed_teams"]]).any()
    assert (items[..., col["regional_form"]] ^ items[..., col["no_regional_form"]]).all()


def test_the_picture_of_2007_puts_every_survey_figure_beside_a_share():
    figures = survey_figures()
    assert {f.use for f in figures} <= {"calibrate", "test"}
    assert all(0.0 <= f.low < f.high <= 1.0 and f.item in LOCATION_INDICATORS for f in figures)
    rows = picture_2007(replications=3, seed=1, regions=SMALL)
    assert [r.figure.item for r in rows] == [f.item for f in figures]
    for row in rows:
        assert 0.0 <= row.low <= row.mean + 1e-12 and row.mean <= row.high + 1e-12 and row.high <= 1.0
    table = format_picture(rows, 3)                       # as if national: the survey beside it
    assert table.count("\n| ") == len(rows) + 1 and "| survey |" in table
    assert "| survey |" not in format_picture(rows, 3, locations=13)


def test_a_shown_share_never_rounds_across_the_survey_s_bound():
    from chainsim.werkplein import Comparison

    figure = next(f for f in survey_figures() if f.low == 0.5)        # "the partners in one building", 0.5-0.67
    just_below = Comparison(figure, 0.4971, 0.42, 0.60)
    assert not just_below.inside and just_below.shown == "0.497 (0.420-0.600)"     # not "0.50", marked outside
    assert Comparison(figure, 0.49, 0.42, 0.57).shown == "0.49 (0.42-0.57)"        # clearly outside: two decimals
    assert Comparison(figure, 0.5, 0.42, 0.57).shown == "0.50 (0.42-0.57)" and Comparison(figure, 0.5, 0, 1).inside


def test_the_picture_script_writes_its_page_whole_and_refuses_bad_input(capsys, tmp_path):
    spec = importlib.util.spec_from_file_location("picture_2007", ROOT / "experiments/werkplein/picture_2007.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--replications", "1"]) == 2
    assert "--replications" in capsys.readouterr().err
    out = tmp_path / "docs"
    assert module.main(["--replications", "2", "--posterior-draws", "2", "--seed", "1", "--out", str(out)]) == 0
    text = (out / module.PAGE).read_text()
    assert text.startswith("# Validation: the werkplein era") and "| integrated guidance to work" in text
    assert "Posterior predictive: 2 parameter sets" in text and "**test** figures" in text
    assert module.main(["--replications", "2", "--out", str(out)]) == 2     # kept unless --overwrite
    assert "--overwrite" in capsys.readouterr().err
    assert (out / module.PAGE).read_text() == text


def test_the_same_seed_gives_the_same_location_run():
    a = [r.items for r in iter_runs([_config()], 2, seed=9, workers=1)]
    b = [r.items for r in iter_runs([_config()], 2, seed=9, workers=1)]
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert any(x[-1].any() for x in a)          # something is in force by the end of 2011


# --- chainsim run, the way a user runs the era ------------------------------------
def chainsim(*args, cwd=None):
    exe = Path(sys.executable).with_name("chainsim")
    args = [str(a) for a in args]
    cmd = [str(exe), *args] if exe.exists() else [sys.executable, "-m", "chainsim.cli", *args]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, timeout=600,
                          env={**os.environ, "MPLBACKEND": "Agg"})


def test_run_of_the_era_prints_the_2007_picture_and_writes_its_files(tmp_path):
    out = tmp_path / "wp"
    proc = chainsim("run", ROOT / "scenarios/werkpleinen_2005.toml", "--regions", "Friesland", "--replications", 3,
                    "--workers", 1, "--out", out, "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert "The werkplein locations in 2007-04" in proc.stdout
    assert "integrated guidance to work" in proc.stdout
    # six locations of one region are not the country: the survey's national figures are not shown beside them
    assert "are national; this run has 6 of 104 locations" in proc.stdout and "| survey |" not in proc.stdout
    assert sorted(p.name for p in out.iterdir()) == [".chainsim_files", "location_shares.csv", "stage_shares.png",
                                                     "summary.json"]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["era"] == "werkpleinen_2005" and summary["replications"] == 3
    assert summary["national"] is False and summary["locations"] == 6
    assert len(summary["survey_2007"]) == len(survey_figures())
    assert summary["config"]["era"] == "werkpleinen_2005"
    assert all(code.startswith("AM02/") for code in summary["config"]["regions"])
    table = pd.read_csv(out / "location_shares.csv")
    assert len(table) == 3 * CALENDAR.n_months * len(MEASURES)
    assert table["share"].between(0, 1).all()


def test_run_of_the_era_refuses_what_it_cannot_do_yet_in_one_line(tmp_path):
    proc = chainsim("run", ROOT / "scenarios/werkpleinen_2005.toml", "--explain", "Friesland", "--out", tmp_path / "x")
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "--explain" in proc.stderr and "not available" in proc.stderr
    assert not (tmp_path / "x").exists()


def test_a_scenario_names_a_known_era_and_only_levers_built_for_it(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('description = "x"\nsources = ["y"]\nera = "werkpleinen_1990"\n')
    with pytest.raises(ScenarioError, match=r"bad.toml:3: era: unknown era 'werkpleinen_1990' \(allowed: "):
        load_scenario(bad)
    levers = tmp_path / "levers.toml"
    levers.write_text('description = "x"\nsources = ["y"]\nera = "werkpleinen_2005"\n\n[[levers]]\n'
                      'kind = "minister_visits"\nstart = "2006-01"\n')
    with pytest.raises(ScenarioError, match=r"levers\[0\]\.kind: the lever minister_visits is not built for the era "
                                            r"werkpleinen_2005 \(allowed there: .*support_structure"):
        load_scenario(levers)
    for kind, spec in LEVERS.items():
        assert set(spec.eras) <= set(ERAS), kind
    scenario = load_scenario(ROOT / "scenarios/werkpleinen_2005.toml")
    assert scenario.era == "werkpleinen_2005" and scenario.calendar == CALENDAR
    assert config_sha256(scenario.run_config()) != config_sha256(replace(scenario.run_config(), era="regions_2012"))


def test_the_mesa_model_runs_the_era_from_its_scenario():
    from chainsim.model import ChainModel

    model = ChainModel(ROOT / "scenarios/werkpleinen_2005.toml", regions=["Friesland"], rng=4)
    assert model.catalogue is LOCATION_CATALOGUE
    assert all(code.startswith("AM02/") for code in model.regions_state.codes)
    for _ in range(30):
        model.step()
    frame = model.datacollector.get_model_vars_dataframe()
    assert list(frame.columns) == ["month", *LOCATIONS.stages] and frame["month"].iloc[-1] == "2007-06"
    assert frame.iloc[-1][list(LOCATIONS.stages)].sum() == pytest.approx(1.0)


def test_sweeps_refuse_a_base_that_starts_from_the_era_in_one_line(tmp_path):
    experiment = tmp_path / "e.toml"
    experiment.write_text(f'description = "x"\nbase = "{ROOT / "scenarios/netherlands_2005_2016.toml"}"\n'
                          'replications = 2\n\n[design]\nkind = "grid"\n\n[[factors]]\nname = "weight_trust"\n'
                          'low = 0.5\nhigh = 1.0\nlevels = 2\n')
    proc = chainsim("sweep", experiment, "--out", tmp_path / "s")
    assert proc.returncode == 2 and "cannot be swept yet" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and not (tmp_path / "s").exists()


def test_compare_of_the_era_pairs_the_runs_and_reports_intervals(tmp_path):
    from chainsim.werkplein import COMPARED, compare_era

    scenarios = [load_scenario(ROOT / f"scenarios/{name}.toml")
                 for name in ("werkpleinen_2005", "werkplein_lever_co_location", "werkplein_lever_support_structure")]
    comparison = compare_era(scenarios, 4, seed=2, regions=("AM01", "AM02"))
    effects = comparison.effects()
    assert len(effects) == 2 * len(COMPARED) * 2
    co_location = [e for e in effects if e["scenario"] == "werkplein_lever_co_location"]
    assert sum(e["difference"] for e in co_location) > 0        # cheaper buildings, faster trust: more adopted
    for e in co_location:       # a few locations move in large steps: 4 replications may all differ alike
        assert (e["ci95"][0] <= e["difference"] <= e["ci95"][1] if e["ci95"] is not None
                else e["no_interval"] == "all 4 values equal" and e["p"] is None)
    assert any(e["ci95"] is not None for e in co_location)
    # the support structure runs anyway before 2007-07: paired runs are equal there, value for value
    before = [e for e in effects if e["scenario"] == "werkplein_lever_support_structure" and e["month"] == "2007-04"]
    assert all(e["difference"] == 0.0 for e in before)
    # the report flags as the region era's compare does: ! where only the unadjusted interval excludes zero
    report = comparison.report()
    assert "| difference | Holm p |" in report and "as in the region era's compare" in report
    # one Holm family over every difference with a p, of both scenarios, as the region era's compare
    from chainsim.statistics import holm
    assert [e["p_holm"] for e in effects] == holm([e["p"] for e in effects])
    family = sum(e["p"] is not None for e in effects)
    assert f"over the {family} difference" in report
    assert " locations (those of Groningen, Friesland)" in report          # a subset of the locations: said
    for e, line in zip(effects, [row for row in report.splitlines() if row.startswith("| werkplein_")]):
        chance = e["ci95"] is not None and (e["ci95"][0] > 0 or e["ci95"][1] < 0) and e["p_holm"] >= 0.05
        assert (" ! |" in line) == chance
    out = tmp_path / "cmp"
    proc = chainsim("compare", "werkpleinen_2005", "werkplein_lever_co_location", "--regions", "Friesland",
                    "--replications", 2, "--workers", 1, "--out", out, "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert "paired replications" in proc.stdout
    assert sorted(p.name for p in out.iterdir()) == [".chainsim_files", "comparison.json", "comparison.png"]
    proc = chainsim("compare", "werkpleinen_2005", "netherlands_2012", "--out", tmp_path / "mixed")
    assert proc.returncode == 2 and "allowed: scenarios of one era" in proc.stderr


def test_co_location_builds_trust_in_one_reading_of_the_seed_and_not_in_the_other():
    from chainsim.core.mechanisms import trust
    from chainsim.core.network import TieKind
    from chainsim.core.parameters import Parameters
    from chainsim.core.simulation import new_world
    from chainsim.core.state import IN_FORCE

    gains = {}
    for reading in (0.0, 1.0):
        world = new_world(Parameters(co_location_trust=reading), LOCATIONS.calendar, LOCATIONS.select(["Friesland"]),
                          np.random.default_rng(3), era=LOCATIONS)
        world.regions_state.status[:] = 0
        world.regions_state.status[:, LOCATION_CATALOGUE.index["chain_consultation"]] = IN_FORCE
        world.regions_state.status[:, LOCATION_CATALOGUE.index["shared_building"]] = IN_FORCE
        ties = world.tie_index.by_kind[TieKind.UWV_MUNICIPALITY]
        before = world.ties.trust[ties].copy()
        trust.build_trust_through_contact(world)
        gains[reading] = (world.ties.trust[ties] - before).mean()
    assert gains[1.0] > gains[0.0] > 0          # the table alone builds trust; the building adds to it
    # the region era has no shared building: the parameter changes nothing there
    from chainsim.core.config import RunConfig
    a = simulate(RunConfig(regions=("AM02",), params=Parameters(co_location_trust=0.0)), np.random.SeedSequence(1))
    b = simulate(RunConfig(regions=("AM02",), params=Parameters(co_location_trust=2.0)), np.random.SeedSequence(1))
    assert np.array_equal(a.items, b.items) and np.array_equal(a.diagnostics, b.diagnostics)


def test_an_era_needs_a_calendar_that_covers_its_figures_and_a_history_the_month_after_it(tmp_path):
    wrong = tmp_path / "wrong.toml"
    wrong.write_text('extends = "chainsim:netherlands_2012"\ndescription = "x"\nsources = ["y"]\n'
                     'era = "werkpleinen_2005"\n')
    with pytest.raises(ScenarioError, match=r"calendar: the era werkpleinen_2005 is compared with figures gathered "
                                            r"2007-03..2007-05 \(allowed: start at or before 2007-03"):
        load_scenario(wrong)
    late = tmp_path / "late.toml"
    late.write_text('extends = "chainsim:netherlands_2005_2016"\ndescription = "x"\nsources = ["y"]\n\n'
                    '[calendar]\nstart = "2013-06"\n')
    with pytest.raises(ScenarioError, match=r"calendar.start: 2013-06: a run that starts from werkpleinen_2005 "
                                            r"begins the month after it ends \(allowed: 2012-01\)"):
        load_scenario(late)
    from chainsim.model import ChainModel
    with pytest.raises(ValueError, match="lever_minister_visits: the lever minister_visits is not built for the era"):
        ChainModel("werkpleinen_2005", lever_minister_visits=1.0, lever_start="2006-01")
    # built in Python, as notebook 02 does: a lever of the other era is refused too, not run to no effect
    from chainsim.core.levers import Lever
    from chainsim.runner import RunConfig
    lever = Lever("support_structure", Month.parse("2013-01"))
    with pytest.raises(ValueError, match="^the lever support_structure is not built for the era regions_2012 "
                                         r"\(allowed there: joint_targets, "):
        RunConfig(levers=(lever,))
    with pytest.raises(ValueError, match="^levers: the lever support_structure is not built for the era"):
        ChainModel("netherlands_2012", levers=[lever])


def test_levers_built_for_one_era_stay_out_of_the_other_in_sweeps_and_rules(tmp_path):
    experiment = tmp_path / "e.toml"
    experiment.write_text(f'description = "x"\nbase = "{ROOT / "scenarios/netherlands_2012.toml"}"\n'
                          'replications = 2\n\n[design]\nkind = "grid"\n\n[[factors]]\n'
                          'name = "lever.support_structure"\nlevels = [0.0, 1.0]\nstart = "2013-01"\n')
    proc = chainsim("validate", experiment)
    assert proc.returncode == 2 and "the lever support_structure is not built for the era regions_2012" in proc.stderr
    rule = tmp_path / "rule.toml"
    rule.write_text('extends = "chainsim:werkpleinen_2005"\ndescription = "x"\nsources = ["y"]\n\n[[levers]]\n'
                    'kind = "co_location"\nstart = "2006-01"\nregions = { rule = "n_municipalities > 15" }\n')
    with pytest.raises(ScenarioError, match=r"levers\[0\]\.regions: a rule selects regions by their structure"):
        load_scenario(rule)


# --- invariants of the era, over random seeds, batch sizes and orders ------------------------
_ERA_CASES = {
    "plain": RunConfig(calendar=CALENDAR, regions=("AM02", "AM05"), era="werkpleinen_2005"),
    "levers": RunConfig(calendar=CALENDAR, regions=("AM02", "AM05"), era="werkpleinen_2005",
                        levers=(Lever("support_structure", Month(2007, 7)),
                                Lever("co_location", Month(2006, 1), regions=RegionSelection(fraction=0.5)))),
    "history": RunConfig(regions=("AM02",), start_from="werkpleinen_2005"),
}


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=st.sampled_from(sorted(_ERA_CASES)), size=st.integers(1, 4), first=st.integers(0, 40),
       order=st.randoms(use_true_random=False))
def test_era_runs_keep_their_invariants_whatever_the_batch(case, size, first, order):
    """Trust stays in [0, 1], diagnostics finite, requirements hold, and a replication's record (and its
    simulated era) is the same alone and in a batch of any size and order."""
    config = _ERA_CASES[case]
    seeds = np.random.SeedSequence(first).spawn(size)
    pairs = [(s, k) for k, s in enumerate(seeds)]
    order.shuffle(pairs)
    together = simulate_batch(config, pairs)
    for (seed_seq, k), result in zip(pairs, together):
        alone = simulate(config, seed_seq, k)
        assert np.array_equal(alone.items, result.items) and np.array_equal(alone.stage, result.stage)
        record = result.prelude if result.prelude is not None else result
        assert np.isfinite(result.diagnostics).all()
        trust = result.diagnostics[..., :2]
        assert ((trust >= 0) & (trust <= 1) | np.isnan(trust)).all()
        if result.prelude is not None:
            assert np.array_equal(alone.prelude.items, result.prelude.items)
        col = {name: j for j, name in enumerate(LOCATION_INDICATORS)}
        if record.items.shape[-1] == len(LOCATION_INDICATORS):
            items = record.items
            assert not (items[..., col["one_contact_person"]] & ~items[..., col["composed_teams"]]).any()
            assert not (items[..., col["shared_building"]] & ~items[..., col["regional_form"]]).any()


@pytest.mark.parametrize("name,read", [("closure_lapse_share", False), ("employer_threshold", False),
                                       ("outside_pull", False), ("legacy_common", False), ("weight_trust", True),
                                       ("handover_loss", True)])
def test_which_calibrated_parameters_the_era_reads(name, read):
    """docs/ODD.md §8.6: four calibrated parameters belong to the region era only (a sweep of the era over them
    measures nothing); a decision weight is read, so that the check can tell the two apart."""
    from chainsim.core.parameters import SPECS

    runs = []
    for value in (SPECS[name].low, SPECS[name].high):
        config = _config()
        config = replace(config, params=config.params.with_values(**{name: value}))
        runs.append(list(iter_runs([config], 2, seed=5, workers=1)))
    same = all(np.array_equal(a.items, b.items) and np.array_equal(a.stage, b.stage)
               and np.array_equal(a.diagnostics, b.diagnostics) for a, b in zip(*runs))
    assert same is not read


def test_the_shipped_era_scenario_carries_its_calibration_and_fits_what_it_was_fitted_to():
    """Regression of the era's own calibration (docs/calibration.md): the scenario's parameters are the
    representative particle, and at them the five calibrate figures' means (20 replications) lie inside the
    survey's intervals, widened by 0.03 for the chance in 20 replications (a standard error of about 0.015)."""
    from chainsim.posterior import read_particles

    scenario = load_scenario(ROOT / "scenarios" / "werkpleinen_2005.toml")
    particles = read_particles(ROOT / "chainsim" / "data" / "posterior_werkplein.csv")
    free = [c for c in particles.columns if c != "weight"]
    assert set(free) <= set(scenario.parameters_set) and "handover_loss" in free
    from chainsim.werkplein import era_config
    assert era_config().params == scenario.params        # the era's own values, not the region defaults
    assert particles["weight"].sum() == pytest.approx(1.0)
    rows = run_era(scenario.run_config(), 20, seed=11).compare()
    for row in rows:
        if row.figure.use == "calibrate":
            assert row.figure.low - 0.03 <= row.mean <= row.figure.high + 0.03, row.figure.item


def test_a_region_run_refuses_particles_fitted_to_the_werkplein_survey(tmp_path):
    done = chainsim("run", "netherlands_2012", "--posterior", "2", "--particles",
                    str(ROOT / "chainsim" / "data" / "posterior_werkplein.csv"), "--replications", "1",
                    "--out", str(tmp_path / "x"))
    assert done.returncode == 2 and done.stderr.strip().count("\n") == 0
    assert "werkplein_2007.toml" in done.stderr and not (tmp_path / "x").exists()


def test_the_two_posteriors_are_set_side_by_side_with_the_same_quantiles_as_the_summaries(capsys):
    from chainsim.posterior import read_particles, summarise

    spec = importlib.util.spec_from_file_location("compare_posteriors",
                                                  ROOT / "experiments/werkplein/compare_posteriors.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rows = {r["parameter"]: r for r in module.rows()}
    era = summarise(read_particles(module.ERA))
    assert set(rows) == set(era.index)
    for name, r in rows.items():
        assert r["era"] == pytest.approx(tuple(era.loc[name, ["median", "low95", "high95"]]))
        assert ("regions" in r) is (name not in ("co_location_trust", "handover_loss"))
        assert "regions" not in r or 0.0 <= r["overlap"] <= 1.0
    assert module.main() == 0 and capsys.readouterr().out.count("\n| `") == len(rows)
