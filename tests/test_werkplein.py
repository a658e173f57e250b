"""The werkplein era, 2005-2011: locations, catalogue, time line and the 2007 picture."""

from __future__ import annotations

import importlib.util
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from chainsim.core.calendar import Calendar, Month
from chainsim.core.config import RunConfig
from chainsim.core.eras import ERAS, LOCATIONS
from chainsim.core.location_arrangements import LOCATION_CATALOGUE
from chainsim.core.location_measurement import LOCATION_INDICATORS
from chainsim.core.locations import load_locations, region_of
from chainsim.core.regions import load_regions
from chainsim.runner import iter_runs, simulate, simulate_batch
from chainsim.werkplein import CALENDAR, format_picture, picture_2007, survey_figures

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
    table = format_picture(rows, 3)
    assert table.count("\n| ") == len(rows) + 1


def test_the_picture_script_refuses_too_few_replications(capsys):
    spec = importlib.util.spec_from_file_location("picture_2007", ROOT / "experiments/werkplein/picture_2007.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--replications", "1"]) == 2
    assert "--replications" in capsys.readouterr().err


def test_the_same_seed_gives_the_same_location_run():
    a = [r.items for r in iter_runs([_config()], 2, seed=9, workers=1)]
    b = [r.items for r in iter_runs([_config()], 2, seed=9, workers=1)]
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert any(x[-1].any() for x in a)          # something is in force by the end of 2011
