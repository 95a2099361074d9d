"""What a guard sees and returns, and safe readers of an episode's stored data.

A guard reads the episode's data before the event, the event's typed payload and `now`, and
returns None when the event may happen or a `Refusal` saying what is wrong, what was expected
and which field it concerns. Data read back from storage is trusted no further than its
shape: a malformed part reads as absent, so a guard refuses rather than crashes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from painpath.pathway._pathway import Pathway
from painpath.pathway._schema import EventSpec

__all__ = ["Guard", "GuardContext", "ProcedureCatalog", "Refusal", "parse_time", "section"]


class ProcedureCatalog(Protocol):
    """What the guards need of the knowledge base: its procedures by id."""

    @property
    def procedures(self) -> Mapping[str, object]: ...


@dataclass(frozen=True)
class Refusal:
    """Why a guard refused an event: what is wrong, what was expected, which field."""

    what: str
    expected: str
    field: str | None = None


@dataclass(frozen=True)
class GuardContext:
    """Everything a guard may read; `data` is the episode's data before the event."""

    pathway: Pathway
    state: str
    event: EventSpec
    data: Mapping[str, Any]
    values: Mapping[str, Any]
    now: datetime
    catalog: ProcedureCatalog | None = None

    def procedures(self) -> Mapping[str, object]:
        """The known procedures (the packaged knowledge base unless a catalog was given)."""
        if self.catalog is not None:
            return self.catalog.procedures
        from painpath.knowledge import load_knowledge

        return load_knowledge().procedures


Guard = Callable[[GuardContext], Refusal | None]


def section(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """`data[key]` when it is an object, else an empty one."""
    value = data.get(key)
    return value if isinstance(value, Mapping) else {}


def parse_time(value: object) -> datetime | None:
    """An ISO 8601 date-time with a UTC offset as stored in the data, or None."""
    if isinstance(value, datetime):
        parsed: datetime | None = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
    else:
        return None
    return parsed if parsed is not None and parsed.utcoffset() is not None else None
