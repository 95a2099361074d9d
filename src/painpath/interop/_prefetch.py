"""Prefetch: the templates filled from the hook context, and the data the EHR sent.

A prefetch value may be a resource, a Bundle (a search result), or a Bundle entry
(`{"resource": ...}`, as some EHRs and the CDC opioid examples send), or `null` (the EHR
has no data for that key: CDS Hooks 2.0 §Prefetch). A key the EHR left out is one the
service must fetch from `fhirServer` itself (`missing_keys`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from painpath.errors import FhirInputError, InputError

__all__ = [
    "collect_resources",
    "missing_keys",
    "prefetch_where",
    "record_bundle",
    "render_template",
]

_TOKEN = re.compile(r"\{\{\s*context\.([A-Za-z]+)\s*\}\}")
_ENTRY = re.compile(r"entry\[(\d+)\]\.resource(.*)")


def render_template(template: str, context: Mapping[str, Any]) -> str:
    """A prefetch template with each `{{context.x}}` replaced (ids without their type)."""

    def value(match: re.Match[str]) -> str:
        raw = context.get(match.group(1))
        if not isinstance(raw, str):
            raise InputError("missing", f"context.{match.group(1)}", "a string for the prefetch")
        return raw.split("/")[-1]

    return _TOKEN.sub(value, template)


def missing_keys(templates: Mapping[str, str], prefetch: Mapping[str, Any] | None) -> list[str]:
    """The template keys the EHR did not send (null counts as sent: it means no data)."""
    sent = prefetch or {}
    return [key for key in templates if key not in sent]


def _resources_of(value: Any, where: str) -> Iterable[dict[str, Any]]:
    if value is None:
        return
    if not isinstance(value, dict):
        raise InputError("not an object", where, "a FHIR resource, Bundle or null")
    if "resourceType" not in value and isinstance(value.get("resource"), dict):
        value = value["resource"]  # a Bundle entry
    rtype = value.get("resourceType")
    if not isinstance(rtype, str):
        raise InputError("no resourceType", where, "a FHIR resource, Bundle or null")
    if rtype == "Bundle":
        entries = value.get("entry") or []
        if not isinstance(entries, list):
            raise InputError("not an array", f"{where}.entry", "Bundle entries")
        for i, entry in enumerate(entries):
            res = entry.get("resource") if isinstance(entry, dict) else None
            if isinstance(res, dict) and res.get("resourceType") == "OperationOutcome":
                continue  # search warnings, not data
            if res is not None:
                yield from _resources_of(res, f"{where}.entry[{i}].resource")
        return
    yield value


def collect_resources(items: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(prefetch key, resource) of every resource of the prefetch values, once each.

    The same `Type/id` twice with the same content is kept once; with different content
    it is refused (which one is current cannot be told).
    """
    seen: dict[str, tuple[str, dict[str, Any]]] = {}
    out: list[tuple[str, dict[str, Any]]] = []
    for key, value in items.items():
        for res in _resources_of(value, f"prefetch.{key}"):
            rid = res.get("id")
            if not isinstance(rid, str):
                out.append((key, res))  # the reader reports what it needs
                continue
            ref = f"{res['resourceType']}/{rid}"
            first = seen.get(ref)
            if first is None:
                seen[ref] = (key, res)
                out.append((key, res))
            elif first[1] != res:
                raise InputError(
                    f"two different versions of {ref} (also in prefetch.{first[0]})",
                    f"prefetch.{key}",
                    "one version of each resource",
                )
    return out


def record_bundle(
    resources: Iterable[tuple[str, dict[str, Any]]], patient_id: str
) -> dict[str, Any]:
    """A collection Bundle of the patient's record for the engine; InputError without the
    Patient in context."""
    entries = [{"resource": r} for _key, r in resources]
    patients = [e["resource"] for e in entries if e["resource"].get("resourceType") == "Patient"]
    if not any(p.get("id") == patient_id for p in patients):
        raise InputError(
            f"the Patient {patient_id} is not in the prefetch data",
            "prefetch.patient",
            "the Patient resource of context.patientId",
        )
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def prefetch_where(error: FhirInputError, resources: Sequence[tuple[str, dict[str, Any]]]) -> str:
    """The reader's `entry[N]...` place of an error, said in the request's terms."""
    where = error.where or ""
    match = _ENTRY.match(where)
    if match is None or int(match.group(1)) >= len(resources):
        return where
    key, res = resources[int(match.group(1))]
    return f"prefetch.{key} {res.get('resourceType')}/{res.get('id')}{match.group(2)}"
