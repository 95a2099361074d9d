"""schemathesis over the whole published OpenAPI: every operation, as every role.

The schema comes from the app's own `/openapi.json`, so an endpoint added by any router is
fuzzed without touching this file. Each generated request is sent once per caller (each
role of clinic A, and no sign-in); every answer must be a non-5xx in the documented
content type, and match its documented schema when it is a documented status.

Bounded and reproducible in `make test`: `FUZZ_EXAMPLES` examples per operation (default
8), derandomized (the same inputs every run). `make stress` sets `PAINPATH_FUZZ_EXAMPLES`
higher and keeps the derandomized seed off.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)
from sqlalchemy import create_engine

from clinic._world import World
from painpath.api import create_app

from ._server import report

FUZZ_EXAMPLES = int(os.environ.get("PAINPATH_FUZZ_EXAMPLES", "4"))
STRESS = os.environ.get("PAINPATH_STRESS") == "1"
CALLERS: list[str | None] = ["patient", "clinician", "coordinator", "admin", None]
CHECKS = [not_a_server_error, content_type_conformance, response_schema_conformance]

schema = schemathesis.openapi.from_dict(create_app(create_engine("sqlite://")).openapi())
SENT: Counter[str] = Counter()  # requests sent, by operation


@pytest.fixture(scope="module", autouse=True)
def _count_requests() -> Iterator[None]:
    yield
    report({"test": "schemathesis", "requests": sum(SENT.values()), "operations": len(SENT)})


@schema.parametrize()
@settings(
    max_examples=FUZZ_EXAMPLES,
    derandomize=not STRESS,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_operation_answers_5xx_or_off_schema_for_any_role(
    case: Any, app: FastAPI, world: World
) -> None:
    for caller in CALLERS:
        headers = world.headers(caller) if caller else {}
        SENT[case.operation.label] += 1
        case.call_and_validate(
            app=app, base_url="https://testserver", headers=headers, checks=CHECKS
        )
