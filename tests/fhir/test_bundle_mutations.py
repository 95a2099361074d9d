"""Property: a mutated or truncated Bundle either reads or raises FhirInputError — nothing else."""

from __future__ import annotations

import contextlib
import copy
import json
from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from painpath.errors import FhirInputError
from painpath.fhir import read_bundle, read_bundle_bytes

from .conftest import VIGNETTES, fixture_path

_SEEDS = [
    VIGNETTES / "facet-two-positive-blocks.bundle.json",
    VIGNETTES / "oxycodone-60.bundle.json",
    fixture_path("intake-nested"),
    fixture_path("transaction-urn-uuid"),
    fixture_path("clinical-basics"),
    fixture_path("medication-contained"),
]
BASES = [json.loads(p.read_text()) for p in _SEEDS if p.exists()]

_INTERESTING = st.sampled_from(
    [
        "",
        "Patient",
        "Bundle",
        "Observation",
        "Patient/pt-1",
        "Patient/other",
        "urn:uuid:x",
        "#m1",
        "2026",
        "2026-02-30",
        "2026-05-22T10:00:00Z",
        "entered-in-error",
        "active",
        "http://loinc.org",
        "72514-3",
        "percent-relief",
        "https://painpath.dev/fhir/CodeSystem/painpath",
        "https://painpath.dev/fhir/Questionnaire/intake",
        "nrs",
        "peg-pain",
        "transaction",
    ]
)
_SCALARS = (
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12) | _INTERESTING
)
JSON = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(_INTERESTING | st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def _mutate(data: st.DataObject, node: Any) -> Any:
    """Replace, delete or truncate one randomly chosen place of the tree (returns the new root)."""
    if not isinstance(node, dict | list) or not node or data.draw(st.integers(0, 4)) == 0:
        return data.draw(JSON)
    keys = list(node) if isinstance(node, dict) else list(range(len(node)))
    key = data.draw(st.sampled_from(keys))
    action = data.draw(st.sampled_from(["descend", "descend", "descend", "delete", "truncate"]))
    if action == "delete":
        del node[key]
    elif action == "truncate" and isinstance(node, list):
        del node[key:]
    else:
        node[key] = _mutate(data, node[key])
    return node


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_bundles_read_or_raise_fhir_input_error(data: st.DataObject) -> None:
    bundle = copy.deepcopy(data.draw(st.sampled_from(BASES)))
    for _ in range(data.draw(st.integers(1, 4))):
        bundle = _mutate(data, bundle)
    try:
        read_bundle(bundle)
    except FhirInputError as exc:
        assert exc.what
        assert "\n" not in str(exc)


@settings(max_examples=200, deadline=None)
@given(base=st.sampled_from(BASES), cut=st.floats(0, 1), flip=st.integers(0, 255))
def test_truncated_or_corrupted_bytes_read_or_raise_fhir_input_error(
    base: dict[str, Any], cut: float, flip: int
) -> None:
    raw = bytearray(orjson.dumps(base))
    position = int(cut * (len(raw) - 1))
    for candidate in (
        bytes(raw[:position]),
        bytes(raw[:position] + bytes([flip]) + raw[position + 1 :]),
    ):
        with contextlib.suppress(FhirInputError):
            read_bundle_bytes(candidate)
