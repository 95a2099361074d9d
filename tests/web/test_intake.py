"""The self-assessment form: questions from the intake Questionnaire, answers read and typed,
and the QuestionnaireResponse the engine assesses."""

from __future__ import annotations

from datetime import UTC, date, datetime

from painpath import assess
from painpath.knowledge import load_knowledge
from painpath.web._intake import TEXT_MAX_CHARS, intake_groups, read_answers, response_bundle

KB = load_knowledge()
GROUPS = intake_groups(KB)
SCREEN = sorted({i for f in KB.red_flags.values() for i in f.screen_items})


def _all_no() -> dict[str, list[str]]:
    return {item: ["no"] for item in SCREEN}


def test_every_answerable_item_becomes_a_field_named_by_its_link_id() -> None:
    expected = [
        i["linkId"] for g in KB.questionnaire["item"] for i in g["item"] if i["type"] != "display"
    ]
    assert [q.link_id for g in GROUPS for q in g.questions] == expected


def test_only_the_warning_sign_questions_are_required() -> None:
    required = {q.link_id for g in GROUPS for q in g.questions if q.required}
    assert required == set(SCREEN)
    values, errors = read_answers({}, GROUPS)
    assert values == {} and set(errors) == set(SCREEN)


def test_answers_are_typed() -> None:
    form = {
        **_all_no(),
        "readiness-1": ["yes"],
        "nrs": ["7"],
        "treatments-tried": ["nsaid", "physical-therapy"],
        "current-medications": ["  ibuprofen 400 mg  "],
    }
    values, errors = read_answers(form, GROUPS)
    assert errors == {}
    assert values["readiness-1"] is True and values["rf-fever"] is False
    assert values["nrs"] == 7
    assert values["treatments-tried"] == ["nsaid", "physical-therapy"]
    assert values["current-medications"] == "ibuprofen 400 mg"


def test_wrong_answers_get_a_message_each() -> None:
    long_text = "x" * (TEXT_MAX_CHARS + 1)
    form = {
        **_all_no(),
        "nrs": ["11"],
        "peg-pain": ["seven"],
        "rf-fever": ["maybe"],
        "pain-location": ["moon"],
        "goals": [long_text],
    }
    _, errors = read_answers(form, GROUPS)
    assert "from 0 to 10" in errors["nrs"]
    assert "whole number" in errors["peg-pain"]
    assert errors["rf-fever"] == "Choose yes or no."
    assert "listed" in errors["pain-location"]
    assert str(TEXT_MAX_CHARS) in errors["goals"]


def test_an_item_enabled_by_another_answer_is_ignored_without_it() -> None:
    form = {**_all_no(), "treatments-tried-other": ["yoga"]}
    values, _ = read_answers(form, GROUPS)
    assert "treatments-tried-other" not in values
    form["treatments-tried"] = ["other"]
    values, _ = read_answers(form, GROUPS)
    assert values["treatments-tried-other"] == "yoga"


def test_the_response_is_read_by_the_engine() -> None:
    now = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    form = {**_all_no(), "rf-saddle-numbness": ["yes"], "readiness-2": ["yes"]}
    values, _ = read_answers(form, GROUPS)
    bundle = response_bundle(values, GROUPS, KB.questionnaire["url"], now)
    document = assess(bundle, as_of=date(2026, 6, 1), payer="none", knowledge=KB)
    assert document["status"] == "urgent-evaluation"
    assert [f["id"] for f in document["red_flags"]] == ["cauda-equina"]
    assert document["readiness"] == {"yes": 1, "of": len(KB.instruments.readiness_items)}
