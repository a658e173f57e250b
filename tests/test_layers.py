"""The package's layers: the import-linter contract, and what light commands load."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_the_import_contracts_hold():
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    if lint is None:
        pytest.skip("import-linter is not installed (it is part of the dev extras)")
    done = subprocess.run([lint, "--config", str(ROOT / ".importlinter")], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


def _modules_after(code: str) -> set[str]:
    probe = code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


HEAVY = {"mesa", "pandas", "pyarrow", "scipy", "matplotlib", "solara", "dask"}


def test_import_chainsim_is_light():
    assert not HEAVY & _modules_after("import chainsim")


def test_the_core_steps_a_world_without_mesa():
    loaded = _modules_after(
        "import numpy as np\n"
        "from chainsim.core.simulation import new_world, run\n"
        "from chainsim.core.regions import select_regions\n"
        "run(new_world(regions=select_regions(['Friesland']), rng=np.random.default_rng(1)))")
    # numba itself imports scipy (its version check and scipy.linalg for its own linear algebra);
    # chainsim.core imports none of it (the import-linter contract above checks that)
    assert not (HEAVY - {"scipy"}) & loaded
    plain = _modules_after(
        "import os\nos.environ['CHAINSIM_KERNELS'] = 'numpy'\nimport numpy as np\n"
        "from chainsim.core.simulation import new_world, run\n"
        "from chainsim.core.regions import select_regions\n"
        "run(new_world(regions=select_regions(['Friesland']), rng=np.random.default_rng(1)))")
    assert not HEAVY & plain and "numba" not in plain         # the numpy reference needs numpy alone


def test_validate_loads_no_model():
    code = ("import sys\nfrom chainsim.cli import main\n"
            f"assert main(['validate', {str(ROOT / 'scenarios' / 'lever_joint_targets.toml')!r}]) == 0")
    loaded = _modules_after(code)
    assert not HEAVY & loaded and "numba" not in loaded     # the loops load when a world is stepped
