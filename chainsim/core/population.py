"""The organisations of the chain as columns: one row per organisation.

The five kinds of organisation (DOMAIN.md §1) and their attributes, kept
column-wise so that a mechanism acts on every organisation of every region
in one array operation. The Mesa agents of :mod:`chainsim.agents` are views
on these rows; this module knows nothing of Mesa.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np


class Kind(IntEnum):
    """Kinds of organisation in the chain."""

    MUNICIPALITY = 0
    CENTRE = 1
    UWV = 2
    SW_COMPANY = 3
    EMPLOYER_ORGANISATION = 4


FLOAT_COLUMNS = (
    "size",                  # share of the region's population (municipalities)
    "belief",                # belief that regional cooperation pays (M11)
    "belief_prior",          # belief without evidence: the organisation's own disposition (M11)
    "own_target",            # weight of its own placement targets (M1)
    "rivalry",               # own-target rivalry felt this month (M1, M2, M14)
    "autonomy_guard",        # how much it guards its say (M4)
    "local_success",         # existing local successes it would give up (M4)
    "outside_orientation",   # pull of a neighbouring region through commuting (M12)
    "alderman_orientation",  # alderman's regional (1) vs local (0) orientation (M6)
    "alderman_strength",     # alderman's administrative strength (M6)
    "turbulence",            # attention lost to reorganisation, cuts, caseloads (M15)
    "business_interest",     # SW company's weight on its own business (M8)
    "partner_offset",        # SW company's idiosyncratic stance (M8)
)
BOOL_COLUMNS = (
    "participates",          # municipality takes part in the regional table (M4)
    "partner",               # SW company acts as partner rather than competitor (M8)
    "engaged",               # employer organisation actively engaged (M9)
    "uses_sonar",            # uses UWV's employer-contact system Sonar (M7)
    "uses_wbs",              # uses UWV's werkgeversbenaderingssysteem WBS (M7)
    "double_role",           # SW company on whose board the centre's alderman sits (M8)
)


class Population:
    """Column store of all organisations' attributes; row i is organisation i."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.kind = np.zeros(n, dtype=np.int8)
        self.region = np.zeros(n, dtype=np.int64)
        self.subregion = np.full(n, -1, dtype=np.int64)
        self.name: list[str] = [""] * n
        for column in FLOAT_COLUMNS:
            setattr(self, column, np.zeros(n))
        for column in BOOL_COLUMNS:
            setattr(self, column, np.zeros(n, dtype=bool))

    def mask(self, *kinds: Kind) -> np.ndarray:
        return np.isin(self.kind, [int(k) for k in kinds])

    @property
    def is_municipality(self) -> np.ndarray:
        """Municipalities including the centre municipalities."""
        return self.mask(Kind.MUNICIPALITY, Kind.CENTRE)
