"""_observations: Observation values, instrument ranges, partOf, QuestionnaireResponse answers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from painpath.errors import FhirInputError
from painpath.fhir import read_bundle
from painpath.fhir._observations import read_observation, read_questionnaire_response
from painpath.fhir._refs import Index

Load = Callable[[str], Any]
LOINC = "http://loinc.org"
PP = "https://painpath.dev/fhir/CodeSystem/painpath"


def _obs(system: str = PP, code: str = "rfa-not-possible", **value: Any) -> dict[str, Any]:
    return {"status": "final", "code": {"coding": [{"system": system, "code": code}]}, **value}


def _read(res: dict[str, Any], index: Index | None = None) -> Any:
    return read_observation(res, "obs-3", "Observation/obs-3", index or Index({}))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"valueQuantity": {"value": 176.35, "unit": "cm"}}, (176.35, "cm")),
        ({"valueQuantity": {"value": 2, "code": "mg"}}, (2.0, "mg")),
        ({"valueInteger": 7}, (7.0, None)),
        ({"valueDecimal": 2.37}, (2.37, None)),
        ({"valueBoolean": True}, (1.0, None)),
        ({"valueBoolean": False}, (0.0, None)),
        ({"valueCodeableConcept": {"text": "positive"}}, (None, None)),
        ({"valueString": "fine"}, (None, None)),
        ({}, (None, None)),
    ],
)
def test_values_read_as_numbers_where_they_are(
    value: dict[str, Any], expected: tuple[Any, Any]
) -> None:
    obs = _read(_obs(**value))
    assert (obs.value, obs.unit) == expected


def test_effective_reads_datetime_instant_or_period_start() -> None:
    assert _read(_obs(effectiveDateTime="2026-05-22")).effective.day == date(2026, 5, 22)
    instant = _read(_obs(effectiveInstant="2026-05-22T10:00:00.5+02:00")).effective.instant
    assert instant == datetime(2026, 5, 22, 10, 0, 0, 500000, tzinfo=timezone(timedelta(hours=2)))
    period = _read(_obs(effectivePeriod={"start": "2026-05-01T00:00:00Z", "end": "x"})).effective
    assert period.instant == datetime(2026, 5, 1, tzinfo=UTC)  # the end is not read
    assert _read(_obs()).effective is None


def test_part_of_resolves_full_urls_and_literal_references() -> None:
    index = Index({}, {"urn:uuid:abc": "Procedure/abc"})
    obs = _read(
        _obs(
            partOf=[
                {"reference": "urn:uuid:abc"},
                {"reference": "Procedure/p2"},
                {"reference": "http://ehr.example/fhir/Procedure/p3"},
                {"reference": "urn:uuid:unknown"},
                {"display": "no reference"},
            ]
        ),
        index,
    )
    assert obs.part_of == ("Procedure/abc", "Procedure/p2", "Procedure/p3")


@pytest.mark.parametrize("value", [0, 10, 7.5, 0.01])
def test_nrs_values_in_range_are_accepted(value: float) -> None:
    assert _read(_obs(LOINC, "72514-3", valueQuantity={"value": value})).value == value


def test_nrs_11_is_refused(load_fixture: Load) -> None:
    with pytest.raises(FhirInputError) as excinfo:
        read_bundle(load_fixture("nrs-11"))
    err = excinfo.value
    assert (err.what, err.where, err.expected) == (
        "value is out of range",
        "Observation/obs-3 valueQuantity.value",
        "a number from 0 to 10 (nrs)",
    )


def test_nrs_seven_in_words_is_refused(load_fixture: Load) -> None:
    with pytest.raises(FhirInputError) as excinfo:
        read_bundle(load_fixture("nrs-seven"))
    err = excinfo.value
    assert (err.what, err.where, err.expected) == (
        "value is not a number",
        "Observation/obs-4 valueString",
        "a number from 0 to 10 (nrs)",
    )


@pytest.mark.parametrize("value", ["7", True, None, float("nan")])
def test_nrs_values_that_are_not_numbers_are_refused(value: object) -> None:
    with pytest.raises(FhirInputError, match="not a number"):
        _read(_obs(LOINC, "72514-3", valueInteger=value))


def test_percent_relief_120_is_refused(load_fixture: Load) -> None:
    with pytest.raises(FhirInputError) as excinfo:
        read_bundle(load_fixture("percent-relief-120"))
    err = excinfo.value
    assert (err.what, err.where, err.expected) == (
        "value is out of range",
        "Observation/obs-5 valueQuantity.value",
        "a number from 0 to 100 (percent-relief)",
    )


def test_peg_item_out_of_range_in_a_component_is_refused() -> None:
    panel = _obs(
        LOINC,
        "91147-9",
        component=[
            {"code": {"coding": [{"system": LOINC, "code": "91145-3"}]}, "valueInteger": 12}
        ],
    )
    with pytest.raises(FhirInputError) as excinfo:
        _read(panel)
    assert excinfo.value.where == "Observation/obs-3 component[0].valueInteger"


def test_instrument_matched_by_any_of_its_codings() -> None:
    res = _obs(valueInteger=11)
    res["code"]["coding"].append({"system": LOINC, "code": "72514-3"})
    with pytest.raises(FhirInputError, match="out of range"):
        _read(res)


def test_an_instrument_without_a_value_reads_as_none() -> None:
    assert _read(_obs(LOINC, "72514-3", dataAbsentReason={"text": "asked, declined"})).value is None


def test_entered_in_error_nrs_99_is_ignored_not_refused(load_fixture: Load) -> None:
    record = read_bundle(load_fixture("entered-in-error-nrs-99"))
    assert [(o.id, o.value) for o in record.observations] == [("obs-7", 4.5)]


# -------------------------------------------------------- QuestionnaireResponse


def test_nested_intake_answers_read_by_link_id(load_fixture: Load) -> None:
    (answers,) = read_bundle(load_fixture("intake-nested")).questionnaires
    assert answers.questionnaire == "https://painpath.dev/fhir/Questionnaire/intake"
    assert answers.status == "completed"
    assert answers.authored is not None and answers.authored.day == date(2026, 5, 20)
    assert answers.answers == {
        "readiness-1": True,
        "readiness-2": False,
        "nrs": 7.0,
        "peg-pain": 6.5,
        "rf-fever": False,
        "fever-note": "none",
        "side": "left",
        "last-visit": "2026-01-02",
    }


def test_a_peg_item_of_minus_one_is_refused(load_fixture: Load) -> None:
    with pytest.raises(FhirInputError) as excinfo:
        read_bundle(load_fixture("intake-peg-minus-one"))
    err = excinfo.value
    assert (err.what, err.where, err.expected) == (
        "value is out of range",
        "QuestionnaireResponse/qr-1 item[0].item[1].answer[0].valueInteger",
        "a number from 0 to 10 (peg-enjoyment)",
    )


def test_a_scored_intake_item_answered_in_words_is_refused() -> None:
    res = {
        "questionnaire": "https://painpath.dev/fhir/Questionnaire/intake",
        "item": [{"linkId": "nrs", "answer": [{"valueString": "seven"}]}],
    }
    with pytest.raises(FhirInputError, match="not a number"):
        read_questionnaire_response(res, "qr", "QuestionnaireResponse/qr", Index({}))


def test_other_questionnaires_are_not_scored_by_intake_link_ids() -> None:
    res = {
        "questionnaire": "http://example.org/Questionnaire/other",
        "item": [{"linkId": "nrs", "answer": [{"valueInteger": 42}]}],
    }
    answers = read_questionnaire_response(res, "qr", "QuestionnaireResponse/qr", Index({}))
    assert answers.answers == {"nrs": 42.0}


def test_the_first_answer_of_a_link_id_is_kept() -> None:
    res = {"item": [{"linkId": "a", "answer": [{"valueBoolean": True}, {"valueBoolean": False}]}]}
    answers = read_questionnaire_response(res, "qr", "x", Index({}))
    assert answers.answers == {"a": True}


def test_deeply_nested_items_do_not_exhaust_the_stack() -> None:
    item: dict[str, Any] = {"linkId": "leaf", "answer": [{"valueBoolean": True}]}
    for depth in range(3000):
        item = {"linkId": f"group-{depth}", "item": [item]}
    answers = read_questionnaire_response({"item": [item]}, "qr", "x", Index({}))
    assert answers.answers == {"leaf": True}


def test_an_unparseable_authored_date_is_refused() -> None:
    with pytest.raises(FhirInputError) as excinfo:
        read_questionnaire_response(
            {"authored": "yesterday"}, "qr", "QuestionnaireResponse/qr", Index({})
        )
    assert excinfo.value.where == "QuestionnaireResponse/qr authored"


def test_observations_no_rule_reads_are_skipped() -> None:
    body_height = _obs(LOINC, "8302-2", valueQuantity={"value": 176.35, "unit": "cm"})
    assert _read(body_height) is None


def test_an_observation_with_a_scored_component_is_kept() -> None:
    panel = _obs(LOINC, "91148-7")
    panel["component"] = [
        {"code": {"coding": [{"system": LOINC, "code": "75893-8"}]}, "valueInteger": 6}
    ]
    assert _read(panel) is not None
