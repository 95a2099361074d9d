"""Errors as pages: sign in for 401, a plain refusal for 403, not found for 404."""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from painpath.api import STATUS
from painpath.errors import AuthError, PainpathError
from painpath.web._render import page
from painpath.web._viewer import Viewer

__all__ = ["error_page"]

_TITLES = {
    403: "You cannot open this page",
    404: "Not found",
    409: "Someone else changed this first",
    429: "Too many attempts",
}


def error_page(request: Request, viewer: Viewer, exc: PainpathError) -> Response:
    """The page for an error a service raised: sign-in redirect, or a page with its status."""
    if isinstance(exc, AuthError):
        target = request.url.path
        return RedirectResponse(f"/signin?next={quote(target, safe='/')}", status_code=303)
    status = next((STATUS[k][0] for k in type(exc).__mro__ if k in STATUS), 400)
    title = _TITLES.get(status, "Something is wrong with this request")
    return page(
        "error.html",
        {**viewer.template(), "status": status, "message": exc.what},
        status=status,
        title=title,
    )
