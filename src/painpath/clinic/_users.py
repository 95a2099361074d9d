"""Account administration (admins, within their own clinic) and the signed-in account."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from painpath.clinic._accounts import new_user, revoke_user_tokens, user_json
from painpath.clinic._guard import guarded
from painpath.clinic._lists import Page, paginate
from painpath.clinic._principal import ROLES, Principal, utcnow
from painpath.errors import InputError, NotFound
from painpath.store import User

__all__ = ["USER_SORTS", "create_user", "list_users", "me", "update_user"]

USER_SORTS = {"email": User.email, "role": User.role, "created_at": User.created_at, "id": User.id}
"""The fields `list_users` sorts by."""


def create_user(
    session: Session,
    principal: Principal,
    *,
    email: str,
    password: str,
    role: str,
    patient_id: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Add an account to the admin's clinic (audited); see `new_user` for what is refused."""
    with guarded(session, principal, "user.create", now=now) as guard:
        user = new_user(
            session,
            email=email,
            password=password,
            role=role,
            clinic_id=principal.clinic_id,
            patient_id=patient_id,
            now=now or utcnow(),
        )
        guard.target, guard.patient_id = f"User/{user.id}", patient_id
        result = user_json(user)
    return result


def list_users(
    session: Session,
    principal: Principal,
    *,
    role: str | None = None,
    sort: str = "email",
    limit: int = 50,
    offset: int = 0,
) -> Page[dict[str, Any]]:
    """The accounts of the admin's clinic, optionally of one role."""
    with guarded(session, principal, "user.list") as guard:
        stmt = select(User).where(User.clinic_id == principal.clinic_id)
        if role is not None:
            if role not in ROLES:
                raise InputError(f"unknown role {role!r}", "role", " | ".join(ROLES))
            stmt = stmt.where(User.role == role)
        page = paginate(
            session,
            stmt,
            sort=sort,
            sortable=USER_SORTS,
            tiebreak=User.id,
            limit=limit,
            offset=offset,
        )
        items = [user_json(u) for u in page.items]
        guard.detail = f"{len(items)} of {page.total}"
    return Page(items=items, total=page.total, limit=page.limit, offset=page.offset)


def update_user(
    session: Session, principal: Principal, user_id: int, *, active: bool
) -> dict[str, Any]:
    """Activate or deactivate an account of the admin's clinic; deactivating revokes its tokens.

    An admin cannot deactivate their own account (a clinic must keep one admin signed in).
    """
    with guarded(session, principal, "user.update", target=f"User/{user_id}"):
        user = session.get(User, user_id)
        if user is None or user.clinic_id != principal.clinic_id:
            raise NotFound("no such user in this clinic", f"User/{user_id}")
        if user.id == principal.user_id and not active:
            raise InputError("cannot deactivate your own account", "active", "another admin")
        user.active = active
        if not active:
            revoke_user_tokens(session, user.id)
        result = user_json(user)
    return result


def me(session: Session, principal: Principal) -> dict[str, Any]:
    """The signed-in account (audited like every read)."""
    with guarded(session, principal, "account.me", target=f"User/{principal.user_id}"):
        user = session.get(User, principal.user_id)
        if user is None:
            raise NotFound("no such user", f"User/{principal.user_id}")
        result = user_json(user)
    return result
