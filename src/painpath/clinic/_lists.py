"""Lists in pages: limit/offset, a whitelisted sort, and the total before paging.

`sort` is a field name, `-field` for descending; only the fields a list declares are
accepted (anything else is InputError naming `sort`). The row id always breaks ties, so
pages never overlap or skip rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql.elements import ColumnElement

from painpath.errors import InputError

__all__ = ["MAX_LIMIT", "Page", "paginate"]

T = TypeVar("T")

MAX_LIMIT = 200
"""The largest page a list returns."""


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list: its items, the total number of matches, and where it started."""

    items: Sequence[T]
    total: int
    limit: int
    offset: int

    @property
    def next_offset(self) -> int | None:
        """The offset of the next page, or None on the last page."""
        following = self.offset + len(self.items)
        return following if following < self.total and self.items else None


def _order(
    sort: str, sortable: Mapping[str, ColumnElement[Any] | InstrumentedAttribute[Any]]
) -> ColumnElement[Any]:
    name = sort.removeprefix("-")
    column = sortable.get(name)
    if column is None:
        expected = ", ".join(sorted(sortable)) + " (prefix - for descending)"
        raise InputError(f"cannot sort by {name!r}", "sort", expected)
    return column.desc() if sort.startswith("-") else column.asc()


def paginate(
    session: Session,
    stmt: Select[Any],
    *,
    sort: str,
    sortable: Mapping[str, ColumnElement[Any] | InstrumentedAttribute[Any]],
    tiebreak: InstrumentedAttribute[Any],
    limit: int,
    offset: int,
) -> Page[Any]:
    """Run `stmt` (selecting one entity) for one page; validates limit, offset and sort."""
    if not 1 <= limit <= MAX_LIMIT:
        raise InputError(f"limit {limit} is out of range", "limit", f"1 to {MAX_LIMIT}")
    if offset < 0:
        raise InputError(f"offset {offset} is negative", "offset", "0 or more")
    order = _order(sort, sortable)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    tie = tiebreak.desc() if sort.startswith("-") else tiebreak.asc()
    rows = session.scalars(stmt.order_by(order, tie).limit(limit).offset(offset)).all()
    return Page(items=list(rows), total=int(total or 0), limit=limit, offset=offset)
