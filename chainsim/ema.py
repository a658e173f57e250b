"""chainsim for the EMA Workbench: uncertainties and levers named as in chainsim.

``build_model()`` returns an ``ema_workbench.ReplicatorModel`` whose
uncertainties are chainsim parameters (names and ranges of docs/ODD.md
§7.2) and whose levers are the strengths of chainsim's levers (0 = off,
switched on from ``start`` in every region). Each replication runs with
its own seed; the outcomes per replication are the share of coordinated
regions at the observation month, at the end, and the whole trajectory::

    from ema_workbench import perform_experiments
    from chainsim.ema import build_model
    model = build_model(replications=5)
    experiments, outcomes = perform_experiments(model, scenarios=50, policies=4)

Needs the optional dependency ``ema-workbench`` (``pip install chainsim[ema]``).
``experiments/ema_prim.py`` runs PRIM scenario discovery with it.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from chainsim.core.levers import built_for
from chainsim.core.measurement import COORDINATED
from chainsim.core.parameters import SPECS
from chainsim.model import LEVER_PREFIX, ChainModel

DEFAULT_UNCERTAINTIES = ("weight_belief", "weight_trust", "weight_pressure", "weight_autonomy",
                         "weight_rivalry", "effort_scale", "evidence_own_weight", "trust_initial")


def run_chainsim(rng: int = 0, scenario: str | None = None, regions: str | None = None,
                 lever_start: str | None = "2013-01", **inputs: float) -> dict[str, object]:
    """One replication of ``scenario`` (a shipped name or a path; None: the Netherlands 2012-2016).

    ``inputs`` are parameters by name and lever strengths as ``lever_<kind>``,
    exactly the settings :class:`~chainsim.model.ChainModel` takes; ``regions``
    is a comma-separated list of region names or codes (None: the scenario's).
    """
    selected = [r.strip() for r in regions.split(",") if r.strip()] if regions else None
    model = ChainModel(scenario, regions=selected, lever_start=lever_start,
                       rng=np.random.default_rng(rng), **inputs).run()
    share = (model.recorder.stage == COORDINATED).mean(axis=1)
    cal = model.calendar
    return {"coordinated_observed_at": float(share[cal.observed_index]),
            "coordinated_end": float(share[-1]), "coordinated": share.tolist()}


def build_model(replications: int = 10, uncertainties: Iterable[str] = DEFAULT_UNCERTAINTIES,
                levers: Iterable[str] | None = None, seed: int = 0, scenario: str | None = None,
                regions: Iterable[str] | None = None):
    """A ReplicatorModel of chainsim with the given uncertainties and levers.

    ``scenario`` (a shipped name or a path) and ``regions`` (names or codes)
    are constants of every experiment; the scenario's own levers stay on.
    ``levers`` defaults to every lever built for the scenario's era.
    """
    try:
        from ema_workbench import ArrayOutcome, Constant, RealParameter, ReplicatorModel
    except ModuleNotFoundError as exc:
        raise ModuleNotFoundError(f"chainsim.ema needs the EMA Workbench, which is not installed ({exc}); install "
                                  "it with: pip install 'chainsim[ema]' (make test installs it)", name=exc.name) \
            from None

    if levers is None:
        from chainsim.scenario import default_scenario, load_scenario

        levers = built_for((load_scenario(scenario) if scenario else default_scenario()).era)
    model = ReplicatorModel("chainsim", function=run_chainsim)
    model.constants = [Constant("scenario", scenario),
                       Constant("regions", ",".join(regions) if regions else None)]
    model.uncertainties = [RealParameter(name, SPECS[name].low, SPECS[name].high) for name in uncertainties]
    model.levers = [RealParameter(f"{LEVER_PREFIX}{kind}", 0.0, 1.0) for kind in levers]
    model.outcomes = [ArrayOutcome("coordinated_observed_at"), ArrayOutcome("coordinated_end"),
                      ArrayOutcome("coordinated")]
    seeds = np.random.SeedSequence(seed).generate_state(replications, dtype=np.uint32)
    model.replications = [{"rng": int(s)} for s in seeds]
    return model
