"""`painpath users add` (password from the environment or stdin) and `painpath audit`."""

from __future__ import annotations

import json

from sqlalchemy import select
from typer.testing import CliRunner

from painpath.cli import app
from painpath.clinic import check_password
from painpath.store import AuditEvent, User, make_engine, session_factory

runner = CliRunner()


def _user(db_url: str, email: str) -> User | None:
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session:
            return session.scalar(select(User).where(User.email == email))
    finally:
        engine.dispose()


def test_users_add_reads_the_password_from_the_environment(db_url: str) -> None:
    env = {"PAINPATH_DATABASE_URL": db_url, "PAINPATH_PASSWORD": "a long password 1"}
    result = runner.invoke(
        app, ["users", "add", "Dr.Lee@Example.org", "--role", "clinician"], env=env
    )
    assert result.exit_code == 0, result.output
    assert "dr.lee@example.org" in result.output and "a long password" not in result.output
    user = _user(db_url, "dr.lee@example.org")
    assert user is not None and user.role == "clinician"
    assert check_password(user, "a long password 1")


def test_users_add_reads_the_password_from_stdin(db_url: str) -> None:
    env = {"PAINPATH_DATABASE_URL": db_url, "PAINPATH_PASSWORD": ""}
    result = runner.invoke(
        app,
        ["users", "add", "admin@example.org", "--role", "admin", "--clinic", "North"],
        env=env,
        input="stdin password 22\n",
    )
    assert result.exit_code == 0, result.output
    user = _user(db_url, "admin@example.org")
    assert user is not None and check_password(user, "stdin password 22")


def test_users_add_refuses_a_bad_role_or_a_short_password_with_exit_2(db_url: str) -> None:
    env = {"PAINPATH_DATABASE_URL": db_url, "PAINPATH_PASSWORD": "a long password 1"}
    bad_role = runner.invoke(app, ["users", "add", "x@example.org", "--role", "root"], env=env)
    assert bad_role.exit_code == 2 and "role" in bad_role.output
    short = runner.invoke(
        app,
        ["users", "add", "x@example.org", "--role", "admin"],
        env={**env, "PAINPATH_PASSWORD": "short"},
    )
    assert short.exit_code == 2 and "password" in short.output
    assert _user(db_url, "x@example.org") is None


def test_audit_json_prints_one_object_per_event(db_url: str) -> None:
    env = {"PAINPATH_DATABASE_URL": db_url, "PAINPATH_PASSWORD": "a long password 1"}
    for email in ("a@example.org", "b@example.org"):
        runner.invoke(app, ["users", "add", email, "--role", "coordinator"], env=env)
    result = runner.invoke(app, ["audit", "--json"], env=env)
    assert result.exit_code == 0, result.output
    events = [json.loads(line) for line in result.output.splitlines()]
    assert [e["resource"].split()[0] for e in events] == ["user.create", "user.create"]
    assert all(e["outcome"] == "allowed" for e in events)
    fhir = runner.invoke(app, ["audit", "--fhir"], env=env)
    assert {json.loads(line)["resourceType"] for line in fhir.output.splitlines()} == {"AuditEvent"}


def test_audit_filters_by_patient(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session:
            from datetime import UTC, datetime

            for pid in ("pt-1", "pt-2"):
                session.add(
                    AuditEvent(
                        at=datetime.now(UTC),
                        action="read",
                        outcome="allowed",
                        resource="patient.read",
                        patient_id=pid,
                    )
                )
            session.commit()
    finally:
        engine.dispose()
    result = runner.invoke(
        app, ["audit", "--patient", "pt-2"], env={"PAINPATH_DATABASE_URL": db_url}
    )
    assert result.exit_code == 0
    assert "patient=pt-2" in result.output and "pt-1" not in result.output
