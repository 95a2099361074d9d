"""A patient's FHIR record as rows: Bundle entries in, a collection Bundle out.

Stored the way a FHIR server stores a transaction: every resource keeps (or is given)
an id, and every reference that the Bundle resolved through an entry's `fullUrl`
(`urn:uuid:...`, an absolute URL) is rewritten to the relative `Type/id`, so the record
reads the same once the Bundle around it is gone. The rebuilt Bundle is read back with
the same reader (`painpath.fhir.read_bundle`) before anything commits.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Text, bindparam, cast, delete, select, tuple_
from sqlalchemy.orm import Session

from painpath.domain import PatientRecord
from painpath.errors import FhirInputError
from painpath.fhir import read_bundle
from painpath.store import FhirResource, json_loads

__all__ = [
    "Prepared",
    "bundle_from_texts",
    "display_name",
    "load_bundle",
    "prepare_entries",
    "record_texts",
    "replace_imported",
    "store_resource",
    "validate_stored",
]

Prepared = tuple[str, str, dict[str, Any]]
"""(resourceType, id, resource) ready to store."""

_FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
_ID_EXPECTED = "a FHIR id: 1 to 64 letters, digits, '-' or '.'"


def _entry_id(entry: Mapping[str, Any], res: Mapping[str, Any]) -> str:
    rid = res.get("id")
    if isinstance(rid, str) and rid:
        return rid
    url = entry.get("fullUrl")
    if isinstance(url, str) and url.startswith("urn:uuid:") and len(url) > 9:
        return url[9:]
    return str(uuid.uuid4())


def _rewrite(node: Any, urls: Mapping[str, str]) -> Any:
    """A copy of the JSON with each `reference` that names a fullUrl turned into `Type/id`."""
    if isinstance(node, dict):
        out = {key: _rewrite(value, urls) for key, value in node.items()}
        ref = out.get("reference")
        if isinstance(ref, str) and ref in urls:
            out["reference"] = urls[ref]
        return out
    if isinstance(node, list):
        return [_rewrite(item, urls) for item in node]
    return node


def prepare_entries(bundle: Mapping[str, Any]) -> list[Prepared]:
    """Every resource of an (already read) Bundle, with its id and rewritten references.

    Raises FhirInputError for what the rows cannot hold: an id that is not a FHIR id, or
    two resources with the same `Type/id` (including types the reader skips).
    """
    found: list[tuple[str, str, dict[str, Any], str]] = []
    urls: dict[str, str] = {}
    seen: dict[str, str] = {}
    for i, entry in enumerate(bundle.get("entry") or []):
        res = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(res, dict):
            continue  # a DELETE or response-only entry (the reader allowed it)
        rtype, rid, where = str(res["resourceType"]), _entry_id(entry, res), f"entry[{i}]"
        if not _FHIR_ID.fullmatch(rid) or not rtype.isalpha() or len(rtype) > 64:
            raise FhirInputError(
                "resource id is not a FHIR id", f"{where}.resource.id", _ID_EXPECTED
            )
        key = f"{rtype}/{rid}"
        if key in seen:
            raise FhirInputError(
                f"duplicate resource {key} (first at {seen[key]})", where, "unique Type/id"
            )
        seen[key] = where
        url = entry.get("fullUrl")
        if isinstance(url, str) and url:
            urls[url] = key
        found.append((rtype, rid, res, where))
    out: list[Prepared] = []
    for rtype, rid, res, _where in found:
        copy = _rewrite(res, urls)
        copy["id"] = rid
        out.append((rtype, rid, copy))
    return out


def display_name(patient: Mapping[str, Any]) -> str | None:
    """The Patient's name for staff lists: the official (else first) name, text or parts."""
    names = [n for n in patient.get("name") or [] if isinstance(n, dict)]
    if not names:
        return None
    name = next((n for n in names if n.get("use") == "official"), names[0])
    text = name.get("text")
    if not isinstance(text, str) or not text.strip():
        given = [g for g in name.get("given") or [] if isinstance(g, str)]
        family = name.get("family")
        text = " ".join([*given, family] if isinstance(family, str) else given)
    return text.strip()[:200] or None


def replace_imported(
    session: Session, patient_id: str, resources: Iterable[Prepared], now: datetime
) -> None:
    """Replace the patient's imported resources (and any row the Bundle now supplies)."""
    items = list(resources)
    session.execute(
        delete(FhirResource).where(
            FhirResource.patient_id == patient_id, FhirResource.source == "import"
        )
    )
    keys = [(rtype, rid) for rtype, rid, _ in items]
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        session.execute(
            delete(FhirResource).where(
                FhirResource.patient_id == patient_id,
                tuple_(FhirResource.resource_type, FhirResource.resource_id).in_(chunk),
            )
        )
    for rtype, rid, res in items:
        store_resource(session, patient_id, rtype, rid, res, "import", now)


def store_resource(
    session: Session,
    patient_id: str,
    rtype: str,
    rid: str,
    resource: dict[str, Any],
    source: str,
    now: datetime,
) -> FhirResource:
    """Add one resource row (flushed on commit)."""
    row = FhirResource(
        patient_id=patient_id,
        resource_type=rtype,
        resource_id=rid,
        resource=resource,
        source=source,
        created_at=now,
    )
    session.add(row)
    return row


_RECORD_TEXTS = (  # built once: its cache key is computed once, not on every request
    select(FhirResource.resource_type, cast(FhirResource.resource, Text))
    .where(FhirResource.patient_id == bindparam("patient_id"))
    .order_by(FhirResource.id)
)


def record_texts(session: Session, patient_id: str) -> list[tuple[str, str]]:
    """The patient's stored resources as (resourceType, JSON text), in `load_bundle` order
    (Patient first, then as stored). The text is not parsed: it can be fingerprinted first."""
    rows = session.execute(_RECORD_TEXTS, {"patient_id": patient_id}).all()
    return sorted(((rtype, text) for rtype, text in rows), key=lambda r: r[0] != "Patient")


def bundle_from_texts(texts: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """The FHIR R4 collection Bundle of `record_texts` (each text read as the column is)."""
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": json_loads(text)} for _rtype, text in texts],
    }


def load_bundle(session: Session, patient_id: str) -> dict[str, Any]:
    """The patient's stored record as a FHIR R4 collection Bundle (Patient first)."""
    # Columns, not ORM objects: for a record of a few hundred resources, building and
    # tracking the entities cost more than the engine's whole assessment.
    return bundle_from_texts(record_texts(session, patient_id))


def validate_stored(session: Session, patient_id: str) -> PatientRecord:
    """Read the stored record back through the Bundle reader; FhirInputError if it breaks."""
    session.flush()
    return read_bundle(load_bundle(session, patient_id))
