"""The route class of every page: failures become pages, not the API's JSON.

A path parameter of the wrong type (`/clinic/episodes/abc`) is a "not found" page; an
unexpected exception is logged (its class and the route template only, never request data)
and answered with a plain 500 page. Errors the services raise on purpose are handled by
each page (`_errors.error_page`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from painpath.web._render import page
from painpath.web._viewer import Viewer

__all__ = ["PageRoute"]

log = logging.getLogger("painpath.web")


class PageRoute(APIRoute):
    """An APIRoute whose failures are answered with an HTML page."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        path = self.path

        async def run(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError:
                context = {"viewer": Viewer(), "status": 404, "message": "no such page"}
                return page("error.html", context, status=404, title="Not found")
            except HTTPException:
                raise
            except Exception as exc:
                log.error("unhandled %s on page %s", type(exc).__name__, path)
                context = {
                    "viewer": Viewer(),
                    "status": 500,
                    "message": "something went wrong on our side; please try again",
                }
                return page("error.html", context, status=500, title="Something went wrong")

        return run
