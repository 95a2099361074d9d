"""`painpath users add`, `painpath audit` and `painpath serve`: running the clinic service.

The database is `PAINPATH_DATABASE_URL`, else `$PAINPATH_HOME/painpath.db` (SQLite); each
command migrates it first. Passwords are read from `PAINPATH_PASSWORD` or standard input,
never from the command line (where other users of the machine could see them).
Exit codes: 0 success; 2 bad input; 1 anything else (one line on stderr).
"""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from painpath.errors import InputError, PainpathError, StoreError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = ["register_service_commands", "users_app"]

users_app = typer.Typer(no_args_is_help=True, help="Accounts: add staff and patient logins.")

PASSWORD_ENV = "PAINPATH_PASSWORD"


def _fail(exc: PainpathError) -> NoReturn:
    from painpath.cli import _fail as fail

    fail(exc)


@contextmanager
def _session() -> Iterator[Session]:
    """A session on the configured, migrated database; database failures are one line."""
    from sqlalchemy.exc import SQLAlchemyError

    from painpath.store import make_engine, session_factory, upgrade

    engine = make_engine()
    try:
        upgrade(engine)
        with session_factory(engine)() as session:
            yield session
    except SQLAlchemyError as exc:
        where = engine.url.render_as_string(hide_password=True)
        _fail(StoreError(f"database error ({type(exc).__name__})", where))
    finally:
        engine.dispose()


def _password() -> str:
    """The new password: `PAINPATH_PASSWORD`, else a prompt on a terminal, else stdin's line."""
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    if sys.stdin.isatty():
        return getpass.getpass("Password: ")
    line = sys.stdin.readline()
    if not line:
        raise InputError("no password given", PASSWORD_ENV, "the password in it, or on stdin")
    return line.rstrip("\r\n")


@users_app.command("add")
def users_add(
    email: Annotated[str, typer.Argument(help="The login email.")],
    role: Annotated[str, typer.Option(help="patient, clinician, coordinator or admin.")],
    patient: Annotated[
        str | None, typer.Option("--patient", help="For a patient login: their Patient id.")
    ] = None,
    clinic: Annotated[
        str | None, typer.Option(help="The clinic's name (default: the only clinic, or 'main').")
    ] = None,
) -> None:
    """Add a login. The password comes from PAINPATH_PASSWORD or stdin (12+ characters).

    Example: PAINPATH_PASSWORD=... painpath users add dr.lee@clinic.org --role clinician
    """
    from sqlalchemy import select

    from painpath.clinic import audit_event, clinic_named, new_user
    from painpath.store import Clinic

    try:
        password = _password()
        with _session() as session:
            if clinic is None:
                names = session.scalars(select(Clinic.name).limit(2)).all()
                if len(names) > 1:
                    raise InputError("several clinics exist", "--clinic", "the clinic's name")
                clinic = names[0] if names else "main"
            place = clinic_named(session, clinic, create=True)
            user = new_user(
                session,
                email=email,
                password=password,
                role=role,
                clinic_id=place.id,
                patient_id=patient,
            )
            session.add(
                audit_event(
                    None,
                    "create",
                    f"user.create User/{user.id}",
                    "allowed",
                    patient_id=patient,
                    detail="painpath users add",
                )
            )
            session.commit()
            typer.echo(f"user {user.id} {user.email} role={user.role} clinic={place.name!r}")
    except PainpathError as exc:
        _fail(exc)


def audit(
    patient: Annotated[str | None, typer.Option("--patient", help="One patient's events.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
    fhir: Annotated[bool, typer.Option("--fhir", help="One FHIR AuditEvent per line.")] = False,
) -> None:
    """Print the audit log, oldest first: every read and write of patient data.

    Example: painpath audit --patient pt-123 --json
    """
    import orjson

    from painpath.clinic import audit_json, audit_rows, fhir_audit_event

    try:
        with _session() as session:
            for row in audit_rows(session, patient_id=patient):
                if fhir or as_json:
                    doc = fhir_audit_event(row) if fhir else audit_json(row)
                    sys.stdout.write(orjson.dumps(doc).decode() + "\n")
                else:
                    who = f"{row.role or '-'}:{row.user_id or '-'}"
                    sys.stdout.write(
                        f"{row.at.isoformat()} {row.outcome:<7} {who:<16} {row.action:<6} "
                        f"{row.resource} patient={row.patient_id or '-'} "
                        f"ip={row.source_ip or '-'} {row.detail or ''}".rstrip()
                        + "\n"
                    )
    except PainpathError as exc:
        _fail(exc)


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
) -> None:
    """Migrate the database, then serve the web pages and the HTTP API (uvicorn), without demo data.

    Example: PAINPATH_DATABASE_URL=postgresql://... painpath serve --host 0.0.0.0 --workers 4
    """
    import copy

    import uvicorn
    from uvicorn.config import LOGGING_CONFIG

    from painpath.api import HTTP_PROTOCOL, body_limit
    from painpath.store import upgrade

    try:
        body_limit()  # a bad PAINPATH_MAX_BODY_BYTES: one line and exit 2, before serving
        upgrade()
    except PainpathError as exc:
        _fail(exc)
    typer.echo(f"painpath: serving on http://{host}:{port} (OpenAPI at /openapi.json)", err=True)
    log_config = copy.deepcopy(LOGGING_CONFIG)  # painpath's own lines (ids only) go out too
    log_config["loggers"]["painpath"] = {"handlers": ["default"], "level": "INFO"}
    uvicorn.run(
        "painpath.web:create_app",  # the API and the web pages
        factory=True,
        host=host,
        port=port,
        workers=workers,
        http=HTTP_PROTOCOL,  # TCP_NODELAY on every connection (uvicorn issue #3149)
        access_log=False,  # uvicorn's would log query strings; painpath.access logs routes
        log_config=log_config,
        log_level="info",
    )


def register_service_commands(app: typer.Typer) -> None:
    """Add `users`, `audit`, `serve` and `demo` to the `painpath` command."""
    from painpath.cli_demo import demo

    app.add_typer(users_app, name="users")
    app.command("audit")(audit)
    app.command("serve")(serve)
    app.command("demo")(demo)
