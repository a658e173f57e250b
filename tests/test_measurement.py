import numpy as np
from helpers import clear_arrangements, small_model, small_region

from chainsim.core.arrangements import INDEX
from chainsim.core.measurement import (
    ALL_LEVELS,
    COORDINATED,
    DENOMINATOR,
    HARDLY,
    INDICATOR_INDEX,
    INDICATORS,
    INTERMEDIATE,
    LITTLE,
    MIDDLE,
    NONE,
    PARTS,
    classify_levels,
    classify_stage,
    cooperation_levels,
    measure,
)
from chainsim.core.state import AGREED, IN_FORCE

ISSUE_IDS = """governance_uwv_all_municipalities, tactical_uwv, operational_cooperation,
all_municipalities_participate, has_subregions, subregion_single_contact, subregion_satisfied,
joint_consultation, joint_projects, joint_staff, joint_preferred_employers, joint_placement_targets,
fte_agreements, fte_agreements_any_level, gov_party_sw_companies, gov_party_employer_organisations,
gov_party_regional_employers, gov_party_education, gov_party_unions, shared_vision_joint_goals,
annual_joint_market_plan, written_minimum_package, joint_logo, joint_website, single_contact_person,
single_phone_number, single_public_counter, multiple_public_counters, any_regional_wsp,
one_regional_wsp, attuned_employer_approach, demand_oriented, outreach, monitors_employer_fit,
sonar_all_used, wbs_all_used"""


def test_indicator_ids_are_exactly_the_inspectorates():
    assert set(INDICATORS) == {s.strip() for s in ISSUE_IDS.split(",")}
    assert DENOMINATOR["gov_party_unions"] == "governance_uwv_all_municipalities"
    assert DENOMINATOR["subregion_satisfied"] == "has_subregions"
    assert all(item in INDICATORS for part in PARTS.values() for item in part)


def items_with(*names):
    items = np.zeros((1, len(INDICATORS)), dtype=bool)
    for n in names:
        items[0, INDICATOR_INDEX[n]] = True
    return items


def test_levels_classes_and_stage_rule():
    full = items_with("governance_uwv_all_municipalities", "shared_vision_joint_goals", "tactical_uwv",
                      "attuned_employer_approach", "joint_consultation", "joint_staff", "joint_projects",
                      "operational_cooperation")
    levels = cooperation_levels(full)
    assert levels.all()
    cls = classify_levels(levels, full)
    assert cls[0] == ALL_LEVELS
    assert classify_stage(full, cls)[0] == MIDDLE          # no binding joint commitment yet
    binding = full.copy()
    binding[0, INDICATOR_INDEX["joint_placement_targets"]] = True
    assert classify_stage(binding, cls)[0] == COORDINATED
    two = full.copy()
    two[0, INDICATOR_INDEX["joint_staff"]] = False
    assert classify_levels(cooperation_levels(two), two)[0] == INTERMEDIATE
    one = items_with("governance_uwv_all_municipalities", "shared_vision_joint_goals")
    cls_one = classify_levels(cooperation_levels(one), one)
    assert cls_one[0] == HARDLY and classify_stage(one, cls_one)[0] == LITTLE
    nothing = items_with()
    assert classify_levels(cooperation_levels(nothing), nothing)[0] == NONE
    no_table = full.copy()
    no_table[0, INDICATOR_INDEX["governance_uwv_all_municipalities"]] = False
    assert classify_stage(no_table, classify_levels(cooperation_levels(no_table), no_table))[0] == LITTLE


def test_items_follow_the_state_not_the_other_way_round():
    m = small_model([small_region(n_subregions=2, n_municipalities=7)])
    clear_arrangements(m)
    items, *_ = measure(m)
    assert not items[0, INDICATOR_INDEX["joint_staff"]]
    m.regions_state.status[0, INDEX["joint_staff"]] = AGREED          # agreed is not yet practice
    assert not measure(m)[0][0, INDICATOR_INDEX["joint_staff"]]
    m.regions_state.status[0, INDEX["joint_staff"]] = IN_FORCE
    m.regions_state.status[0, INDEX["subregional_wsp"]] = IN_FORCE
    items, *_ = measure(m)
    assert items[0, INDICATOR_INDEX["joint_staff"]]
    assert items[0, INDICATOR_INDEX["any_regional_wsp"]] and not items[0, INDICATOR_INDEX["one_regional_wsp"]]
    assert items[0, INDICATOR_INDEX["has_subregions"]]
    village = np.flatnonzero(m.tie_index.municipal)[1]
    m.population.participates[village] = False
    assert not measure(m)[0][0, INDICATOR_INDEX["all_municipalities_participate"]]
    m.population.uses_sonar[m.tie_index.municipal & m.population.participates] = True
    assert measure(m)[0][0, INDICATOR_INDEX["sonar_all_used"]]
