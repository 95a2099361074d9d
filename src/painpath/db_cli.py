"""`painpath db ...`: migrate, inspect, back up and restore the clinic database.

The database is `PAINPATH_DATABASE_URL`, else `$PAINPATH_HOME/painpath.db` (SQLite).
Exit codes: 0 success; 2 bad input (no such file, not a backup, a non-empty or unmigrated
target); 1 the database failed. Messages go to stderr; `db current` prints to stdout.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from painpath.errors import InputError, PainpathError, StoreError

if TYPE_CHECKING:
    from sqlalchemy import Engine

__all__ = ["app"]

app = typer.Typer(
    no_args_is_help=True,
    help="The clinic database: migrate, back up, restore (PAINPATH_DATABASE_URL or SQLite).",
)


def _fail(exc: PainpathError) -> NoReturn:
    from painpath.cli import _fail as fail

    fail(exc)


@contextmanager
def _engine() -> Iterator[Engine]:
    """The configured database; connection failures become a one-line `StoreError`."""
    from sqlalchemy.exc import SQLAlchemyError

    from painpath.store import make_engine

    try:
        engine = make_engine()
    except PainpathError as exc:
        _fail(exc)
    try:
        yield engine
    except SQLAlchemyError as exc:
        where = engine.url.render_as_string(hide_password=True)
        _fail(StoreError(f"database error ({type(exc).__name__})", where))
    except PainpathError as exc:
        _fail(exc)
    finally:
        engine.dispose()


def _where(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def _counts(counts: dict[str, int]) -> str:
    total = sum(counts.values())
    tables = sum(1 for n in counts.values() if n)
    return f"{total} rows in {tables} tables"


@app.command()
def upgrade() -> None:
    """Migrate the database to this painpath's newest schema (safe to repeat)."""
    from painpath.store import current_revision
    from painpath.store import upgrade as run

    with _engine() as engine:
        run(engine)
        typer.echo(f"{_where(engine)}: at revision {current_revision(engine)}", err=True)


@app.command()
def current() -> None:
    """Print the database's migration revision (`none` if never migrated) and the head."""
    from painpath.store import current_revision, head_revision

    with _engine() as engine:
        revision = current_revision(engine)
    head = head_revision()
    state = "head" if revision == head else f"head is {head}"
    sys.stdout.write(f"{revision or 'none'} ({state})\n")


def _existing(path: Path) -> Path:
    if not path.is_file():
        _fail(InputError("no such file", str(path), "a backup written by `painpath db backup`"))
    return path


@app.command()
def backup(
    file: Annotated[Path, typer.Argument(help="Where to write (JSON lines; gzip if *.gz).")],
) -> None:
    """Write every row of every table to FILE (replaced atomically if it exists)."""
    from painpath.store import backup as run

    if file.is_dir() or not file.parent.is_dir():
        _fail(InputError("not a writable file path", str(file), "a file in an existing folder"))
    _report(lambda engine: run(engine, file), f"backed up to {file}")


@app.command()
def restore(
    file: Annotated[Path, typer.Argument(help="A file written by `painpath db backup`.")],
) -> None:
    """Load FILE into an empty database (a brand-new one is migrated first); all or nothing."""
    from sqlalchemy import inspect

    from painpath.store import backup_header
    from painpath.store import restore as run
    from painpath.store import upgrade as migrate

    _existing(file)

    def action(engine: Engine) -> dict[str, int]:
        backup_header(file)  # a file that is no backup leaves a brand-new database untouched
        if not inspect(engine).get_table_names():
            migrate(engine)
        return run(engine, file)

    _report(action, f"restored from {file}")


def _report(action: Callable[[Engine], dict[str, int]], done: str) -> None:
    with _engine() as engine:
        counts = action(engine)
        typer.echo(f"{_where(engine)}: {done}: {_counts(counts)}", err=True)
