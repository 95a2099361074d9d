"""The access-control matrix, generated from the app's route table.

Every route x every role (and no sign-in) x the caller's own / another patient gives the
allow or deny that `painpath.clinic.ACCESS` states, and every case leaves an audit row with
that outcome. A route missing from the access table, or from `REQUESTS` below, fails.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import create_engine

from clinic._world import PASSWORD, World, patient_bundle
from painpath.api import create_app
from painpath.clinic import ACCESS, PUBLIC, add_document, add_procedure, open_episode

from ._client import ApiClient

ROLES: list[str | None] = ["patient", "clinician", "coordinator", "admin", None]
OTHER = {"patient": "pt-other"}  # another patient of the same clinic; staff: another clinic


@dataclass
class Ctx:
    """What a request factory may use: the world, the role (None: anonymous), the patient."""

    world: World
    role: str | None
    patient: str

    def seed(self) -> str:
        return "seed-b" if self.patient == "pt-elsewhere" else "seed-a"

    def episode(self) -> dict[str, Any]:
        with self.world.session() as session:
            return open_episode(
                session,
                self.world.principals[self.seed()],
                self.patient,
                {"source": "referral", "reason": "matrix"},
                now=self.world.clock(),
            )

    def document(self) -> int:
        with self.world.session() as session:
            meta = add_document(
                session,
                self.world.principals[self.seed()],
                self.patient,
                title="Referral letter",
                content_type="text/plain",
                content=b"letter",
                now=self.world.clock(),
            )
        return int(meta["id"])

    def procedure(self, cpt: str) -> str:
        """A procedure performed five hours ago, stored by a clinician of the patient's clinic."""
        with self.world.session() as session:
            res = add_procedure(
                session,
                self.world.principals[self.seed()],
                self.patient,
                cpt=cpt,
                performed=self.world.clock() - timedelta(hours=5),
                now=self.world.clock(),
            )
        return str(res["id"])

    def credentials(self) -> dict[str, str]:
        return {"username": f"{self.role or 'clinician'}@example.org", "password": PASSWORD}


Request = tuple[str, str, dict[str, Any]]


def _questionnaire(c: Ctx) -> Request:
    body = {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "questionnaire": "https://painpath.dev/fhir/Questionnaire/intake",
        "item": [{"linkId": "pain", "item": [{"linkId": "nrs", "answer": [{"valueInteger": 6}]}]}],
    }
    return "POST", f"/patients/{c.patient}/questionnaire-responses", {"json": body}


def _transition(c: Ctx) -> Request:
    ep = c.episode()
    body = {"event": "cancel", "payload": {"reason": "moved away"}, "version": ep["version"]}
    return "POST", f"/episodes/{ep['id']}/transitions", {"json": body}


def _logout(c: Ctx) -> Request:
    headers = c.world.headers(c.role, fresh=True) if c.role else {}
    return "POST", "/auth/logout", {"headers": headers}


