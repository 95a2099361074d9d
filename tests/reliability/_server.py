"""A real `painpath serve` process for fault tests: start, wait until it answers, kill -9.

Also a seeded clinic (users and tokens written straight into the database, so no password
hashing is needed) and a small asyncio TCP proxy whose stop and start emulate a database
server that goes away and comes back.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import Engine

from clinic._world import World, make_world

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class RealClock:
    """The wall clock, for a world whose tokens a real server (reading the real time) accepts."""

    def __call__(self) -> datetime:
        return datetime.now(UTC)


def seeded_world(engine: Engine) -> World:
    """The test clinics (tests/clinic/_world.py) with tokens valid now."""
    return make_world(engine, RealClock())  # type: ignore[arg-type]


@dataclass
class Server:
    """One `painpath serve` process on `port`, logging to `log`."""

    database_url: str
    log: Path
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None
    extra_env: dict[str, str] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90.0) -> None:
        """Start the server and wait until `/health` answers 200."""
        self.port = self.port or free_port()
        env = {
            **os.environ,
            "PAINPATH_DATABASE_URL": self.database_url,
            "PAINPATH_SHARED": str(ROOT.parent / "shared"),
            **(self.extra_env or {}),
        }
        env.pop("PAINPATH_HOME", None)
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "painpath", "serve", "--port", str(self.port)],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"painpath serve exited {self.proc.returncode}: {self.tail()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.base}/health", timeout=2).status_code == 200:
                    return
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"painpath serve did not answer in {timeout} s: {self.tail()}")

    def kill(self) -> None:
        """kill -9, as a crash or a power cut of the process would end it."""
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        """A clean stop (SIGTERM), then kill -9 if it lingers."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def tail(self, lines: int = 15) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


@contextlib.contextmanager
def serving(database_url: str, log: Path, **env: str) -> Iterator[Server]:
    server = Server(database_url, log, extra_env=env or None)
    server.start()
    try:
        yield server
    finally:
        server.stop()


class TcpProxy:
    """A TCP proxy on 127.0.0.1:`port` to `target`, on its own event loop thread.

    `stop()` closes the listener and cuts every open connection (a database server that
    crashed or restarted); `start()` listens again on the same port.
    """

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.server: asyncio.Server | None = None
        self.writers: set[asyncio.StreamWriter] = set()
        self.connections = 0

    def _run(self, coro: object) -> object:
        future: Future[object] = asyncio.run_coroutine_threadsafe(coro, self.loop)  # type: ignore[arg-type]
        return future.result(timeout=30)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self.writers.update((writer, up_writer))
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
        self.writers.difference_update((writer, up_writer))

    async def _start(self) -> None:
        self.server = await asyncio.start_server(
            self._handle, "127.0.0.1", self.port, reuse_address=True
        )

    async def _stop(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None
        for writer in list(self.writers):
            transport = writer.transport
            transport.abort()  # reset, as a dying server's sockets are
        self.writers.clear()

    def start(self) -> None:
        self._run(self._start())

    def stop(self) -> None:
        self._run(self._stop())

    def close(self) -> None:
        self.stop()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


def report(line: dict[str, object]) -> None:
    """Append numbers of a run to `PAINPATH_RELIABILITY_REPORT` (JSON lines), if it is set."""
    target = os.environ.get("PAINPATH_RELIABILITY_REPORT")
    if target:
        with open(target, "a") as out:
            out.write(json.dumps(line) + "\n")
