"""chainsim: agent-based simulation of chain cooperation in Dutch work and income services.

The package is layered; each layer imports only the ones below it (an
import-linter contract in ``.importlinter`` keeps it so):

- ``chainsim.cli``, ``chainsim.app``: the command line and the browser app;
- ``chainsim.sweep``, ``compare``, ``analysis``, ``calibration``, ``explain``,
  ``plotting``, ``ema``: experiments and their analysis;
- ``chainsim.runner``, ``chainsim.results``: replications and their records;
- ``chainsim.model``, ``chainsim.agents``: the Mesa model and its agents;
- ``chainsim.scenario``, ``chainsim.experiment``: scenario and experiment files;
- ``chainsim.core``: the Mesa-free world -- parameters, calendar, regions,
  arrangements, the network of ties, the mechanisms M1-M15 and the
  Inspectorate's measurement.

``import chainsim`` is light: the names below load their modules on first use.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_LAZY = {
    "ChainModel": "chainsim.model",
    "Calendar": "chainsim.core.calendar",
    "Month": "chainsim.core.calendar",
    "Parameters": "chainsim.core.parameters",
    "RunConfig": "chainsim.core.config",
    "find_region": "chainsim.core.regions",
    "load_regions": "chainsim.core.regions",
    "load_scenario": "chainsim.scenario",
    "load_results": "chainsim.sweep",
    "run_replications": "chainsim.runner",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from chainsim.version import version
        return version()
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'chainsim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
