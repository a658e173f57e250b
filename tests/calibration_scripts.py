"""Import a script of experiments/calibration/ as a module, for the tests of those scripts."""

import importlib
import sys
from pathlib import Path

FOLDER = Path(__file__).resolve().parents[1] / "experiments" / "calibration"


def calibration_script(name: str):
    """The module of ``experiments/calibration/<name>.py`` (its folder is on the path only while importing,
    so that the scripts' own ``from calibrate import ...`` resolve)."""
    sys.path.insert(0, str(FOLDER))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(FOLDER))
