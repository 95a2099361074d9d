"""Column values to and from JSON, the same whatever the backend (for backups).

bytes -> base64 text; date -> "YYYY-MM-DD"; datetime -> ISO 8601 with its UTC offset;
JSON columns as they are; integers, booleans, text and null unchanged. Decoding checks the
kind of every value, so a damaged backup is refused instead of stored.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Column, Date, DateTime, Integer, LargeBinary, String, Table

from painpath.store._types import UTCDateTime

__all__ = ["decoder", "encoder"]

Codec = Callable[[Any], Any]


def _same(value: Any) -> Any:
    return value


def _bytes_out(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


def _isoformat(value: date) -> str:
    return value.isoformat()


def _bytes_in(value: Any) -> bytes:
    if not isinstance(value, str):
        raise ValueError("expected base64 text")
    try:
        return base64.b64decode(value, validate=True)
    except binascii.Error:
        raise ValueError("expected base64 text") from None


def _datetime_in(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ValueError("expected an ISO 8601 date-time")
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError("expected a date-time with a UTC offset")
    return parsed


def _date_in(value: Any) -> date:
    if not isinstance(value, str) or len(value) != 10:
        raise ValueError("expected a YYYY-MM-DD date")
    return date.fromisoformat(value)


def _kind(*kinds: type) -> Codec:
    def check(value: Any) -> Any:
        if isinstance(value, bool) and bool not in kinds:
            raise ValueError(f"expected {kinds[0].__name__}, got a boolean")
        if not isinstance(value, kinds):
            raise ValueError(f"expected {kinds[0].__name__}, got {type(value).__name__}")
        return value

    return check


def _kind_of(column: Column[Any]) -> str:
    kind = column.type
    if isinstance(kind, UTCDateTime | DateTime):
        return "datetime"
    for name, base in (
        ("bytes", LargeBinary),
        ("date", Date),
        ("json", JSON),
        ("bool", Boolean),
        ("int", Integer),
        ("str", String),
    ):
        if isinstance(kind, base):
            return name
    raise TypeError(f"{column.table.name}.{column.name}: no backup codec for {kind!r}")


_OUT: dict[str, Codec] = {
    "bytes": _bytes_out,
    "date": _isoformat,
    "datetime": _isoformat,
    "json": _same,
    "bool": _same,
    "int": _same,
    "str": _same,
}
_IN: dict[str, Codec] = {
    "bytes": _bytes_in,
    "date": _date_in,
    "datetime": _datetime_in,
    "json": _same,
    "bool": _kind(bool),
    "int": _kind(int),
    "str": _kind(str),
}


def encoder(table: Table) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A function turning one row of `table` (column name -> value) into JSON values."""
    codecs = [(str(c.name), _OUT[_kind_of(c)]) for c in table.columns]

    def encode(row: dict[str, Any]) -> dict[str, Any]:
        return {name: None if row[name] is None else out(row[name]) for name, out in codecs}

    return encode


def decoder(table: Table) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """The inverse of `encoder`; raises ValueError naming the column on a bad value."""
    # A JSON column may hold JSON null even when NOT NULL (SQLAlchemy stores None as 'null').
    codecs = {
        c.name: (_IN[_kind_of(c)], c.nullable or _kind_of(c) == "json") for c in table.columns
    }

    def decode(row: dict[str, Any]) -> dict[str, Any]:
        if set(row) != set(codecs):
            missing = ", ".join(sorted(set(codecs) - set(row))) or "none"
            unknown = ", ".join(sorted(set(row) - set(codecs))) or "none"
            raise ValueError(f"columns differ (missing: {missing}; unknown: {unknown})")
        out: dict[str, Any] = {}
        for name, (into, nullable) in codecs.items():
            value = row[name]
            if value is None and not nullable:
                raise ValueError(f"{name}: null in a NOT NULL column")
            try:
                out[name] = None if value is None else into(value)
            except ValueError as exc:
                raise ValueError(f"{name}: {exc}") from None
        return out

    return decode
