"""The compiled loops' switch: which version this process runs, and how a loop is compiled.

Some sums of the model exist twice: as readable numpy, the reference the
documentation describes, and as a numba loop that computes the same values
with the same operations in the same order, so the results agree to the last
bit (``tests/test_compiled.py``). This module decides once per process which
of the two runs, from ``CHAINSIM_KERNELS`` (:mod:`chainsim.core.kernel_choice`):
``numba`` (the default where numba imports) or ``numpy`` (the reference;
also where numba is not installed, and, with a warning, where it is
installed but does not import). The modules with loops
(:mod:`chainsim.core.ties`, :mod:`chainsim.core.mechanisms.compiled`) read
:data:`KERNELS` on every call, so a test can switch it for a block.
"""

from __future__ import annotations

import os
import warnings

from chainsim.core.kernel_choice import KernelChoiceError, chosen

KERNELS = chosen()
"""The kernels of this process, fixed at import."""

if KERNELS == "numba":
    try:
        import numba
    except ImportError as error:        # installed but broken (a numpy it does not support, an llvmlite mismatch)
        if os.environ.get("CHAINSIM_KERNELS", "").strip().lower() == "numba":
            raise KernelChoiceError(f"chainsim: CHAINSIM_KERNELS='numba', but numba does not import: {error}") \
                from error
        warnings.warn(f"numba does not import ({error}); chainsim runs the numpy reference, with the same results",
                      RuntimeWarning)
        KERNELS = "numpy"

_NUMBA_LOADED = KERNELS == "numba"
"""Whether this process imported numba. Loops are compiled only then; a test may still switch
:data:`KERNELS` to ``numba`` for a block in a process without it, which then runs the loops as plain
Python (the same numbers, slowly)."""


def compiled(function):
    """``function`` compiled by numba, its machine code cached beside its module, or in numba's cache
    folder (``NUMBA_CACHE_DIR``, else the user's cache), or, where neither can be written, compiled anew
    in each process (about 1 s). Under the numpy reference the loop stays plain Python, unused."""
    if not _NUMBA_LOADED:
        return function
    try:
        return numba.njit(cache=True, nogil=True)(function)
    except RuntimeError:                # "cannot cache function ...: no locator available"
        return numba.njit(cache=False, nogil=True)(function)
