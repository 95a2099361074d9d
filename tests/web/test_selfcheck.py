"""What a self-assessment result says, from the engine's document."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from painpath import assess
from painpath.knowledge import load_knowledge
from painpath.web._intake import intake_groups, read_answers, response_bundle
from painpath.web._selfcheck import self_result

KB = load_knowledge()
GROUPS = intake_groups(KB)
SCREEN = sorted({i for f in KB.red_flags.values() for i in f.screen_items})
NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def _result(form: dict[str, list[str]]) -> Any:
    values, errors = read_answers({**{i: ["no"] for i in SCREEN}, **form}, GROUPS)
    assert not errors
    bundle = response_bundle(values, GROUPS, KB.questionnaire["url"], NOW)
    document = assess(bundle, as_of=date(2026, 6, 1), payer="none", knowledge=KB)
    return self_result(document, values, GROUPS, KB)


def test_red_flags_come_first_most_urgent_first_with_the_knowledge_action() -> None:
    result = _result({"rf-fever": ["yes"], "rf-bladder-bowel": ["yes"]})
    assert result.status == "urgent-evaluation"
    assert [f.id for f in result.flags] == ["cauda-equina", "spinal-infection"]
    assert result.headline == KB.red_flags["cauda-equina"].action
    assert not result.worth_visit


def test_yes_to_several_readiness_questions_reads_as_worth_a_visit() -> None:
    several = int(KB.number("readiness-several"))
    enough = _result({f"readiness-{i}": ["yes"] for i in range(1, several + 1)})
    assert enough.flags == () and enough.ready_yes == several and enough.worth_visit
    fewer = _result({f"readiness-{i}": ["yes"] for i in range(1, several)})
    assert fewer.ready_yes == several - 1 and not fewer.worth_visit


def test_no_readiness_answer_says_nothing_about_a_visit() -> None:
    result = _result({})
    assert result.ready_yes is None and not result.worth_visit
    assert result.status == "not-indicated"


def test_answers_are_listed_in_words_for_the_printout() -> None:
    result = _result({"treatments-tried": ["nsaid"], "readiness-1": ["yes"]})
    answers = dict(result.answered)
    assert answers["1. " + GROUPS[0].questions[0].text] == "Yes"
    tried = next(q for g in GROUPS for q in g.questions if q.link_id == "treatments-tried")
    assert answers[tried.text] == dict((c, d) for _, c, d in tried.options)["nsaid"]
