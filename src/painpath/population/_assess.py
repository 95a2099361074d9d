"""One screened patient: raw NDJSON lines -> the Bundle `painpath assess` reads -> a worklist row.

The lines are the patient's resources plus the Medication and Organization resources they
reference. They become one `collection` Bundle, without `fullUrl`s, so that references
resolve exactly as in a Bulk export (`Type/id`), and the Bundle goes through
`painpath.assess`: screening and `assess` are one engine, one reader.

The entries are put in one canonical order (`resource_order_key`: the Patient first, then by
resource type, then by id; two resources with the same type and id by their line's text). A
Bulk export promises no order across its files, and neither engine promises the order in which
a parallel scan hands the lines over, while the engine words its evidence in record order:
without a fixed order, the same export could give the same decisions worded in two orders on
two runs. So the engines need not keep any order within a patient: they only group.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import Any

import orjson

from painpath import assess
from painpath.errors import InputError
from painpath.knowledge import Knowledge

__all__ = [
    "UNREADABLE",
    "ScreenedPatient",
    "assess_lines",
    "bundle_of",
    "group_batches",
    "resource_order_key",
    "row_of",
]

UNREADABLE = "unreadable"
"""The status of a patient whose record `painpath assess` refuses (the reason is in `why`)."""

ScreenedPatient = tuple[str, dict[str, Any] | None, str | None]
"""(patient id, the assessment document or None, the input error message or None)."""


def group_batches(batches: Iterable[Any]) -> Iterator[tuple[str, list[str]]]:
    """(patient id, lines) from Arrow batches of (pid, line) sorted by patient: a patient's
    lines are consecutive, possibly across batches."""
    current: str | None = None
    lines: list[str] = []
    for batch in batches:
        pids = batch.column(0).to_pylist()
        texts = batch.column(1).to_pylist()
        for pid, text in zip(pids, texts, strict=True):
            if pid != current:
                if current is not None:
                    yield current, lines
                current, lines = pid, []
            lines.append(text)
    if current is not None:
        yield current, lines


def resource_order_key(resource: dict[str, Any]) -> tuple[bool, str, str]:
    """The canonical order of a screened patient's resources: Patient first, then by resource
    type, then by id (a missing or non-text type or id sorts as empty text)."""
    rtype = resource.get("resourceType")
    rid = resource.get("id")
    rtype = rtype if isinstance(rtype, str) else ""
    return rtype != "Patient", rtype, rid if isinstance(rid, str) else ""


def bundle_of(lines: Iterable[str | bytes]) -> dict[str, Any]:
    """A collection Bundle holding the parsed lines as its entries, in canonical order (the
    same whatever order the lines come in)."""
    loads = orjson.loads
    parsed = [(loads(line), line) for line in lines]
    if not all(isinstance(r, dict) for r, _ in parsed):
        raise InputError("a resource line is not a JSON object", "NDJSON line", "a FHIR resource")
    parsed.sort(key=lambda pair: (resource_order_key(pair[0]), pair[1]))
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": r} for r, _ in parsed],
    }


def assess_lines(
    patient_id: str,
    lines: Sequence[str | bytes],
    kb: Knowledge,
    as_of: date,
    payer: str,
) -> ScreenedPatient:
    """Assess one patient from its raw lines; an unreadable record gives its message instead."""
    try:
        doc = assess(bundle_of(lines), as_of=as_of, payer=payer, knowledge=kb)
    except orjson.JSONDecodeError:
        return patient_id, None, "a resource line is not valid JSON"
    except InputError as exc:
        return patient_id, None, exc.message
    return patient_id, doc, None


def _top(doc: dict[str, Any]) -> dict[str, Any] | None:
    options: list[dict[str, Any]] = doc["options"]
    return options[0] if options else None


def _why(doc: dict[str, Any]) -> str:
    if doc["red_flags"]:
        return "; ".join(flag["message"] for flag in doc["red_flags"])
    top = _top(doc)
    if top is not None and top["rationale"]:
        return str(top["rationale"][0])
    steps: list[str] = doc["next_steps"]
    return steps[0] if steps else ""


def row_of(item: ScreenedPatient) -> dict[str, Any]:
    """The worklist row of one screened patient (see `ROW_COLUMNS`)."""
    patient_id, doc, error = item
    if doc is None:
        return {
            "patient_id": patient_id,
            "status": UNREADABLE,
            "top_option": None,
            "top_option_indicated": None,
            "options": None,
            "mme_per_day": None,
            "conservative_care_weeks": None,
            "duration_months": None,
            "latest_nrs": None,
            "why": error,
        }
    top = _top(doc)
    return {
        "patient_id": patient_id,
        "status": doc["status"],
        "top_option": None if top is None else top["procedure"],
        "top_option_indicated": None if top is None else bool(top["indicated"]),
        "options": ",".join(o["procedure"] for o in doc["options"]) or None,
        "mme_per_day": float(doc["mme_per_day"]),
        "conservative_care_weeks": float(doc["conservative_care"]["weeks"]),
        "duration_months": doc["pain"]["duration_months"],
        "latest_nrs": doc["pain"]["latest_nrs"],
        "why": _why(doc),
    }
