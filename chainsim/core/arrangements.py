"""The joint arrangements a region can adopt, one step at a time.

The Inspectorate does not score "cooperation" as one number: it checks
concrete arrangements per region (004 §2.4, §3.1-3.3). chainsim models those
arrangements as things a regional table proposes, agrees, implements and may
drop. Each has explicit attributes -- the level it lives on, how much say it
costs (M4), how much own-target rivalry it touches (M1), whether it needs
room in UWV's national frame (M7), whether it needs an SW company or an
engaged employer organisation (M8, M9) -- and every mechanism acts through
those attributes, never on the indicators themselves.

Efforts follow from the obstacles of work and money the seeds cite for each
arrangement (:data:`EFFORT_BASE`, :data:`EFFORT_PER_OBSTACLE`), chances of
existing in 2012 from the passages in :data:`LEGACY`; say and rivalry are
estimates; docs/ODD.md lists them all.
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
    obstacles: tuple[str, ...]   # the work and money it takes, each a cited passage (sets the effort)
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
    bridging: float = 0.0       # how much it bridges the handover of clients between organisations
    demand_led: bool = False    # pulled forward by engaged employers (M9)
    deadline: bool = False      # required by the 2015 Participatiewet / Werkbedrijf decree (M10)
    consensus: bool = False     # needs every participating municipality, not a quorum
    available_from: str | None = None   # first month it can be proposed (YYYY-MM)
    on_site: bool = False       # rests on UWV staff at a local office (lapses when it closes, M7)
    roles: tuple[str, ...] = ()  # what the mechanisms read it as (:data:`ROLES`)
    source: str = "004 §2.4"

    @property
    def effort(self) -> float:
        """Work and money it takes to agree and set up: a common base plus a step per cited obstacle."""
        return EFFORT_BASE + EFFORT_PER_OBSTACLE * len(self.obstacles)


EFFORT_BASE = 0.3
"""Effort of an arrangement for which the seeds name no particular obstacle
(estimate; ``effort_scale`` scales every effort, so only the ratio to
:data:`EFFORT_PER_OBSTACLE` matters)."""

EFFORT_PER_OBSTACLE = 0.2
"""Effort added per obstacle of work or money the seeds cite for an
arrangement (estimate). Setting efforts by counting cited obstacles, instead
of by hand, keeps the observed order of Tables 3.2-3.3 out of the inputs
(docs/research/model_revision_sources.md §B.1) -- except for joint staff,
whose obstacles were re-read after its count had missed (docs/ODD.md §7.8). Obstacles of say (M4) and of
own-target rivalry (M1) are not counted here: they have their own attributes."""

LEGACY = {
    "joint_consultation": (0.9, "001 §4.3: about 10% of respondents had no regional form of cooperation "
                                "(2007); 004 §1.1: in 2012 many regions were at the consultation stage"),
    "tactical_meeting": (0.55, "001 §4.3: more than half worked in a shared building, each with local "
                               "tripartite management from 2008 (001 §3.3; 002 §2.3)"),
    "joint_staff": (0.35, "001 §4.3: composed teams at more than a third (2007)"),
    "multiple_public_counters": (0.25, "001 §4.3: one counter at a quarter of the locations (2007)"),
    "joint_placement_targets": (0.0, "002 §3, 003 'Autonomie': ambitions accounted per column; each party "
                                     "stays responsible for its own outflow"),
    "fte_agreements": (0.0, "001 §4.1: a joint personnel plan in 7.5% of local visions only"),
    "written_minimum_package": (0.0, "004 §2.3: still a work item of the Werkkamer for 2015"),
    "shared_systems": (0.0, "001 §5.5: different ICT systems a bottleneck for about half; no region-wide "
                            "agreement before 2012"),
}
"""Arrangements whose chance of existing in January 2012 a passage gives
(chance, passage). The 2007 survey shares are shares of respondents about
services to jobseekers (001 §1.4), read here as chances for a region; every
other arrangement that needs no partner outside the public chain starts with
the common chance ``legacy_common`` (the seeds give no share), seats of
partners with none."""


G, T, O = GOVERNANCE, TACTICAL, OPERATIONAL

ARRANGEMENTS: tuple[Arrangement, ...] = (
    # --- governance level (004 §2.4 'Samenwerking in arbeidsmarktregio's', §3.1) ---
    Arrangement("governance_table", G, (
        "004 §4.1: shaping cooperation is laborious and time-consuming",
    ), 0.10, 0.0, deadline=True, consensus=True,
        roles=("meets_agency", "governing_table", "public_core"),
        source="004 §3.1 'Samenwerking op bestuurlijk niveau'"),
    Arrangement("shared_vision", G, (), 0.25, 0.15, requires=("governance_table",),
                deadline=True, roles=("public_core", "mandates"), source="004 §2.4, §3.1"),
    Arrangement("market_plan", G, (
        "003 'Autonomie': joint annual plans proved hard",
    ), 0.30, 0.20, requires=("shared_vision",), deadline=True,
        roles=("mandates",), source="004 §2.4 (market plan before 2015-01-01)"),
    Arrangement("fte_agreements", G, (
        "000: municipal managers have more power and money, which skews staff input",
    ), 0.50, 0.45, central_room=0.5,
        requires=("shared_vision",), pooling=0.15, roles=("shared_staffing", "mandates"), source="004 §2.4, Table 3.3"),
    Arrangement("subregion_single_contact", G, (
        "004 §4.5: needs strong steering of regional processes",
    ), 0.30, 0.10, needs_subregions=True,
        requires=("governance_table",), source="004 §2.4, §3.1"),
    Arrangement("seat_sw_companies", G, (
        "004 §4.3: several SW companies compete, each with its own employer team",
    ), 0.05, 0.10, needs_sw_partner=True,
        requires=("governance_table",), pooling=0.1,
        source="004 Table 3.2, §4.3 (a partner SW company takes over reintegration tasks: its "
                       "vacancies and candidates join the pooled file)"),
    Arrangement("seat_employer_organisations", G, (), 0.05, 0.0, needs_uwv=True,
                needs_engaged_employers=True, requires=("governance_table",),
                source="004 Table 3.2, §4.4"),
    Arrangement("seat_regional_employers", G, (), 0.05, 0.0, needs_engaged_employers=True,
                requires=("governance_table",), demand_led=True, source="004 Table 3.2, §4.4"),
    Arrangement("seat_education", G, (), 0.05, 0.0, requires=("shared_vision",),
                source="004 Table 3.2"),
    Arrangement("seat_unions", G, (), 0.05, 0.0, requires=("shared_vision",), available_from="2014-01",
                source="004 Table 3.2; regions prepared their Werkbedrijf, with social partners, during 2014 "
                       "(004 §3.1, §2.1)"),
    # --- tactical level (004 §3.1 'Samenwerking op tactisch en operationeel niveau') ---
    Arrangement("tactical_meeting", T, (), 0.05, 0.0, central_room=0.3,
                roles=("meets_agency", "public_core"), source="004 §3.1 (UWV at the tactical level)"),
    Arrangement("attuned_employer_approach", T, (), 0.25, 0.25, requires=("tactical_meeting",),
                roles=("public_core",), source="004 §2.4 'Gezamenlijke aanpak'"),
    Arrangement("written_minimum_package", T, (
        "004 §2.3: needs harmonised instruments and one wage-value method",
        "004 §4.2: disputes over wage-value methods",
    ), 0.30, 0.20, central_room=0.3,
        requires=("attuned_employer_approach",), source="004 §2.4"),
    Arrangement("joint_placement_targets", T, (), 0.40, 0.80, central_room=0.4,
                requires=("tactical_meeting",), pooling=0.25, roles=("joint_targets",), source="004 §4.2, Table 3.3"),
    Arrangement("shared_systems", T, (
        "003: ICT poor, systems not linked",
        "001 §5.5: double data entry",
        "000 'Praktische problemen': common ICT needs steering above the parties",
    ), 0.55, 0.05, requires=("attuned_employer_approach",),
        roles=("shared_ict",), source="004 §4.2 (one region agreed that all municipalities use WBS and Sonar)"),
    Arrangement("monitors_employer_fit", T, (), 0.10, 0.0, requires=("attuned_employer_approach",),
                demand_led=True, source="004 §2.4 'Vraaggerichte dienstverlening'"),
    # --- operational level (004 Table 3.3, §2.4) ---
    Arrangement("joint_consultation", O, (), 0.05, 0.05, on_site=True, roles=("public_core",), source="004 Table 3.3"),
    # Projects, joint staff and a joint approach of preferred employers need no joint consultation. 004 §3.1:
    # the shop-floor cooperation consists in most regions of joint consultations; "Daarnaast is er sprake van
    # gezamenlijke uitvoering van projecten, gezamenlijke inzet personeel of gezamenlijke benadering van
    # preferente werkgevers". The text is silent on whether the three rest on the consultation; no prerequisite
    # is a modelling choice, made alike for the three and after misses (docs/ODD.md §7.8). Project money can
    # also come from outside the chain (sector plans; ESF projects of the centre municipalities: 004 App. 2).
    Arrangement("joint_projects", O, (), 0.10, 0.15,
                pooling=0.05, roles=("public_core",),
                source="004 Table 3.3, §3.1"),
    # The 2014 form: UWV and the municipalities work at one location, each municipality bringing in some
    # FTE (004 §3.1) -- staff of several partners together, each with own tasks, as the werkplein's
    # composed teams it continues (handover.COUNTERPARTS). Of the obstacles only housing applies: pay and
    # hours that differ hamper staff doing the *same* tasks (001 §5.1: the werkplein catalogue's
    # integrated teams), and 003's reorganisation costs are those of implementing the werkpleinen.
    Arrangement("joint_staff", O, (
        "000: shortage of suitable housing (one location, 004 §3.1)",
    ), 0.25, 0.25, central_room=0.2,
        pooling=0.15, on_site=True, source="004 Table 3.3, §3.1; werkplein legacy (001 §4.3)"),
    Arrangement("joint_preferred_employers", O, (), 0.20, 0.50,
                pooling=0.15, source="004 Table 3.3, §3.1"),
    Arrangement("single_contact_person", O, (), 0.25, 0.30, requires=("attuned_employer_approach",),
                pooling=0.05, source="004 §2.4 (one face to employers)"),
    Arrangement("single_phone_number", O, (), 0.25, 0.10, requires=("attuned_employer_approach",),
                source="004 §2.4"),
    Arrangement("joint_website", O, (), 0.25, 0.05, requires=("attuned_employer_approach",),
                source="004 §2.4"),
    Arrangement("joint_logo", O, (), 0.35, 0.05, requires=("shared_vision",),
                source="004 §2.4 (a brand employers recognise)"),
    Arrangement("subregional_wsp", O, (), 0.20, 0.20, needs_subregions=True, subregional=True,
                requires=("joint_consultation",), pooling=0.1,
                source="004 §3.1 (cooperation sometimes only per subregion)"),
    Arrangement("subregional_fte", O, (
        "000: unequal staff input between the partners (as FTE agreements)",
    ), 0.30, 0.30, needs_subregions=True, subregional=True,
        requires=("subregional_wsp",), roles=("shared_staffing",), source="004 §3.1 footnote 51"),
    Arrangement("multiple_public_counters", O, ("000: shortage of suitable housing",), 0.25, 0.15, central_room=0.2,
                requires=("joint_staff",), on_site=True, source="004 §2.4; werkplein legacy (001 §4.3)"),
    Arrangement("regional_wsp", O, (
        "004 §4.5: the municipalities must join one physical team under one head",
    ), 0.55, 0.45, central_room=0.4,
        requires=("joint_staff", "shared_vision"), pooling=0.2,
        source="004 §2.4 (one regional employer service point)"),
    Arrangement("single_public_counter", O, (), 0.60, 0.30, central_room=0.3,
                requires=("regional_wsp",), source="004 §2.4"),
    Arrangement("demand_oriented", O, (
        "004 §4.4: needs a change of thinking and sometimes professionalisation",
    ), 0.10, 0.20, requires=("attuned_employer_approach",),
        demand_led=True, source="004 §2.4 'Vraaggerichte dienstverlening', §4.5"),
    Arrangement("outreach", O, (), 0.10, 0.25, requires=("joint_consultation",), demand_led=True,
                source="004 §2.4 (outreaching acquisition)"),
)

ROLES: dict[str, str] = {
    "meets_agency": "brings UWV and the municipalities round a table regularly: contact builds trust on their "
                    "ties (M3) and UWV's connector can ally with the centre (M5)",
    "governing_table": "a governance table: the centre meets every municipality there (M3) and the region "
                       "can apply for co-financing (M10)",
    "public_core": "one of the core public arrangements an employer organisation watches to judge whether UWV "
                   "and the municipalities have sorted things out (M9)",
    "joint_targets": "joint placement targets: take own-target rivalry away (M2)",
    "shared_staffing": "agreed staff input: steers partly jointly (M2, ``fte_steering``)",
    "shared_ict": "an agreement on shared systems: every participating municipality uses them (M7)",
    "mandates": "a governance agreement that mandates execution (M13)",
    "co_location": "puts the partners' staff in one building: daily contact builds trust in one reading of "
                   "001 §5.6 (``co_location_trust``)",
}
"""What a mechanism reads an arrangement as. Mechanisms never name an
arrangement: they ask the run's catalogue which arrangements play a role,
so that another era's catalogue (other arrangements, other names) runs
through the same mechanisms."""


@dataclass(frozen=True)
class ArrangementTable:
    """A catalogue as arrays, for mechanisms that act on all units at once."""

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
    bridging: np.ndarray
    demand_led: np.ndarray
    deadline: np.ndarray
    legacy: np.ndarray     # chance of existing at the start where a passage gives it; NaN: legacy_common
    consensus: np.ndarray
    on_site: np.ndarray
    requires: np.ndarray   # (A, A) bool: requires[a, b] = a needs b in force

    @classmethod
    def build(cls, arrangements: tuple[Arrangement, ...],
              legacy: dict[str, tuple[float, str]]) -> "ArrangementTable":
        index = {a.id: i for i, a in enumerate(arrangements)}
        n = len(arrangements)

        def col(name: str, dtype=float) -> np.ndarray:
            return np.array([getattr(a, name) for a in arrangements], dtype=dtype)

        requires = np.zeros((n, n), dtype=bool)
        for a in arrangements:
            for r in a.requires:
                requires[index[a.id], index[r]] = True
        return cls(
            level=col("level", int), effort=col("effort"), say_cost=col("say_cost"),
            rivalry=col("rivalry"), central_room=col("central_room"),
            needs_uwv=col("needs_uwv", bool), needs_subregions=col("needs_subregions", bool),
            needs_sw_partner=col("needs_sw_partner", bool),
            needs_engaged_employers=col("needs_engaged_employers", bool),
            subregional=col("subregional", bool), pooling=col("pooling"), bridging=col("bridging"),
            demand_led=col("demand_led", bool), deadline=col("deadline", bool),
            legacy=np.array([legacy.get(a.id, (np.nan, ""))[0] for a in arrangements]),
            consensus=col("consensus", bool), on_site=col("on_site", bool), requires=requires,
        )


class Catalogue:
    """The arrangements units of one era can adopt, with their chances of existing at the start.

    ``legacy`` gives, per arrangement id, (chance, passage) of being in force
    in the first month; the others start with the common chance. The
    catalogue is checked when made: unique ids, known roles, and every
    requirement listed before the arrangement that needs it.
    """

    def __init__(self, name: str, arrangements: tuple[Arrangement, ...],
                 legacy: dict[str, tuple[float, str]]) -> None:
        self.name = name
        self.arrangements = tuple(arrangements)
        self.legacy = dict(legacy)
        self.index: dict[str, int] = {a.id: i for i, a in enumerate(self.arrangements)}
        if len(self.index) != len(self.arrangements):
            raise ValueError(f"catalogue {name}: arrangement ids repeat")
        for a in self.arrangements:
            for r in a.requires:
                if r not in self.index or self.index[r] >= self.index[a.id]:
                    raise ValueError(f"catalogue {name}: {a.id} requires {r}, which must be listed before it")
            unknown = set(a.roles) - set(ROLES)
            if unknown:
                raise ValueError(f"catalogue {name}: {a.id} has unknown roles {sorted(unknown)} "
                                 f"(allowed: {', '.join(ROLES)})")
        unknown = set(self.legacy) - set(self.index)
        if unknown:
            raise ValueError(f"catalogue {name}: legacy for unknown arrangements {sorted(unknown)}")
        self.table = ArrangementTable.build(self.arrangements, self.legacy)
        self.requires_t = self.table.requires.T.astype(float)
        self.dependants = [np.flatnonzero(self.table.requires[:, a]) for a in range(len(self))]
        self._roles = {role: np.array([i for i, a in enumerate(self.arrangements) if role in a.roles],
                                      dtype=np.int64) for role in ROLES}

    def __len__(self) -> int:
        return len(self.arrangements)

    def __repr__(self) -> str:
        return f"Catalogue({self.name!r}, {len(self)} arrangements)"

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(a.id for a in self.arrangements)

    def role(self, role: str) -> np.ndarray:
        """Positions of the arrangements that play ``role`` (may be empty)."""
        return self._roles[role]

    def any_in_force(self, in_force: np.ndarray, role: str) -> np.ndarray:
        """Per unit: whether any arrangement playing ``role`` is in force."""
        return in_force[:, self._roles[role]].any(axis=1)

    def share_in_force(self, in_force: np.ndarray, role: str) -> np.ndarray:
        """Per unit: the share of the arrangements playing ``role`` in force (0 where none plays it)."""
        members = self._roles[role]
        if len(members) == 0:
            return np.zeros(in_force.shape[0])
        return in_force[:, members].mean(axis=1)


REGION_CATALOGUE = Catalogue("labour market regions 2012-2016", ARRANGEMENTS, LEGACY)
"""The arrangements of the labour market regions (004 §2.4, §3)."""

INDEX: dict[str, int] = REGION_CATALOGUE.index
N_ARRANGEMENTS = len(REGION_CATALOGUE)
TABLE = REGION_CATALOGUE.table
