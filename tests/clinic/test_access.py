"""The access table itself: well-formed, least privilege where documented, events that exist."""

from __future__ import annotations

import pytest

from painpath import pathway
from painpath.clinic import ACCESS, EVENT_ROLES, PUBLIC, ROLES, event_roles, role_allowed


@pytest.mark.parametrize("operation", sorted(ACCESS))
def test_every_rule_names_known_roles_actions_and_scopes(operation: str) -> None:
    rule = ACCESS[operation]
    assert rule.roles <= set(ROLES)
    assert rule.action in {"read", "create", "update", "login"}
    assert rule.scope in {"patient", "clinic", "self", PUBLIC}
    assert (rule.scope == PUBLIC) == (not rule.roles)


def test_admins_touch_no_clinical_data() -> None:
    clinical = [op for op, rule in ACCESS.items() if rule.scope == "patient"]
    assert clinical and not [op for op in clinical if "admin" in ACCESS[op].roles]
    assert not role_allowed("fhir.import", "admin") and not role_allowed("patient.list", "admin")


def test_coordinators_make_no_clinical_writes() -> None:
    for operation in (
        "assessment.run",
        "observation.create",
        "procedure.create",
        "questionnaire.create",
    ):
        assert not role_allowed(operation, "coordinator"), operation


def test_only_admins_manage_users_and_read_the_audit_log() -> None:
    for operation in ("user.create", "user.list", "user.update", "audit.list"):
        assert ACCESS[operation].roles == {"admin"}


def test_every_event_with_extra_roles_is_a_pathway_event() -> None:
    known = {
        e.name for state in pathway.load_pathway().states for e in pathway.allowed_events(state)
    }
    assert set(EVENT_ROLES) <= known


def test_clinical_events_are_for_clinicians_only() -> None:
    assert event_roles("consult") == {"clinician"}
    assert event_roles("schedule") == {"clinician", "coordinator"}


def test_the_access_page_shows_the_table_as_it_is() -> None:
    from pathlib import Path

    page = (Path(__file__).resolve().parents[2] / "docs" / "access.md").read_text()
    shown: dict[str, set[str]] = {}
    for line in page.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 5 and cells[1].startswith("`") and cells[1].strip("`") in ACCESS:
            shown[cells[1].strip("`")] = (
                set() if cells[3] == "anyone" else {r.strip() for r in cells[3].split(",")}
            )
    assert shown == {op: set(rule.roles) for op, rule in ACCESS.items()}
