"""Audit rows exported as FHIR R4 AuditEvents."""

from __future__ import annotations

from datetime import UTC, datetime

from painpath.clinic import Principal, audit_event, fhir_audit_event


def test_a_denied_read_becomes_an_audit_event_with_agent_entity_and_outcome() -> None:
    who = Principal(7, "patient", 1, "pt-own", "192.0.2.9")
    row = audit_event(
        who,
        "read",
        "episode.read Episode/3",
        "denied",
        patient_id="pt-other",
        detail="a patient may act on their own record only",
        now=datetime(2026, 6, 1, tzinfo=UTC),
    )
    row.id = 42
    event = fhir_audit_event(row)
    assert event["resourceType"] == "AuditEvent"
    assert (event["action"], event["outcome"], event["id"]) == ("R", "4", "42")
    assert event["subtype"][0]["code"] == "episode.read"
    agent = event["agent"][0]
    assert agent["who"]["identifier"]["value"] == "7"
    assert agent["network"] == {"address": "192.0.2.9", "type": "2"}
    assert [e["what"]["reference"] for e in event["entity"]] == ["Patient/pt-other", "Episode/3"]
    assert event["recorded"] == "2026-06-01T00:00:00+00:00"


def test_a_login_is_a_user_authentication_event() -> None:
    row = audit_event(None, "login", "auth.login", "denied", source_ip="192.0.2.9")
    row.id = 1
    event = fhir_audit_event(row)
    assert event["type"]["code"] == "110114" and event["action"] == "E"
    assert "who" not in event["agent"][0]