REQUESTS: dict[str, Callable[[Ctx], Request]] = {
    "health": lambda c: ("GET", "/health", {}),
    "auth.token": lambda c: ("POST", "/auth/token", {"data": c.credentials()}),
    "auth.login": lambda c: ("POST", "/auth/login", {"data": c.credentials()}),
    "auth.logout": _logout,
    "account.me": lambda c: ("GET", "/me", {}),
    "fhir.import": lambda c: (
        "POST",
        "/fhir/Bundle",
        {"json": patient_bundle(f"imp-{uuid.uuid4().hex[:12]}")},
    ),
    "patient.list": lambda c: ("GET", "/patients", {}),
    "patient.read": lambda c: ("GET", f"/patients/{c.patient}", {}),
    "patient.fhir": lambda c: ("GET", f"/patients/{c.patient}/fhir", {}),
    "patient.export": lambda c: ("GET", f"/fhir/Patient/{c.patient}/$everything", {}),
    "assessment.run": lambda c: (
        "GET",
        f"/patients/{c.patient}/assessment",
        {"params": {"as_of": "2026-06-01"}},
    ),
    "assessment.list": lambda c: ("GET", f"/patients/{c.patient}/assessments", {}),
    "episode.open": lambda c: (
        "POST",
        f"/patients/{c.patient}/episodes",
        {"json": {"payload": {"source": "self-referral", "reason": "back pain"}}},
    ),
    "episode.list": lambda c: ("GET", f"/patients/{c.patient}/episodes", {}),
    "episode.read": lambda c: ("GET", f"/episodes/{c.episode()['id']}", {}),
    "episode.transition": _transition,
    "episode.events": lambda c: ("GET", f"/episodes/{c.episode()['id']}/events", {}),
    "observation.create": lambda c: (
        "POST",
        f"/patients/{c.patient}/observations",
        {"json": {"kind": "nrs", "value": 4}},
    ),
    "observation.list": lambda c: ("GET", f"/patients/{c.patient}/observations", {}),
    "procedure.create": lambda c: (
        "POST",
        f"/patients/{c.patient}/procedures",
        {"json": {"cpt": "64483", "performed": (c.world.clock() - timedelta(hours=1)).isoformat()}},
    ),
    "questionnaire.create": _questionnaire,
    "document.create": lambda c: (
        "POST",
        f"/patients/{c.patient}/documents",
        {"files": {"file": ("note.txt", b"hello", "text/plain")}, "data": {"title": "Note"}},
    ),
    "document.list": lambda c: ("GET", f"/patients/{c.patient}/documents", {}),
    "document.read": lambda c: ("GET", f"/documents/{c.document()}", {}),
    "user.create": lambda c: (
        "POST",
        "/users",
        {
            "json": {
                "email": f"new-{uuid.uuid4().hex[:8]}@example.org",
                "password": PASSWORD,
                "role": "clinician",
            }
        },
    ),
    "user.list": lambda c: ("GET", "/users", {}),
    "user.update": lambda c: (
        "PATCH",
        f"/users/{c.world.users['coordinator'].id}",
        {"json": {"active": True}},
    ),
    "audit.list": lambda c: ("GET", "/audit", {}),
    "diary.record": lambda c: (
        "POST",
        f"/patients/{c.patient}/procedures/{c.procedure('64493')}/diary",
        {"json": {"entries": [{"minutes": 30, "relief": 60}, {"minutes": 60, "relief": 85}]}},
    ),
    "relief.record": lambda c: (
        "POST",
        f"/patients/{c.patient}/procedures/{c.procedure('64483')}/relief-duration",
        {"json": {"weeks": 6}},
    ),
    "complication.record": lambda c: (
        "POST",
        f"/patients/{c.patient}/procedures/{c.procedure('64483')}/complication",
        {"json": {"complication": False}},
    ),
    "outcome.compute": lambda c: (
        "POST",
        f"/patients/{c.patient}/outcomes",
        {"json": {"index": c.procedure("64483"), "as_of": "2026-06-01"}},
    ),
    "outcome.read": lambda c: ("GET", f"/patients/{c.patient}/outcomes", {}),
    "chart.patient": lambda c: ("GET", f"/patients/{c.patient}/charts/trajectory.svg", {}),
    "document.generate": lambda c: (
        "POST",
        f"/patients/{c.patient}/documents/generate",
        {"json": {"kind": "care-plan", "as_of": "2026-06-01"}},
    ),
    "dashboard.page": lambda c: ("GET", "/dashboard", {}),
    "dashboard.data": lambda c: ("GET", "/dashboard/data", {}),
    "dashboard.chart": lambda c: ("GET", "/dashboard/charts/funnel.svg", {}),
}
"""One valid request per operation, for a role and a target patient."""

AUDIT_NAME = {"auth.token": "auth.login"}  # a token is a login too


def _route_names() -> list[str]:
    """Every operation the app serves, from its published route table (`/openapi.json`)."""
    schema = create_app(create_engine("sqlite://")).openapi()
    return sorted(op["operationId"] for path in schema["paths"].values() for op in path.values())


ROUTES = _route_names()


def _allowed(operation: str, role: str | None, target: str) -> bool:
    rule = ACCESS[operation]
    if rule.scope == PUBLIC:
        return True
    if role is None or role not in rule.roles:
        return False
    return not (rule.scope == "patient" and target == "other")


def test_every_route_is_in_the_access_table_and_the_matrix() -> None:
    assert len(ROUTES) == len(set(ROUTES)), "two routes share an operation name"
    assert set(ROUTES) == set(ACCESS)
    assert set(ROUTES) == set(REQUESTS)


def test_an_app_with_a_route_missing_from_the_access_table_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delitem(ACCESS, "document.read")
    with pytest.raises(RuntimeError, match=r"document\.read"):
        create_app(create_engine("sqlite://"))


@pytest.mark.parametrize("operation", ROUTES)
def test_each_role_gets_what_the_access_table_says_and_is_audited(
    operation: str, client: ApiClient, world: World
) -> None:
    rule = ACCESS[operation]
    targets = ["own", "other"] if rule.scope == "patient" else ["own"]
    failures: list[str] = []
    for role in ROLES:
        for target in targets:
            patient = "pt-own" if target == "own" else OTHER.get(role or "", "pt-elsewhere")
            method, url, kwargs = REQUESTS[operation](Ctx(world, role, patient))
            headers = kwargs.pop("headers", None)
            if headers is None:
                headers = world.headers(role) if role else {}
            before = world.last_audit_id()
            response = client.request(method, url, headers=headers, **kwargs)
            allowed = _allowed(operation, role, target)
            case = f"{operation} as {role or 'anonymous'} on {target} patient"
            want = "2xx" if allowed else (401 if role is None else 403)
            if (200 <= response.status_code < 300) != allowed or (
                not allowed and response.status_code != want
            ):
                failures.append(f"{case}: got {response.status_code}, want {want}")
                continue
            if not rule.audited:
                continue
            name = AUDIT_NAME.get(operation, operation)
            outcome = "allowed" if allowed else "denied"
            rows = [r for r in world.audit_after(before) if r.resource.split()[0] == name]
            actor = (role or "clinician") if rule.action == "login" else role
            if not any(r.outcome == outcome and r.role == actor for r in rows):
                failures.append(f"{case}: no {outcome} audit row for {actor}")
            elif (
                rule.scope == "patient"
                and "/patients/" in url
                and not any(r.patient_id == patient for r in rows)
            ):
                failures.append(f"{case}: the audit row does not name {patient}")
    assert not failures, "\n".join(failures)
