"""ASGI middleware: a body size limit, security headers, and a last-resort 500.

Pure ASGI (no per-request state kept between requests). The body limit reads at most
`limit` bytes and answers 413 beyond it; the headers suit a JSON API holding health data
(`Cache-Control: no-store`, `nosniff`, no framing, no referrer; HSTS over HTTPS). A route
that sets one of these headers itself (an HTML page with its own CSP) keeps its value.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from painpath.api._errors import error_response

__all__ = ["HSTS", "SECURITY_HEADERS", "AccessLog", "BodyLimit", "CatchAll", "SecurityHeaders"]

log = logging.getLogger("painpath.api")
access_log = logging.getLogger("painpath.access")

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),
]
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
"""Sent on HTTPS responses only (a browser ignores it over plain HTTP, RFC 6797 §8.1)."""


class SecurityHeaders:
    """Add the security headers to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                wanted = (
                    [*SECURITY_HEADERS, HSTS]
                    if scope.get("scheme") == "https"
                    else SECURITY_HEADERS
                )
                extra = [(k, v) for k, v in wanted if k not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimit:
    """Refuse request bodies over `limit` bytes with 413 (declared or streamed)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await self._refuse(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await self._refuse(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        expected = f"a request body of at most {self.limit} bytes"
        response = error_response(413, "too-large", f"request body too large ({expected})")
        await response(scope, receive, send)


class CatchAll:
    """Answer 500 (one shape, no internals) for anything no handler caught; log the class."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        except Exception as exc:
            route: Any = scope.get("route")
            template = getattr(route, "path", None) or "(no route)"
            log.error("unhandled %s on %s %s", type(exc).__name__, scope.get("method"), template)
            if not started:
                await error_response(500, "internal", "internal error")(scope, receive, send)


class AccessLog:
    """One log line per request: method, route template, status, milliseconds.

    The route template (`/patients/{patient_id}`) is logged instead of the path, and the
    query string never: names searched for and ids stay out of the logs.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 0

        async def tracking(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        finally:
            route: Any = scope.get("route")
            template = getattr(route, "path", None) or "(no route)"
            ms = (time.perf_counter() - start) * 1000
            access_log.info("%s %s %s %.1fms", scope.get("method"), template, status, ms)
