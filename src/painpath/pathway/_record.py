"""Recorders: how an event's payload is merged into the episode's data, looked up in `RECORDERS`
by the `op` name pathway.yaml uses. History is kept: nothing recorded is ever dropped.

- `set` puts one entry at `key`; an earlier entry there moves to `data["history"][key]`
  (a repeat cycle's schedule, procedure day and follow-up, a changed plan).
- `append` adds one entry to the list at `key` (checklist steps, visits, decisions).

Every entry carries `recorded_at` (the `now` of the event); dates are ISO 8601 strings.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from painpath.errors import PathwayError
from painpath.pathway._schema import EventSpec, RecordOp
from painpath.pathway._types import to_json

__all__ = ["HISTORY", "RECORDED_AT", "RECORDERS", "record"]

HISTORY = "history"
RECORDED_AT = "recorded_at"

Recorder = Callable[[dict[str, Any], RecordOp, dict[str, Any]], None]


def _parent(data: dict[str, Any], key: str) -> tuple[dict[str, Any], str]:
    """The object holding the last part of a dotted `key`, created when absent."""
    *path, leaf = key.split(".")
    here = data
    for index, part in enumerate(path):
        child = here.setdefault(part, {})
        if not isinstance(child, dict):
            where = "data." + ".".join(path[: index + 1])
            raise PathwayError(
                "the episode's data is malformed", where, "an object", code="invalid-data"
            )
        here = child
    return here, leaf


def _set(data: dict[str, Any], op: RecordOp, entry: dict[str, Any]) -> None:
    """Replace `data[key]` with the entry, moving an earlier entry into the history."""
    parent, leaf = _parent(data, op.key)
    if leaf in parent:
        history = data.setdefault(HISTORY, {})
        if not isinstance(history, dict):
            raise PathwayError(
                "the episode's data is malformed", "data.history", "an object", code="invalid-data"
            )
        history.setdefault(op.key, []).append(parent[leaf])
    parent[leaf] = {**copy.deepcopy(op.init), **entry}


def _append(data: dict[str, Any], op: RecordOp, entry: dict[str, Any]) -> None:
    """Add the entry to the list at `key` (created when absent)."""
    parent, leaf = _parent(data, op.key)
    items = parent.setdefault(leaf, [])
    if not isinstance(items, list):
        raise PathwayError(
            "the episode's data is malformed", f"data.{op.key}", "a list", code="invalid-data"
        )
    items.append(entry)


RECORDERS: dict[str, Recorder] = {"append": _append, "set": _set}


def record(
    data: Mapping[str, Any], event: EventSpec, values: Mapping[str, Any], now: datetime
) -> dict[str, Any]:
    """The episode's data after `event`: a deep copy of `data` with the event's records merged.

    `data` itself is never changed.
    """
    new = copy.deepcopy(dict(data))
    for op in event.record:
        names = op.fields if op.fields is not None else list(event.fields)
        entry: dict[str, Any] = {}
        if op.event_as:
            entry[op.event_as] = event.name
        entry.update({name: to_json(values[name]) for name in names if name in values})
        entry[RECORDED_AT] = now.isoformat()
        RECORDERS[op.op](new, op, entry)
    return new
