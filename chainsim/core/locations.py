"""The werkplein locations of 2005-2011: the units of the werkplein era.

The seeds give about 100 locations ("Locaties Werk en Inkomen", later
werkpleinen, 000 'Beleidscontext'; 003 '100 Werkpleinen?') for about 500
municipalities (003 'Autonomie'), but no list of them and no spread of
municipalities per location (docs/research/werkplein_sources.md §7). chainsim
therefore builds the locations by a declared rule, an estimate marked as such
on every location:

- every 2016 labour market region's municipalities (CBS, ``chainsim/data``)
  are split into ``round(n / MUNICIPALITIES_PER_LOCATION)`` locations, at
  least one; the 393 municipalities give 104 locations;
- the region's centre hosts its first location; the other members follow in
  the table's (alphabetical) order, since the data hold no geography below
  the region; each location's host is its first member;
- a location takes the structure of its region (labour market, identity,
  history of joint arrangements); it has no subregions and no SW company at
  its table, and its municipalities are taken as equal in size.

The 2016 set of municipalities stands in for the about 440 of 2007 (the
mergers in between are not reconstructed): each location has fewer, larger
municipalities than it had. Locations of one labour market region are each
other's neighbours, the channel through which they learn from one another
(000 'Leren van elkaar').
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache

from chainsim.core.regions import RegionInfo, load_regions

MUNICIPALITIES_PER_LOCATION = 3.9
"""Municipalities per location in chainsim's rule: about 390 municipalities
(393 in the data) over about 100 locations (000 'Beleidscontext'). The seeds' own ratio, 100
werkpleinen for some 500 municipalities (003 'Autonomie'), counts the
municipalities of about 2010; the mergers since leave fewer per location."""

BASIS = ("estimate: chainsim's grouping of the region's 2016 municipalities (chainsim.core.locations); "
         "the seeds list no locations")

LOCATION_SEPARATOR = "/"


def location_code(region_code: str, k: int) -> str:
    """Code of the k-th location (from 1) of a region, e.g. ``AM01/2``."""
    return f"{region_code}{LOCATION_SEPARATOR}{k}"


def region_of(location: str) -> str:
    """The labour market region a location lies in."""
    return location.partition(LOCATION_SEPARATOR)[0]


def split_region(region: RegionInfo) -> tuple[RegionInfo, ...]:
    """The locations of one region by the module's rule."""
    n = region.n_municipalities
    k = max(1, round(n / MUNICIPALITIES_PER_LOCATION))
    members = region.municipalities            # the centre first
    sizes = [n // k + (1 if i < n % k else 0) for i in range(k)]
    locations, start = [], 0
    for i, size in enumerate(sizes):
        group = members[start: start + size]
        start += size
        locations.append(replace(
            region, code=location_code(region.code, i + 1), name=f"Werkplein {group[0]}",
            centre=group[0], municipalities=group, commuting_out=0.0,
            centre_population_share=1.0 / len(group), n_sw_companies=0, n_subregions=0,
            formal_mandate=False, aldermen_platform=False, leadership_style=None, strategic_skill=None,
            employer_activism=0.0, alderman_continuity=None))
    return tuple(locations)


@cache
def load_locations() -> tuple[RegionInfo, ...]:
    """All werkplein locations, ordered by region code and number."""
    return tuple(loc for region in load_regions() for loc in split_region(region))


def select_locations(regions: list[str] | None) -> tuple[RegionInfo, ...]:
    """The locations in the named labour market regions (all when ``regions`` is None)."""
    if not regions:
        return load_locations()
    from chainsim.core.regions import find_region

    chosen = {find_region(name).code for name in regions}
    return tuple(loc for loc in load_locations() if region_of(loc.code) in chosen)
