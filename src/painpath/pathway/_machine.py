"""The transition function: one event applied to one episode, pure (no database, no clock).

The caller (the clinic service) loads the episode's `state` and `data`, calls `apply` with the
request's `now`, and stores `Transition.to_state`, `Transition.new_data` and one
`episode_event` row built from `Transition.event_record`, in one transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from painpath.errors import PathwayError
from painpath.pathway._context import GuardContext, ProcedureCatalog
from painpath.pathway._guards import GUARDS, NOTICES
from painpath.pathway._loader import load_pathway
from painpath.pathway._pathway import Pathway
from painpath.pathway._payload import describe_field, read_payload
from painpath.pathway._record import record
from painpath.pathway._schema import EventSpec, FieldSpec
from painpath.pathway._types import to_json

__all__ = [
    "EventInfo",
    "FieldInfo",
    "Transition",
    "allowed_events",
    "apply",
    "initial_state",
    "is_terminal",
    "open_episode",
    "opening_event",
]


@dataclass(frozen=True)
class FieldInfo:
    """One payload field of an event, as a form or an API client needs it."""

    name: str
    type: str
    required: bool
    label: str | None
    expected: str
    values: tuple[str, ...] | None = None


@dataclass(frozen=True)
class EventInfo:
    """An event that may happen next: its name, label, target state, fields and guards."""

    name: str
    label: str
    to_state: str
    fields: tuple[FieldInfo, ...]
    guards: tuple[str, ...]


@dataclass(frozen=True)
class Transition:
    """The outcome of one event: the episode's new state and data, and the event to store.

    `event_record` has the `episode_event` columns `event`, `from_state`, `to_state`, `data`
    (`{"payload", "warnings", "pathway_version"}`, JSON-safe) and `at` (the `now` given).
    `from_state` is None for the event that opens an episode.
    """

    event: str
    from_state: str | None
    to_state: str
    new_data: dict[str, Any]
    event_record: dict[str, Any]
    warnings: tuple[str, ...] = field(default=())


def _pathway(pathway: Pathway | None) -> Pathway:
    return pathway if pathway is not None else load_pathway()


def _known_state(state: str, pathway: Pathway) -> None:
    if not isinstance(state, str) or state not in pathway.states:
        raise PathwayError(
            f"unknown state {state!r}",
            "episode state",
            "one of: " + ", ".join(pathway.states),
            code="unknown-state",
        )


def initial_state(*, pathway: Pathway | None = None) -> str:
    """The state a new episode is in (once `open_episode` has recorded its referral)."""
    return _pathway(pathway).initial


def is_terminal(state: str, *, pathway: Pathway | None = None) -> bool:
    """True when nothing can follow `state`. Raises PathwayError for an unknown state."""
    pw = _pathway(pathway)
    _known_state(state, pw)
    return pw.states[state].terminal


def _choices(spec: FieldSpec, pathway: Pathway) -> tuple[str, ...] | None:
    """The values a field may take when it is a choice (an enum or a checklist step)."""
    if spec.values is not None:
        return tuple(spec.values)
    if spec.type == "checklist-step":
        return tuple(pathway.steps)
    return None


def _info(event: EventSpec, pathway: Pathway) -> EventInfo:
    fields = tuple(
        FieldInfo(
            name=name,
            type=spec.type,
            required=spec.required,
            label=spec.label,
            expected=describe_field(event, name, pathway),
            values=_choices(spec, pathway),
        )
        for name, spec in event.fields.items()
    )
    return EventInfo(event.name, event.label, event.to, fields, tuple(event.guards))


def allowed_events(state: str, *, pathway: Pathway | None = None) -> list[EventInfo]:
    """What may happen next from `state` (empty for a terminal state), in pathway order.

    Guards are listed, not run: an allowed event may still be refused by its guards.
    Raises PathwayError for an unknown state.
    """
    pw = _pathway(pathway)
    _known_state(state, pw)
    return [_info(event, pw) for event in pw.events_from(state)]


def opening_event(*, pathway: Pathway | None = None) -> EventInfo:
    """The event that opens an episode (the referral) and its fields."""
    pw = _pathway(pathway)
    return _info(pw.definition.opening, pw)


def _aware(now: datetime) -> None:
    if not isinstance(now, datetime) or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")


def _run(
    pw: Pathway,
    spec: EventSpec,
    state: str | None,
    data: Mapping[str, Any],
    payload: object,
    now: datetime,
    knowledge: ProcedureCatalog | None,
) -> Transition:
    """Read the payload, run the guards and notices, merge the records: one event's outcome."""
    where = f"state '{state}', event '{spec.name}'" if state else f"event '{spec.name}'"
    values = read_payload(spec, payload, pw, where=where)
    ctx = GuardContext(pw, state or "", spec, data, values, now, knowledge)
    for name in spec.guards:
        refusal = GUARDS[name](ctx)
        if refusal is not None:
            at = f"{where}, guard '{name}'" + (
                f", field '{refusal.field}'" if refusal.field else ""
            )
            raise PathwayError(
                refusal.what, at, refusal.expected, code="guard-failed", field=refusal.field
            )
    warnings = []
    for name in spec.notices:
        notice = NOTICES[name](ctx)
        if notice is not None:
            warnings.append(f"{name}: {notice.what} (expected {notice.expected})")
    stored = {name: to_json(value) for name, value in values.items()}
    return Transition(
        event=spec.name,
        from_state=state,
        to_state=spec.to,
        new_data=record(data, spec, values, now),
        event_record={
            "event": spec.name,
            "from_state": state,
            "to_state": spec.to,
            "data": {"payload": stored, "warnings": warnings, "pathway_version": pw.version},
            "at": now,
        },
        warnings=tuple(warnings),
    )


