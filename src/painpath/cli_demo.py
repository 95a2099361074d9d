"""`painpath demo`: load the demo clinic into the configured database and print its logins.

The database is `PAINPATH_DATABASE_URL`, else `$PAINPATH_HOME/painpath.db` (SQLite); it is
migrated first. The shared data comes from `--shared`, `PAINPATH_SHARED` or `../shared`.
Exit codes: 0 loaded (or already there); 2 the shared data is missing; 1 anything else.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from painpath.errors import PainpathError, StoreError

if TYPE_CHECKING:
    from painpath.demo import DemoResult

__all__ = ["demo", "format_logins"]

WARNING = (
    "WARNING: the demo accounts share a published password. Use this database for a demo\n"
    "only, never for real patients. `painpath serve` never creates these accounts."
)


def format_logins(result: DemoResult) -> str:
    """The demo logins as an aligned block of text (one account per line)."""
    password = result.logins[0].password if result.logins else ""
    lines = [f"Demo logins (password for every account: {password}):"]
    width = max((len(login.email) for login in result.logins), default=0)
    for login in result.logins:
        whose = f"  patient {login.patient_id}" if login.patient_id else ""
        lines.append(f"  {login.role:<12} {login.email:<{width}}{whose}".rstrip())
    return "\n".join(lines)


def _states(result: DemoResult) -> str:
    from painpath.pathway import load_pathway

    order = list(load_pathway().definition.states)
    ranked = sorted(result.states.items(), key=lambda kv: order.index(kv[0]))
    return ", ".join(f"{state} {count}" for state, count in ranked)


def demo(
    shared: Annotated[
        Path | None,
        typer.Option(help="The shared data folder (default: PAINPATH_SHARED, or ../shared)."),
    ] = None,
) -> None:
    """Load the demo clinic (staff, 13 patients, an episode at every pathway stage, outcome
    reports of the followed-up episodes); idempotent.

    Example: PAINPATH_HOME=./var painpath demo && painpath serve
    """
    from sqlalchemy.exc import SQLAlchemyError

    from painpath.cli import _fail
    from painpath.demo import load_demo
    from painpath.store import make_engine, upgrade

    started = time.perf_counter()
    try:
        engine = make_engine()
        try:
            upgrade(engine)
            result = load_demo(engine, shared=shared)
        except SQLAlchemyError as exc:
            where = engine.url.render_as_string(hide_password=True)
            raise StoreError(f"database error ({type(exc).__name__})", where) from None
        finally:
            engine.dispose()
    except PainpathError as exc:
        _fail(exc)
    if result.loaded:
        seconds = time.perf_counter() - started
        typer.echo(
            f"painpath demo: loaded the demo clinic in {seconds:.1f} s: {result.patients}"
            f" patients; episodes by stage: {_states(result)}."
        )
    else:
        typer.echo("painpath demo: the demo clinic is already loaded; nothing changed.")
    typer.echo(format_logins(result))
    typer.echo(WARNING, err=True)
