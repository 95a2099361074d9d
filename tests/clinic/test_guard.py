"""One audited transaction per operation: allowed, denied and failed outcomes are all kept."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from painpath.clinic import Principal, get_patient
from painpath.clinic._guard import guarded
from painpath.errors import AccessDenied, InputError, NotFound
from painpath.store import AuditEvent, Clinic

from ._world import World


def _audit(world: World) -> list[AuditEvent]:
    with world.session() as session:
        return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def test_an_allowed_read_commits_one_allowed_row_with_who_and_where(world: World) -> None:
    with world.session() as session:
        get_patient(session, world.principals["clinician"], "pt-own")
    last = _audit(world)[-1]
    assert (last.outcome, last.action, last.role, last.patient_id) == (
        "allowed",
        "read",
        "clinician",
        "pt-own",
    )
    assert last.resource == "patient.read Patient/pt-own"
    assert last.source_ip == "192.0.2.1"


def test_a_denied_attempt_is_audited_even_though_its_work_is_rolled_back(world: World) -> None:
    before = len(_audit(world))
    with (
        world.session() as session,
        pytest.raises(AccessDenied),
        guarded(session, world.principals["clinician"], "patient.read") as guard,
    ):
        session.add(Clinic(name="written before the refusal"))
        session.flush()
        guard.patient("pt-elsewhere")
    with world.session() as session:
        assert session.scalar(select(func.count()).select_from(Clinic)) == 2
    rows = _audit(world)[before:]
    assert [(r.outcome, r.patient_id) for r in rows] == [("denied", "pt-elsewhere")]
    assert rows[0].detail == "the patient belongs to another clinic"


def test_a_role_without_the_operation_is_refused_before_anything_runs(world: World) -> None:
    with world.session() as session, pytest.raises(AccessDenied):
        get_patient(session, world.principals["admin"], "pt-own")
    last = _audit(world)[-1]
    assert (last.outcome, last.role, last.patient_id) == ("denied", "admin", "pt-own")


def test_a_failure_after_the_check_is_audited_as_an_error(world: World) -> None:
    with (
        world.session() as session,
        pytest.raises(InputError),
        guarded(session, world.principals["clinician"], "patient.read") as guard,
    ):
        guard.patient("pt-own")
        raise InputError("bad", "field")
    last = _audit(world)[-1]
    assert (last.outcome, last.detail) == ("error", "InputError at field")


def test_an_unknown_patient_is_not_found_and_audited(world: World) -> None:
    with world.session() as session, pytest.raises(NotFound):
        get_patient(session, world.principals["clinician"], "pt-nobody")
    assert _audit(world)[-1].outcome == "error"


def test_a_patient_scoped_operation_that_skips_the_check_is_a_bug(world: World) -> None:
    with (
        world.session() as session,
        pytest.raises(RuntimeError, match="without checking"),
        guarded(session, world.principals["clinician"], "patient.read"),
    ):
        pass


def test_a_patient_without_a_linked_record_sees_nothing(world: World) -> None:
    unlinked = Principal(world.users["patient"].id, "patient", world.clinic_a, None)
    with world.session() as session, pytest.raises(AccessDenied):
        get_patient(session, unlinked, "pt-own")
