"""Red flags (decision-rules §1): urgent evaluation wins over everything."""

from __future__ import annotations

import pytest

from builders import AS_OF, ago, condition, intake, med_statement
from painpath.engine.redflags import find_red_flags

from ._support import context, option, run

# A record that, without red flags, is referred: chronic lumbar radicular pain, 10 weeks of NSAID.
BASE = (
    condition("M54.16", onset=ago(months=6), id="radic"),
    med_statement("5640", "ibuprofen", start=ago(weeks=10), id="ibu"),
)

FLAG_CONDITIONS = [
    ("cauda-equina", "G83.4"),
    ("spinal-infection", "M46.25"),
    ("spinal-infection", "M46.36"),
    ("spinal-infection", "M46.46"),
    ("spinal-infection", "M46.55"),
    ("spinal-infection", "G06.1"),
    ("spinal-infection", "G06.2"),
    ("fracture", "S32.010A"),
    ("fracture", "S12.000B"),
    ("fracture", "S22.009A"),
    ("fracture", "S32.10XA"),
    ("fracture", "M48.56XA"),
    ("fracture", "M80.08XA"),
    ("fracture", "M80.88XA"),
    ("fracture", "M84.58XA"),
    ("malignancy", "C50.911"),
    ("malignancy", "C79.51"),
    ("progressive-neurologic-deficit", "M21.371"),
]

SCREEN_ITEMS = [
    ("cauda-equina", "rf-saddle-numbness"),
    ("cauda-equina", "rf-bladder-bowel"),
    ("spinal-infection", "rf-fever"),
    ("spinal-infection", "rf-infection-risk"),
    ("fracture", "rf-major-trauma"),
    ("fracture", "rf-minor-trauma-osteoporosis"),
    ("malignancy", "rf-cancer-weight-loss"),
    ("progressive-neurologic-deficit", "rf-worsening-weakness"),
]


def flag_ids(doc):
    return [f["id"] for f in doc["red_flags"]]


def test_record_without_red_flags_is_referred():
    doc = run(*BASE)
    assert doc["status"] == "refer-interventional"
    assert doc["red_flags"] == []


@pytest.mark.parametrize(("flag", "code"), FLAG_CONDITIONS)
def test_each_red_flag_condition_raises_its_flag(flag, code):
    doc = run(*BASE, condition(code, onset=ago(days=10), id="flagged"))
    assert flag_ids(doc) == [flag]
    assert doc["red_flags"][0]["evidence"] == ["Condition/flagged"]
    assert doc["status"] == "urgent-evaluation"


@pytest.mark.parametrize(("flag", "item"), SCREEN_ITEMS)
def test_each_screen_item_answered_yes_raises_its_flag(flag, item):
    doc = run(*BASE, intake(ago(days=3), {item: True}, id="screen"))
    assert flag_ids(doc) == [flag]
    assert doc["red_flags"][0]["evidence"] == ["QuestionnaireResponse/screen"]
    assert doc["status"] == "urgent-evaluation"


@pytest.mark.parametrize("item", [item for _, item in SCREEN_ITEMS])
def test_screen_item_answered_no_raises_nothing(item):
    doc = run(*BASE, intake(ago(days=3), {item: False}))
    assert doc["red_flags"] == []
    assert doc["status"] == "refer-interventional"


def test_condition_and_screen_evidence_are_combined_in_one_flag():
    doc = run(
        *BASE,
        condition("G83.4", onset=ago(days=5), id="ces"),
        intake(ago(days=2), {"rf-saddle-numbness": True, "rf-bladder-bowel": True}, id="qr"),
    )
    assert doc["red_flags"] == [
        {
            "id": "cauda-equina",
            "evidence": ["Condition/ces", "QuestionnaireResponse/qr"],
            "message": doc["red_flags"][0]["message"],
            "action": doc["red_flags"][0]["action"],
            "citation": "ahcpr-1994",
        }
    ]


def test_inactive_red_flag_condition_raises_nothing():
    doc = run(*BASE, condition("M46.25", onset=ago(days=10), status="resolved"))
    assert doc["red_flags"] == []


def test_abated_red_flag_condition_raises_nothing():
    doc = run(*BASE, condition("C50.911", onset=ago(months=8), abatement=ago(days=1)))
    assert doc["red_flags"] == []


def test_red_flag_condition_abated_after_as_of_still_counts():
    doc = run(*BASE, condition("C50.911", onset=ago(months=8), abatement=ago(days=-5)))
    assert flag_ids(doc) == ["malignancy"]


