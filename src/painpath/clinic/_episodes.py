"""Episodes of care on the pathway: open, move by one event, read, list, history.

`painpath.pathway` decides what may happen; this module stores it. A move names the
version the client last saw: a different current version is ConflictError (HTTP 409), and
the episode's `version_id_col` refuses a concurrent commit the same way, so no update is
ever lost. The `assess` event runs the engine first and records the stored assessment.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from painpath import pathway
from painpath.clinic._access import event_roles
from painpath.clinic._assessments import run_assessment
from painpath.clinic._guard import Guard, guarded
from painpath.clinic._lists import Page, paginate
from painpath.clinic._principal import Principal, utcnow
from painpath.errors import AccessDenied, ConflictError, InputError, NotFound
from painpath.knowledge import load_knowledge
from painpath.store import Episode, EpisodeEvent

__all__ = [
    "EPISODE_SORTS",
    "episode_events",
    "episode_json",
    "get_episode",
    "list_episodes",
    "open_episode",
    "transition_episode",
]

EPISODE_SORTS = {
    "opened_at": Episode.opened_at,
    "updated_at": Episode.updated_at,
    "state": Episode.state,
    "id": Episode.id,
}
"""The fields `list_episodes` sorts by."""


def _event_json(info: pathway.EventInfo, role: str) -> dict[str, Any]:
    return {
        "name": info.name,
        "label": info.label,
        "to_state": info.to_state,
        "permitted": role in event_roles(info.name),
        "guards": list(info.guards),
        "fields": [
            {
                "name": f.name,
                "type": f.type,
                "required": f.required,
                "label": f.label,
                "expected": f.expected,
                "values": list(f.values) if f.values is not None else None,
            }
            for f in info.fields
        ],
    }


def episode_json(row: Episode, role: str) -> dict[str, Any]:
    """An episode with the events that may follow (and whether this role may fire each)."""
    return {
        "id": row.id,
        "patient_id": row.patient_id,
        "state": row.state,
        "terminal": pathway.is_terminal(row.state),
        "data": row.data,
        "opened_at": row.opened_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
        "version": row.version,
        "next_events": [_event_json(e, role) for e in pathway.allowed_events(row.state)],
    }


def _store_event(
    session: Session, episode_id: int, record: Mapping[str, Any], user_id: int | None
) -> None:
    session.add(
        EpisodeEvent(
            episode_id=episode_id,
            event=record["event"],
            from_state=record["from_state"] or "",
            to_state=record["to_state"],
            data=record["data"],
            user_id=user_id,
            at=record["at"],
        )
    )


def open_episode(
    session: Session,
    principal: Principal,
    patient_id: str,
    payload: Mapping[str, object],
    *,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Open an episode with its referral (`pathway.opening_event()` lists the fields)."""
    clock = now or utcnow()
    with guarded(session, principal, "episode.open", patient_id=patient_id, now=clock) as guard:
        guard.patient(patient_id)
        move = pathway.open_episode(payload, now=clock, knowledge=load_knowledge())
        row = Episode(
            patient_id=patient_id,
            state=move.to_state,
            data=move.new_data,
            opened_at=clock,
            updated_at=clock,
        )
        session.add(row)
        session.flush()
        guard.target = f"Episode/{row.id}"
        _store_event(session, row.id, move.event_record, principal.user_id)
        session.flush()
        result = episode_json(row, principal.role)
    return result


def _assess_payload(
    session: Session, row: Episode, payload: Mapping[str, object], now: datetime
) -> dict[str, object]:
    """Run and store the assessment for the `assess` event; its payload names the result."""
    unknown = sorted(set(payload) - {"as_of", "payer"})
    if unknown:
        raise InputError(
            f"unexpected field {unknown[0]!r}",
            f"payload.{unknown[0]}",
            "as_of (YYYY-MM-DD) and payer, both optional",
        )
    raw = payload.get("as_of")
    try:
        as_of = date.fromisoformat(raw) if isinstance(raw, str) else now.date()
    except ValueError:
        raise InputError("not a date", "payload.as_of", "YYYY-MM-DD") from None
    payer = payload.get("payer", "cms")
    stored = run_assessment(
        session, row.patient_id, as_of=as_of, payer=str(payer), now=now, episode_id=row.id
    )
    return {
        "assessment_id": str(stored.id),
        "knowledge_version": stored.knowledge_version,
        "as_of": stored.as_of.isoformat(),
        "status": stored.status,
    }


