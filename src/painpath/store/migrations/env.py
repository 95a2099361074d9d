"""Alembic environment: painpath's models are the target; the connection comes from code.

`painpath.store.upgrade()` passes its connection in `config.attributes["connection"]`.
Run without one (the `alembic` command with an ini naming this directory), it connects to
`painpath.store.database_url()`, or writes SQL for `sqlalchemy.url` in offline mode.
"""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from sqlalchemy import Connection

from painpath.store._db import database_url, make_engine
from painpath.store._models import Base
from painpath.store._types import UTCDateTime

config = context.config


def _render_item(kind: str, item: Any, _context: Any) -> str | Literal[False]:
    """Autogenerate writes plain SQLAlchemy types: migrations never import painpath code."""
    if kind == "type" and isinstance(item, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite needs batch ALTERs; PostgreSQL runs them as plain ALTERs
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def _main() -> None:
    if context.is_offline_mode():
        context.configure(
            url=config.get_main_option("sqlalchemy.url") or database_url(),
            target_metadata=Base.metadata,
            literal_binds=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine()
    try:
        with engine.begin() as own:
            _run(own)
    finally:
        engine.dispose()


_main()
