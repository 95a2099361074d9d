"""Bearer tokens and web sessions: random 32-byte secrets, only their SHA-256 stored.

A web session row also carries its CSRF token; every state-changing request made with the
session cookie must echo it (`verify_csrf`). Secrets are never logged or stored in clear.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import Session

from painpath.clinic._principal import Principal, utcnow
from painpath.store import AuthToken, User

__all__ = [
    "BEARER_TTL",
    "SESSION_TTL",
    "SignedIn",
    "TokenRef",
    "create_session",
    "digest",
    "issue_token",
    "revoke",
    "signed_in",
    "verify_csrf",
]

BEARER_TTL = timedelta(hours=8)
"""How long a bearer token lives (one clinic shift)."""

SESSION_TTL = timedelta(hours=8)
"""How long a web session lives."""


def digest(secret: str) -> str:
    """The SHA-256 hex digest of a secret: what the database keeps."""
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(
    session: Session,
    user: User,
    *,
    kind: str = "bearer",
    now: datetime | None = None,
    ttl: timedelta | None = None,
) -> tuple[str, AuthToken]:
    """A new secret for the user and its stored row (added, not committed)."""
    when = now or utcnow()
    secret = secrets.token_urlsafe(32)
    row = AuthToken(
        token_hash=digest(secret),
        kind=kind,
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32) if kind == "session" else None,
        created_at=when,
        expires_at=when + (ttl or (SESSION_TTL if kind == "session" else BEARER_TTL)),
        revoked=False,
    )
    session.add(row)
    return secret, row


def create_session(
    session: Session, user: User, *, now: datetime | None = None
) -> tuple[str, str, datetime]:
    """A web session: (cookie secret, CSRF token, expiry); the row is added, not committed."""
    secret, row = issue_token(session, user, kind="session", now=now)
    assert row.csrf_token is not None
    return secret, row.csrf_token, row.expires_at


@dataclass(frozen=True, slots=True)
class TokenRef:
    """The token or web-session row a request signed in with: its id, kind and CSRF token."""

    id: int
    kind: str
    csrf_token: str | None


@dataclass(frozen=True, slots=True)
class SignedIn:
    """Who a live secret belongs to (see `signed_in`)."""

    principal: Principal
    email: str
    token: TokenRef


_SIGNED_IN = (
    select(
        User.id,
        User.role,
        User.clinic_id,
        User.patient_id,
        User.email,
        User.active,
        AuthToken.id,
        AuthToken.kind,
        AuthToken.revoked,
        AuthToken.expires_at,
        AuthToken.csrf_token,
    )
    .join(AuthToken, AuthToken.user_id == User.id)
    .where(AuthToken.token_hash == bindparam("token_hash"), AuthToken.kind == bindparam("kind"))
)


def signed_in(
    connection: Connection,
    secret: str,
    *,
    kind: str = "bearer",
    now: datetime | None = None,
    source_ip: str | None = None,
) -> SignedIn | None:
    """Who holds this live secret of this kind (an active user, a token neither revoked
    nor expired), else None: one statement of plain columns, no ORM session (every request
    makes it)."""
    if not secret or len(secret) > 200:
        return None
    row = connection.execute(_SIGNED_IN, {"token_hash": digest(secret), "kind": kind}).first()
    if row is None:
        return None
    user_id, role, clinic_id, patient_id, email, active, token_id, token_kind = row[:8]
    revoked, expires_at, csrf_token = row[8:]
    if revoked or expires_at <= (now or utcnow()) or not active:
        return None
    principal = Principal(user_id, role, clinic_id, patient_id, source_ip)
    return SignedIn(principal, email, TokenRef(token_id, token_kind, csrf_token))


def verify_csrf(token: TokenRef, submitted: str | None) -> bool:
    """True when `submitted` is the session's CSRF token (constant-time comparison)."""
    expected = token.csrf_token
    return bool(expected and submitted) and hmac.compare_digest(
        str(expected).encode(), str(submitted).encode()
    )


def revoke(token: AuthToken) -> None:
    """Mark a token or session revoked (the caller commits)."""
    token.revoked = True
