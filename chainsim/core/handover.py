"""From the werkplein era to the regions: what the simulated end of 2011 leaves to 2012.

A region run may start from a simulated history instead of a drawn legacy
(a scenario's ``start_from = "werkpleinen_2005"``): the werkplein era runs
2005-2011 at the locations of the run's regions, and its state in December
2011 becomes the region's start in January 2012:

- **arrangements**: a region arrangement whose counterpart the locations
  built (:data:`COUNTERPARTS`, the same readings the drawn legacy takes
  from the 2007 survey, :data:`chainsim.core.arrangements.LEGACY`) is in
  force with chance equal to the share of the region's locations that had
  the counterpart in force in December 2011, instead of the legacy chance;
  UWV's closures of 2012-2014 (M7) then undo what rested on its staff on
  site, as in every region run;
- **trust**: a municipality's tie with UWV starts with the trust it had with
  its location's agency (CWI and the UWV coaches, merged into UWV on
  2009-01-01), and its tie with the centre with the trust it had with the
  centre where the centre hosted its location; other ties are drawn as usual;
- **belief**: every municipality, and UWV (the mean over the region's
  locations), starts with the belief it ended 2011 with.

Everything else -- SW companies, employer organisations, subregions, the
traits no source gives -- is drawn as in a run without history. The draws
are the same with and without a history (the history only replaces values),
so a paired comparison of the two isolates what the history changes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from chainsim.core.arrangements import REGION_CATALOGUE
from chainsim.core.location_arrangements import LOCATION_CATALOGUE
from chainsim.core.locations import region_of
from chainsim.core.network import TieKind
from chainsim.core.population import Kind
from chainsim.core.world import World

COUNTERPARTS: dict[str, str] = {
    "joint_consultation": "chain_consultation",
    "tactical_meeting": "tripartite_management",
    "joint_staff": "composed_teams",
    "multiple_public_counters": "one_counter",
    "shared_systems": "shared_ict",
    "fte_agreements": "joint_personnel_plan",
}
"""Region arrangement -> the location arrangement it continues. The first four
are the readings of the drawn legacy (001 §4.3: a regional form, shared
building with local management, composed teams, one counter); shared ICT
continues as the region's shared systems (001 §3.3 fn 8; 004 §4.2) and the
joint personnel plan as agreements on staff (001 §4.1). Joint placement
targets do not continue: each party stayed accountable for its own outflow
(003 'Autonomie')."""


@dataclass(frozen=True)
class Legacy:
    """What one replication of the werkplein era leaves to the regions, by region code and municipality name."""

    chances: dict[str, dict[int, float]]          # region -> {region arrangement position: chance}
    belief: dict[tuple[str, str], float]          # (region, municipality) -> belief
    trust_uwv: dict[tuple[str, str], float]       # (region, municipality) -> trust with the agency
    trust_centre: dict[tuple[str, str], float]    # (region, municipality) -> trust with the region's centre
    uwv_belief: dict[str, float]                  # region -> mean belief of its locations' agencies


def legacies(world: World) -> list[Legacy]:
    """One :class:`Legacy` per replication of a finished world of werkplein locations."""
    if world.catalogue is not LOCATION_CATALOGUE:
        raise ValueError("a legacy comes from a world of werkplein locations")
    return [_legacy(world, k) for k in range(world.layout.n)]


def _legacy(world: World, k: int) -> Legacy:
    layout, rs, pop, ties = world.layout, world.regions_state, world.population, world.ties
    units = range(layout.region_start[k], layout.region_start[k] + layout.regions[k])
    region = {u: region_of(rs.codes[u]) for u in units}
    counts: dict[str, np.ndarray] = {}
    columns = [LOCATION_CATALOGUE.index[loc] for loc in COUNTERPARTS.values()]
    for u in units:
        counts.setdefault(region[u], []).append(rs.in_force[u, columns])
    chances = {code: dict(zip((REGION_CATALOGUE.index[a] for a in COUNTERPARTS),
                              np.mean(rows, axis=0).tolist()))
               for code, rows in counts.items()}
    rows = np.arange(layout.organisation_start[k], layout.organisation_start[k] + layout.organisations[k])
    municipal = rows[np.isin(pop.kind[rows], [int(Kind.MUNICIPALITY), int(Kind.CENTRE)])]
    belief = {(region[int(pop.region[r])], pop.name[r]): float(pop.belief[r]) for r in municipal}
    agencies = rows[pop.kind[rows] == int(Kind.UWV)]
    by_region: dict[str, list[float]] = {}
    for r in agencies:
        by_region.setdefault(region[int(pop.region[r])], []).append(float(pop.belief[r]))
    uwv_belief = {code: float(np.mean(values)) for code, values in by_region.items()}
    ix = world.tie_index
    mine = (ties.region[: ties.n] >= units.start) & (ties.region[: ties.n] < units.stop)
    trust_uwv = {}
    for t in ix.by_kind[TieKind.UWV_MUNICIPALITY]:
        if mine[t]:
            m = int(ties.v[t])
            trust_uwv[(region[int(pop.region[m])], pop.name[m])] = float(ties.trust[t])
    centres = {code: info.centre for code, info in ((region[u], rs.infos[u]) for u in units)
               if rs.infos[u].code.endswith("/1")}
    trust_centre = {}
    for t in ix.by_kind[TieKind.CENTRE_MUNICIPALITY]:
        if mine[t]:
            host, m = int(ties.u[t]), int(ties.v[t])
            code = region[int(pop.region[m])]
            if pop.name[host] == centres.get(code):
                trust_centre[(code, pop.name[m])] = float(ties.trust[t])
    return Legacy(chances, belief, trust_uwv, trust_centre, uwv_belief)
