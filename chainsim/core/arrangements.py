"""The joint arrangements a region can adopt, one step at a time.

The Inspectorate does not score "cooperation" as one number: it checks
concrete arrangements per region (004 §2.4, §3.1-3.3). chainsim models those
arrangements as things a regional table proposes, agrees, implements and may
drop. Each has explicit attributes -- the level it lives on, how much say it
costs (M4), how much own-target rivalry it touches (M1), whether it needs
room in UWV's national frame (M7), whether it needs an SW company or an
engaged employer organisation (M8, M9) -- and every mechanism acts through
those attributes, never on the indicators themselves.

Attribute values are estimates that order the arrangements the way the seeds
describe them (cheap consultation first, joint targets, one service point
and shared systems last); docs/ODD.md lists them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

GOVERNANCE, TACTICAL, OPERATIONAL = 0, 1, 2
LEVEL_NAMES = ("governance", "tactical", "operational")


@dataclass(frozen=True)
class Arrangement:
    """One joint arrangement and what it asks of the parties."""

    id: str
    level: int
    effort: float          # work and money it takes to agree and set up
    say_cost: float        # autonomy a member gives up (M4)
    rivalry: float         # how much it touches own-target rivalry (M1)
    central_room: float = 0.0   # how much it needs room in UWV's national frame (M7)
    requires: tuple[str, ...] = ()
    needs_uwv: bool = True
    needs_subregions: bool = False
    needs_sw_partner: bool = False
    needs_engaged_employers: bool = False
    subregional: bool = False   # agreed within subregions, not at the regional table
    pooling: float = 0.0        # how much it pools vacancies and candidates (M11 evidence)
    demand_led: bool = False    # pulled forward by engaged employers (M9)
    deadline: bool = False      # required by the 2015 Participatiewet / Werkbedrijf decree (M10)
    legacy: float = 0.0         # chance it exists in 2012 in a region with full joint history
    consensus: bool = False     # needs every participating municipality, not a quorum
    available_from: str | None = None   # first month it can be proposed (YYYY-MM)
    source: str = "004 §2.4"


G, T, O = GOVERNANCE, TACTICAL, OPERATIONAL

ARRANGEMENTS: tuple[Arrangement, ...] = (
    # --- governance level (004 §2.4 'Samenwerking in arbeidsmarktregio's', §3.1) ---
    Arrangement("governance_table", G, 0.25, 0.10, 0.0, deadline=True, legacy=0.3, consensus=True,
                source="004 §3.1 'Samenwerking op bestuurlijk niveau'"),
    Arrangement("shared_vision", G, 0.45, 0.25, 0.15, requires=("governance_table",),
                deadline=True, legacy=0.15, source="004 §2.4, §3.1"),
    Arrangement("market_plan", G, 0.60, 0.30, 0.20, requires=("shared_vision",), deadline=True,
                source="004 §2.4 (market plan before 2015-01-01)"),
    Arrangement("fte_agreements", G, 0.70, 0.50, 0.45, central_room=0.5,
                requires=("shared_vision",), pooling=0.15, source="004 §2.4, Table 3.3"),
    Arrangement("subregion_single_contact", G, 0.40, 0.30, 0.10, needs_subregions=True,
                requires=("governance_table",), source="004 §2.4, §3.1"),
    Arrangement("seat_sw_companies", G, 0.45, 0.05, 0.10, needs_sw_partner=True,
                requires=("governance_table",), source="004 Table 3.2, §4.3"),
    Arrangement("seat_employer_organisations", G, 0.20, 0.05, 0.0, needs_uwv=True,
                needs_engaged_employers=True, requires=("governance_table",),
                source="004 Table 3.2, §4.4"),
    Arrangement("seat_regional_employers", G, 0.20, 0.05, 0.0, needs_engaged_employers=True,
                requires=("governance_table",), demand_led=True, source="004 Table 3.2, §4.4"),
    Arrangement("seat_education", G, 0.40, 0.05, 0.0, requires=("shared_vision",),
                source="004 Table 3.2"),
    Arrangement("seat_unions", G, 0.90, 0.05, 0.0, requires=("shared_vision",), available_from="2014-01",
                source="004 Table 3.2; regions prepared their Werkbedrijf, with social partners, during 2014 (004 §3.1, §2.1)"),
    # --- tactical level (004 §3.1 'Samenwerking op tactisch en operationeel niveau') ---
    Arrangement("tactical_meeting", T, 0.40, 0.05, 0.0, central_room=0.3, legacy=0.6,
                source="004 §3.1 (UWV at the tactical level)"),
    Arrangement("attuned_employer_approach", T, 0.45, 0.25, 0.25, requires=("tactical_meeting",),
                legacy=0.15, source="004 §2.4 'Gezamenlijke aanpak'"),
    Arrangement("written_minimum_package", T, 0.55, 0.30, 0.20, central_room=0.3,
                requires=("attuned_employer_approach",), source="004 §2.4"),
    Arrangement("joint_placement_targets", T, 0.60, 0.40, 0.80, central_room=0.4,
                requires=("tactical_meeting",), pooling=0.25, source="004 §4.2, Table 3.3"),
    Arrangement("shared_systems", T, 0.60, 0.55, 0.05, requires=("attuned_employer_approach",),
                source="004 §4.2 (one region agreed that all municipalities use WBS and Sonar)"),
    Arrangement("monitors_employer_fit", T, 0.55, 0.10, 0.0, requires=("attuned_employer_approach",),
                demand_led=True, source="004 §2.4 'Vraaggerichte dienstverlening'"),
    # --- operational level (004 Table 3.3, §2.4) ---
    Arrangement("joint_consultation", O, 0.10, 0.05, 0.05, legacy=0.8, source="004 Table 3.3"),
    Arrangement("joint_projects", O, 0.25, 0.10, 0.15, requires=("joint_consultation",), legacy=0.5,
                pooling=0.05, source="004 Table 3.3"),
    Arrangement("joint_staff", O, 0.35, 0.25, 0.25, central_room=0.2, requires=("joint_consultation",),
                legacy=0.5, pooling=0.15, source="004 Table 3.3; werkplein legacy (001 §4.3)"),
    Arrangement("joint_preferred_employers", O, 0.40, 0.20, 0.50, requires=("joint_consultation",),
                legacy=0.25, pooling=0.15, source="004 Table 3.3"),
    Arrangement("single_contact_person", O, 0.40, 0.25, 0.30, requires=("attuned_employer_approach",),
                pooling=0.05, source="004 §2.4 (one face to employers)"),
    Arrangement("single_phone_number", O, 0.40, 0.25, 0.10, requires=("attuned_employer_approach",),
                source="004 §2.4"),
    Arrangement("joint_website", O, 0.40, 0.25, 0.05, requires=("attuned_employer_approach",),
                source="004 §2.4"),
    Arrangement("joint_logo", O, 0.40, 0.35, 0.05, requires=("shared_vision",),
                source="004 §2.4 (a brand employers recognise)"),
    Arrangement("subregional_wsp", O, 0.35, 0.20, 0.20, needs_subregions=True, subregional=True,
                requires=("joint_consultation",), legacy=0.4, pooling=0.1,
                source="004 §3.1 (cooperation sometimes only per subregion)"),
    Arrangement("subregional_fte", O, 0.45, 0.30, 0.30, needs_subregions=True, subregional=True,
                requires=("subregional_wsp",), source="004 §3.1 footnote 51"),
    Arrangement("multiple_public_counters", O, 0.45, 0.25, 0.15, central_room=0.2,
                requires=("joint_staff",), legacy=0.2, source="004 §2.4; werkplein legacy (001 §4.3)"),
    Arrangement("regional_wsp", O, 0.70, 0.55, 0.45, central_room=0.4,
                requires=("joint_staff", "shared_vision"), pooling=0.2,
                source="004 §2.4 (one regional employer service point)"),
    Arrangement("single_public_counter", O, 0.75, 0.60, 0.30, central_room=0.3,
                requires=("regional_wsp",), source="004 §2.4"),
    Arrangement("demand_oriented", O, 0.55, 0.10, 0.20, requires=("attuned_employer_approach",),
                demand_led=True, source="004 §2.4 'Vraaggerichte dienstverlening', §4.5"),
    Arrangement("outreach", O, 0.60, 0.10, 0.25, requires=("joint_consultation",), demand_led=True,
                source="004 §2.4 (outreaching acquisition)"),
)

INDEX: dict[str, int] = {a.id: i for i, a in enumerate(ARRANGEMENTS)}
N_ARRANGEMENTS = len(ARRANGEMENTS)


def _check_catalogue() -> None:
    for a in ARRANGEMENTS:
        for r in a.requires:
            if INDEX[r] >= INDEX[a.id]:
                raise AssertionError(f"{a.id} requires {r}, which must be listed before it")


_check_catalogue()


@dataclass(frozen=True)
class ArrangementTable:
    """The catalogue as arrays, for mechanisms that act on all regions at once."""

    level: np.ndarray
    effort: np.ndarray
    say_cost: np.ndarray
    rivalry: np.ndarray
    central_room: np.ndarray
    needs_uwv: np.ndarray
    needs_subregions: np.ndarray
    needs_sw_partner: np.ndarray
    needs_engaged_employers: np.ndarray
    subregional: np.ndarray
    pooling: np.ndarray
    demand_led: np.ndarray
    deadline: np.ndarray
    legacy: np.ndarray
    consensus: np.ndarray
    requires: np.ndarray   # (A, A) bool: requires[a, b] = a needs b in force

    @classmethod
    def build(cls) -> "ArrangementTable":
        def col(name: str, dtype=float) -> np.ndarray:
            return np.array([getattr(a, name) for a in ARRANGEMENTS], dtype=dtype)

        requires = np.zeros((N_ARRANGEMENTS, N_ARRANGEMENTS), dtype=bool)
        for a in ARRANGEMENTS:
            for r in a.requires:
                requires[INDEX[a.id], INDEX[r]] = True
        return cls(
            level=col("level", int), effort=col("effort"), say_cost=col("say_cost"),
            rivalry=col("rivalry"), central_room=col("central_room"),
            needs_uwv=col("needs_uwv", bool), needs_subregions=col("needs_subregions", bool),
            needs_sw_partner=col("needs_sw_partner", bool),
            needs_engaged_employers=col("needs_engaged_employers", bool),
            subregional=col("subregional", bool), pooling=col("pooling"),
            demand_led=col("demand_led", bool), deadline=col("deadline", bool),
            legacy=col("legacy"), consensus=col("consensus", bool), requires=requires,
        )


TABLE = ArrangementTable.build()
