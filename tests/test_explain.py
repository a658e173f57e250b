"""Explanations: data and sentences that follow from the model's state."""

import numpy as np
from helpers import at_month, clear_arrangements, small_model, small_region

from chainsim.core.arrangements import INDEX
from chainsim.core.population import Kind
from chainsim.core.state import IN_FORCE
from chainsim.explain import explain, explain_at


def test_explanation_names_stage_items_and_next_step():
    m = small_model([small_region()], seed=2)
    for _ in range(20):
        m.step()
    e = explain(m, "XX01")
    assert e.stage in ("coordinated", "middle", "little") and e.month == "2013-08"
    assert e.sentences and e.region in e.sentences[0]
    items = sum(e.has.values(), []) + sum(e.lacks.values(), [])
    assert not any(i.startswith("subregion_") for i in items)     # no subregions in this region
    assert all(-10 < s < 10 for _, s in e.next_steps)


def test_a_municipality_guarding_its_say_is_named_as_blocker_with_m4():
    m = small_model([small_region(n_municipalities=4)], seed=3)
    at_month(m.world, "2013-06")
    clear_arrangements(m)
    for a in ("governance_table", "shared_vision", "tactical_meeting", "attuned_employer_approach",
              "joint_consultation", "joint_projects"):
        m.regions_state.status[0, INDEX[a]] = IN_FORCE
    m.trust.refresh()
    village = np.flatnonzero(m.population.kind == Kind.MUNICIPALITY)[0]
    m.population.autonomy_guard[village] = 30.0
    e = explain(m, 0)
    blocker = next(b for b in e.blockers if b.name == m.agent_by_row[village].name)
    assert blocker.reason.startswith("M4") and blocker.support < 0
    assert "vote against" in e.text()


def test_explain_at_runs_to_the_month():
    e = explain_at("Helmond-De Peel", "2013-03", seed=1)
    assert e.region == "Helmond-De Peel" and e.month == "2013-03"


def test_explain_at_any_replication_and_month_names_every_missing_item():
    from chainsim.core.measurement import ITEM_NAMES
    from chainsim.runner import RunConfig, run_replications

    config = RunConfig(regions=("AM02", "AM32"))
    e = explain_at("Friesland", "2014-06", seed=5, config=config, replication=2)
    assert e.month == "2014-06"
    missing = sum(e.lacks.values(), [])
    sentence = next(s for s in e.sentences if "items of the Inspectorate" in s)
    assert all(ITEM_NAMES[i] in sentence for i in missing) and "_" not in sentence.split("lacks")[-1]
    run = run_replications(config, 3, seed=5)[2]                  # the same run as replication 2 of chainsim run
    t = config.calendar.index(__import__("chainsim").Month.parse("2014-06"))
    assert e.stage == ("coordinated", "middle", "little")[run.stage[t, 0]]


def test_arrangements_are_named_in_plain_words():
    from chainsim.core.arrangements import REGION_CATALOGUE
    from chainsim.explain import ARRANGEMENT_WORDS

    assert set(ARRANGEMENT_WORDS) == {a.id for a in REGION_CATALOGUE.arrangements}      # every one has words
    m = small_model([small_region()], seed=2)
    for _ in range(20):
        m.step()
    text = " ".join(explain(m, "XX01").sentences)
    assert "_" not in text and ("lean towards yes" in text or "next step" not in text)


def test_municipalities_staying_out_are_all_counted_and_the_levels_say_how_they_are_read():
    m = small_model([small_region(n_municipalities=8)], seed=4)
    out = np.flatnonzero(m.population.kind == Kind.MUNICIPALITY)[:5]
    m.population.participates[:] = True
    m.population.participates[out] = False
    e = explain(m, 0, top=3)
    sentence = next(s for s in e.sentences if "stay out" in s)
    assert sentence.startswith("5 municipalities stay out") and "and 2 more" in sentence     # 3 named, 2 counted
    assert "'all municipalities take part' is not met" in sentence
    assert "operational level (joint consultation, staff and projects, all three)" in e.sentences[0]


def test_what_the_next_stage_asks_keeps_the_stage_rule_s_and_and_or():
    """The stage rule: a middle region needs every level and one binding commitment, either of two."""
    from chainsim.explain import next_stage_words

    have = {"governance_table", "tactical_meeting", "joint_consultation", "joint_projects"}
    asks = next_stage_words("middle", have.__contains__)
    assert asks == ["joint staff", "a binding commitment: joint placement targets, or agreed staff (FTE) for "
                    "employer services (which builds on a shared vision with joint goals, not yet in force)"]
    assert next_stage_words("middle", (have | {"joint_staff", "fte_agreements"}).__contains__) == []
    # a little region with the table needs a second level: the tactical meeting, or all three operational ones
    asks = next_stage_words("little", {"governance_table", "joint_staff"}.__contains__)
    assert len(asks) == 1 and asks[0].startswith("a second level: a tactical") and \
        "(missing: joint consultation of UWV and the municipalities, joint projects)" in asks[0]
    assert next_stage_words("little", {"governance_table", "tactical_meeting"}.__contains__) == []


def test_the_next_step_candidates_are_what_the_sentence_asks():
    """next_stage_ids: the arrangements that meet the asks of next_stage_words, and nothing the rule does not ask."""
    from chainsim.explain import next_stage_ids

    assert next_stage_ids("little", {"tactical_meeting"}.__contains__) == ["governance_table"]   # 2nd level there
    assert next_stage_ids("little", {"governance_table", "joint_staff"}.__contains__) == \
        ["tactical_meeting", "joint_consultation", "joint_projects"]
    have = {"governance_table", "tactical_meeting", "joint_consultation", "joint_projects", "joint_staff"}
    assert next_stage_ids("middle", (have | {"joint_placement_targets"}).__contains__) == []     # bound already
    assert next_stage_ids("middle", have.__contains__) == ["joint_placement_targets", "shared_vision",
                                                          "fte_agreements"]