def open_episode(
    payload: Mapping[str, object],
    *,
    now: datetime,
    knowledge: ProcedureCatalog | None = None,
    pathway: Pathway | None = None,
) -> Transition:
    """Open an episode: record the referral (or self-referral); the episode is then in the
    initial state. Raises PathwayError naming the field when the payload is not acceptable."""
    _aware(now)
    pw = _pathway(pathway)
    return _run(pw, pw.definition.opening, None, {}, payload, now, knowledge)


def apply(
    state: str,
    data: Mapping[str, Any],
    event: str,
    payload: Mapping[str, object],
    *,
    now: datetime,
    knowledge: ProcedureCatalog | None = None,
    pathway: Pathway | None = None,
) -> Transition:
    """Apply `event` with `payload` to an episode in `state` with `data`, as of `now`.

    `knowledge` supplies the known procedure ids (default: the packaged knowledge base);
    `pathway` defaults to the packaged pathway. `data` is not changed.

    Raises PathwayError: `unknown-state`; `illegal-event` (a terminal state, an unknown event,
    or an event not allowed from `state`: the message lists the allowed ones);
    `invalid-payload` (the field is named); `guard-failed` (the guard and field are named).
    Raises ValueError when `now` is not timezone-aware (a programming error).
    """
    _aware(now)
    pw = _pathway(pathway)
    _known_state(state, pw)
    where = f"state '{state}', event '{event}'"
    if pw.states[state].terminal:
        raise PathwayError(
            f"the episode is {state}: nothing can follow",
            where,
            f"no event ({state} is a terminal state)",
        )
    spec = pw.event(state, event) if isinstance(event, str) else None
    if spec is None:
        allowed = [e.name for e in pw.events_from(state)]
        known = isinstance(event, str) and (
            event in pw.event_names or event == pw.definition.opening.name
        )
        what = f"cannot {event} from {state}" if known else f"unknown event {event!r}"
        raise PathwayError(what, where, "one of: " + ", ".join(allowed))
    if not isinstance(data, Mapping):
        raise PathwayError(
            "the episode's data is not an object",
            f"{where}, data",
            "an object",
            code="invalid-data",
        )
    return _run(pw, spec, state, data, payload, now, knowledge)
