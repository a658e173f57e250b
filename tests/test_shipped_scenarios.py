"""Every shipped scenario runs (a smoke test per file, as mesa's test_examples does)."""

from pathlib import Path

import numpy as np
import pytest

from chainsim.core.eras import ERAS
from chainsim.results import resolved_region_codes
from chainsim.runner import run_replications
from chainsim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted((ROOT / "scenarios").glob("*.toml"))


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_shipped_scenario_runs(path):
    scenario = load_scenario(path)
    runs = run_replications(scenario.run_config(), 2, seed=3)
    assert len(runs) == 2
    units = len(resolved_region_codes(scenario.run_config()))    # 35 regions, or the era's locations
    assert runs[0].stage.shape == (scenario.calendar.n_months, units)
    assert np.isin(runs[0].stage, range(len(ERAS[scenario.era].stages))).all()
