"""Model parameters: one declared table of names, defaults, bounds and sources.

Every number the mechanisms use is declared here once, with the range a
sweep or a calibration may explore and where its value comes from. The same
names are used in scenario files, in :class:`Parameters` and in docs/ODD.md,
so a researcher never has to translate between layers (STYLE.md habit 5).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields, make_dataclass, replace
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class ParameterSpec:
    """Declaration of one parameter: default, plausible range and provenance."""

    name: str
    default: float
    low: float
    high: float
    mechanism: str
    source: str
    description: str


_SPECS: tuple[ParameterSpec, ...] = (
    # --- M3 trust between pairs of organisations -------------------------
    ParameterSpec("trust_initial", 0.5, 0.25, 0.65, "M3",
                  "estimate: calibrated to the 2014 picture",
                  "mean trust on a tie in January 2012, before regional differences"),
    ParameterSpec("trust_identity_effect", 0.20, 0.0, 0.4, "M3, M12",
                  "estimate; direction from 004 §4.1 (regional identity eases cooperation)",
                  "extra initial trust in a region with the strongest regional identity"),
    ParameterSpec("trust_history_effect", 0.20, 0.0, 0.4, "M3, M12",
                  "estimate; direction from 004 §4.1 footnote 10, §4.6",
                  "extra initial trust where municipalities already shared joint arrangements"),
    ParameterSpec("trust_contact_gain", 0.035, 0.0, 0.04, "M3",
                  "estimate; direction from 004 §4.5 (time spent together builds trust)",
                  "monthly trust gain on a tie whose parties meet at a regional table"),
    ParameterSpec("trust_success_gain", 0.06, 0.0, 0.15, "M3, M13",
                  "estimate; 004 §4.5 'small wins'",
                  "trust gain on the region's ties when an agreed arrangement is delivered"),
    ParameterSpec("trust_failure_loss", 0.10, 0.0, 0.25, "M3, M13",
                  "estimate; 004 §4.2, §4.5 (broken agreements weigh more than kept ones)",
                  "trust loss on the region's ties when an agreed arrangement is not delivered"),
    ParameterSpec("delivery_trust_scale", 1.0, 0.0, 2.0, "M3, M13",
                  "estimate: calibrated; scales trust_success_gain and trust_failure_loss together, "
                  "so that a failure always weighs more than a success (004 §4.2, §4.5)",
                  "how strongly the delivery or failure of one arrangement moves trust on the region's ties"),
    ParameterSpec("trust_dominance_loss", 0.03, 0.0, 0.10, "M3, M5",
                  "estimate; 004 §4.1, §4.5 ('big brother' reflex)",
                  "trust loss on centre-municipality ties per governance meeting under a dominating centre"),
    ParameterSpec("trust_withdrawal_loss", 0.20, 0.0, 0.4, "M3, M7",
                  "estimate; 004 §4.2 (UWV leaving the werkplein damaged its image)",
                  "trust loss on UWV-municipality ties in a region where UWV closes its local offices"),
    ParameterSpec("trust_reset_on_turnover", 0.5, 0.0, 1.0, "M6",
                  "estimate; 004 §4.1, §4.5 (a new alderman has to build relations anew)",
                  "fraction of a tie's trust above or below the initial level lost when an alderman leaves"),
    # --- M11 belief and evidence ----------------------------------------
    ParameterSpec("belief_initial", 0.3, 0.15, 0.6, "M11",
                  "estimate: calibrated to the 2014 picture",
                  "mean belief in January 2012 that regional cooperation pays"),
    ParameterSpec("belief_learning_rate", 0.08, 0.01, 0.3, "M11",
                  "estimate; 004 §4.5 (belief follows visible results)",
                  "monthly rate at which belief moves towards what the evidence suggests"),
    ParameterSpec("evidence_own_weight", 0.75, 0.0, 1.0, "M11",
                  "estimate; 003 (scale of pooled vacancies), 004 §4.5",
                  "how strongly results of pooling in the own region raise belief"),
    ParameterSpec("evidence_neighbour_weight", 0.20, 0.0, 0.6, "M11",
                  "estimate; 004 §4.5 ('in that region placements tripled'), 000 'Leren van elkaar'",
                  "how strongly results in bordering regions raise belief"),
    ParameterSpec("knowledge_sharing", 0.05, 0.0, 0.3, "M11",
                  "estimate; 000 'Leren van elkaar', 004 §2.3 (Programmaraad, aanjagers)",
                  "belief added by national learning programmes (national baseline)"),
    # --- support for a proposal (weights of the decision rule) ---------
    ParameterSpec("weight_belief", 1.6, 0.3, 2.0, "M11",
                  "estimate: calibrated", "weight of belief in a member's support"),
    ParameterSpec("weight_trust", 1.1, 0.3, 2.0, "M3",
                  "estimate: calibrated", "weight of trust in the proposer and partners"),
    ParameterSpec("weight_pressure", 1.4, 0.0, 2.0, "M10",
                  "estimate; 004 §4.6 (outside pressure catalyses governance agreements)",
                  "weight of outside pressure in force"),
    ParameterSpec("weight_autonomy", 0.9, 0.2, 2.0, "M4",
                  "estimate; 004 §4.1, summary ('belang en zeggenschap')",
                  "weight of the say an arrangement costs"),
    ParameterSpec("weight_rivalry", 0.4, 0.2, 2.0, "M1",
                  "estimate; 004 §4.2, §4.6", "weight of own-target rivalry an arrangement touches"),
    ParameterSpec("weight_turbulence", 0.6, 0.0, 1.5, "M15",
                  "estimate; 000, 001 §5.1", "weight of attention lost to turbulence"),
    ParameterSpec("weight_leadership", 0.5, 0.0, 1.5, "M5",
                  "estimate; 004 §4.5 (persuasion and allies)",
                  "support a skilled centre adds through a member's trust in it"),
    ParameterSpec("weight_alderman", 0.4, 0.0, 1.0, "M6",
                  "estimate; 004 §4.1, §4.5", "weight of the alderman's regional or local orientation"),
    ParameterSpec("weight_mandate", 0.9, 0.0, 1.0, "M13",
                  "estimate; 004 summary (governance agreements steer execution, slowly)",
                  "support for tactical and operational steps added by governance agreements in force"),
    ParameterSpec("decision_noise", 0.25, 0.05, 0.6, "all",
                  "estimate", "standard deviation of the idiosyncratic part of support"),
    ParameterSpec("effort_scale", 1.25, 0.5, 1.5, "all",
                  "estimate: calibrated", "multiplier on every arrangement's base effort"),
    ParameterSpec("municipal_quorum", 0.67, 0.5, 1.0, "M4",
                  "estimate; Choi & Robertson 2014 (decision rules in collaborative governance)",
                  "share of participating municipalities that must support a regional arrangement"),
    ParameterSpec("drop_share", 0.25, 0.0, 0.5, "M3, M4",
                  "estimate", "an arrangement under review is dropped when fewer members than this share still support it"),
    ParameterSpec("outside_pull", 1.4, 0.0, 2.0, "M12, M4",
                  "estimate; 004 §3.1 (some municipalities prefer a neighbouring region), §4.1",
                  "multiplier on the pull that commuting municipalities feel towards a neighbouring region"),
    # --- M1 own targets, M2 joint targets, M14 cost shifting -------------
    ParameterSpec("budget_cut_effect", 0.3, 0.0, 0.8, "M1, M15",
                  "estimate; 004 §4.1, 003", "extra own-target pressure in a month of municipal budget cuts"),
    ParameterSpec("joint_target_relief", 0.7, 0.0, 1.0, "M2",
                  "estimate; 004 §4.2 ('100 WWB + 500 WW = 600 together')",
                  "share of rivalry removed by joint placement targets at full trust"),
    ParameterSpec("cost_shifting", 0.3, 0.0, 0.8, "M14",
                  "estimate; 003", "intensity of cost shifting between UWV and municipalities without joint steering"),
    ParameterSpec("cost_shifting_trust_loss", 0.012, 0.0, 0.04, "M14, M3",
                  "estimate; 003", "monthly trust loss on UWV-municipality ties at full cost shifting"),
    # --- M5 leadership, M6 aldermen -------------------------------------
    ParameterSpec("alderman_turnover", 0.5, 0.2, 0.8, "M6",
                  "estimate; DOMAIN §4 (March 2014 elections)",
                  "probability that a municipality's alderman for work and income changes at the election"),
    # --- M7 UWV ---------------------------------------------------------
    ParameterSpec("uwv_central_steering", 0.6, 0.2, 0.9, "M7",
                  "estimate; 004 §4.2 (centrally steered, little local room)",
                  "how strongly UWV's national frame limits arrangements that need local room"),
    ParameterSpec("uwv_person_spread", 0.4, 0.0, 3.0, "M7",
                  "estimate: calibrated; 004 §4.2 (the individual UWV manager matters), "
                  "§3.1 (UWV absent at governance and at tactical level in mostly different regions)",
                  "spread between regions of how far UWV's representative at the governance table "
                  "(the regional manager) and at the tactical level (unit managers) invests in the region"),
    ParameterSpec("ict_uptake_rate", 0.03, 0.0, 0.15, "M7",
                  "estimate; 004 §4.2, 001 §5.5 (municipalities resist UWV systems)",
                  "monthly chance that a willing municipality starts using a UWV system"),
    # --- M8 SW companies --------------------------------------------------
    ParameterSpec("sw_business_interest", 0.6, 0.1, 0.9, "M8",
                  "estimate; 004 §4.3", "mean weight an SW company gives its own business"),
    ParameterSpec("sw_competition", 0.25, 0.0, 0.6, "M8, M12",
                  "estimate; 004 §4.3 (several SW companies multiply the players)",
                  "rivalry added per extra SW company that acts as competitor"),
    # --- M9 employer organisations --------------------------------------
    ParameterSpec("employer_threshold", 0.6, 0.3, 0.95, "M9",
                  "estimate; 004 §4.4 (employers wait until the public parties agree)",
                  "public cooperation an employer organisation waits for before engaging"),
    ParameterSpec("employer_pressure", 0.25, 0.0, 0.6, "M9, M10",
                  "estimate; 004 §4.4, §4.5 'Stedendriehoek'", "outside pressure added by an engaged employer organisation"),
    # --- M10 outside pressure ------------------------------------------
    ParameterSpec("deadline_pressure", 0.6, 0.0, 1.2, "M10",
                  "estimate; 004 §2.1, §4.6 (Participatiewet as catalyst)",
                  "pressure of the 2015 deadline at its height"),
    ParameterSpec("accord_pressure", 0.15, 0.0, 0.5, "M10",
                  "estimate; 004 §2.2 (social accord, 125,000 jobs)",
                  "pressure of the social accord from April 2013"),
    ParameterSpec("subsidy_pressure", 0.25, 0.0, 0.6, "M10",
                  "estimate; 004 §2.2, App. 2 (sector plans, ESF)",
                  "pressure in a region while a joint subsidy application runs"),
    # --- M13 from governance to execution ------------------------------
    ParameterSpec("implementation_lag", 3.0, 1.0, 8.0, "M13",
                  "estimate; 004 summary, §4.6", "mean months from agreement to practice for a small region"),
    ParameterSpec("lag_per_organisation", 0.06, 0.0, 0.2, "M13, M12",
                  "estimate; 004 summary (many organisations, each with own steering layers)",
                  "relative extra delay per organisation that must implement"),
    ParameterSpec("delivery_reliability", 0.85, 0.5, 1.0, "M13",
                  "estimate", "chance that an agreed arrangement is delivered with full attention and trust"),
    # --- M15 turbulence -----------------------------------------------
    ParameterSpec("turbulence_scale", 1.0, 0.0, 2.0, "M15",
                  "estimate; 000, 001 §5.1", "multiplier on the turbulence of the national time line"),
)

def _calibrated(specs: tuple[ParameterSpec, ...]) -> tuple[ParameterSpec, ...]:
    """The declared specs with the calibrated defaults of ``data/calibrated.toml`` applied."""
    path = resources.files("chainsim.data").joinpath("calibrated.toml")
    if not path.is_file():
        return specs
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    values, when = data.get("values", {}), data.get("provenance", {}).get("date", "")
    return tuple(replace(s, default=float(values[s.name]),
                         source=f"calibrated {when} (chainsim/data/calibrated.toml); {s.source}")
                 if s.name in values else s for s in specs)


_SPECS = _calibrated(_SPECS)
SPECS: dict[str, ParameterSpec] = {spec.name: spec for spec in _SPECS}
CALIBRATION: dict = (tomllib.loads(resources.files("chainsim.data").joinpath("calibrated.toml")
                                   .read_text(encoding="utf-8")).get("provenance", {})
                     if resources.files("chainsim.data").joinpath("calibrated.toml").is_file() else {})
"""Provenance of the calibrated defaults (method, date, distance, data-file hash)."""


class _ParameterMethods:
    """Behaviour of :class:`Parameters`; its fields are generated from ``SPECS``."""

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            spec = SPECS[f.name]
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ParameterError(f.name, f"must be a number, got {value!r}")
            if not spec.low <= value <= spec.high:
                raise ParameterError(
                    f.name, f"{value} is outside the allowed range [{spec.low}, {spec.high}]"
                )

    @classmethod
    def from_mapping(cls, values: dict[str, Any]) -> "Parameters":
        """Defaults overridden by ``values``; unknown names raise ParameterError."""
        unknown = sorted(set(values) - set(SPECS))
        if unknown:
            raise ParameterError(unknown[0], f"unknown parameter (allowed: {', '.join(sorted(SPECS))})")
        return cls(**{k: float(v) if isinstance(v, int) and not isinstance(v, bool) else v
                      for k, v in values.items()})

    def with_values(self, **values: float) -> "Parameters":
        """A copy with some values changed (checked like the constructor)."""
        return replace(self, **values)

    def as_dict(self) -> dict[str, float]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


# One field per declared parameter, in declaration order, so that the table
# above is the only place where a parameter is named and given its default.
Parameters = make_dataclass(
    "Parameters",
    [(spec.name, float, field(default=spec.default)) for spec in _SPECS],
    bases=(_ParameterMethods,),
    frozen=True,
    module=__name__,
)
Parameters.__doc__ = """The values of all model parameters for one run.

Build with ``Parameters()`` for the defaults, ``Parameters(weight_trust=1.2)``
or ``Parameters.from_mapping({...})`` to override by name; every value is
checked against its declared range. The fields are the names of ``SPECS``.
"""


class ParameterError(ValueError):
    """A parameter value that is unknown, of the wrong type or out of range."""

    def __init__(self, name: str, problem: str) -> None:
        super().__init__(f"parameter {name}: {problem}")
        self.name = name
        self.problem = problem

