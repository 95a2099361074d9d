"""Who is looking at a page: the web-session cookie read through the clinic's sessions.

The pages share the API's session cookie (`painpath.api.COOKIE`), so one sign-in serves both.
A form that changes anything carries the session's CSRF token in a hidden `csrf_token` field;
`check_csrf` refuses it otherwise (audited by the operation that was attempted).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from painpath.api._deps import COOKIE, NowDep, signed_in_as
from painpath.clinic import (
    ACCESS,
    Principal,
    TokenRef,
    audit_event,
    record_alone,
    role_allowed,
    verify_csrf,
)
from painpath.errors import AccessDenied, AuthError

__all__ = ["STAFF", "Viewer", "ViewerDep", "check_csrf", "get_viewer", "home_of"]

STAFF = frozenset({"clinician", "coordinator"})


@dataclass(frozen=True, slots=True)
class Viewer:
    """The signed-in principal (None for the public) with its session row and email."""

    principal: Principal | None = None
    token: TokenRef | None = None
    email: str | None = None

    @property
    def role(self) -> str | None:
        return self.principal.role if self.principal else None

    @property
    def csrf(self) -> str:
        return (self.token.csrf_token or "") if self.token else ""

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF

    def may(self, operation: str) -> bool:
        """Whether the access table lets this viewer's role attempt `operation` (navigation
        uses it; the service still checks and audits every call)."""
        return self.principal is not None and role_allowed(operation, self.role)

    def require(self) -> Principal:
        """The principal, or AuthError (the page then asks to sign in)."""
        if self.principal is None:
            raise AuthError("not signed in", "session", "a signed-in session")
        return self.principal

    def template(self) -> dict[str, Any]:
        """What every template knows about the viewer."""
        return {"viewer": self}


def get_viewer(request: Request, now: NowDep) -> Viewer:
    """The viewer of this request: signed in by a live session cookie, else the public."""
    cookie = request.cookies.get(COOKIE)
    if not cookie:
        return Viewer()
    found = signed_in_as(request, cookie, "session", now)
    if found is None:
        return Viewer()
    return Viewer(found.principal, found.token, found.email)


ViewerDep = Annotated[Viewer, Depends(get_viewer)]


def check_csrf(
    viewer: Viewer,
    form: Mapping[str, Any],
    session: Session,
    operation: str,
    *,
    patient_id: str | None = None,
) -> Principal:
    """The principal of a signed-in viewer whose form carries the session's CSRF token.

    A missing or wrong token is refused (AccessDenied) and audited as a denied `operation`,
    as the API does for its `X-CSRF-Token` header.
    """
    principal = viewer.require()
    assert viewer.token is not None
    submitted = form.get("csrf_token")
    if not verify_csrf(viewer.token, submitted if isinstance(submitted, str) else None):
        rule = ACCESS.get(operation)
        event = audit_event(
            principal,
            rule.action if rule else "update",
            operation,
            "denied",
            patient_id=patient_id,
            detail="missing or wrong CSRF token",
        )
        record_alone(session, event)
        raise AccessDenied("missing or wrong CSRF token", "csrf_token", "the form's own token")
    return principal


def home_of(viewer: Viewer) -> str:
    """Where a viewer starts: staff at the worklist, a patient at their plan."""
    if viewer.is_staff:
        return "/clinic"
    if viewer.role == "patient" and viewer.principal and viewer.principal.patient_id:
        return f"/portal/{viewer.principal.patient_id}"
    return "/"
