"""Episodes of care: open, move along the pathway, read, list, history."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from painpath.api._deps import CallerDep, NowDep, SessionDep
from painpath.api._models import (
    EpisodeEventOut,
    EpisodeOpen,
    EpisodeOut,
    ErrorBody,
    PageOut,
    TransitionIn,
)
from painpath.api._pages import MAX_ROW_ID, Limit, Offset, Sort, errors, page_out
from painpath.api._routes_patients import PatientPath
from painpath.clinic import (
    episode_events,
    get_episode,
    list_episodes,
    open_episode,
    transition_episode,
)

__all__ = ["router"]

router = APIRouter(tags=["episodes"])

EpisodeId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="Episode id")]
_READ = errors(401, 403, 404)
_WRITE = errors(400, 401, 403, 404, 422)


@router.post(
    "/patients/{patient_id}/episodes",
    name="episode.open",
    status_code=201,
    response_model=EpisodeOut,
    responses=_WRITE,
)
def open_(
    patient_id: PatientPath,
    body: EpisodeOpen,
    caller: CallerDep,
    session: SessionDep,
    now: NowDep,
) -> dict[str, Any]:
    """Open an episode with its referral (`payload`: source, reason, referrer, referred_on)."""
    return open_episode(session, caller.principal, patient_id, body.payload, now=now)


@router.get(
    "/patients/{patient_id}/episodes",
    name="episode.list",
    response_model=PageOut[EpisodeOut],
    responses=_READ,
)
def episodes(
    patient_id: PatientPath,
    caller: CallerDep,
    session: SessionDep,
    state: Annotated[str | None, Query(max_length=40)] = None,
    sort: Sort = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """The patient's episodes; filter by state; sort by opened_at, updated_at, state or id."""
    page = list_episodes(
        session,
        caller.principal,
        patient_id,
        state=state,
        sort=sort or "-opened_at",
        limit=limit,
        offset=offset,
    )
    return page_out(page)


@router.get(
    "/episodes/{episode_id}", name="episode.read", response_model=EpisodeOut, responses=_READ
)
def episode(episode_id: EpisodeId, caller: CallerDep, session: SessionDep) -> dict[str, Any]:
    """One episode, with the events that may follow and their fields."""
    return get_episode(session, caller.principal, episode_id)


@router.post(
    "/episodes/{episode_id}/transitions",
    name="episode.transition",
    response_model=EpisodeOut,
    responses={**_WRITE, 409: {"model": ErrorBody, "description": "Stale version."}},
)
def transition(
    episode_id: EpisodeId,
    body: TransitionIn,
    caller: CallerDep,
    session: SessionDep,
    now: NowDep,
) -> dict[str, Any]:
    """Move the episode by one event; 409 when `version` is not the current one."""
    return transition_episode(
        session, caller.principal, episode_id, body.event, body.payload, body.version, now=now
    )


@router.get(
    "/episodes/{episode_id}/events",
    name="episode.events",
    response_model=PageOut[EpisodeEventOut],
    responses=_READ,
)
def events(
    episode_id: EpisodeId,
    caller: CallerDep,
    session: SessionDep,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    """The episode's history, oldest first."""
    return page_out(
        episode_events(session, caller.principal, episode_id, limit=limit, offset=offset)
    )
