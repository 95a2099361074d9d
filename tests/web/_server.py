"""The server the browser tests drive: the real app under uvicorn in a thread, on 127.0.0.1.

One per test session (per xdist worker): a temporary SQLite database, migrated, with the demo
clinic loaded, served by `painpath.web.create_app` on a free port. The clock starts at a fixed
instant and runs with real time; `LiveServer.advance` moves it on (the recovery timer).
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import uvicorn
from argon2 import PasswordHasher
from sqlalchemy import Engine

from painpath.demo import load_demo
from painpath.store import make_engine, upgrade
from painpath.web import create_app

CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
START = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
SHARED = Path(__file__).resolve().parents[3] / "shared"


@dataclass
class RunningClock:
    """`START` plus the real time elapsed since it was made, plus any `advance`."""

    start: datetime = START
    offset: timedelta = field(default_factory=timedelta)
    origin: float = field(default_factory=time.monotonic)

    def __call__(self) -> datetime:
        return self.start + self.offset + timedelta(seconds=time.monotonic() - self.origin)

    def advance(self, delta: timedelta) -> None:
        self.offset += delta


@dataclass
class LiveServer:
    url: str
    engine: Engine
    clock: RunningClock
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.engine.dispose()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(folder: Path) -> LiveServer:
    """Migrate a new database in `folder`, load the demo clinic, and serve it."""
    engine = make_engine(f"sqlite:///{folder / 'painpath.db'}")
    upgrade(engine)
    clock = RunningClock()
    load_demo(engine, shared=SHARED, now=clock(), hasher=CHEAP)
    app = create_app(engine, clock=clock, hasher=CHEAP)
    port = _free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", loop="asyncio"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    return LiveServer(f"http://127.0.0.1:{port}", engine, clock, server, thread)
