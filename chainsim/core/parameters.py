"""Model parameters: one declared table of names, defaults, bounds and sources.

Every number the mechanisms use is declared here once, with the range a
sweep or a calibration may explore and where its value comes from. The same
names are used in scenario files, in :class:`Parameters` and in docs/ODD.md,
so a researcher never has to translate between layers (STYLE.md habit 5).

A few numbers are tables rather than scalars (a value per kind of tie, of
organisation or of level, or the shapes of drawn traits); they stay as named
constants beside the code that reads them (:data:`TRAIT_SHAPES` here), each
with its source or "estimate", and are listed in docs/ODD.md §7.2
(``scripts/odd_tables.py``, ``NAMED_CONSTANTS``). Numbers that are no
modelling choice (guards against division by zero, the middle of a 0-1
scale, array plumbing) stay inline with a comment saying so;
tests/test_declared_numbers.py holds the mechanisms to this.
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
    ParameterSpec("trust_spread", 0.08, 0.0, 0.2, "M3",
                  "estimate", "standard deviation of initial trust between the ties of one kind in one region"),
    ParameterSpec("trust_contact_gain", 0.035, 0.0, 0.04, "M3",
                  "estimate; direction from 004 §4.5 (time spent together builds trust)",
                  "monthly trust gain on a tie whose parties meet at a regional table"),
    ParameterSpec("co_location_trust", 1.0, 0.0, 2.0, "M3",
                  "estimate; 001 §5.6: the national chain council calls the shared building a success factor "
                  "(seeing each other daily builds trust sooner), CWI holds it is not a necessary condition",
                  "extra contact on the agency-municipality ties of a unit whose partners share a building, as "
                  "a multiple of the contact at a table; 0 is CWI's reading of 001 §5.6 (the building adds "
                  "nothing), 1 and more the council's. Only the werkplein era has a shared building "
                  "(role co_location)"),
    ParameterSpec("contact_base_uwv", 0.5, 0.0, 1.0, "M3, M7",
                  "estimate; 004 §4.2 (the person of UWV matters), §4.5 (UWV as connecting party)",
                  "share of trust_contact_gain that UWV-municipality ties gain at a table whatever UWV's "
                  "regional manager does; a connecting manager adds up to 1 more"),
    ParameterSpec("contact_base_centre", 0.5, 0.0, 1.0, "M3, M5",
                  "estimate; 004 §4.5 (Friesland: a facilitating centre is valued by the others)",
                  "share of trust_contact_gain that centre-municipality ties gain at a governance table under "
                  "the most dominating centre; a facilitating style adds up to 1 more"),
    ParameterSpec("peer_contact_share", 0.5, 0.0, 1.0, "M3, M12",
                  "estimate; 004 summary (existing subregional cooperation is cherished)",
                  "monthly trust gain between municipalities of one subregion, as a share of trust_contact_gain"),
    ParameterSpec("border_contact_share", 0.5, 0.0, 1.0, "M3, M11",
                  "estimate; 000 'Leren van elkaar', 004 §2.3 (Programmaraad, aanjagers)",
                  "monthly trust gain between the centres of bordering regions, as a share of trust_contact_gain "
                  "(raised by knowledge-sharing programmes)"),
    ParameterSpec("trust_success_gain", 0.06, 0.0, 0.15, "M3, M13",
                  "estimate; 004 §4.5 'small wins'",
                  "trust gain on the region's ties when an agreed arrangement is delivered"),
    ParameterSpec("trust_failure_loss", 0.10, 0.0, 0.25, "M3, M13",
                  "estimate; 004 §4.2, §4.5 (broken agreements weigh more than kept ones)",
                  "trust loss on the region's ties when an agreed arrangement is not delivered"),
    ParameterSpec("trust_record_damping", 0.25, 0.0, 1.0, "M3",
                  "estimate; Klos & Nooteboom (2001, Technovation 21: trust as loyalty learned from a record); "
                  "004 §4.6 (the history of relations carries over)",
                  "how fast a tie's record steadies it: a delivery or failure moves trust by 1 / (1 + this x "
                  "earlier experiences on the tie) of its full effect"),
    ParameterSpec("delivery_trust_scale", 1.0, 0.0, 2.0, "M3, M13",
                  "estimate: calibrated; scales trust_success_gain and trust_failure_loss together, "
                  "so that a failure always weighs more than a success (004 §4.2, §4.5)",
                  "how strongly the delivery or failure of one arrangement moves trust on the region's ties"),
    ParameterSpec("drop_trust_share", 0.5, 0.0, 1.0, "M3, M4",
                  "estimate; 004 §4.2 (agreements not kept damage relations)",
                  "trust lost on the region's ties when the table drops an arrangement at a review, as a share "
                  "of the loss after a failed delivery"),
    ParameterSpec("trust_dominance_loss", 0.05, 0.0, 0.15, "M3, M5",
                  "estimate; 004 §4.1, §4.5 ('big brother' reflex)",
                  "trust lost on a member's tie with the centre when a dominating centre pushes a proposal "
                  "the member opposes (the smallest members, in the most centre-bound economy)"),
    ParameterSpec("earned_lead_gain", 0.02, 0.0, 0.06, "M3, M5",
                  "estimate; 004 §4.1 and summary (the centre must earn its lead), §4.5 (a facilitating centre "
                  "is valued by the others)",
                  "trust gained on a member's tie with the centre when a facilitating centre's proposal is "
                  "carried with that member's support"),
    ParameterSpec("rotation_relief", 0.5, 0.0, 1.0, "M5",
                  "estimate; 004 §4.5 (rotating chairs, meetings in a different municipality, working groups "
                  "led by others; the Friesland box)",
                  "share of the dominance loss a centre of full strategic skill takes away by rotating chairs "
                  "and dividing responsibilities"),
    ParameterSpec("ally_weight", 0.5, 0.0, 1.0, "M5",
                  "estimate; 004 §4.5 recommendations (find allies, 'de witte raven'), §4.2, §4.5 (UWV as "
                  "connector)",
                  "persuasion an ally of full strength adds to the centre's, relative to the centre's own"),
    ParameterSpec("dominance_base", 0.5, 0.0, 1.0, "M3, M5",
                  "estimate; 004 §4.1 (how the regional economy is organised shapes relations with the centre)",
                  "share of the dominance loss that arises where the region's economy does not turn around the "
                  "centre city at all; full economic concentration adds up to 1 more"),
    ParameterSpec("trust_withdrawal_loss", 0.20, 0.0, 0.4, "M3, M7",
                  "estimate; 004 §4.2 (UWV leaving the werkplein damaged its image)",
                  "trust loss on UWV-municipality ties in a region where UWV closes its local offices"),
    ParameterSpec("closure_lapse_share", 0.5, 0.0, 1.0, "M7, M13",
                  "estimate; 004 §1.1 (contacts and agreements disappear with the offices), §4.2 (where UWV "
                  "kept staff on site, cooperation went on)",
                  "chance that an arrangement resting on UWV staff at a local office lapses when the offices "
                  "close, in a region that loses all but one office of many"),
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
    ParameterSpec("evidence_own_weight", 1.5, 0.0, 4.0, "M11",
                  "estimate; 003 (scale of pooled vacancies), 004 §4.5",
                  "how strongly results of pooling in the own region raise belief"),
    ParameterSpec("evidence_neighbour_weight", 0.4, 0.0, 1.5, "M11",
                  "estimate; 004 §4.5 ('in that region placements tripled'), 000 'Leren van elkaar'",
                  "how strongly results in bordering regions raise belief"),
    ParameterSpec("knowledge_sharing", 0.5, 0.0, 1.5, "M11",
                  "estimate; 000 'Leren van elkaar', 004 §2.3 (Programmaraad, aanjagers), §4.5 ('in that "
                  "region placements tripled')",
                  "how strongly the results of the country's best-performing region reach belief elsewhere, "
                  "carried by national learning programmes (national baseline)"),
    ParameterSpec("belief_identity_effect", 0.15, 0.0, 0.3, "M11, M12",
                  "estimate; direction from 004 §4.6 (a strong regional identity makes cooperation easier)",
                  "extra initial belief that cooperation pays in a region with the strongest regional identity"),
    ParameterSpec("belief_spread", 0.1, 0.0, 0.25, "M11",
                  "estimate", "standard deviation of initial belief between the organisations of a region"),
    # --- the labour market (chainsim/core/mechanisms/labour_market.py) -----
    ParameterSpec("matching_elasticity", 0.5, 0.3, 0.7, "M1, M11",
                  "not a seed: matching functions with an elasticity of hires to vacancies of 0.3-0.7 "
                  "(Petrongolo & Pissarides 2001, J. Econ. Lit. 39(2)); 004 App. 3 labour-market quality",
                  "how strongly placements per jobseeker rise with vacancies per jobseeker"),
    ParameterSpec("pooling_gain", 0.5, 0.0, 2.0, "M11, M2",
                  "estimate; 003 'Voordelen' (more jobseekers and vacancies in one file raise the chance "
                  "of a match; the gains 'have never been quantified'); 004 §4.5 (placements tripled, "
                  "a hypothetical proof): hence a wide range",
                  "relative rise of placements when every pooling arrangement is in force"),
    ParameterSpec("sw_network_gain", 0.5, 0.0, 1.0, "M11, M8",
                  "estimate; 004 §4.3 (SW companies know the market and its employers through their secondments "
                  "and have the infrastructure municipalities lack; 'iedereen vindt het belangrijk om de kennis en "
                  "de netwerken van de SW-bedrijven ... te benutten'; employers ask for the SW company they know)",
                  "relative rise of what pooling yields where every SW company of the region acts as partner "
                  "and brings its employer contacts into the pooled file"),
    ParameterSpec("placement_luck", 0.15, 0.0, 0.4, "M11",
                  "estimate", "standard deviation of the month-to-month luck in a region's placements (log scale)"),
    ParameterSpec("results_memory_months", 12.0, 3.0, 24.0, "M1, M11",
                  "estimate; organisations are judged on yearly targets (004 §4.2)",
                  "months over which organisations average their recent placements and the results of pooling"),
    ParameterSpec("ww_to_assistance", 0.3, 0.1, 0.5, "M14",
                  "estimate; 003 'Kostenafwenteling' (WW ends, the person becomes the municipality's cost)",
                  "share of WW spells ending without work that flow into assistance"),
    ParameterSpec("handover_loss", 0.15, 0.0, 0.4, "M11",
                  "estimate; 000 'Ketensamenwerking' (the handover from CWI to UWV goes wrong and some people "
                  "fall between two stools); 001 §4.3 (handovers are often made in person, 'warme overdracht', "
                  "which limits the loss): the werkplein era only, where clients entered at CWI",
                  "share of the placements of a client group handed over after intake that is lost between the "
                  "organisations where nothing bridges the handover"),
    ParameterSpec("fear_base", 0.5, 0.0, 1.0, "M1",
                  "estimate; 004 §4.1-4.2 (each organisation is judged on its own placements)",
                  "fear of placing fewer own clients felt whatever the results (own-target rivalry at full "
                  "own-target weight)"),
    ParameterSpec("fear_of_shortfall", 1.0, 0.0, 3.0, "M1",
                  "estimate; 004 §4.1 (cuts and deficits strengthen the fear of placing fewer own people), "
                  "App. 3 (scarce vacancies may sharpen competition)",
                  "extra fear per unit of shortfall of recent placements against the own target"),
    ParameterSpec("cut_urgency", 0.2, 0.0, 0.6, "M10, M1",
                  "estimate; 004 §1.1 (the transition and shrinking budgets give a sense of urgency to cooperate)",
                  "outside pressure felt per unit of budget cuts, times the region's assistance caseload "
                  "(1 = an average region in 2012)"),
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
    ParameterSpec("participation_guard_weight", 0.5, 0.0, 1.5, "M4, M12",
                  "estimate; 004 §4.1 (municipalities fear losing say), summary",
                  "weight of the say a municipality guards in its choice to stay away from the regional table"),
    ParameterSpec("participation_belief_weight", 0.5, 0.0, 1.5, "M4, M11",
                  "estimate; 004 §4.1 (not every municipality is convinced that cooperation pays)",
                  "weight of the belief that cooperation pays in a municipality's choice to take part"),
    ParameterSpec("participation_pressure_weight", 0.3, 0.0, 1.0, "M4, M10",
                  "estimate; 004 §4.5, §4.6 (outside pressure brings parties to the table)",
                  "weight of outside pressure in a municipality's choice to take part"),
    ParameterSpec("participation_noise", 0.1, 0.0, 0.3, "M4",
                  "estimate", "standard deviation of the idiosyncratic part of a municipality's choice to take part"),
    ParameterSpec("commuter_orientation_min", 0.1, 0.0, 0.3, "M12, M4",
                  "estimate; 004 §4.1 (commuting municipalities feel torn between regions)",
                  "weakest pull of a neighbouring region on a commuting municipality (drawn uniformly up to "
                  "commuter_orientation_max)"),
    ParameterSpec("commuter_orientation_max", 0.6, 0.3, 1.0, "M12, M4",
                  "estimate; 004 §4.1 (some stay loyal to their region, others look at their options)",
                  "strongest pull of a neighbouring region on a commuting municipality"),
    ParameterSpec("guard_base", 0.25, 0.0, 0.5, "M4",
                  "estimate; 004 summary, §4.1 ('belang en zeggenschap')",
                  "say a municipality of average history guards even when it is the largest and has no local success"),
    ParameterSpec("guard_smallness", 0.35, 0.0, 0.7, "M4",
                  "estimate; 004 summary (smaller municipalities are reluctant to hand over powers)",
                  "extra say guarded by the smallest municipality compared with the largest"),
    ParameterSpec("guard_local_success", 0.25, 0.0, 0.5, "M4",
                  "estimate; 004 §4.1 (giving up approaches seen as successful meets reserve)",
                  "extra say guarded by a municipality whose own approach is fully successful"),
    ParameterSpec("guard_history", 0.25, 0.0, 0.5, "M4, M12",
                  "estimate; 004 §4.1, footnote 10 (Helmond-De Peel: a joint arrangement already in place)",
                  "say guarded less in a region with the longest joint history than in one without any"),
    ParameterSpec("uwv_autonomy_guard", 0.2, 0.0, 0.6, "M4, M7",
                  "estimate; 004 §4.2 (UWV works within a clear national frame)",
                  "say UWV guards for itself at the regional table"),
    ParameterSpec("municipality_size_spread", 0.5, 0.0, 1.0, "M12",
                  "estimate: the data give only the centre's population share",
                  "spread (standard deviation of the logarithm) of the sizes of the municipalities "
                  "other than the centre"),
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
    ParameterSpec("fte_steering", 0.5, 0.0, 1.0, "M14",
                  "estimate; 003 ('Kostenafwenteling'), 004 Table 3.3",
                  "how far FTE agreements stop cost shifting, as a share of what joint placement targets do"),
    # --- M5 leadership, M6 aldermen -------------------------------------
    ParameterSpec("alderman_turnover", 0.5, 0.2, 0.8, "M6",
                  "estimate; DOMAIN §4 (March 2014 elections)",
                  "probability that a municipality's alderman for work and income changes at the election"),
    ParameterSpec("alderman_identity_effect", 0.2, 0.0, 0.4, "M6, M12",
                  "estimate; direction from 004 §4.6 (a strong regional identity makes cooperation easier)",
                  "extra regional orientation of aldermen in a region with the strongest regional identity"),
    ParameterSpec("ambition_jitter", 0.2, 0.0, 0.5, "M5",
                  "estimate", "how much chance blurs which arrangement a dominating centre finds the most ambitious"),
    ParameterSpec("shelf_months", 6.0, 1.0, 24.0, "M5",
                  "estimate; 004 summary (searching for openings: points on which parties can agree)",
                  "months a rejected proposal is shelved before it can return to the agenda (rounded to whole months)"),
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
    ParameterSpec("initial_sonar_share", 0.15, 0.0, 0.55, "M7",
                  "estimate; 001 §4.3 (Sonar at 55% of the 2007 werkplein locations, mostly by CWI)",
                  "share of municipalities using UWV's system Sonar in January 2012"),
    ParameterSpec("initial_wbs_share", 0.05, 0.0, 0.3, "M7",
                  "estimate; 004 §4.2 (municipalities mostly work with their own systems)",
                  "share of municipalities using UWV's system WBS in January 2012"),
    ParameterSpec("werkpleinen_per_municipality", 100 / 393, 0.2, 0.35, "M7, M3",
                  "004 §4.6 (of 'ruim 100' werkpleinen 35 are left); 393 municipalities (chainsim/data)",
                  "local UWV offices per municipality before the closures; a region loses all but one"),
    # --- M8 SW companies --------------------------------------------------
    ParameterSpec("sw_business_interest", 0.6, 0.1, 0.9, "M8",
                  "estimate; 004 §4.3", "mean weight an SW company gives its own business"),
    ParameterSpec("sw_competition", 0.25, 0.0, 0.6, "M8, M12",
                  "estimate; 004 §4.3 (several SW companies multiply the players)",
                  "rivalry added per extra SW company that acts as competitor"),
    ParameterSpec("sw_stance_competition", 0.5, 0.0, 1.0, "M8",
                  "estimate; 004 §4.3 (several SW companies compete in one region)",
                  "weight of sw_competition per other SW company in the region in an SW company's "
                  "choice to act as competitor"),
    ParameterSpec("sw_transition_pull", 0.5, 0.0, 1.0, "M8",
                  "estimate; 004 §4.3 (the Participatiewet removes the partitions between schemes; the feedback "
                  "session also saw the phase-out of the Wsw strengthen business interest)",
                  "pull towards a partner role that the closing of the Wsw exerts on an SW company at its height"),
    ParameterSpec("sw_double_role_pull", 0.3, -0.3, 0.6, "M8",
                  "estimate; 004 §4.3 (the centre's alderman often sits on the SW company's board; the feedback "
                  "session saw the centre's financial interest at odds with regional ambition, "
                  "hence the negative range)",
                  "pull towards the centre's line of an SW company on whose board the centre's alderman sits"),
    ParameterSpec("sw_rivalry_trust_loss", 0.01, 0.0, 0.03, "M8, M3",
                  "estimate; 004 §4.3 (in one region the centre meets a competing SW company 'waardoor de "
                  "verhoudingen zijn verslechterd'; municipalities have conflicting interests in their SW company), "
                  "§4.6 (the SW company's position can put the relations in the region on edge)",
                  "monthly trust lost, per competing SW company it owns, on a municipality's tie with the centre; "
                  "where the centre owns it, on all the centre's ties"),
    ParameterSpec("sw_stance_spread", 0.15, 0.0, 0.4, "M8",
                  "estimate", "standard deviation of an SW company's own leaning towards a partner role"),
    ParameterSpec("sw_interest_concentration", 6.0, 2.0, 20.0, "M8",
                  "estimate", "how closely SW companies' business interest clusters around sw_business_interest "
                  "(the concentration of its Beta distribution; larger: more alike)"),
    ParameterSpec("double_role_chance", 0.7, 0.3, 1.0, "M8",
                  "estimate; 004 §4.3 (the centre's alderman 'regelmatig' has a double role)",
                  "chance that the centre's alderman sits on the board of the SW company the centre owns"),
    # --- M9 employer organisations --------------------------------------
    ParameterSpec("employer_threshold", 0.6, 0.3, 0.95, "M9",
                  "estimate; 004 §4.4 (employers wait until the public parties agree)",
                  "public cooperation an employer organisation waits for before engaging"),
    ParameterSpec("employer_hysteresis", 0.15, 0.0, 0.3, "M9",
                  "estimate: engagement is not withdrawn lightly",
                  "how far public cooperation must fall below the threshold before an engaged "
                  "employer organisation withdraws"),
    ParameterSpec("employer_trust_share", 0.5, 0.0, 1.0, "M9",
                  "estimate; 004 §4.4 (employers wait while UWV and municipalities still have a lot to settle)",
                  "share of public cooperation, as employers see it, that depends on trust "
                  "between UWV and municipalities"),
    ParameterSpec("employer_activism_effect", 0.5, 0.0, 0.9, "M9",
                  "estimate; 004 §4.4, §4.5 (active employers promote cooperation; Stedendriehoek)",
                  "share by which a fully active employer organisation lowers the threshold it waits for"),
    ParameterSpec("werkbedrijf_effect", 0.3, 0.0, 0.6, "M9, M10",
                  "estimate; 004 §4.4 (the Werkbedrijven draw employer organisations in), §2.1",
                  "share by which the Werkbedrijf decree (from September 2014) lowers the employers' threshold"),
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
    ParameterSpec("subsidy_application_chance", 0.35, 0.1, 0.8, "M10",
                  "estimate; 004 §4.5, App. 2 (sector plans and ESF brought regions together)",
                  "monthly chance, in an application window, that a region able to apply jointly does so"),
    ParameterSpec("subsidy_approval", 24 / 37, 0.3, 1.0, "M10",
                  "004 App. 2 (24 of 37 sector-plan applications approved in the first round)",
                  "chance that a joint subsidy application is granted"),
    ParameterSpec("subsidy_months", 18.0, 6.0, 36.0, "M10",
                  "estimate; 004 App. 2 (sector plans ran 2014-2015)",
                  "months a granted joint subsidy keeps the partners working to a shared goal "
                  "(rounded to whole months)"),
    ParameterSpec("deadline_agenda_chance", 0.5, 0.0, 1.0, "M10, M5",
                  "estimate; 004 §2.1, §4.6 (the Participatiewet deadline as catalyst)",
                  "chance, at the deadline's height, that the centre puts an arrangement the law "
                  "requires on the agenda"),
    # --- M13 from governance to execution ------------------------------
    ParameterSpec("implementation_lag", 3.0, 1.0, 8.0, "M13",
                  "estimate; 004 summary, §4.6", "mean months from agreement to practice for a small region"),
    ParameterSpec("lag_per_organisation", 0.06, 0.0, 0.2, "M13, M12",
                  "estimate; 004 summary (many organisations, each with own steering layers)",
                  "relative extra delay per steering layer an agreement passes (an organisation that must implement, "
                  "the municipalities together where they steer as one)"),
    ParameterSpec("platform_steering_share", 0.5, 0.0, 1.0, "M13, M12",
                  "estimate; 004 §4.5 (Friesland's Vereniging van Friese Gemeenten: the aldermen endorse a "
                  "direction 'zodat het management en de uitvoering efficiënter kunnen samenwerken', but the "
                  "platform has no formal status, unlike a joint arrangement that mandates the centre, fn 10)",
                  "share of a formal mandate that a platform of aldermen gives: how far its municipalities count "
                  "as one steering layer"),
    ParameterSpec("lapse_rate", 0.02, 0.0, 0.1, "M13, M3",
                  "estimate; 001 §5.6 (without a driving force organisations fall back into their own "
                  "procedures; caseloads crowd out joint casework)",
                  "monthly chance that an operational arrangement lapses where belief and trust are nil "
                  "(lower for tactical and governance arrangements, and as belief and trust grow)"),
    ParameterSpec("delivery_reliability", 0.85, 0.5, 1.0, "M13",
                  "estimate", "chance that an agreed arrangement is delivered with full attention and trust"),
    ParameterSpec("delivery_turbulence_effect", 0.5, 0.0, 1.0, "M13, M15",
                  "estimate; 000, 001 §5.1 (turbulence absorbs attention)",
                  "share by which full turbulence lowers the chance that an agreed arrangement is delivered"),
    ParameterSpec("delivery_trust_share", 0.5, 0.0, 1.0, "M13, M3",
                  "estimate; 004 §4.2 (agreements not kept), §4.5",
                  "share of the chance of delivery that depends on trust between the parties that must deliver"),
    ParameterSpec("legacy_common", 0.1, 0.0, 0.3, "M12, M13",
                  "estimate; the seeds give no share for most arrangements before 2012 "
                  "(docs/research/model_revision_sources.md §B.1)",
                  "chance that an arrangement for which no passage gives a share exists in January 2012 "
                  "(before the joint-history weighting)"),
    ParameterSpec("legacy_history_share", 0.6, 0.0, 1.0, "M12, M13",
                  "estimate; 001 §4.3 (werkplein era), 004 summary (existing subregional cooperation)",
                  "share of an arrangement's legacy chance that depends on the region's joint history "
                  "(the rest applies in every region)"),
    # --- M15 turbulence -----------------------------------------------
    ParameterSpec("turbulence_scale", 1.0, 0.0, 2.0, "M15",
                  "estimate; 000, 001 §5.1", "multiplier on the turbulence of the national time line"),
    ParameterSpec("caseload_turbulence", 0.15, 0.0, 0.3, "M15",
                  "estimate; 000 (high caseloads: staff finish their own work first), 001 §5.1, §5.6",
                  "municipal turbulence per unit of the region's assistance caseload (1 = an average region "
                  "in 2012)"),
    ParameterSpec("budget_cut_turbulence", 0.2, 0.0, 0.5, "M15, M1",
                  "estimate; 004 §4.1, §4.3 (participation budgets cut)",
                  "municipal turbulence added per unit of extra budget cuts (budget_cuts lever)"),
    # --- coefficients of the policy levers (chainsim/core/levers.py) ----
    # A lever's strength (0-1) scales these; at strength 1 a lever has the
    # effect below. Names do not start with "lever_", which ChainModel
    # reserves for lever strengths.
    ParameterSpec("deadline_ramp_months", 24.0, 1.0, 60.0, "M10",
                  "estimate; 004 §2.1, §2.2 (the Participatiewet deadline of 2015-01-01 pressed from the "
                  "social accord of spring 2013 on, some two years)",
                  "legal_deadline lever without an end month: months over which its pressure rises to full height"),
    ParameterSpec("subsidy_lever_chance", 0.3, 0.0, 1.0, "M10",
                  "estimate; 004 App. 2 (24 of 37 sector-plan applications approved)",
                  "cooperation_subsidy lever: monthly chance that an able region obtains the subsidy"),
    ParameterSpec("visit_pressure_decay", 0.5, 0.0, 1.0, "M10",
                  "estimate; 004 §4.5 ('eventueel herhaaldelijk bezoek van een bewindspersoon')",
                  "minister_visits lever: share of a visit's pressure left one month later"),
    ParameterSpec("employer_demand_pressure", 0.5, 0.0, 1.0, "M9, M10",
                  "estimate; 004 §4.5 (employers ask for harmonised service)",
                  "employer_demand lever: outside pressure of the demand, as a share of employer_pressure"),
    ParameterSpec("ict_harmonisation_push", 2.0, 0.0, 4.0, "M7",
                  "estimate; 004 §4.2",
                  "ict_harmonisation lever: extra push for UWV's systems (2: three times the usual)"),
    ParameterSpec("knowledge_sharing_boost", 1.0, 0.0, 2.0, "M11",
                  "estimate; 000 'Leren van elkaar', 004 §2.3",
                  "knowledge_sharing lever: extra reach of the best region's results (added to "
                  "knowledge_sharing) and of bordering regions' results (a multiplier of 1 + this on their "
                  "weight)"),
    ParameterSpec("sw_partnership_shift", 0.6, 0.0, 1.2, "M8",
                  "estimate; 004 §4.3, §2.3 (Werkkamer advice; a region where the SW company became a full partner)",
                  "sw_partnership lever: shift of each SW company's weighing towards a partner role"),
    ParameterSpec("co_location_contact_boost", 2.0, 0.0, 4.0, "M3",
                  "estimate; 001 §5.6 (physical co-location built trust faster than virtual cooperation)",
                  "co_location lever: extra trust gain on UWV-municipality ties (2: three times as fast)"),
)

TRAIT_SHAPES: dict[str, tuple[int, int]] = {
    "leadership_style": (3, 3),
    "strategic_skill": (3, 3),
    "employer_activism": (2, 3),
    "uwv_connector": (2, 2),
    "local_success": (2, 3),
    "alderman_orientation": (2, 2),
    "alderman_strength": (2, 2),
}
"""Shapes (a, b) of the Beta distributions of traits that no source gives,
drawn per replication (estimates): centred on ½ and broad for the centre's
leadership style and strategic skill (M5), UWV's connecting regional manager
(M7) and an alderman's orientation and strength, at the start and after the
2014 elections (M6); leaning low (mean 0.4) for the employer organisation's
activism (M9, 004 §4.4: employers mostly wait) and a municipality's local
success (M4). Only where the seeds describe a case region's centre or employers
(Friesland's style and skill, Stedendriehoek's style and activism, 004 §4.4-4.5) does
``regions.csv`` give a value; a case region's observed rating is never an input. A table of distributions, not a scalar:
kept here, beside the parameters, and listed in docs/ODD.md §7.2."""


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

