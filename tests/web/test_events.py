"""Event forms: pathway fields read from submitted text, every problem next to its field."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from painpath.pathway import allowed_events
from painpath.web._events import ASSESS_FIELDS, FormField, event_fields, read_event_form


def _event(state: str, name: str) -> dict[str, Any]:
    """One next event as the clinic service lists it (`episode_json`'s `next_events`)."""
    info = next(e for e in allowed_events(state) if e.name == name)
    return asdict(info)


def test_fields_follow_the_pathway_and_assess_asks_only_date_and_payer() -> None:
    visit = event_fields(_event("follow-up", "record-visit"))
    assert [f.name for f in visit][:3] == ["visit_date", "response", "relief_percent"]
    assert next(f for f in visit if f.name == "response").values == (
        "improved",
        "partly-improved",
        "unchanged",
        "worse",
    )
    assert event_fields(_event("consultation", "assess")) == ASSESS_FIELDS


def test_values_are_converted_to_the_declared_types() -> None:
    fields = event_fields(_event("procedure-day", "record-step"))
    payload, errors = read_event_form(
        fields, {"step": ["recovery"], "at": ["2026-06-01T09:30"], "nrs": ["3"], "vitals": [""]}
    )
    assert errors == {}
    assert payload == {"step": "recovery", "at": "2026-06-01T09:30:00+00:00", "nrs": 3}


def test_every_bad_field_gets_its_own_message_and_nothing_is_guessed() -> None:
    fields = event_fields(_event("follow-up", "record-visit"))
    payload, errors = read_event_form(
        fields,
        {
            "visit_date": ["01/06/2026"],
            "response": ["great"],
            "relief_percent": ["lots"],
            "nrs": [""],
        },
    )
    assert set(errors) == {"visit_date", "response", "relief_percent", "nrs"}
    assert "YYYY-MM-DD" in errors["visit_date"]
    assert "listed" in errors["response"]
    assert "number" in errors["relief_percent"]
    assert "required" in errors["nrs"]
    assert "visit_date" not in payload


def test_checkboxes_are_booleans_and_procedure_lists() -> None:
    fields = event_fields(_event("assessed", "plan"))
    payload, errors = read_event_form(
        fields,
        {"procedures": ["esi-caudal", "esi-caudal", "facet-mbb-lumbar"], "risks_discussed": ["on"]},
    )
    assert errors == {}
    assert payload["procedures"] == ["esi-caudal", "facet-mbb-lumbar"]
    assert payload["risks_discussed"] is True and payload["benefits_discussed"] is False
    _, errors = read_event_form(fields, {})
    assert "procedure" in errors["procedures"]


def test_a_time_with_an_offset_keeps_it() -> None:
    field = FormField("start", "datetime", True, "Start", "a date-time")
    payload, _ = read_event_form([field], {"start": ["2026-06-01T09:30:00+02:00"]})
    assert payload["start"] == "2026-06-01T09:30:00+02:00"
    _, errors = read_event_form([field], {"start": ["tomorrow"]})
    assert "UTC" in errors["start"]
