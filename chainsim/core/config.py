"""What defines a run apart from its seed: parameters, calendar, regions, levers."""

from __future__ import annotations

from dataclasses import dataclass, field

from chainsim.core.calendar import Calendar
from chainsim.core.levers import Lever, era_mismatch
from chainsim.core.parameters import Parameters


@dataclass(frozen=True)
class RunConfig:
    """Everything that defines a run apart from its seed (picklable, no Mesa)."""

    params: Parameters = field(default_factory=Parameters)
    calendar: Calendar = field(default_factory=Calendar)
    regions: tuple[str, ...] | None = None   # region codes; None = all 35
    scenario: str = "netherlands_2012 (built-in)"
    levers: tuple[Lever, ...] = ()
    mechanisms_off: tuple[str, ...] = ()      # structural test: mechanisms switched off
    era: str = "regions_2012"                 # chainsim.core.eras.ERAS: units, arrangements, measurement
    start_from: str | None = None             # an era simulated first, whose end the run starts from (handover)
    history_params: Parameters | None = None  # the parameters that era runs on (None: ``params``)

    def __post_init__(self) -> None:
        # a lever acts on what its era has: one built for another era would run and change nothing, silently
        # (a scenario file is checked the same way by chainsim.scenario)
        for lever in self.levers:
            if (problem := era_mismatch(lever.kind, self.era)) is not None:
                raise ValueError(problem)
