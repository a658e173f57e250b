"""Measurement as the Inspectorate measures (004 §2.4, §3.1).

Each month, every region is scored on the items of the Inspectorate's
assessment framework -- cooperation in the region, a joint approach of
municipalities and UWV, demand-led service -- each a yes/no that follows
from the arrangements in force and the state of the region's organisations.
From the items follow the three cooperation levels and the class of Table
3.4, and the region's stage. Nothing here sets an outcome: it only reads the
state the mechanisms produced.

The stage rule (docs/ODD.md, "Observation"):

- ``coordinated``: cooperation on all three levels (Table 3.4) and a
  binding joint commitment -- joint placement targets or FTE agreements --
  i.e. the approach is arranged at governance level and taking off in
  practice (004 summary, first bullet);
- ``little``: cooperation on at most one level, or UWV not at a governance
  table with all municipalities -- not all parties at the table yet (004
  summary, second bullet);
- ``middle``: every other region.
"""

from __future__ import annotations

import numpy as np

from chainsim.core.arrangements import INDEX, OPERATIONAL, TABLE
from chainsim.core.network import TieKind
from chainsim.core.world import World

INDICATORS: tuple[str, ...] = (
    "governance_uwv_all_municipalities", "tactical_uwv", "operational_cooperation",
    "all_municipalities_participate", "has_subregions", "subregion_single_contact",
    "subregion_satisfied", "joint_consultation", "joint_projects", "joint_staff",
    "joint_preferred_employers", "joint_placement_targets", "fte_agreements",
    "fte_agreements_any_level", "gov_party_sw_companies", "gov_party_employer_organisations",
    "gov_party_regional_employers", "gov_party_education", "gov_party_unions",
    "shared_vision_joint_goals", "annual_joint_market_plan", "written_minimum_package",
    "joint_logo", "joint_website", "single_contact_person", "single_phone_number",
    "single_public_counter", "multiple_public_counters", "any_regional_wsp",
    "one_regional_wsp", "attuned_employer_approach", "demand_oriented", "outreach",
    "monitors_employer_fit", "sonar_all_used", "wbs_all_used",
)
INDICATOR_INDEX = {name: k for k, name in enumerate(INDICATORS)}

ITEM_NAMES: dict[str, str] = {
    "governance_uwv_all_municipalities": "UWV at a governance table with all municipalities",
    "tactical_uwv": "UWV at the tactical (management) level",
    "operational_cooperation": "cooperation on the shop floor",
    "all_municipalities_participate": "all municipalities take part",
    "has_subregions": "the region has subregions",
    "subregion_single_contact": "one contact point per subregion",
    "subregion_satisfied": "subregions satisfied with the regional approach",
    "joint_consultation": "joint consultation of UWV and municipalities",
    "joint_projects": "joint projects",
    "joint_staff": "joint staff",
    "joint_preferred_employers": "a joint approach of preferred employers",
    "joint_placement_targets": "joint placement targets",
    "fte_agreements": "agreed FTE for employer services (governance)",
    "fte_agreements_any_level": "agreed FTE for employer services (any level)",
    "gov_party_sw_companies": "SW companies at the governance table",
    "gov_party_employer_organisations": "employer organisations at the governance table",
    "gov_party_regional_employers": "regional employers at the governance table",
    "gov_party_education": "education at the governance table",
    "gov_party_unions": "unions at the governance table",
    "shared_vision_joint_goals": "a shared vision with joint goals",
    "annual_joint_market_plan": "an annual joint market plan",
    "written_minimum_package": "a written minimum service package",
    "joint_logo": "a joint logo",
    "joint_website": "a joint website",
    "single_contact_person": "one contact person for an employer",
    "single_phone_number": "one phone number for employers",
    "single_public_counter": "one employer service point",
    "multiple_public_counters": "several employer service points",
    "any_regional_wsp": "a regional employer service point",
    "one_regional_wsp": "one regional employer service point",
    "attuned_employer_approach": "an employer approach attuned between UWV and municipalities",
    "demand_oriented": "demand-led service",
    "outreach": "outreach to employers",
    "monitors_employer_fit": "monitoring whether service fits employers",
    "sonar_all_used": "every municipality uses Sonar",
    "wbs_all_used": "every municipality uses WBS",
}
"""Each assessment item in plain words (004 §2.4, §3; for explanations and output documentation)."""