def transition_episode(
    session: Session,
    principal: Principal,
    episode_id: int,
    event: str,
    payload: Mapping[str, object],
    expected_version: int,
    *,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Move an episode by one event, as one transaction; returns the episode as it is now.

    Raises ConflictError when `expected_version` is not the current version (or another
    writer commits first), PathwayError when the pathway refuses the move, AccessDenied when
    the role may not fire this event.
    """
    clock = now or utcnow()
    with guarded(
        session, principal, "episode.transition", target=f"Episode/{episode_id}", now=clock
    ) as guard:
        row = session.get(Episode, episode_id, populate_existing=True)
        if row is None:
            raise NotFound("no such episode", f"Episode/{episode_id}")
        guard.patient(row.patient_id)
        if principal.role not in event_roles(event):
            raise AccessDenied(f"the {principal.role} role may not {event}", f"event {event}")
        if row.version != expected_version:
            raise ConflictError(
                f"version {expected_version} is stale: the episode is at version {row.version}",
                "version",
                "the current version; reload the episode and retry",
            )
        if event == "assess" and any(e.name == event for e in pathway.allowed_events(row.state)):
            payload = _assess_payload(session, row, payload, clock)
        move = pathway.apply(
            row.state, row.data, event, payload, now=clock, knowledge=load_knowledge()
        )
        row.state, row.data, row.updated_at = move.to_state, move.new_data, clock
        _store_event(session, row.id, move.event_record, principal.user_id)
        session.flush()
        guard.detail = f"{move.from_state} -> {move.to_state}"
        result = episode_json(row, principal.role)
    return result


_EPISODE = select(Episode).where(Episode.id == bindparam("episode_id"))  # built once


def _episode_for(session: Session, guard: Guard, episode_id: int) -> Episode:
    row = session.execute(_EPISODE, {"episode_id": episode_id}).scalar_one_or_none()
    if row is None:
        raise NotFound("no such episode", f"Episode/{episode_id}")
    guard.patient(row.patient_id)
    return row


def get_episode(session: Session, principal: Principal, episode_id: int) -> dict[str, Any]:
    """One episode with its allowed next events."""
    with guarded(session, principal, "episode.read", target=f"Episode/{episode_id}") as guard:
        result = episode_json(_episode_for(session, guard, episode_id), principal.role)
    return result


def list_episodes(
    session: Session,
    principal: Principal,
    patient_id: str,
    *,
    state: str | None = None,
    sort: str = "-opened_at",
    limit: int = 50,
    offset: int = 0,
) -> Page[dict[str, Any]]:
    """The patient's episodes, optionally in one state."""
    with guarded(session, principal, "episode.list", patient_id=patient_id) as guard:
        guard.patient(patient_id)
        stmt = select(Episode).where(Episode.patient_id == patient_id)
        if state is not None:
            stmt = stmt.where(Episode.state == state)
        page = paginate(
            session,
            stmt,
            sort=sort,
            sortable=EPISODE_SORTS,
            tiebreak=Episode.id,
            limit=limit,
            offset=offset,
        )
        items = [episode_json(e, principal.role) for e in page.items]
    return Page(items=items, total=page.total, limit=page.limit, offset=page.offset)


def _event_row_json(row: EpisodeEvent) -> dict[str, Any]:
    return {
        "id": row.id,
        "event": row.event,
        "from_state": row.from_state or None,
        "to_state": row.to_state,
        "data": row.data,
        "user_id": row.user_id,
        "at": row.at.isoformat(),
    }


def episode_events(
    session: Session, principal: Principal, episode_id: int, *, limit: int = 100, offset: int = 0
) -> Page[dict[str, Any]]:
    """An episode's history, oldest first."""
    with guarded(session, principal, "episode.events", target=f"Episode/{episode_id}") as guard:
        _episode_for(session, guard, episode_id)
        stmt = select(EpisodeEvent).where(EpisodeEvent.episode_id == episode_id)
        page = paginate(
            session,
            stmt,
            sort="id",
            sortable={"id": EpisodeEvent.id},
            tiebreak=EpisodeEvent.id,
            limit=limit,
            offset=offset,
        )
        items = [_event_row_json(e) for e in page.items]
    return Page(items=items, total=page.total, limit=page.limit, offset=page.offset)
