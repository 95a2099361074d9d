"""Bearer tokens and web sessions: who holds a secret (`signed_in`), revocation, expiry."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from painpath.clinic import Principal, SignedIn, TokenRef, logout, signed_in
from painpath.clinic._tokens import BEARER_TTL, create_session, issue_token
from painpath.store import AuthToken, User

from ._world import World


def _issue(world: World, who: str, kind: str = "bearer") -> str:
    with world.session() as session:
        user = session.get(User, world.users[who].id)
        assert user is not None
        if kind == "session":
            secret, _csrf, _ = create_session(session, user, now=world.clock())
        else:
            secret, _ = issue_token(session, user, now=world.clock())
        session.commit()
    return secret


def _who(world: World, secret: str, kind: str = "bearer", ip: str | None = None) -> SignedIn | None:
    with world.engine.connect() as connection:
        return signed_in(connection, secret, kind=kind, now=world.clock(), source_ip=ip)


def test_a_live_token_names_its_user_as_the_principal(world: World) -> None:
    secret = _issue(world, "clinician")
    found = _who(world, secret, ip="192.0.2.1")
    user = world.users["clinician"]
    assert found is not None
    assert found.principal == Principal(user.id, "clinician", user.clinic_id, None, "192.0.2.1")
    assert found.email == user.email
    assert found.token.kind == "bearer" and found.token.csrf_token is None


def test_a_patients_token_carries_their_own_patient_id(world: World) -> None:
    found = _who(world, _issue(world, "patient"))
    assert found is not None and found.principal.patient_id == "pt-own"


def test_a_web_session_carries_its_csrf_token(world: World) -> None:
    secret = _issue(world, "clinician", kind="session")
    found = _who(world, secret, kind="session")
    assert found is not None and found.token.csrf_token
    assert _who(world, secret, kind="bearer") is None  # a session cookie is not a bearer token


@pytest.mark.parametrize("secret", ["", "x" * 201, "not-a-token"])
def test_an_unknown_empty_or_oversized_secret_is_nobody(world: World, secret: str) -> None:
    assert _who(world, secret) is None


def test_an_expired_token_is_nobody(world: World) -> None:
    secret = _issue(world, "clinician")
    world.clock.advance(seconds=int(BEARER_TTL.total_seconds()) - 1)
    assert _who(world, secret) is not None
    world.clock.advance(seconds=1)
    assert _who(world, secret) is None


def test_a_deactivated_users_token_is_nobody(world: World) -> None:
    secret = _issue(world, "clinician")
    with world.session() as session:
        user = session.get(User, world.users["clinician"].id)
        assert user is not None
        user.active = False
        session.commit()
    assert _who(world, secret) is None


def test_logout_by_reference_revokes_the_stored_token(world: World) -> None:
    secret = _issue(world, "clinician")
    found = _who(world, secret)
    assert found is not None
    with world.session() as session:
        logout(session, found.principal, found.token)
    assert _who(world, secret) is None
    with world.session() as session:
        assert session.scalar(select(AuthToken.revoked).where(AuthToken.id == found.token.id))


def test_logout_of_a_token_already_deleted_is_still_audited(world: World) -> None:
    before = world.audit_count()
    with world.session() as session:
        logout(session, world.principals["clinician"], TokenRef(10**9, "bearer", None))
    assert world.audit_count() == before + 1
