"""Signing in and out, with failed logins rate-limited in the database (not in memory).

Failures are counted per account (the SHA-256 of the email, so no address is stored in
clear) and per source address over a sliding window: `EMAIL_LIMIT` failures for one email
or `IP_LIMIT` from one address within `WINDOW` refuse further attempts with RateLimited
(HTTP 429, Retry-After) until the oldest counted failure leaves the window. A success
clears the account's failures. Every attempt is audited (action `login`).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from painpath.clinic._accounts import HASHER, check_password, user_json
from painpath.clinic._audit import audit_event, record_alone
from painpath.clinic._principal import Principal, utcnow
from painpath.clinic._tokens import TokenRef, issue_token, revoke
from painpath.errors import AuthError, RateLimited
from painpath.store import AuthToken, LoginAttempt, User

__all__ = ["EMAIL_LIMIT", "IP_LIMIT", "WINDOW", "LoginResult", "login", "logout"]

EMAIL_LIMIT = 5
IP_LIMIT = 20
WINDOW = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class LoginResult:
    """A successful sign-in: the secret to hand out (token or cookie) and who it is."""

    secret: str
    csrf_token: str | None
    expires_at: datetime
    principal: Principal
    user: dict[str, Any]


def _keys(email: str, source_ip: str | None) -> list[tuple[str, int]]:
    account = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    keys = [(f"email:{account}", EMAIL_LIMIT)]
    if source_ip:
        keys.append((f"ip:{source_ip[:300]}", IP_LIMIT))
    return keys


def _retry_after(session: Session, key: str, limit: int, now: datetime) -> int | None:
    """Seconds until `key` is under its limit again, or None when it is under it now."""
    recent = session.scalars(
        select(LoginAttempt.at)
        .where(LoginAttempt.key == key, LoginAttempt.at > now - WINDOW)
        .order_by(LoginAttempt.at.desc())
        .limit(limit)
    ).all()
    if len(recent) < limit:
        return None
    return max(1, math.ceil((recent[-1] + WINDOW - now).total_seconds()))


def _refuse(session: Session, source_ip: str | None, detail: str, now: datetime) -> None:
    event = audit_event(
        None, "login", "auth.login", "denied", detail=detail, source_ip=source_ip, now=now
    )
    record_alone(session, event)


def login(
    session: Session,
    email: str,
    password: str,
    *,
    kind: str = "bearer",
    source_ip: str | None = None,
    now: datetime | None = None,
    hasher: PasswordHasher = HASHER,
) -> LoginResult:
    """Check the password and issue a bearer token (`kind="bearer"`) or a web session.

    Raises RateLimited before checking anything when the account or address is over its
    limit, and AuthError (counted as a failure) for a wrong email or password or an
    inactive account. Commits.
    """
    when = now or utcnow()
    keys = _keys(email, source_ip)
    for key, limit in keys:
        wait = _retry_after(session, key, limit, when)
        if wait is not None:
            _refuse(session, source_ip, f"rate limited ({key.split(':')[0]})", when)
            raise RateLimited("too many failed logins", wait)
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if not check_password(user, password, hasher):
        session.execute(delete(LoginAttempt).where(LoginAttempt.at <= when - WINDOW))
        session.add_all(LoginAttempt(key=key, at=when) for key, _ in keys)
        who = Principal.of(user, source_ip) if user is not None else None
        session.add(
            audit_event(
                who,
                "login",
                "auth.login",
                "denied",
                detail="wrong credentials",
                source_ip=source_ip,
                now=when,
            )
        )
        session.commit()
        raise AuthError("wrong email or password", "login", "the email and password of an account")
    assert user is not None
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    session.execute(delete(LoginAttempt).where(LoginAttempt.key == keys[0][0]))
    secret, row = issue_token(session, user, kind=kind, now=when)
    who = Principal.of(user, source_ip)
    session.add(audit_event(who, "login", f"auth.login {kind}", "allowed", now=when))
    session.commit()
    return LoginResult(secret, row.csrf_token, row.expires_at, who, user_json(user))


def logout(session: Session, principal: Principal, token: TokenRef) -> None:
    """Revoke the token or session the principal signed in with; audited; commits."""
    row = session.get(AuthToken, token.id)
    if row is not None:  # a row already gone has nothing left to revoke
        revoke(row)
    session.add(audit_event(principal, "update", f"auth.logout {token.kind}", "allowed"))
    session.commit()
