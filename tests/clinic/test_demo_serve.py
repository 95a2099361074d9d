"""`make run` for real: `painpath demo` into a fresh PAINPATH_HOME, then `painpath serve` in a
subprocess on a free port answers /health, signs the demo clinician in and lists the demo
patients. The server is always stopped, whatever happens."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from clinic._world import VIGNETTES
from painpath.demo import CAST

STARTUP_SECONDS = 60.0
SHARED = VIGNETTES.parent


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAINPATH_")}
    env.update(PAINPATH_HOME=str(home), PAINPATH_SHARED=str(SHARED))
    return env


def _painpath(*args: str) -> list[str]:
    return [sys.executable, "-m", "painpath", *args]


def _wait_for_health(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        assert server.poll() is None, f"the server exited early:\n{log.read_text()}"
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"no /health within {STARTUP_SECONDS} s:\n{log.read_text()}")


def test_the_served_demo_signs_the_clinician_in_and_lists_the_patients(tmp_path: Path) -> None:
    env = _env(tmp_path / "var")
    loaded = subprocess.run(
        _painpath("demo"), env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert loaded.returncode == 0, loaded.stderr
    assert "clinician@demo.example" in loaded.stdout and "WARNING" in loaded.stderr

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    with log.open("wb") as sink:
        server = subprocess.Popen(
            _painpath("serve", "--host", "127.0.0.1", "--port", str(port)),
            env=env,
            cwd=tmp_path,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_for_health(base, server, log)
            form = {"username": "clinician@demo.example", "password": "painpath-demo"}
            token = httpx.post(f"{base}/auth/token", data=form, timeout=30)
            assert token.status_code == 200, token.text
            auth = {"Authorization": f"Bearer {token.json()['access_token']}"}
            listed = httpx.get(f"{base}/patients", params={"limit": 100}, headers=auth, timeout=30)
            assert listed.status_code == 200, listed.text
            assert {p["id"] for p in listed.json()["items"]} == {m.patient_id for m in CAST}
            home = httpx.get(base + "/", timeout=30)  # the web pages are served too
            assert home.status_code == 200 and "Help for pain that lasts" in home.text
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=15)
