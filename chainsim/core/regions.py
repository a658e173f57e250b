"""The 35 labour market regions and their structure (mechanism M12).

Reads the region table shipped in ``chainsim/data`` (see its README for the
provenance of every column). A region's structure is what the seeds name as
shaping cooperation: how many municipalities and SW companies, subregions,
the labour market, regional identity, how concentrated the economy is,
commuting towards other regions and earlier joint arrangements (004 §4.1,
§4.6, App. 3).
"""

from __future__ import annotations

import csv
import difflib
from dataclasses import dataclass
from functools import cache
from importlib import resources

LABOUR_MARKETS = {"+": 0.65, "+/-": 0.5, "-": 0.35}
"""Vacancies per jobseeker (relative) for the seed's three labour-market
classes (004 App. 3: + good, +/- mixed, - weak). Estimate: only the order is
from the source."""


@dataclass(frozen=True)
class RegionInfo:
    """Structural facts about one labour market region.

    ``formal_mandate``: the municipalities already work in a joint
    arrangement that gives the centre a mandate (004 footnote 10, Helmond-De
    Peel); ``aldermen_platform``: the aldermen endorse a direction together in
    an informal platform without formal status (004 §4.5, Friesland's
    Vereniging van Friese Gemeenten).

    Optional attributes (``leadership_style``, ``strategic_skill``,
    ``employer_activism``, ``alderman_continuity``) are ``None`` where no
    source gives them; the model then draws them per replication.
    """

    code: str
    name: str
    centre: str
    municipalities: tuple[str, ...]
    labour_market: str
    regional_identity: float
    economy_concentration: float
    commuting_out: float
    joint_arrangement_history: float
    centre_population_share: float
    n_sw_companies: int
    n_subregions: int
    formal_mandate: bool
    aldermen_platform: bool
    leadership_style: float | None
    strategic_skill: float | None
    employer_activism: float | None
    alderman_continuity: bool | None

    @property
    def n_municipalities(self) -> int:
        return len(self.municipalities)

    @property
    def labour_tightness(self) -> float:
        return LABOUR_MARKETS[self.labour_market]


class UnknownRegionError(ValueError):
    """A region name or code that is not one of the 35 regions."""


def _optional(text: str) -> float | None:
    return float(text) if text.strip() else None


def _read_csv(name: str) -> list[dict[str, str]]:
    with resources.files("chainsim.data").joinpath(name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@cache
def load_regions() -> tuple[RegionInfo, ...]:
    """All 35 regions, ordered by code."""
    by_region: dict[str, list[str]] = {}
    for row in _read_csv("municipalities.csv"):
        by_region.setdefault(row["region"], []).append(row["name"])
    regions = []
    for row in _read_csv("regions.csv"):
        members = by_region[row["code"]]
        centre = row["centre_municipality"]
        # The centre comes first; the others keep the table's (alphabetical) order.
        ordered = (centre,) + tuple(m for m in members if m != centre)
        continuity = _optional(row["alderman_continuity"])
        regions.append(RegionInfo(
            code=row["code"],
            name=row["name"],
            centre=centre,
            municipalities=ordered,
            labour_market=row["labour_market"],
            regional_identity=float(row["regional_identity"]),
            economy_concentration=float(row["economy_concentration"]),
            commuting_out=float(row["commuting_out"]),
            joint_arrangement_history=float(row["joint_arrangement_history"]),
            centre_population_share=float(row["centre_population_share"]),
            n_sw_companies=int(row["n_sw_companies"]),
            n_subregions=int(row["n_subregions"]),
            formal_mandate=bool(int(row["formal_mandate"])),
            aldermen_platform=bool(int(row["aldermen_platform"])),
            leadership_style=_optional(row["leadership_style"]),
            strategic_skill=_optional(row["strategic_skill"]),
            employer_activism=_optional(row["employer_activism"]),
            alderman_continuity=None if continuity is None else bool(continuity),
        ))
    return tuple(sorted(regions, key=lambda r: r.code))


@cache
def load_borders() -> tuple[tuple[str, str], ...]:
    """Pairs of region codes that share a border."""
    return tuple((row["source"], row["target"]) for row in _read_csv("region_borders.csv"))


def _normalise(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def find_region(name_or_code: str) -> RegionInfo:
    """The region with this code (``AM02``) or name (case and spacing ignored).

    Also accepts the seed's spelling "Gooi- en Vechtstreek" and "Helmond".
    """
    key = _normalise(name_or_code)
    aliases = {"helmond": "helmonddepeel"}
    key = aliases.get(key, key)
    for region in load_regions():
        if key in (_normalise(region.code), _normalise(region.name)):
            return region
    names = ", ".join(r.name for r in load_regions())
    by_key = {_normalise(r.name): r.name for r in load_regions()}
    close = difflib.get_close_matches(key, list(by_key), n=1)
    hint = f"; did you mean {by_key[close[0]]!r}?" if close else ""
    raise UnknownRegionError(f"unknown region {name_or_code!r} (allowed: {names}){hint}")


COPY_SEPARATOR = "#"


def synthetic_copies(copies: int) -> tuple[RegionInfo, ...]:
    """``copies`` synthetic copies of the 35 regions (for scaling benchmarks).

    Copy k of region AM02 has code ``AM02#k``; bordering regions are
    connected within each copy, never across copies.
    """
    from dataclasses import replace

    if copies < 1:
        raise ValueError(f"copies must be a positive whole number, got {copies}")
    return tuple(replace(r, code=f"{r.code}{COPY_SEPARATOR}{k}", name=f"{r.name} ({k})")
                 for k in range(copies) for r in load_regions())


def base_code(code: str) -> tuple[str, str]:
    """(code of the real region, copy id) of a region code; the copy id is '' for real regions."""
    real, _, copy = code.partition(COPY_SEPARATOR)
    return real, copy


def select_regions(names: list[str] | None) -> tuple[RegionInfo, ...]:
    """The regions named (all when ``names`` is None), in table order, without repeats."""
    if not names:
        return load_regions()
    chosen = {find_region(n).code for n in names}
    return tuple(r for r in load_regions() if r.code in chosen)
