"""Shared checks of the engine tests: run an assessment, validate it, look inside it."""

from __future__ import annotations

import json
import re
from datetime import date
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator

import painpath
from builders import AS_OF, bundle
from painpath.engine._context import Context, build_context
from painpath.fhir import read_bundle
from painpath.knowledge import load_knowledge

SCHEMA = json.loads(
    (resources.files("painpath") / "schemas" / "assessment-v1.schema.json").read_text("utf-8")
)
Draft202012Validator.check_schema(SCHEMA)
VALIDATOR = Draft202012Validator(SCHEMA)
KB = load_knowledge()

_SENTENCE = re.compile(r"^[A-Z0-9].*[.!?]$", re.DOTALL)


def assert_valid(doc: dict[str, Any]) -> None:
    """The document validates against the painpath.assessment/v1 JSON Schema."""
    errors = sorted(VALIDATOR.iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def cited_ids(doc: dict[str, Any]) -> set[str]:
    """Every source id the document names anywhere (findings, criteria, red flags)."""
    found = {c["id"] for c in doc["citations"]}
    found.update(f["citation"] for f in doc["red_flags"])
    for opt in doc["options"]:
        found.update(s["citation"] for s in opt["safety"])
        if opt["coverage"] is not None:
            found.update(c["citation"] for c in opt["coverage"]["criteria"])
    return found


def assert_well_formed(doc: dict[str, Any]) -> None:
    """Citations resolve to knowledge sources; every message and rationale line is a sentence."""
    listed = [c["id"] for c in doc["citations"]]
    assert len(listed) == len(set(listed)), "a citation is listed twice"
    for cid in cited_ids(doc):
        assert cid in KB.sources, f"citation {cid!r} is not a knowledge source"
        assert cid in listed, f"citation {cid!r} is used but not listed in citations"
    for c in doc["citations"]:
        assert c["title"] == KB.sources[c["id"]].title
    texts: list[str] = list(doc["next_steps"])
    texts += [f["message"] for f in doc["red_flags"]] + [f["action"] for f in doc["red_flags"]]
    for opt in doc["options"]:
        texts += opt["rationale"]
        texts += [s["message"] for s in opt["safety"]]
    for text in texts:
        assert text.strip() == text and _SENTENCE.match(text), f"not a sentence: {text!r}"
        assert ".." not in text.replace("...", ""), f"doubled full stop: {text!r}"


def assess(bundle_doc: dict[str, Any], as_of: date = AS_OF, payer: str = "cms") -> dict[str, Any]:
    """painpath.assess, then the schema and the well-formedness checks."""
    doc = painpath.assess(bundle_doc, as_of=as_of, payer=payer)
    assert_valid(doc)
    assert_well_formed(doc)
    return doc


def run(*resources_: dict[str, Any], as_of: date = AS_OF, payer: str = "cms") -> dict[str, Any]:
    """Assess a Bundle of these resources (a Patient is added) on `as_of`."""
    return assess(bundle(*resources_), as_of=as_of, payer=payer)


def context(*resources_: dict[str, Any], as_of: date = AS_OF) -> Context:
    """The engine's Context for these resources, for tests of one engine function."""
    return build_context(read_bundle(bundle(*resources_)), KB, as_of)


def option(doc: dict[str, Any], procedure: str) -> dict[str, Any]:
    found = [o for o in doc["options"] if o["procedure"] == procedure]
    assert found, f"{procedure} not among {[o['procedure'] for o in doc['options']]}"
    return found[0]


def option_ids(doc: dict[str, Any]) -> list[str]:
    return [o["procedure"] for o in doc["options"]]


def indicated(doc: dict[str, Any]) -> list[str]:
    return [o["procedure"] for o in doc["options"] if o["indicated"]]


def criterion(doc: dict[str, Any], procedure: str, crit: str) -> str:
    """The status (met, not-met, missing) of one coverage criterion of one option."""
    coverage = option(doc, procedure)["coverage"]
    assert coverage is not None
    found = [c for c in coverage["criteria"] if c["id"] == crit]
    assert len(found) == 1, f"{crit} not in {[c['id'] for c in coverage['criteria']]}"
    return found[0]["status"]


def criterion_doc(doc: dict[str, Any], procedure: str, crit: str) -> dict[str, Any]:
    coverage = option(doc, procedure)["coverage"]
    assert coverage is not None
    return next(c for c in coverage["criteria"] if c["id"] == crit)


def safety(doc: dict[str, Any], procedure: str, drug: str | None = None) -> list[dict[str, Any]]:
    """The safety findings of one option (only those about `drug` when given)."""
    found = option(doc, procedure)["safety"]
    return [f for f in found if drug is None or f["drug"] == drug]


def rationale(doc: dict[str, Any], procedure: str) -> str:
    return "\n".join(option(doc, procedure)["rationale"])
