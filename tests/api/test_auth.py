"""Signing in: bearer tokens, web sessions with CSRF, logout, expiry, rate-limited failures."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from clinic._world import PASSWORD, Clock, World
from painpath.api import COOKIE
from painpath.clinic import EMAIL_LIMIT, IP_LIMIT
from painpath.clinic._tokens import digest
from painpath.store import AuditEvent, AuthToken

from ._client import ApiClient


def _token(client: ApiClient, email: str, password: str = PASSWORD) -> httpx.Response:
    return client.post("/auth/token", data={"username": email, "password": password})


def test_a_token_is_issued_for_the_right_password_and_only_its_hash_is_stored(
    client: ApiClient, world: World
) -> None:
    response = _token(client, "clinician@example.org")
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in"}
    assert body["token_type"] == "bearer" and body["expires_in"] == 8 * 3600
    with world.session() as session:
        hashes = set(session.scalars(select(AuthToken.token_hash)))
    assert digest(body["access_token"]) in hashes and body["access_token"] not in hashes
    me = client.get("/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json()["email"] == "clinician@example.org"


def test_a_wrong_password_is_401_and_audited_as_a_denied_login(
    client: ApiClient, world: World
) -> None:
    response = _token(client, "clinician@example.org", "wrong password!")
    assert response.status_code == 401
    with world.session() as session:
        last = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert last is not None
    assert (last.action, last.outcome, last.role) == ("login", "denied", "clinician")
    assert last.source_ip == "192.0.2.10"


def test_an_expired_token_is_refused(client: ApiClient, world: World, clock: Clock) -> None:
    headers = world.headers("clinician")
    assert client.get("/me", headers=headers).status_code == 200
    clock.advance(hours=8, seconds=1)
    assert client.get("/me", headers=headers).status_code == 401


def test_a_deactivated_user_is_signed_out_everywhere(client: ApiClient, world: World) -> None:
    headers = world.headers("coordinator")
    coordinator = world.users["coordinator"].id
    changed = client.patch(
        f"/users/{coordinator}", json={"active": False}, headers=world.headers("admin")
    )
    assert changed.status_code == 200 and changed.json()["active"] is False
    assert client.get("/me", headers=headers).status_code == 401
    assert _token(client, "coordinator@example.org").status_code == 401


def test_logout_revokes_the_token(client: ApiClient, world: World) -> None:
    headers = world.headers("clinician", fresh=True)
    assert client.post("/auth/logout", headers=headers).status_code == 204
    assert client.get("/me", headers=headers).status_code == 401


def test_a_web_session_sets_a_secure_cookie_and_writes_need_its_csrf_token(
    client: ApiClient, world: World
) -> None:
    response = client.post(
        "/auth/login", data={"username": "clinician@example.org", "password": PASSWORD}
    )
    assert response.status_code == 200
    cookie = response.headers["set-cookie"].lower()
    assert f"{COOKIE}=" in cookie
    assert all(flag in cookie for flag in ("httponly", "secure", "samesite=lax"))
    csrf = response.json()["csrf_token"]
    assert client.get("/patients/pt-own").status_code == 200  # reads need no CSRF token
    body = {"payload": {"source": "referral", "reason": "r"}}
    refused = client.post("/patients/pt-own/episodes", json=body)
    assert refused.status_code == 403 and refused.json()["error"]["field"] == "x-csrf-token"
    wrong = client.post("/patients/pt-own/episodes", json=body, headers={"X-CSRF-Token": "no"})
    assert wrong.status_code == 403
    done = client.post("/patients/pt-own/episodes", json=body, headers={"X-CSRF-Token": csrf})
    assert done.status_code == 201
    out = client.post("/auth/logout", headers={"X-CSRF-Token": csrf})
    assert out.status_code == 204
    assert client.get("/patients/pt-own").status_code == 401


def test_failed_logins_for_one_email_are_rate_limited_with_retry_after(
    client: ApiClient, world: World, clock: Clock
) -> None:
    for _ in range(EMAIL_LIMIT):
        assert _token(client, "patient@example.org", "not the password").status_code == 401
        clock.advance(seconds=10)
    limited = _token(client, "patient@example.org")  # even the right password waits
    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "rate-limited"
    wait = int(limited.headers["retry-after"])
    assert 0 < wait <= 15 * 60
    assert _token(client, "clinician@example.org").status_code == 200
    clock.advance(seconds=wait)
    assert _token(client, "patient@example.org").status_code == 200


def test_failed_logins_from_one_address_are_rate_limited(client: ApiClient, world: World) -> None:
    for n in range(IP_LIMIT):
        assert _token(client, f"nobody-{n}@example.org", "x" * 12).status_code == 401
    assert _token(client, "clinician@example.org").status_code == 429