def test_refuted_red_flag_condition_is_ignored():
    doc = run(*BASE, condition("G83.4", onset=ago(days=2), verification="refuted"))
    assert doc["red_flags"] == []


def test_snomed_cauda_equina_is_mapped_to_g83_4_and_flags():
    doc = run(*BASE, condition(None, snomed="192970008", onset=ago(days=4), id="ces"))
    assert flag_ids(doc) == ["cauda-equina"]


# --------------------------------------------------------------------------- cauda equina


def test_cauda_equina_onset_exactly_3_months_ago_flags():
    doc = run(*BASE, condition("G83.4", onset=ago(months=3)))
    assert flag_ids(doc) == ["cauda-equina"]


def test_cauda_equina_onset_3_months_and_1_day_ago_is_history_not_a_flag():
    doc = run(*BASE, condition("G83.4", onset=ago(months=3, days=1), id="old-ces"))
    assert doc["red_flags"] == []
    assert doc["status"] == "refer-interventional"
    esi = option(doc, "esi-transforaminal-lumbar")
    assert (
        "History of cauda equina syndrome (onset over 3 months ago); not an active red flag."
        in esi["rationale"]
    )
    assert "Condition/old-ces" in esi["evidence"]


def test_cauda_equina_without_onset_or_recorded_date_flags():
    doc = run(*BASE, condition("G83.4", onset=None))
    assert flag_ids(doc) == ["cauda-equina"]


def test_cauda_equina_uses_recorded_date_when_onset_is_absent():
    old = run(*BASE, condition("G83.4", onset=None, recorded=ago(months=5)))
    recent = run(*BASE, condition("G83.4", onset=None, recorded=ago(months=1)))
    assert old["red_flags"] == []
    assert flag_ids(recent) == ["cauda-equina"]


def test_cauda_equina_onset_period_start_is_its_onset():
    doc = run(*BASE, condition("G83.4", onset=None, onset_period=ago(months=4)))
    assert doc["red_flags"] == []


# ------------------------------------------------------------------------------- fracture


@pytest.mark.parametrize("code", ["S32.010A", "S32.010B"])
def test_fracture_initial_encounter_seventh_character_a_or_b_flags(code):
    doc = run(*BASE, condition(code, onset=ago(days=20)))
    assert flag_ids(doc) == ["fracture"]


@pytest.mark.parametrize("code", ["S32.010D", "S32.010G", "S32.010S", "M80.08XD"])
def test_fracture_subsequent_encounter_or_sequela_does_not_flag(code):
    doc = run(*BASE, condition(code, onset=ago(days=20)))
    assert doc["red_flags"] == []


def test_fracture_onset_exactly_3_months_ago_flags_one_day_more_does_not():
    inside = run(*BASE, condition("S32.010A", onset=ago(months=3)))
    outside = run(*BASE, condition("S32.010A", onset=ago(months=3, days=1)))
    assert flag_ids(inside) == ["fracture"]
    assert outside["red_flags"] == []


def test_fracture_without_onset_uses_recorded_date():
    recent = run(*BASE, condition("M48.56XA", onset=None, recorded=ago(days=30)))
    old = run(*BASE, condition("M48.56XA", onset=None, recorded=ago(months=4)))
    assert flag_ids(recent) == ["fracture"]
    assert old["red_flags"] == []


def test_fracture_with_neither_onset_nor_recorded_date_flags():
    doc = run(*BASE, condition("S22.009A", onset=None))
    assert flag_ids(doc) == ["fracture"]


def test_code_outside_the_fracture_list_does_not_flag():
    # S32.3- (ilium) is a fracture, but not a vertebral one on the list.
    doc = run(*BASE, condition("S32.301A", onset=ago(days=3)))
    assert doc["red_flags"] == []


# ----------------------------------------------------------------------------- malignancy


def test_active_cancer_code_flags_malignancy():
    doc = run(*BASE, condition("C61", onset=ago(months=30), id="ca"))
    assert flag_ids(doc) == ["malignancy"]
    assert doc["red_flags"][0]["evidence"] == ["Condition/ca"]


def test_d_code_neoplasm_does_not_flag_malignancy():
    doc = run(*BASE, condition("D49.2", onset=ago(days=40)))
    assert doc["red_flags"] == []


def test_weight_loss_with_cancer_history_flags_malignancy():
    doc = run(
        *BASE,
        condition("R63.4", onset=ago(days=20), id="wl"),
        condition("Z85.3", onset=ago(months=60), id="hx"),
    )
    assert flag_ids(doc) == ["malignancy"]
    assert doc["red_flags"][0]["evidence"] == ["Condition/wl", "Condition/hx"]


