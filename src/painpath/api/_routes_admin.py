"""Administration: accounts of the admin's clinic, and the audit log."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from painpath.api._deps import CallerDep, NowDep, SessionDep
from painpath.api._models import AuditOut, PageOut, UserIn, UserOut, UserUpdate
from painpath.api._pages import MAX_ROW_ID, Limit, Offset, RowId, Sort, errors, page_out
from painpath.clinic import create_user, list_audit, list_users, update_user

__all__ = ["router"]

router = APIRouter(tags=["admin"])

_READ = errors(401, 403)
_WRITE = errors(400, 401, 403, 404, 409)


@router.post(
    "/users", name="user.create", status_code=201, response_model=UserOut, responses=_WRITE
)
def user_create(
    body: UserIn, caller: CallerDep, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    """Add an account to the admin's clinic."""
    return create_user(
        session,
        caller.principal,
        email=body.email,
        password=body.password,
        role=body.role,
        patient_id=body.patient_id,
        now=now,
    )


@router.get("/users", name="user.list", response_model=PageOut[UserOut], responses=_READ)
def users(
    caller: CallerDep,
    session: SessionDep,
    role: Annotated[Literal["patient", "clinician", "coordinator", "admin"] | None, Query()] = None,
    sort: Sort = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """The clinic's accounts; sort by email, role, created_at or id."""
    page = list_users(
        session, caller.principal, role=role, sort=sort or "email", limit=limit, offset=offset
    )
    return page_out(page)


@router.patch("/users/{user_id}", name="user.update", response_model=UserOut, responses=_WRITE)
def user_update(
    user_id: RowId, body: UserUpdate, caller: CallerDep, session: SessionDep
) -> dict[str, Any]:
    """Activate or deactivate an account."""
    return update_user(session, caller.principal, user_id, active=body.active)


@router.get("/audit", name="audit.list", response_model=PageOut[AuditOut], responses=_READ)
def audit(
    caller: CallerDep,
    session: SessionDep,
    patient_id: Annotated[str | None, Query(max_length=64)] = None,
    user_id: Annotated[int | None, Query(ge=1, le=MAX_ROW_ID)] = None,
    outcome: Annotated[Literal["allowed", "denied", "error"] | None, Query()] = None,
    sort: Sort = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    """The audit log, newest first; filter by patient, user and outcome."""
    page = list_audit(
        session,
        caller.principal,
        patient_id=patient_id,
        user_id=user_id,
        outcome=outcome,
        sort=sort or "-id",
        limit=limit,
        offset=offset,
    )
    return page_out(page)
