"""Signing in through the service: rate limits kept in the database, tokens stored as hashes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from painpath.clinic import (
    EMAIL_LIMIT,
    WINDOW,
    create_session,
    login,
    signed_in,
    verify_csrf,
)
from painpath.errors import AuthError, RateLimited
from painpath.store import LoginAttempt, User

from ._world import FAST, PASSWORD, World


def _fail(world: World, email: str, ip: str | None = "198.51.100.7") -> None:
    with world.session() as session, pytest.raises(AuthError):
        login(session, email, "not the password", source_ip=ip, now=world.clock(), hasher=FAST)


def test_failures_are_counted_by_a_hash_of_the_email_never_the_email(world: World) -> None:
    _fail(world, "clinician@example.org")
    with world.session() as session:
        keys = set(session.scalars(select(LoginAttempt.key)))
    assert len(keys) == 2 and "ip:198.51.100.7" in keys
    assert not any("clinician" in key for key in keys)


def test_the_limit_lifts_when_the_oldest_failure_leaves_the_window(world: World) -> None:
    for _ in range(EMAIL_LIMIT):
        _fail(world, "clinician@example.org", ip=None)
        world.clock.advance(minutes=1)
    with world.session() as session, pytest.raises(RateLimited) as caught:
        login(session, "clinician@example.org", PASSWORD, now=world.clock(), hasher=FAST)
    elapsed = timedelta(minutes=EMAIL_LIMIT)
    assert caught.value.retry_after == int((WINDOW - elapsed).total_seconds())
    world.clock.advance(seconds=caught.value.retry_after)
    with world.session() as session:
        result = login(session, "clinician@example.org", PASSWORD, now=world.clock(), hasher=FAST)
    assert result.principal.role == "clinician"


def test_a_success_clears_the_accounts_failures(world: World) -> None:
    for _ in range(EMAIL_LIMIT - 1):
        _fail(world, "clinician@example.org", ip=None)
    with world.session() as session:
        login(session, "clinician@example.org", PASSWORD, now=world.clock(), hasher=FAST)
    for _ in range(EMAIL_LIMIT - 1):
        _fail(world, "clinician@example.org", ip=None)  # not yet limited again


def test_an_unknown_email_fails_like_a_wrong_password(world: World) -> None:
    _fail(world, "nobody@example.org")


def test_a_web_session_carries_a_csrf_token_that_must_match(world: World) -> None:
    with world.session() as session:
        user = session.get(User, world.users["clinician"].id)
        assert user is not None
        secret, csrf, _ = create_session(session, user, now=world.clock())
        session.commit()
    with world.engine.connect() as connection:
        found = signed_in(connection, secret, kind="session", now=world.clock())
        assert found is not None
        assert verify_csrf(found.token, csrf) and not verify_csrf(found.token, "x" + csrf)
        assert not verify_csrf(found.token, None)
        assert signed_in(connection, secret, kind="bearer", now=world.clock()) is None
