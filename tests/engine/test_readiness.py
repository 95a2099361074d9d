"""Readiness (decision-rules §2 and §8): the six "is it right for me?" items of the intake."""

from __future__ import annotations

from builders import ago, condition, intake, med_statement, nrs
from painpath.engine.readiness import latest_nrs, readiness

from ._support import context, option, run

ALL_YES = {f"readiness-{i}": True for i in range(1, 7)}


def test_no_intake_response_gives_null_readiness():
    assert run()["readiness"] is None


def test_yes_count_of_a_counting_response():
    answers = {**ALL_YES, "readiness-2": False, "readiness-5": False}
    assert run(intake(ago(days=3), answers))["readiness"] == {"yes": 4, "of": 6}


def test_unanswered_items_count_as_not_yes():
    doc = run(intake(ago(days=3), {"readiness-1": True, "readiness-6": True}))
    assert doc["readiness"] == {"yes": 2, "of": 6}


def test_all_no_is_zero_not_null():
    doc = run(intake(ago(days=3), {f"readiness-{i}": False for i in range(1, 7)}))
    assert doc["readiness"] == {"yes": 0, "of": 6}


def test_the_most_recent_counting_response_wins():
    doc = run(
        intake(ago(days=20), ALL_YES),
        intake(ago(days=2), {"readiness-1": True}),
    )
    assert doc["readiness"] == {"yes": 1, "of": 6}


def test_a_later_response_without_readiness_items_does_not_replace_it():
    doc = run(
        intake(ago(days=20), ALL_YES),
        intake(ago(days=2), {"rf-fever": False, "nrs": 6}),
    )
    assert doc["readiness"] == {"yes": 6, "of": 6}


def test_response_30_days_old_counts():
    assert run(intake(ago(days=30), ALL_YES))["readiness"] == {"yes": 6, "of": 6}


def test_response_older_than_30_days_gives_null():
    assert run(intake(ago(days=31), ALL_YES))["readiness"] is None


def test_an_old_response_is_not_used_when_the_recent_one_lacks_readiness_items():
    doc = run(intake(ago(days=45), ALL_YES), intake(ago(days=2), {"nrs": 6}))
    assert doc["readiness"] is None


def test_response_after_as_of_is_ignored():
    assert run(intake(ago(days=-1), ALL_YES))["readiness"] is None


def test_responses_on_the_same_day_are_ordered_by_time():
    doc = run(
        intake(f"{ago(days=2)}T16:00:00Z", {"readiness-1": True}),
        intake(f"{ago(days=2)}T09:00:00Z", ALL_YES),
    )
    assert doc["readiness"] == {"yes": 1, "of": 6}


def test_response_without_a_questionnaire_url_counts_as_intake():
    assert run(intake(ago(days=3), ALL_YES, questionnaire=None))["readiness"] == {"yes": 6, "of": 6}


def test_response_to_another_questionnaire_does_not_count():
    doc = run(intake(ago(days=3), ALL_YES, questionnaire="https://example.org/Questionnaire/other"))
    assert doc["readiness"] is None


def test_versioned_intake_url_counts():
    doc = run(
        intake(
            ago(days=3), ALL_YES, questionnaire="https://painpath.dev/fhir/Questionnaire/intake|1.0"
        )
    )
    assert doc["readiness"] == {"yes": 6, "of": 6}


def test_stopped_or_in_progress_responses_do_not_count():
    doc = run(
        intake(ago(days=3), ALL_YES, status="stopped"),
        intake(ago(days=2), ALL_YES, status="in-progress"),
    )
    assert doc["readiness"] is None


def test_readiness_adds_a_rationale_line_and_never_changes_the_status():
    base = (
        condition("M54.16", onset=ago(months=6)),
        med_statement("5640", "ibuprofen", start=ago(months=5)),
    )
    none = run(*base, intake(ago(days=2), {f"readiness-{i}": False for i in range(1, 7)}, id="qr"))
    assert none["status"] == "refer-interventional"
    opt = option(none, "esi-caudal")
    assert "Readiness: 0 of 6 'is it right for me?' answers are yes." in opt["rationale"]
    assert "QuestionnaireResponse/qr" in opt["evidence"]


def test_readiness_function_names_its_evidence():
    ctx = context(intake(ago(days=2), ALL_YES, id="qr"))
    found = readiness(ctx)
    assert found is not None
    assert (found.yes, found.of, found.evidence) == (6, 6, "QuestionnaireResponse/qr")


# ------------------------------------------------------------------------- latest NRS


def test_latest_nrs_is_the_most_recent_observation_or_intake_answer():
    doc = run(nrs(7, ago(days=10)), intake(ago(days=3), {"nrs": 4}), nrs(9, ago(days=20)))
    assert doc["pain"]["latest_nrs"] == 4


def test_latest_nrs_has_no_age_limit_in_the_pain_block():
    doc = run(nrs(7, ago(months=14)))
    assert doc["pain"]["latest_nrs"] == 7


def test_latest_nrs_accepts_decimal_scores():
    assert run(nrs(6.5, ago(days=2)))["pain"]["latest_nrs"] == 6.5


def test_latest_nrs_within_days_is_the_baseline_window():
    ctx = context(nrs(7, ago(days=31), id="old"), nrs(5, ago(days=30), id="edge"))
    assert latest_nrs(ctx) == (5.0, "Observation/edge")
    ctx = context(nrs(7, ago(days=31), id="old"))
    assert latest_nrs(ctx, 30) is None
    assert latest_nrs(ctx) == (7.0, "Observation/old")


def test_nrs_after_as_of_is_ignored():
    assert run(nrs(7, ago(days=-1)))["pain"]["latest_nrs"] is None
