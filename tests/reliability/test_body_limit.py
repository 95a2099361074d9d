"""The request size limit: 5 MiB by default, `PAINPATH_MAX_BODY_BYTES` to change it."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import Engine

from api._client import ApiClient
from clinic._world import FAST, Clock, World, patient_bundle
from painpath.api import BODY_LIMIT_ENV, MAX_BODY_BYTES, body_limit, create_app
from painpath.errors import InputError


def test_the_default_limit_is_5_mib(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(BODY_LIMIT_ENV, raising=False)
    assert body_limit() == MAX_BODY_BYTES == 5 * 1024 * 1024


def test_the_environment_sets_the_limit_the_app_enforces(
    monkeypatch: pytest.MonkeyPatch, db_engine: Engine, world: World, clock: Clock
) -> None:
    monkeypatch.setenv(BODY_LIMIT_ENV, "2048")
    client = ApiClient(create_app(db_engine, clock=clock, hasher=FAST))
    try:
        headers = world.headers("clinician")
        small = client.post("/fhir/Bundle", json=patient_bundle("pt-small"), headers=headers)
        assert small.status_code == 201, small.text
        big = patient_bundle("pt-big", family="x" * 3000)
        refused = client.post("/fhir/Bundle", json=big, headers=headers)
        assert refused.status_code == 413
        assert "2048 bytes" in refused.json()["error"]["message"]
    finally:
        client.close()


@pytest.mark.parametrize("value", ["ten", "-1", "100", "5MB"])
def test_a_bad_limit_is_refused_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv(BODY_LIMIT_ENV, value)
    with pytest.raises(InputError, match=BODY_LIMIT_ENV):
        body_limit()


def test_painpath_serve_with_a_bad_limit_exits_2_with_one_line() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "painpath", "serve", "--port", "1"],
        env={"PATH": "/usr/bin:/bin", BODY_LIMIT_ENV: "lots"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert BODY_LIMIT_ENV in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
