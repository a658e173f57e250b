"""Client groups of the chain: who is served, by whom, and with which budget (M1, M11, M14).

The light labour market (:mod:`chainsim.core.mechanisms.labour_market`)
keeps one stock of jobseekers per client group. Each group is the own
business of one organisation, paid from its own budget and counted in its
own targets: "gemeenten blijven verantwoordelijk voor de werkzoekenden met
een bijstandsuitkering en het UWV voor de werkzoekenden met een WW- of
WIA-uitkering. En ook de bijbehorende budgetten en instrumenten blijven
verdeeld" (003 '100 Werkpleinen?'); "ketenpartners worden nog vaak als
zuilen afgerekend" (001 §5.1). Which groups exist is a property of the era:

- the labour market regions of 2012-2016 keep three (004 §4.2-§4.3): WW at
  UWV, assistance at the municipalities, SW staff at the SW companies;
- the werkplein locations of 2005-2011 keep four (003 '100 Werkpleinen?';
  001 §1.3): WW and WIA at UWV, assistance (WWB) at the municipalities, and
  jobseekers without a benefit, whom CWI registered and guided itself. The
  first three entered at CWI's intake and were then *handed over* to the
  organisation that paid their benefit (000 'Ketensamenwerking': "de
  overdracht van werkzoekenden van CWI naar UWV [vindt] niet goed plaats,
  waardoor sommige mensen tussen de wal en het schip vallen"); the handover
  loss and what removes it are in the labour market module.

Each table holds one row per group; the numbers are per jobseeker per month
in an average labour market and carry their basis beside them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from chainsim.core.calendar import Month
from chainsim.core.population import Kind


@dataclass(frozen=True)
class ClientGroup:
    """One client group: its owner, its rates and whether it is handed over after intake."""

    name: str
    owner: str                 # who is judged on placing it ("UWV", "municipalities", "SW companies", "CWI")
    placement: float           # placements into work per jobseeker per month in an average market
    other_exit: float          # other monthly exits (entitlement exhausted, retirement, deregistration)
    handed_over: bool          # enters at the intake of one organisation and is guided by another
    basis: str                 # where the numbers and the flag come from
    handover_ends: str | None = None   # first month (YYYY-MM) without the handover, when an event ends it


class ClientGroups:
    """The client groups of one era as arrays, with the group each kind of organisation is judged on.

    ``owner_of_kind`` maps each :class:`~chainsim.core.population.Kind` to the
    group whose placements it is judged on; kinds without own clients
    (employer organisations) point at group 0 and carry no own-target weight
    (:mod:`chainsim.core.initialise`). ``ww`` and ``assistance`` name the two
    groups between which costs are shifted (M14); ``closes_with_wsw`` the
    group whose inflow stops with the Wsw (2015), if the era has it.
    """

    def __init__(self, name: str, groups: tuple[ClientGroup, ...], owner_of_kind: dict[Kind, str],
                 closes_with_wsw: str | None = None) -> None:
        self.name = name
        self.groups = tuple(groups)
        self.names = tuple(g.name for g in self.groups)
        index = {g.name: k for k, g in enumerate(self.groups)}
        if len(index) != len(self.groups):
            raise ValueError(f"client groups {name}: names repeat")
        for k, group in owner_of_kind.items():
            if group not in index:
                raise ValueError(f"client groups {name}: {k.name} is judged on unknown group {group!r}")
        self.index = index
        self.placement = np.array([g.placement for g in self.groups])
        self.other_exit = np.array([g.other_exit for g in self.groups])
        self.handed_over = np.array([g.handed_over for g in self.groups])
        self._ends = [None if g.handover_ends is None else Month.parse(g.handover_ends) for g in self.groups]
        self.owner_of_kind = np.zeros(max(int(k) for k in Kind) + 1, dtype=np.int64)
        for k, group in owner_of_kind.items():
            self.owner_of_kind[int(k)] = index[group]
        self.ww = index["WW"]
        self.assistance = index["assistance"]
        self.closes_with_wsw = None if closes_with_wsw is None else index[closes_with_wsw]

    def __len__(self) -> int:
        return len(self.groups)

    def handed_over_in(self, month: Month) -> np.ndarray:
        """Per group: whether its clients are handed over after intake in ``month``."""
        return np.array([g.handed_over and (end is None or month < end)
                         for g, end in zip(self.groups, self._ends)])

    def __repr__(self) -> str:
        return f"ClientGroups({self.name!r}, {', '.join(self.names)})"


REGION_GROUPS = ClientGroups("labour market regions 2012-2016", (
    ClientGroup("WW", "UWV", 0.04, 1 / 15, False,
                "estimates: WW spells last months, not years; a mean spell of about 15 months until the "
                "entitlement is exhausted"),
    ClientGroup("assistance", "municipalities", 0.009, 0.015, False,
                "CBS 2014: about 4 in 10 of ~123k yearly exits from assistance went to work, on a stock of "
                "~434k (0.9% a month; docs/research/model_revision_sources.md §D.5, non-seed); the rate of "
                "other exits is an estimate"),
    ClientGroup("SW staff", "SW companies", 0.002, 0.004, False,
                "estimates: SW staff rarely move to regular jobs; other exits by retirement"),
), {Kind.MUNICIPALITY: "assistance", Kind.CENTRE: "assistance", Kind.UWV: "WW",
    Kind.SW_COMPANY: "SW staff", Kind.EMPLOYER_ORGANISATION: "WW"},
    closes_with_wsw="SW staff")
"""The regions' groups (004 §4.2 quote: UWV is steered on WW, municipalities on
assistance; 004 §4.3: SW companies on their staff). Nobody is handed over
between organisations: after the merger of CWI into UWV (2009) the intake of
a WW client and its guidance lay with one organisation; that a municipality
took in its own assistance clients is an estimate (the seeds do not date the
end of that handover)."""

LOCATION_GROUPS = ClientGroups("werkplein locations 2005-2011", (
    ClientGroup("WW", "UWV", 0.04, 1 / 15, True,
                "rates as in the regions; handed over from CWI's intake to UWV, which paid the benefit and "
                "bought re-integration (000 'Ketensamenwerking'; 001 §4.3), until CWI merged into UWV on "
                "2009-01-01 and UWV itself took every jobseeker in (000 'Beleidscontext'; 003 'Voordelen')",
                handover_ends="2009-01"),
    ClientGroup("assistance", "municipalities", 0.009, 0.015, True,
                "rates as in the regions; handed over from CWI's work intake to the municipality, which "
                "paid the benefit and guided the client (001 §4.3 'warme overdracht' to UWV and "
                "municipalities)"),
    ClientGroup("WIA", "UWV", 0.005, 0.01, True,
                "estimates: partly disabled clients find work rarely and leave the benefit slowly; "
                "handed over to UWV's re-integration coaches (003 '100 Werkpleinen?': UWV answers for WW "
                "and WIA), until the merger of 2009-01-01 as for WW", handover_ends="2009-01"),
    ClientGroup("without benefit", "CWI", 0.03, 0.05, False,
                "estimates: jobseekers without a benefit are nearer to work and deregister often; CWI "
                "registered and guided them itself, with no handover"),
), {Kind.MUNICIPALITY: "assistance", Kind.CENTRE: "assistance", Kind.UWV: "WW",
    Kind.SW_COMPANY: "WW", Kind.EMPLOYER_ORGANISATION: "WW"})
"""The locations' groups. The agency row (CWI with UWV's coaches at its
branch, :mod:`chainsim.core.locations`) is judged on WW, the group on which
both CWI and UWV were steered; locations have no SW company, so that row's
group is never read."""
