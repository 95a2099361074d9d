"""Audit rows exported as FHIR R4 AuditEvents."""

from __future__ import annotations

from datetime import UTC, datetime

from painpath.clinic import Principal, audit_event, fhir_audit_event
from painpath.clinic._audit import insert_audit

from ._world import World


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


def test_insert_audit_writes_the_row_in_the_sessions_transaction(world: World) -> None:
    who = world.principals["clinician"]
    event = audit_event(who, "read", "patient.read Patient/pt-own", "allowed", patient_id="pt-own")
    before = world.audit_count()
    with world.session() as session:
        insert_audit(session, event)
        session.rollback()  # rolled back with the rest of the operation
    assert world.audit_count() == before
    with world.session() as session:
        insert_audit(session, event)
        session.commit()
    (row,) = world.audit_after(0)[before:]
    assert (row.user_id, row.role, row.action, row.resource, row.patient_id, row.outcome) == (
        who.user_id,
        "clinician",
        "read",
        "patient.read Patient/pt-own",
        "pt-own",
        "allowed",
    )
    assert row.source_ip == who.source_ip and row.at == event.at
