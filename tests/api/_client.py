"""A synchronous client of the real ASGI app (httpx + ASGITransport on an anyio portal).

Starlette's TestClient is deprecated with httpx; this keeps one event loop in a thread for
the client's life, so cookies persist and several requests can run at once (`together`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from functools import partial
from typing import Any

import anyio
import httpx
from anyio.from_thread import BlockingPortal, start_blocking_portal
from starlette.types import ASGIApp

CLIENT_IP = "192.0.2.10"


class ApiClient:
    """`get`, `post`, `patch`, `request` like httpx.Client; `together` runs requests at once."""

    def __init__(self, app: ASGIApp, base_url: str = "https://testserver") -> None:
        self._portal_cm: AbstractContextManager[BlockingPortal] = start_blocking_portal()
        self._portal = self._portal_cm.__enter__()
        transport = httpx.ASGITransport(app=app, client=(CLIENT_IP, 50000))
        self.http = httpx.AsyncClient(transport=transport, base_url=base_url)

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self._portal.call(partial(self.http.request, method, url, **kwargs))

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def patch(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("PATCH", url, **kwargs)

    def together(self, *calls: tuple[str, str, dict[str, Any]]) -> list[httpx.Response]:
        """Send the requests concurrently; responses in the order given."""
        results: list[httpx.Response | None] = [None] * len(calls)

        async def one(i: int, method: str, url: str, kwargs: dict[str, Any]) -> None:
            results[i] = await self.http.request(method, url, **kwargs)

        async def run() -> None:
            async with anyio.create_task_group() as group:
                for i, (method, url, kwargs) in enumerate(calls):
                    group.start_soon(one, i, method, url, kwargs)

        self._portal.call(run)
        return [r for r in results if r is not None]

    def call(self, func: Callable[[], Awaitable[Any]]) -> Any:
        return self._portal.call(func)

    def close(self) -> None:
        self._portal.call(self.http.aclose)
        self._portal_cm.__exit__(None, None, None)
