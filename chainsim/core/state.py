"""Per-region state: structure, the arrangements in force, pressure and evidence.

A region is not an agent; it is the unit whose table the organisations sit
at and the unit the Inspectorate scores. Its structure comes from
:mod:`chainsim.core.regions` (M12); its changing state -- which arrangements are
agreed or in force, outside pressure, evidence of results -- is kept here as
arrays over regions so that mechanisms act on all regions at once.
"""

from __future__ import annotations

import numpy as np

from chainsim.core.regions import RegionInfo

ABSENT, AGREED, IN_FORCE = 0, 1, 2
"""Status of an arrangement in a region: not there, agreed but not yet
delivered in practice (M13), in force."""


class RegionState:
    """Arrays over the regions of one run (index r follows ``infos``); ``n_arrangements`` is the catalogue's
    size, ``n_groups`` the number of client groups (:mod:`chainsim.core.client_groups`)."""

    def __init__(self, infos: tuple[RegionInfo, ...], n_arrangements: int, n_groups: int) -> None:
        self.infos = infos
        n = len(infos)
        self.n = n
        self.codes = [r.code for r in infos]
        self.names = [r.name for r in infos]

        def arr(values, dtype=float) -> np.ndarray:
            return np.array(list(values), dtype=dtype)

        # structure (M12)
        self.tightness = arr(r.labour_tightness for r in infos)
        self.identity = arr(r.regional_identity for r in infos)
        self.concentration = arr(r.economy_concentration for r in infos)
        self.commuting_out = arr(r.commuting_out for r in infos)
        self.history = arr(r.joint_arrangement_history for r in infos)
        self.n_municipalities = arr((r.n_municipalities for r in infos), int)
        self.n_sw = arr((r.n_sw_companies for r in infos), int)
        self.n_subregions = arr((r.n_subregions for r in infos), int)
        self.formal_mandate = arr((r.formal_mandate for r in infos), float)   # 0..1
        self.aldermen_platform = arr((r.aldermen_platform for r in infos), float)   # 0 or 1
        # drawn at initialisation where no source gives them
        self.leadership_style = np.zeros(n)
        self.strategic_skill = np.zeros(n)
        self.employer_activism = np.zeros(n)
        self.uwv_connector = np.zeros(n)
        self.uwv_stance = np.zeros((n, 2))   # UWV's representative, governance and tactical (M7)
        self.alderman_continuity = np.zeros(n, dtype=bool)
        self.closure_month = np.zeros(n, dtype=np.int64)
        self.closure_severity = np.zeros(n)
        self.meeting_offset = np.zeros(n, dtype=np.int64)
        # organisation rows of the region's single actors
        self.centre_row = np.zeros(n, dtype=np.int64)
        self.uwv_row = np.zeros(n, dtype=np.int64)
        self.employer_row = np.zeros(n, dtype=np.int64)
        self.n_organisations = np.zeros(n, dtype=np.int64)
        # changing state
        self.status = np.zeros((n, n_arrangements), dtype=np.int8)
        self.due = np.full((n, n_arrangements), -1, dtype=np.int64)
        self.shelved_until = np.full((n, n_arrangements), -1, dtype=np.int64)
        self.pressure = np.zeros(n)
        self.extra_pressure = np.zeros(n)     # levers and scheduled visits (M10)
        self.uwv_withdrawal = np.ones(n)      # 0 where UWV keeps its local presence (M7)
        # handles for scenario levers (chainsim.core.levers); neutral values here
        self.knowledge_boost = np.zeros(n)    # learning between regions added by levers (M11)
        self.imposed_joint_targets = np.zeros(n)   # joint targets set from outside (M2)
        self.budget_cut_extra = np.zeros(n)   # cuts on top of the national ones (M1, M15)
        self.deadline_push = np.zeros(n)      # a scenario's own legal deadline (M10)
        self.ict_push = np.ones(n)            # UWV's push for its systems (M7)
        self.turnover_factor = np.ones(n)     # multiplier on alderman turnover (M6)
        self.contact_factor = np.ones(n)      # how often UWV and municipalities meet (M3)
        self.reset_factor = np.ones(n)        # share of trust a new alderman resets (M6)
        self.effort_factor = np.ones((n, n_arrangements))          # levers that ease an arrangement
        self.available = np.ones((n, n_arrangements), dtype=bool)  # arrangements a region may adopt
        self.available_from = np.zeros((n, n_arrangements), dtype=np.int64)  # first month index
        self.subsidy_until = np.full(n, -1, dtype=np.int64)
        # the labour market (chainsim.core.mechanisms.labour_market): the era's client groups
        g = n_groups
        self.jobseekers = np.zeros((n, g))       # stocks, index (1 = an average region at the start)
        self.jobseekers_start = np.zeros((n, g))
        self.inflow_base = np.zeros(g)           # monthly inflow per group in an average market
        self.placement_rate = np.zeros((n, g))   # placements per jobseeker this month
        self.recent_rate = np.zeros((n, g))      # ... averaged over results_memory_months
        self.target_rate = np.zeros(g)           # the national target per group this month (M1)
        self.shortfall = np.zeros((n, g))        # recent placements short of the target, 0-1 (M1)
        self.results = np.zeros(n)               # visible result of pooling (M11)
        self.evidence = np.zeros(n)
        self.neighbour_evidence = np.zeros(n)
        self.public_cooperation = np.zeros(n)
        self.cost_shifting = np.zeros(n)
        self.trust_uwv = np.zeros(n)          # mean trust on UWV-municipality ties
        self.trust_centre = np.zeros(n)       # mean trust on centre-municipality ties
        self.proposal = np.full(n, -1, dtype=np.int64)
        self.facilitating = np.zeros(n, dtype=bool)   # the centre acted facilitatively at its last meeting (M5)
        self.allies = np.zeros(n)                     # strength of the ally the centre found, 0-1 (M5)
        self.last_vote_share = np.full(n, np.nan)

    @property
    def in_force(self) -> np.ndarray:
        return self.status == IN_FORCE

    @property
    def has_subregions(self) -> np.ndarray:
        return self.n_subregions > 0