# Denominators as in the seed: the governance parties of Table 3.2 are
# counted among regions where UWV sits at a governance table with all
# municipalities (n = 31); the subregion items among regions with
# subregions (n = 20); everything else among all regions (n = 35).
DENOMINATOR: dict[str, str | None] = {name: None for name in INDICATORS}
for _name in INDICATORS:
    if _name.startswith("gov_party_"):
        DENOMINATOR[_name] = "governance_uwv_all_municipalities"
for _name in ("subregion_single_contact", "subregion_satisfied"):
    DENOMINATOR[_name] = "has_subregions"

PARTS: dict[str, tuple[str, ...]] = {
    "cooperation_in_region": (
        "governance_uwv_all_municipalities", "tactical_uwv", "operational_cooperation",
        "all_municipalities_participate", "subregion_single_contact", "subregion_satisfied",
        "shared_vision_joint_goals", "annual_joint_market_plan", "fte_agreements"),
    "joint_approach": (
        "written_minimum_package", "joint_logo", "joint_website", "single_contact_person",
        "single_phone_number", "single_public_counter", "one_regional_wsp",
        "attuned_employer_approach"),
    "demand_led_service": ("demand_oriented", "outreach", "monitors_employer_fit"),
}
"""The three parts of the assessment framework (004 §2.4) and their items."""

# Direct readings: indicator -> arrangement in force.
_DIRECT = {
    "governance_uwv_all_municipalities": "governance_table",
    "tactical_uwv": "tactical_meeting",
    "joint_consultation": "joint_consultation",
    "joint_projects": "joint_projects",
    "joint_staff": "joint_staff",
    "joint_preferred_employers": "joint_preferred_employers",
    "joint_placement_targets": "joint_placement_targets",
    "fte_agreements": "fte_agreements",
    "gov_party_sw_companies": "seat_sw_companies",
    "gov_party_employer_organisations": "seat_employer_organisations",
    "gov_party_regional_employers": "seat_regional_employers",
    "gov_party_education": "seat_education",
    "gov_party_unions": "seat_unions",
    "shared_vision_joint_goals": "shared_vision",
    "annual_joint_market_plan": "market_plan",
    "written_minimum_package": "written_minimum_package",
    "joint_logo": "joint_logo",
    "joint_website": "joint_website",
    "single_contact_person": "single_contact_person",
    "single_phone_number": "single_phone_number",
    "single_public_counter": "single_public_counter",
    "multiple_public_counters": "multiple_public_counters",
    "one_regional_wsp": "regional_wsp",
    "attuned_employer_approach": "attuned_employer_approach",
    "demand_oriented": "demand_oriented",
    "outreach": "outreach",
    "monitors_employer_fit": "monitors_employer_fit",
    "subregion_single_contact": "subregion_single_contact",
}

SATISFIED_TRUST = 0.35
"""Lowest trust between municipalities of a subregion, and with the centre,
at which all municipalities count as satisfied with the subregional set-up
(estimate; 004 §3.1: 17 of 20 centres report all satisfied)."""

STAGES = ("coordinated", "middle", "little")
COORDINATED, MIDDLE, LITTLE = 0, 1, 2
LEVEL_CLASSES = ("all_levels", "intermediate", "hardly", "none")
ALL_LEVELS, INTERMEDIATE, HARDLY, NONE = 0, 1, 2, 3

_OPERATIONAL_REGIONAL = np.array([TABLE.level[i] == OPERATIONAL for i in range(len(TABLE.level))])


