"""The HTTP protocol for `painpath serve`: uvicorn's own, with Nagle's algorithm off.

uvicorn writes a response's headers and its body as two writes. With Nagle's algorithm on,
the kernel holds the body until the client acknowledges the headers, and a Linux client
delays that acknowledgement by about 40 ms: every request after the first on a keep-alive
connection then takes 40 ms more. asyncio turns Nagle off (TCP_NODELAY) on accepted sockets
only when the listening socket says it is TCP, and uvicorn's `--workers N` binds its
listening socket without saying so (uvicorn issue #3149), so with several workers every
connection keeps Nagle on. This protocol turns it off for each connection itself.

    uvicorn.run("painpath.api:create_app", factory=True, workers=2, http=HTTP_PROTOCOL)

(`painpath.api.HTTP_PROTOCOL` names this class without importing uvicorn.)
"""

from __future__ import annotations

import asyncio
import contextlib
import socket

from uvicorn.protocols.http.auto import AutoHTTPProtocol

__all__ = ["NoDelayHTTPProtocol", "set_nodelay"]


def set_nodelay(transport: asyncio.BaseTransport) -> None:
    """Turn Nagle's algorithm off on a TCP transport's socket (nothing for other sockets)."""
    sock = transport.get_extra_info("socket")
    if sock is None or sock.family not in (socket.AF_INET, socket.AF_INET6):
        return
    with contextlib.suppress(OSError):  # the peer is already gone: nothing to speed up
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class NoDelayHTTPProtocol(AutoHTTPProtocol):  # type: ignore[misc,valid-type]
    """uvicorn's HTTP/1.1 protocol (httptools if installed, else h11) with TCP_NODELAY."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        set_nodelay(transport)
        super().connection_made(transport)
