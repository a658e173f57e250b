"""What chainsim's worker processes start with: the core imported and the compiled loops loaded.

The forkserver that starts chainsim's workers (:func:`chainsim.runner.worker_context`)
imports this module once; every worker it then forks starts with the core
imported and numba's compiled loops loaded, instead of paying that (about
0.5 s) itself. A forkserver preload is an import, so importing this module
runs :func:`warm_up`. Nothing may escape it: a forkserver whose preload
raises anything but ImportError dies, and with it every pool it was to
serve.
"""

from __future__ import annotations

WARM_UP_REGION = "Friesland"
"""Any one region: a world of it has the types every run passes to the compiled loops."""


def warm_up() -> bool:
    """Call the compiled loops once on a small world, so numba loads (or compiles) them: the decision
    rule's, and the trust summary's and trust steps' (a month of the world calls them).

    Best effort: returns False, and leaves each worker to load the loops
    itself, if anything stops it -- an error, a bad ``CHAINSIM_KERNELS``
    (the worker then reports it), even an interrupt while the pool starts.
    """
    try:
        import numpy as np

        from chainsim.core.mechanisms import table
        from chainsim.core.regions import select_regions
        from chainsim.core.simulation import new_world, step

        world = new_world(regions=select_regions([WARM_UP_REGION]), rng=np.random.default_rng(0))
        table.expected_support(world)
        table.member_support(world, np.zeros(world.regions_state.n, dtype=np.int64), noise=False)
        step(world)
        from chainsim.core.ties import learn_from_record, scale_ties
        trust, experience, some = world.ties.trust.copy(), world.ties.experience.copy(), np.arange(2)
        scale_ties(trust, some, 0.0, 0.0)
        learn_from_record(trust, experience, some, 0.0, 0.0, 1.0)
    except BaseException:  # noqa: BLE001 -- see the module's docstring: nothing may stop the forkserver
        return False
    return True


warm_up()