def measure(world: World) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Score every region this month.

    Returns ``(items, levels, level_class, stage)``: items (regions x
    indicators, bool), the three cooperation levels (regions x 3, bool),
    the Table 3.4 class and the stage (both int per region).
    """
    rs, pop = world.regions_state, world.population
    in_force = rs.in_force
    n = rs.n
    items = np.zeros((n, len(INDICATORS)), dtype=bool)
    for name, arrangement in _DIRECT.items():
        items[:, INDICATOR_INDEX[name]] = in_force[:, INDEX[arrangement]]

    def put(name: str, values: np.ndarray) -> None:
        items[:, INDICATOR_INDEX[name]] = values

    put("operational_cooperation", (in_force & _OPERATIONAL_REGIONAL[None, :]).any(axis=1))
    municipal = world.tie_index.municipal
    out = np.bincount(pop.region[municipal], ~pop.participates[municipal], n)
    put("all_municipalities_participate", out == 0)
    put("has_subregions", rs.has_subregions)
    put("fte_agreements_any_level", in_force[:, INDEX["fte_agreements"]] | in_force[:, INDEX["subregional_fte"]])
    put("any_regional_wsp", in_force[:, INDEX["regional_wsp"]] | in_force[:, INDEX["subregional_wsp"]])
    put("subregion_satisfied", _subregions_satisfied(world))
    participants = municipal & pop.participates
    for name, column in (("sonar_all_used", pop.uses_sonar), ("wbs_all_used", pop.uses_wbs)):
        missing = np.bincount(pop.region[participants], ~column[participants], n)
        put(name, (missing == 0) & (np.bincount(pop.region[participants], None, n) > 0))

    levels = cooperation_levels(items)
    level_class = classify_levels(levels, items)
    stage = classify_stage(items, level_class)
    return items, levels, level_class, stage


def _subregions_satisfied(world: World) -> np.ndarray:
    rs, ties = world.regions_state, world.ties
    ix = world.tie_index
    cooperating = (rs.in_force[:, INDEX["subregional_wsp"]]
                   | rs.in_force[:, INDEX["subregion_single_contact"]])
    lowest = np.ones(rs.n)
    for kind in (TieKind.SUBREGION_PEERS, TieKind.CENTRE_MUNICIPALITY):
        idx = ix.by_kind[kind]
        np.minimum.at(lowest, ties.region[idx], ties.trust[idx])
    return rs.has_subregions & cooperating & (lowest >= SATISFIED_TRUST)


def cooperation_levels(items: np.ndarray) -> np.ndarray:
    """Cooperation between UWV and municipalities on each level (004 §3.1, Table 3.4).

    - governance: UWV at a governance table with all municipalities;
    - tactical: UWV at the tactical (management) level;
    - operational: joint consultation, joint staff and joint projects on the
      shop floor -- the three the seed found in every region cooperating on
      all levels.

    The seed's own example of an intermediate region is "governance yes,
    tactical no, or the reverse", and it counts UWV absent at the governance
    level in 5 regions and at the tactical level in 5, mostly different ones
    (one region both, eight one of the two). With 13 of the 26 regions where
    UWV is at both tables also cooperating on the shop floor, and 3 of the 8,
    this reading gives Table 3.4 exactly: 13 / 16 / 5 / 1.
    """
    def get(name: str) -> np.ndarray:
        return items[:, INDICATOR_INDEX[name]]

    governance = get("governance_uwv_all_municipalities")
    tactical = get("tactical_uwv")
    operational = get("joint_consultation") & get("joint_staff") & get("joint_projects")
    return np.stack([governance, tactical, operational], axis=1)


def classify_levels(levels: np.ndarray, items: np.ndarray) -> np.ndarray:
    """Table 3.4 class: all levels, intermediate (two), hardly (one or none) or none at all.

    'None' is reserved for a region with no regional cooperation whatsoever:
    no level, no governance table, no tactical meeting and no operational
    cooperation.
    """
    count = levels.sum(axis=1)
    anything = (items[:, INDICATOR_INDEX["governance_uwv_all_municipalities"]]
                | items[:, INDICATOR_INDEX["tactical_uwv"]]
                | items[:, INDICATOR_INDEX["operational_cooperation"]])
    return np.select([count == 3, count == 2, (count == 1) | anything],
                     [ALL_LEVELS, INTERMEDIATE, HARDLY], default=NONE)


def classify_stage(items: np.ndarray, level_class: np.ndarray) -> np.ndarray:
    """The stage rule of the module docstring."""
    binding = (items[:, INDICATOR_INDEX["joint_placement_targets"]]
               | items[:, INDICATOR_INDEX["fte_agreements"]])
    at_table = items[:, INDICATOR_INDEX["governance_uwv_all_municipalities"]]
    coordinated = (level_class == ALL_LEVELS) & binding
    little = (level_class >= HARDLY) | ~at_table
    return np.select([coordinated, little], [COORDINATED, LITTLE], default=MIDDLE)
