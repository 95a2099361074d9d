"""The outcome view helpers: a record's procedures with their diaries and relief, and the
diary and relief forms read back."""

from __future__ import annotations

from typing import Any

from painpath.knowledge import load_knowledge, load_outcomes
from painpath.reports import DiaryEntry
from painpath.web._blocks import diary_form, procedures_of, read_diary_form, read_weeks

CPT = "http://www.ama-assn.org/go/cpt"


def _proc(rid: str, code: str, when: str) -> dict[str, Any]:
    return {"resourceType": "Procedure", "id": rid, "performedDateTime": when,
            "code": {"coding": [{"system": CPT, "code": code}]}}  # fmt: skip


def test_procedures_carry_their_diary_result_and_relief_weeks() -> None:
    outcomes = load_outcomes()
    diary = {
        "resourceType": "Observation",
        "partOf": [{"reference": "Procedure/mbb"}],
        "code": {"coding": [{"code": "percent-relief"}]},
        "component": [{}],
        "interpretation": [{"coding": [{"code": "NEG"}]}],
        "note": [{"text": "Peak 50%"}],
    }
    relief = {
        "resourceType": "Observation",
        "partOf": [{"reference": "Procedure/esi"}],
        "code": {"coding": [{"code": outcomes.codes.relief_duration}]},
        "valueQuantity": {"value": 6},
    }
    plain = {
        "resourceType": "Observation",
        "partOf": [{"reference": "Procedure/mbb"}],
        "code": {"coding": [{"code": "percent-relief"}]},
        "valueQuantity": {"value": 90},
    }
    resources = [_proc("mbb", "64493", "2026-04-02T09:00:00Z"), _proc("pt", "97110", "2026-01-01"),
                 _proc("esi", "64483", "2026-05-01T10:00:00Z"), diary, relief, plain]  # fmt: skip
    found = procedures_of(
        {"entry": [{"resource": r} for r in resources]}, load_knowledge(), outcomes
    )
    assert [(p.id, p.day, p.block) for p in found] == [
        ("esi", "2026-05-01", False),
        ("mbb", "2026-04-02", True),
    ]
    esi, mbb = found
    assert (mbb.result, mbb.message, mbb.relief_weeks) == ("negative", "Peak 50%", None)
    assert (esi.diary, esi.result, esi.relief_weeks) == (None, None, 6.0)
    form = diary_form(found, outcomes)
    assert form.procedures == [("mbb", mbb.label)]
    assert form.values["anesthetic"] == outcomes.diaries[0].default_anesthetic
    assert form.times[0] == ("nrs_30", "Pain at 30 minutes")


def test_the_diary_form_reads_scores_and_marks_what_is_not_a_number() -> None:
    outcomes = load_outcomes()
    sent = {"procedure": "p", "baseline": "8", "nrs_30": " 4 ", "nrs_120": "1", "nrs_60": ""}
    assert read_diary_form(sent, outcomes) == (
        8,
        [DiaryEntry(30, 4), DiaryEntry(120, 1)],
        {},
    )
    baseline, entries, errors = read_diary_form({"baseline": "x", "nrs_60": "2.5"}, outcomes)
    assert baseline is None and entries == []
    assert set(errors) == {"baseline", "nrs_60", "procedure"}
    assert read_diary_form({"procedure": "p"}, outcomes)[2] == {
        "nrs_30": "Enter at least one pain score after the block."
    }


def test_the_relief_form_needs_a_procedure_and_a_number_of_weeks() -> None:
    assert read_weeks({"procedure": "p", "weeks": "12.5"}) == (12.5, {})
    for bad in ("", "many", "nan", "inf"):
        weeks, errors = read_weeks({"procedure": "p", "weeks": bad})
        assert weeks is None and set(errors) == {"weeks"}
    assert set(read_weeks({"weeks": "3"})[1]) == {"procedure"}
