"""Which version of the compiled loops a process runs, from ``CHAINSIM_KERNELS``.

Kept apart from :mod:`chainsim.core.mechanisms.compiled` so that the command
line can check the setting in one line without importing numba.
"""

from __future__ import annotations

import importlib.util
import os

CHOICES = ("numba", "numpy")
"""``numba``: the compiled loops (the default where numba is installed);
``numpy``: the readable reference in :mod:`chainsim.core.mechanisms.table`."""


class KernelChoiceError(ValueError):
    """``CHAINSIM_KERNELS`` names no version, or asks for numba where it is not installed."""


def chosen() -> str:
    """``numba`` or ``numpy``: the setting, or numba where it is installed."""
    wanted = os.environ.get("CHAINSIM_KERNELS", "").strip().lower()
    if wanted and wanted not in CHOICES:
        raise KernelChoiceError(f"chainsim: environment variable CHAINSIM_KERNELS={wanted!r}: "
                                f"allowed are {', '.join(CHOICES)}, or leave it unset")
    available = importlib.util.find_spec("numba") is not None
    if wanted == "numba" and not available:
        raise KernelChoiceError("chainsim: environment variable CHAINSIM_KERNELS='numba', but numba is not "
                                "installed: pip install numba, or unset it to run the numpy reference")
    return wanted or ("numba" if available else "numpy")
