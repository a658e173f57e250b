"""The scenario calendar: months on real dates and the national time line.

The model steps one month at a time from a start month to an end month. The
national events of DOMAIN.md §4 are declared here as data (name, dates,
source); the drivers they produce each month (outside pressure, turbulence,
budget cuts, the business cycle) are plain functions of the month, so the
same time line serves every region and every run.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month, written ``YYYY-MM``."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"month must be 1..12, got {self.month}")

    @classmethod
    def parse(cls, text: str) -> "Month":
        try:
            year_text, month_text = str(text).split("-")
            return cls(int(year_text), int(month_text))
        except ValueError:
            raise ValueError(f"{text!r} is not a month written as YYYY-MM") from None

    def plus(self, months: int) -> "Month":
        index = self.year * 12 + (self.month - 1) + months
        return Month(index // 12, index % 12 + 1)

    def minus(self, other: "Month") -> int:
        """Number of months from ``other`` to ``self``."""
        return (self.year - other.year) * 12 + (self.month - other.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True)
class Calendar:
    """Start, end and observation month of a run (inclusive)."""

    start: Month = Month(2012, 1)
    end: Month = Month(2016, 12)
    observed_at: Month = Month(2014, 11)

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"calendar end {self.end} lies before its start {self.start}")
        if not self.start <= self.observed_at <= self.end:
            raise ValueError(
                f"observation month {self.observed_at} lies outside {self.start}..{self.end}"
            )

    @classmethod
    def from_strings(cls, start: str, end: str, observed_at: str) -> "Calendar":
        return cls(Month.parse(start), Month.parse(end), Month.parse(observed_at))

    @property
    def n_months(self) -> int:
        return self.end.minus(self.start) + 1

    @cached_property
    def months(self) -> tuple[Month, ...]:
        return tuple(self.start.plus(i) for i in range(self.n_months))

    def index(self, month: Month) -> int:
        """Position of ``month`` in the run (0 = start month)."""
        i = month.minus(self.start)
        if not 0 <= i < self.n_months:
            raise ValueError(f"{month} lies outside {self.start}..{self.end}")
        return i

    @property
    def observed_index(self) -> int:
        return self.index(self.observed_at)

    @cached_property
    def drivers(self) -> "NationalDrivers":
        return NationalDrivers.for_months(self.months)


@dataclass(frozen=True)
class NationalEvent:
    """A dated national event or period with the source that reports it."""

    name: str
    start: Month
    end: Month
    source: str
    description: str

    def active(self, month: Month) -> bool:
        return self.start <= month <= self.end


M = Month
NATIONAL_EVENTS: tuple[NationalEvent, ...] = (
    # --- the werkplein era, 2005-2011 (seeds 000-003; docs/research/werkplein_sources.md §5) ---
    NationalEvent("support_structure", M(2005, 1), M(2007, 6), "001 §3.2 and fn 5, 6",
                  "regional support groups, a support pool of about 100 staff and six chain ambassadors "
                  "help the 120 regional chain consultations; stopped on 2007-07-01"),
    NationalEvent("samen_doen_we_het_zo", M(2005, 11), M(2005, 11), "001 §3.3 fn 7",
                  "CWI and UWV agree on intensive cooperation ('Samen doen we het zo')"),
    NationalEvent("toonkamer_evaluation", M(2006, 12), M(2006, 12), "001 §2",
                  "the chain partners evaluate the toonkamers and decide to introduce their principles"),
    NationalEvent("bestuursakkoord_2007", M(2007, 6), M(2011, 12), "002 §3; 000 'Regionale samenwerking'",
                  "agreement between state and municipalities (2007-06-04) with outflow targets to 2011"),
    NationalEvent("tripartite_management_due", M(2008, 1), M(2008, 1), "001 §3.3",
                  "local tripartite management to be formed at every location"),
    NationalEvent("toonkamer_rollout", M(2008, 1), M(2009, 12), "001 §2; 002 §1.2, §4.1; 003 lead",
                  "the toonkamer principles are rolled out at all locations; integrated service laid down in "
                  "law in 2008"),
    NationalEvent("process_facilitators", M(2008, 6), M(2011, 12), "000 'Leren van elkaar'; 002 §4.1",
                  "the national chain council's core team appoints process facilitators in the regions"),
    NationalEvent("cwi_uwv_merger", M(2009, 1), M(2009, 1), "000 'Beleidscontext'; 001 §3.3",
                  "CWI and UWV merge on 2009-01-01"),
    NationalEvent("integration_deadline", M(2009, 12), M(2009, 12), "000 'Beleidscontext', 'Ketensamenwerking'",
                  "integrated service, without visible distinction between the organisations, due at all "
                  "locations by the end of 2009"),
    NationalEvent("municipal_elections_2006", M(2006, 3), M(2006, 3), "the four-yearly municipal elections "
                  "(not in the seeds)", "municipal elections: aldermen may change"),
    NationalEvent("municipal_elections_2010", M(2010, 3), M(2010, 3), "the four-yearly municipal elections "
                  "(not in the seeds)", "municipal elections: aldermen may change"),
    # --- the labour market regions, 2012-2016 (seed 004) ---
    NationalEvent("suwi_2012", M(2012, 1), M(2016, 12), "004 §1.1, §2.1",
                  "SUWI amendment: 35 labour market regions, one employer counter per region"),
    NationalEvent("uwv_redesign", M(2012, 1), M(2014, 12), "004 §4.2; DOMAIN §1",
                  "UWV redesign: most of about 100 werkpleinen close, 35 regional offices remain"),
    NationalEvent("uwv_office_closures", M(2012, 7), M(2014, 6), "004 §4.2",
                  "window in which a region's local UWV offices close (one month per region)"),
    NationalEvent("municipal_budget_cuts", M(2012, 1), M(2015, 12), "004 §4.1; 003",
                  "cuts in the municipal reintegration budget sharpen own-target pressure"),
    NationalEvent("social_accord", M(2013, 4), M(2016, 12), "004 §2.2",
                  "social accord: 125,000 extra jobs for people with disabilities, Werkkamer"),
    NationalEvent("sector_plans_round_1", M(2013, 10), M(2013, 12), "004 §2.2, App. 2",
                  "first application window of the sector plan co-financing (joint applications)"),
    NationalEvent("sector_plans_round_2", M(2014, 4), M(2014, 5), "004 App. 2",
                  "second application window of the sector plans"),
    NationalEvent("esf_inclusion", M(2014, 7), M(2014, 12), "004 App. 2",
                  "ESF 'active inclusion' 2014-2020: centre municipalities apply for the region"),
    NationalEvent("municipal_elections", M(2014, 3), M(2014, 3), "DOMAIN §4",
                  "municipal elections: aldermen may change"),
    NationalEvent("decentralisations", M(2014, 1), M(2015, 12), "004 §4.1; DOMAIN M15",
                  "municipalities prepare and absorb three decentralisations (incl. Participatiewet)"),
    NationalEvent("amvb_werkbedrijven", M(2014, 9), M(2016, 12), "004 summary, §2.1",
                  "decree on regional Werkbedrijven: agreements, market plan, social partners at the table"),
    NationalEvent("participatiewet", M(2015, 1), M(2016, 12), "004 §2.1",
                  "Participatiewet in force: Werkbedrijf and market plan required, Wsw closed to newcomers"),
)

EVENTS_BY_NAME: dict[str, NationalEvent] = {e.name: e for e in NATIONAL_EVENTS}

# Vacancies per jobseeker relative to 2011, a rough reading of the Dutch
# business cycle: a tight market in 2007-2008 ("the economy on steam": jobs
# grew faster than the labour force and caseloads fell, 002 §1.2, §2.1), the
# crisis of 2009-2010, unemployment peaking in 2013-2014 and falling from
# 2015. Estimate: the levels are from general CBS unemployment figures, only
# the direction of 2005-2008 is from the seeds.
_BUSINESS_CYCLE = {2005: 0.85, 2006: 0.95, 2007: 1.10, 2008: 1.15, 2009: 0.90, 2010: 0.90,
                   2011: 1.0, 2012: 0.95, 2013: 0.80, 2014: 0.82, 2015: 0.92, 2016: 1.02}


@dataclass(frozen=True)
class NationalDrivers:
    """Per-month national drivers derived from the time line (arrays over months).

    ``deadline`` rises from the announcement of the Participatiewet (mid 2013)
    to the 2015-01-01 deadline and stays at half height once the law is in
    force -- and, in the werkplein era, from the 2007 agreement towards
    integrated service at every location by the end of 2009, then at half
    height while the law of 2008 requires it, until UWV's redesign in 2012
    (:func:`_integration_deadline`); ``turbulence_*`` give each kind of
    organisation's distraction (M15); ``learning_support`` scales the
    national learning programmes (M11, :func:`_learning_support`).
    """

    business_cycle: np.ndarray
    budget_cuts: np.ndarray
    deadline: np.ndarray
    accord: np.ndarray
    subsidy_window: np.ndarray
    esf_window: np.ndarray
    werkbedrijf: np.ndarray
    elections: np.ndarray
    closure_window: np.ndarray
    turbulence_uwv: np.ndarray
    turbulence_municipality: np.ndarray
    turbulence_sw: np.ndarray
    sw_transition: np.ndarray
    learning_support: np.ndarray

    @classmethod
    def for_months(cls, months: tuple[Month, ...]) -> "NationalDrivers":
        e = EVENTS_BY_NAME

        def flag(name: str) -> np.ndarray:
            return np.array([e[name].active(m) for m in months], dtype=float)

        deadline = np.array([max(_deadline_pressure(m), _integration_deadline(m)) for m in months])
        cycle = np.array([_BUSINESS_CYCLE.get(m.year, 1.0) for m in months])
        redesign = flag("uwv_redesign")
        # UWV's redesign weighs most in its first year and fades as the new
        # regional offices settle (004 §4.2).
        uwv_turb = np.array([0.5 if m.year == 2012 else 0.35 if m.year == 2013 else 0.2
                             for m in months]) * redesign
        uwv_turb = np.maximum(uwv_turb, np.array([_merger_turbulence(m) for m in months]))
        sw_transition = np.array([_ramp(m, M(2013, 7), M(2015, 1)) for m in months])
        return cls(
            business_cycle=cycle,
            budget_cuts=flag("municipal_budget_cuts"),
            deadline=deadline,
            accord=np.maximum(flag("social_accord"), flag("bestuursakkoord_2007")),
            subsidy_window=np.maximum(flag("sector_plans_round_1"), flag("sector_plans_round_2")),
            esf_window=flag("esf_inclusion"),
            werkbedrijf=flag("amvb_werkbedrijven"),
            elections=np.maximum.reduce([flag("municipal_elections"), flag("municipal_elections_2006"),
                                         flag("municipal_elections_2010")]),
            closure_window=flag("uwv_office_closures"),
            turbulence_uwv=uwv_turb,
            turbulence_municipality=0.35 * flag("decentralisations"),
            turbulence_sw=0.35 * sw_transition * (np.array([m.year for m in months]) <= 2016),
            sw_transition=sw_transition,
            learning_support=np.array([_learning_support(m) for m in months]),
        )


def _ramp(month: Month, start: Month, end: Month) -> float:
    """0 before ``start``, 1 from ``end``, linear in between."""
    if month <= start:
        return 0.0
    if month >= end:
        return 1.0
    return month.minus(start) / end.minus(start)


def _deadline_pressure(month: Month) -> float:
    """Shape of the Participatiewet deadline pressure (height 1 at the deadline).

    The law was announced with the 2013 social accord; pressure builds up to
    the 2015-01-01 deadline and stays at half height while the obligation to
    have a Werkbedrijf and market plan is in force (004 §2.1, §4.6).
    """
    if month < M(2015, 1):
        return _ramp(month, M(2013, 4), M(2014, 12))
    return 0.5


def _integration_deadline(month: Month) -> float:
    """Deadline pressure of the werkplein era (height 1 at the end of 2009).

    The 2007 agreement between state and municipalities (June 2007, 002 §3)
    and the rollout of the toonkamer principles set integrated service at
    every location as the aim for the end of 2009 (000 'Beleidscontext'); the
    pressure builds towards it and stays at half height while the law of 2008
    requires integrated service (003 lead), until the SUWI amendment of 2012
    replaces the locations by the regions. The same shape as the
    Participatiewet's (:func:`_deadline_pressure`).
    """
    if month < M(2010, 1):
        return _ramp(month, M(2007, 6), M(2009, 12))
    return 0.5 if month < M(2012, 1) else 0.0


def _merger_turbulence(month: Month) -> float:
    """UWV's (and CWI's) distraction in the werkplein era (M15; estimates for the levels).

    Reorganisations at CWI (just finished) and UWV (under way) kept chain
    cooperation from getting off the ground in the first years (001 §5.1):
    0.35 in 2005-2006. The merger of 2009-01-01 took time and attention from
    2008 (000 'Onrustige situatie'): rising to 0.5 at the merger and fading to
    0.2 by the end of 2010.
    """
    if month < M(2007, 1):
        return 0.35
    if month < M(2008, 1):
        return 0.2
    if month <= M(2009, 1):
        return 0.2 + 0.3 * _ramp(month, M(2008, 1), M(2009, 1))
    if month < M(2011, 1):
        return 0.5 - 0.3 * _ramp(month, M(2009, 1), M(2010, 12))
    return 0.0


def _learning_support(month: Month) -> float:
    """How much of the national learning programmes runs (1 = the baseline, ``knowledge_sharing``).

    Until 2007-07-01 a support structure -- support groups, a support pool,
    chain ambassadors, a monitor group spreading good practice -- carried
    lessons between the chain consultations (001 §3.2); the state stopped it
    on that date, keeping the support groups only as a pilot light
    ('waakvlamfunctie', 001 §3.2), read here as no learning support (0, an
    estimate) for a year; from mid 2008 the
    national chain council's process facilitators took part of its role
    (000 'Leren van elkaar'; 002 §4.1): half, an estimate. From 2012 the
    regions' national programme (the Programmaraad's aanjagers, 004 §2.3) is
    the baseline.
    """
    if month < M(2007, 7):
        return 1.0
    if month < M(2008, 6):
        return 0.0
    return 0.5 if month < M(2012, 1) else 1.0
