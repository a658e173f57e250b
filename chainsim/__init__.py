"""chainsim: agent-based simulation of chain cooperation in Dutch work and income services."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("chainsim")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

from chainsim.calendar import Calendar, Month
from chainsim.model import ChainModel
from chainsim.parameters import Parameters
from chainsim.regions import find_region, load_regions
from chainsim.sweep import load_results

__all__ = ["Calendar", "ChainModel", "Month", "Parameters", "__version__", "find_region",
           "load_regions", "load_results"]