def test_weight_loss_with_resolved_cancer_history_still_flags():
    doc = run(
        *BASE,
        condition("R63.4", onset=ago(days=20)),
        condition("Z85.46", onset=ago(months=60), status="resolved"),
    )
    assert flag_ids(doc) == ["malignancy"]


def test_weight_loss_alone_does_not_flag():
    doc = run(*BASE, condition("R63.4", onset=ago(days=20)))
    assert doc["red_flags"] == []


def test_cancer_history_alone_does_not_flag():
    doc = run(*BASE, condition("Z85.3", onset=ago(months=60)))
    assert doc["red_flags"] == []


def test_resolved_weight_loss_with_cancer_history_does_not_flag():
    doc = run(
        *BASE,
        condition("R63.4", onset=ago(months=4), status="resolved"),
        condition("Z85.3", onset=ago(months=60)),
    )
    assert doc["red_flags"] == []


def test_cancer_pain_suppresses_malignancy_from_an_active_cancer():
    doc = run(
        *BASE,
        condition("C50.911", onset=ago(months=10)),
        condition("G89.3", onset=ago(months=2)),
    )
    assert doc["red_flags"] == []
    assert doc["status"] == "refer-interventional"


def test_cancer_pain_suppresses_malignancy_from_weight_loss_and_history():
    doc = run(
        *BASE,
        condition("R63.4", onset=ago(days=20)),
        condition("Z85.3", onset=ago(months=60)),
        condition("G89.3", onset=ago(months=2)),
    )
    assert doc["red_flags"] == []


def test_cancer_pain_suppresses_the_malignancy_screen_item_too():
    doc = run(
        *BASE,
        condition("G89.3", onset=ago(months=2)),
        intake(ago(days=1), {"rf-cancer-weight-loss": True}),
    )
    assert doc["red_flags"] == []


def test_cancer_pain_does_not_suppress_other_red_flags():
    doc = run(
        *BASE,
        condition("G89.3", onset=ago(months=2)),
        intake(ago(days=1), {"rf-fever": True, "rf-cancer-weight-loss": True}),
    )
    assert flag_ids(doc) == ["spinal-infection"]


def test_resolved_cancer_pain_does_not_suppress_malignancy():
    doc = run(
        *BASE,
        condition("C50.911", onset=ago(months=10)),
        condition("G89.3", onset=ago(months=8), status="resolved"),
    )
    assert flag_ids(doc) == ["malignancy"]


# -------------------------------------------------------------- progressive neurologic deficit


def test_foot_drop_with_recent_onset_flags():
    doc = run(*BASE, condition("M21.372", onset=ago(months=3)))
    assert flag_ids(doc) == ["progressive-neurologic-deficit"]


def test_foot_drop_older_than_3_months_does_not_flag():
    doc = run(*BASE, condition("M21.372", onset=ago(months=3, days=1)))
    assert doc["red_flags"] == []


def test_foot_drop_without_onset_does_not_flag():
    doc = run(*BASE, condition("M21.371", onset=None))
    assert doc["red_flags"] == []


# --------------------------------------------------------------------------- screen window


def test_screen_answer_30_days_old_counts():
    doc = run(*BASE, intake(ago(days=30), {"rf-fever": True}))
    assert flag_ids(doc) == ["spinal-infection"]


def test_screen_answer_31_days_old_raises_no_flag_but_asks_to_repeat_the_screen():
    when = ago(days=31)
    doc = run(*BASE, intake(when, {"rf-fever": True}))
    assert doc["red_flags"] == []
    assert doc["status"] == "refer-interventional"
    assert (
        f"Repeat the red-flag screen (rf-fever answered yes on {when}) before any procedure."
        in doc["next_steps"]
    )


def test_old_no_answer_adds_no_repeat_step():
    doc = run(*BASE, intake(ago(days=45), {"rf-fever": False}))
    assert not any("red-flag screen" in s for s in doc["next_steps"])


def test_later_response_leaving_the_item_unanswered_does_not_clear_an_earlier_yes():
    doc = run(
        *BASE,
        intake(ago(days=20), {"rf-bladder-bowel": True}, id="yes"),
        intake(ago(days=5), {"readiness-1": True}, id="later"),
    )
    assert flag_ids(doc) == ["cauda-equina"]
    assert doc["red_flags"][0]["evidence"] == ["QuestionnaireResponse/yes"]


