"""An open-loop, constant-rate HTTP load generator on asyncio, and its statistics.

Request i is *scheduled* at start + i / rate whatever happened to earlier requests (an open
loop: a slow server does not slow the arrivals down, so queueing shows up as latency instead
of being hidden, as a closed loop of N clients would hide it). Latency is measured from the
scheduled instant, not from when the request was actually written, so a generator that
falls behind is charged to the result rather than silently dropped ("coordinated
omission"); how far behind the generator fell is reported separately (`lag`).

Every run is bounded: `rate * duration` requests are scheduled, each has a timeout (an
error), and the run ends at the latest `timeout + 5` seconds after its last request.
"""

from __future__ import annotations

import asyncio
import math
import os
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "CpuMeter",
    "RawClient",
    "RunResult",
    "machine",
    "open_loop",
    "percentile",
    "process_cpu",
    "server_cpu_now",
]


def percentile(sorted_values: Sequence[float], p: float) -> float:
    """The nearest-rank p-th percentile (0 < p <= 100) of already sorted values."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


@dataclass
class RunResult:
    """One constant-rate run against one list of paths."""

    name: str
    target_rate: float
    scheduled: int = 0
    ok: int = 0
    errors: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)  # from the scheduled instant
    by_path_ms: dict[str, list[float]] = field(default_factory=dict)  # the same, per path
    max_lag_ms: float = 0.0  # how late the generator sent the latest-sent request
    wall_s: float = 0.0  # first scheduled instant to last completion
    loadgen_cpu_s: float = 0.0  # CPU time of this (generator) process during the run
    server_cpu_s: float = 0.0  # CPU time of the server's processes (all workers)
    postgres_cpu_s: float = 0.0  # CPU time of PostgreSQL's processes
    machine_busy: float = math.nan  # share of all cores busy during the run (0..1)

    @property
    def achieved_rate(self) -> float:
        """Completed requests (ok or not) per second of wall time."""
        return (self.ok + self.errors) / self.wall_s if self.wall_s > 0 else math.nan

    def summary(self) -> dict[str, float | int | str]:
        ordered = sorted(self.latencies_ms)
        return {
            "name": self.name,
            "target_rps": self.target_rate,
            "requests": self.scheduled,
            "ok": self.ok,
            "errors": self.errors,
            "statuses": dict(self.statuses),  # type: ignore[dict-item]
            "achieved_rps": round(self.achieved_rate, 1),
            "p50_ms": round(percentile(ordered, 50), 2),
            "p90_ms": round(percentile(ordered, 90), 2),
            "p99_ms": round(percentile(ordered, 99), 2),
            "max_ms": round(ordered[-1], 2) if ordered else math.nan,
            "max_lag_ms": round(self.max_lag_ms, 2),
            "loadgen_cpu": round(self.loadgen_cpu_s / self.wall_s, 3) if self.wall_s else 0,
            "server_cpu": round(self.server_cpu_s / self.wall_s, 3) if self.wall_s else 0,
            "postgres_cpu": round(self.postgres_cpu_s / self.wall_s, 3) if self.wall_s else 0,
            "server_cpu_ms_per_request": round(
                self.server_cpu_s * 1000 / max(1, self.ok + self.errors), 2
            ),
            "machine_busy": round(self.machine_busy, 3),
        }


def _cpu_by_process(server_group: int | None) -> dict[int, tuple[str, float]]:
    """pid -> (kind, CPU seconds so far) for the server's group and PostgreSQL processes."""
    tick = os.sysconf("SC_CLK_TCK")
    found: dict[int, tuple[str, float]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            raw = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        name = raw[raw.find("(") + 1 : raw.rfind(")")]
        fields = raw[raw.rfind(")") + 2 :].split()
        seconds = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
        if server_group is not None and int(fields[2]) == server_group:
            found[int(entry.name)] = ("server", seconds)
        elif name == "postgres":
            found[int(entry.name)] = ("postgres", seconds)
    return found


def process_cpu(
    before: dict[int, tuple[str, float]], after: dict[int, tuple[str, float]]
) -> dict[str, float]:
    """CPU seconds used between two `_cpu_by_process` snapshots, by kind (a process that
    ended in between is left out: its last seconds are lost, never counted negative)."""
    used = {"server": 0.0, "postgres": 0.0}
    for pid, (kind, seconds) in after.items():
        used[kind] += seconds - before.get(pid, (kind, 0.0))[1]
    return used


def server_cpu_now(server_group: int) -> float:
    """CPU seconds used so far by the server's process group."""
    return sum(s for kind, s in _cpu_by_process(server_group).values() if kind == "server")


class CpuMeter:
    """The share of all cores busy between `start()` and `stop()`, from /proc/stat."""

    def __init__(self) -> None:
        self._start: tuple[int, int] | None = None

    @staticmethod
    def _read() -> tuple[int, int] | None:
        try:
            fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
        except OSError:
            return None
        values = [int(v) for v in fields]
        idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
        return sum(values[:8]), idle

    def start(self) -> None:
        self._start = self._read()

    def stop(self) -> float:
        end = self._read()
        if self._start is None or end is None or end[0] == self._start[0]:
            return math.nan
        total = end[0] - self._start[0]
        return 1 - (end[1] - self._start[1]) / total


IDLE_LIMIT = 3.0  # s; uvicorn closes a keep-alive connection idle for 5 s


class _Connection:
    """One keep-alive HTTP/1.1 connection (asyncio streams)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.used = False  # has answered a request (a reused one may have been closed)
        self.idle_since = 0.0

    def close(self) -> None:
        self.writer.close()


class RawClient:
    """A minimal HTTP/1.1 GET client on asyncio streams, with a keep-alive connection pool.

    The load generator shares the server's cores, so it must be cheap: httpx's async client
    costs about 4 ms of CPU per request on the reference VM (0.8 cores at 200 requests/s),
    this one about a tenth of that. It speaks only what the benchmark needs: GET, responses
    with Content-Length (chunked bodies are read too), keep-alive unless `Connection: close`.
    """

    def __init__(self, host: str, port: int, headers: dict[str, str], max_connections: int):
        self.host = host
        self.port = port
        extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self._head = f"Host: {host}:{port}\r\n{extra}\r\n".encode()
        self._idle: list[_Connection] = []
        self._open = 0
        self._slots = asyncio.Semaphore(max_connections)

    async def _connect(self) -> _Connection:
        reader, writer = await asyncio.open_connection(self.host, self.port)
        return _Connection(reader, writer)  # asyncio sets TCP_NODELAY on TCP connections

    async def get(self, path: str) -> tuple[int, int]:
        """(status, body bytes) of `GET path`; raises OSError / asyncio errors on failure."""
        return await self.send(b"GET " + path.encode() + b" HTTP/1.1\r\n" + self._head)

    async def send(self, request: bytes) -> tuple[int, int]:
        """(status, body bytes) of one complete HTTP/1.1 request (head and body)."""
        async with self._slots:
            conn = self._reuse()
            for attempt in (1, 2):
                if conn is None:
                    conn = await self._connect()
                try:
                    status, size, keep = await self._exchange(conn, request)
                except asyncio.CancelledError:
                    conn.close()
                    raise
                except (OSError, asyncio.IncompleteReadError, ValueError):
                    conn.close()
                    if conn.used and attempt == 1:  # the server had closed it: a new one
                        conn = None
                        continue
                    raise
                conn.used = True
                if keep:
                    conn.idle_since = time.monotonic()
                    self._idle.append(conn)
                else:
                    conn.close()
                return status, size
        raise AssertionError("unreachable")

    def _reuse(self) -> _Connection | None:
        """The most recently used idle connection, dropping any idle for too long."""
        now = time.monotonic()
        while self._idle:
            conn = self._idle.pop()
            if now - conn.idle_since < IDLE_LIMIT:
                return conn
            conn.close()
        return None

    @staticmethod
    async def _exchange(conn: _Connection, request: bytes) -> tuple[int, int, bool]:
        conn.writer.write(request)
        head = await conn.reader.readuntil(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        length, chunked, keep = 0, False, True
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding":
                chunked = b"chunked" in value.lower()
            elif name == b"connection":
                keep = b"close" not in value.lower()
        if not chunked:
            await conn.reader.readexactly(length)
            return status, length, keep
        size = 0
        while True:  # chunked: size line, data, CRLF; a zero size ends it (no trailers)
            chunk = int((await conn.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await conn.reader.readexactly(chunk + 2)
            size += chunk
            if chunk == 0:
                return status, size, keep

    def close(self) -> None:
        for conn in self._idle:
            conn.close()
        self._idle.clear()


async def open_loop(
    client: RawClient,
    name: str,
    paths: Sequence[str],
    *,
    rate: float,
    duration: float,
    timeout: float = 10.0,
    server_group: int | None = None,
) -> RunResult:
    """GET `paths` in rotation at `rate` requests/s for `duration` seconds (open loop).

    `server_group`: the server's process group, whose CPU time is reported."""
    loop = asyncio.get_running_loop()
    result = RunResult(name=name, target_rate=rate)
    count = max(1, round(rate * duration))
    interval = 1.0 / rate
    last_done = 0.0

    async def one(index: int, scheduled: float) -> None:
        nonlocal last_done
        try:
            status_code, _size = await asyncio.wait_for(
                client.get(paths[index % len(paths)]), timeout
            )
            status = str(status_code)
            good = 200 <= status_code < 300
        except TimeoutError:
            status, good = "timeout", False
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            status, good = type(exc).__name__, False
        done = loop.time()
        last_done = max(last_done, done)
        result.statuses[status] += 1
        if good:
            result.ok += 1
            latency = (done - scheduled) * 1000
            result.latencies_ms.append(latency)
            result.by_path_ms.setdefault(paths[index % len(paths)], []).append(latency)
        else:
            result.errors += 1

    meter = CpuMeter()
    meter.start()
    cpu0 = time.process_time()
    procs0 = _cpu_by_process(server_group)
    start = loop.time() + 0.02
    tasks: list[asyncio.Task[None]] = []
    for i in range(count):
        scheduled = start + i * interval
        delay = scheduled - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        result.max_lag_ms = max(result.max_lag_ms, (loop.time() - scheduled) * 1000)
        tasks.append(asyncio.create_task(one(i, scheduled)))
    result.scheduled = count
    # Bounded: every request has its own timeout; this is a last resort.
    _done, pending = await asyncio.wait(tasks, timeout=timeout + 5)
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.gather(*pending, return_exceptions=True)
        result.errors += len(pending)
        result.statuses["unfinished"] += len(pending)
        last_done = loop.time()
    result.loadgen_cpu_s = time.process_time() - cpu0
    used = process_cpu(procs0, _cpu_by_process(server_group))
    result.server_cpu_s = used["server"]
    result.postgres_cpu_s = used["postgres"]
    result.machine_busy = meter.stop()
    result.wall_s = (last_done or loop.time()) - start
    return result


def machine() -> dict[str, str | int]:
    """What the numbers were measured on: cores, CPU model, memory, kernel."""
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kib / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": model,
        "memory": memory,
        "kernel": os.uname().release,
    }