def test_later_no_answer_clears_an_earlier_yes():
    doc = run(
        *BASE,
        intake(ago(days=20), {"rf-bladder-bowel": True}),
        intake(ago(days=5), {"rf-bladder-bowel": False}),
    )
    assert doc["red_flags"] == []


def test_later_yes_overrides_an_earlier_no():
    doc = run(
        *BASE,
        intake(ago(days=20), {"rf-major-trauma": False}),
        intake(ago(days=5), {"rf-major-trauma": True}, id="later"),
    )
    assert flag_ids(doc) == ["fracture"]
    assert doc["red_flags"][0]["evidence"] == ["QuestionnaireResponse/later"]


def test_recent_no_clears_an_old_yes_and_its_repeat_step():
    doc = run(
        *BASE,
        intake(ago(days=50), {"rf-fever": True}),
        intake(ago(days=5), {"rf-fever": False}),
    )
    assert doc["red_flags"] == []
    assert not any("red-flag screen" in s for s in doc["next_steps"])


def test_old_yes_followed_by_an_old_no_needs_no_repeat_step():
    doc = run(
        *BASE,
        intake(ago(days=60), {"rf-fever": True}),
        intake(ago(days=40), {"rf-fever": False}),
    )
    assert not any("red-flag screen" in s for s in doc["next_steps"])


def test_screen_response_after_as_of_is_ignored():
    doc = run(*BASE, intake(ago(days=-1), {"rf-fever": True}))
    assert doc["red_flags"] == []


def test_in_progress_screen_response_is_ignored():
    doc = run(*BASE, intake(ago(days=2), {"rf-fever": True}, status="in-progress"))
    assert doc["red_flags"] == []


def test_response_to_another_questionnaire_is_not_the_screen():
    doc = run(
        *BASE,
        intake(
            ago(days=2), {"rf-fever": True}, questionnaire="https://example.org/Questionnaire/x"
        ),
    )
    assert doc["red_flags"] == []


# ------------------------------------------------------------------------ consequences


def test_red_flag_makes_every_option_not_indicated_with_the_flag_as_reason():
    doc = run(
        *BASE,
        condition("M47.816", onset=ago(months=8)),
        condition("M17.11", onset=ago(months=8)),
        condition("G83.4", onset=ago(days=3)),
    )
    assert doc["status"] == "urgent-evaluation"
    assert len(doc["options"]) == 7  # 3 lumbar ESI, 3 lumbar facet, the knee
    for opt in doc["options"]:
        assert opt["indicated"] is False
        assert "Not now: red flag (cauda-equina) needs urgent evaluation first." in opt["rationale"]


def test_red_flag_makes_every_policy_not_met_with_no_red_flag_unmet():
    doc = run(
        *BASE,
        condition("M47.816", onset=ago(months=8)),
        condition("M17.11", onset=ago(months=8)),
        condition("M54.81", onset=ago(months=8)),
        intake(ago(days=1), {"rf-infection-risk": True}),
    )
    with_policy = [o for o in doc["options"] if o["coverage"]["policy"] is not None]
    without = [o for o in doc["options"] if o["coverage"]["policy"] is None]
    assert with_policy and without
    for opt in with_policy:
        assert opt["coverage"]["status"] == "not-met"
        assert "no-red-flag" in opt["coverage"]["unmet"]
    for opt in without:
        assert opt["coverage"]["status"] == "no-policy"
        assert opt["coverage"]["unmet"] == []


def test_red_flag_next_step_sends_to_urgent_evaluation():
    doc = run(*BASE, condition("G83.4", onset=ago(days=3)))
    assert doc["next_steps"][0].startswith("Urgent evaluation (cauda-equina):")
    assert "No elective procedure." in doc["next_steps"][0]


def test_red_flag_without_any_pain_condition_is_still_urgent():
    doc = run(condition("G06.1", onset=ago(days=3)))
    assert doc["status"] == "urgent-evaluation"
    assert doc["options"] == []


def test_two_red_flags_are_both_reported_in_knowledge_order():
    doc = run(
        *BASE,
        condition("M21.371", onset=ago(days=3)),
        condition("G83.4", onset=ago(days=3)),
    )
    assert flag_ids(doc) == ["cauda-equina", "progressive-neurologic-deficit"]


def test_find_red_flags_reports_history_note_for_old_cauda_equina():
    ctx = context(condition("G83.4", onset=ago(months=7), id="old"))
    result = find_red_flags(ctx)
    assert result.flags == []
    assert [n.evidence for n in result.notes] == [("Condition/old",)]
    assert AS_OF.isoformat() not in result.notes[0].text
