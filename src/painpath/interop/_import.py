"""Restoring painpath exports: the record and the documents come back exactly.

`import_export` takes the resources of one patient's export (a Bundle of `export_patient`,
or the lines of an NDJSON export) and stores, in one transaction: the Patient row, every
record resource with its original source (`import`, `api`, `pathway`; the tag removed, so
the resource is byte for byte what was exported), and each `DocumentReference` as a
document. Derived views (CarePlan, ServiceRequest, AuditEvent of painpath) are skipped:
episodes and the audit trail belong to the store that made them. A patient that already
exists is refused, never merged.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy.orm import Session

from painpath.clinic import display_name
from painpath.errors import FhirInputError, InputError
from painpath.fhir import read_bundle
from painpath.interop._export import DERIVED, OWNER_SYSTEM, SOURCE_SYSTEM, bundle_of
from painpath.store import Document, FhirResource, Patient

__all__ = ["import_export", "read_export_dir", "untag"]

_RECORD = ("import", "api", "pathway")


def untag(resource: Mapping[str, Any], system: str) -> tuple[dict[str, Any], str | None]:
    """The resource without its tag of `system` (and an emptied meta), and that tag's code."""
    meta = dict(resource.get("meta") or {})
    tags = list(meta.get("tag") or [])
    found = next((t for t in tags if isinstance(t, dict) and t.get("system") == system), None)
    out = dict(resource)
    if found is None:
        return out, None
    tags.remove(found)
    if tags:
        meta["tag"] = tags
    else:
        meta.pop("tag", None)
    if meta:
        out["meta"] = meta
    else:
        out.pop("meta", None)
    return out, str(found.get("code"))


def _when(value: Any, where: str) -> datetime:
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        raise InputError("not a date-time", where, "an ISO 8601 date-time") from None


def _document(resource: Mapping[str, Any], patient_id: str, where: str) -> Document:
    content = (resource.get("content") or [{}])[0].get("attachment") or {}
    try:
        data = base64.b64decode(str(content.get("data", "")), validate=True)
    except binascii.Error:
        raise InputError("attachment data is not base64", where, "base64") from None
    return Document(
        patient_id=patient_id,
        title=str(resource.get("description") or content.get("title") or "document")[:200],
        content_type=str(content.get("contentType") or "application/octet-stream")[:100],
        content=data,
        created_at=_when(resource.get("date"), f"{where}.date"),
    )


def import_export(
    session: Session, clinic_id: int, resources: Iterable[Mapping[str, Any]], *, now: datetime
) -> str:
    """Store one patient's exported resources (see the module docstring); the patient id."""
    record: list[tuple[str, dict[str, Any]]] = []
    documents: list[tuple[int, dict[str, Any]]] = []
    for i, resource in enumerate(resources):
        clean, source = untag(resource, SOURCE_SYSTEM)
        if source in _RECORD:
            record.append((source or "import", clean))
        elif source == "document":
            documents.append((i, clean))
        elif source != DERIVED:
            raise InputError(
                "resource without painpath's source tag", f"resource {i}", "a painpath export"
            )
    parsed = read_bundle(bundle_of(r for _, r in record))
    pid = parsed.patient_id
    if session.get(Patient, pid) is not None:
        raise InputError("the patient is already in the store", f"Patient/{pid}", "a new patient")
    patient = next(r for _, r in record if r["resourceType"] == "Patient" and r.get("id") == pid)
    session.add(
        Patient(
            id=pid,
            clinic_id=clinic_id,
            display_name=display_name(patient),
            birth_date=parsed.birth_date,
            gender=parsed.gender,
            created_at=now,
            updated_at=now,
        )
    )
    session.flush()
    for source, res in record:
        if not isinstance(res.get("id"), str):
            raise FhirInputError("resource has no id", str(res.get("resourceType")), "an id")
        session.add(
            FhirResource(
                patient_id=pid,
                resource_type=res["resourceType"],
                resource_id=res["id"],
                resource=res,
                source=source,
                created_at=now,
            )
        )
    for i, res in documents:
        session.add(_document(res, pid, f"resource {i}"))
    session.flush()
    return pid


def read_export_dir(directory: Path) -> dict[str, list[dict[str, Any]]]:
    """The lines of an NDJSON export, by patient (each line's `OWNER_SYSTEM` tag removed)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(directory.glob("*.ndjson")):
        with path.open("rb") as handle:
            for n, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    resource = orjson.loads(line)
                except orjson.JSONDecodeError:
                    raise InputError("not JSON", f"{path.name} line {n}", "one resource") from None
                clean, owner = untag(resource, OWNER_SYSTEM)
                if not owner:
                    raise InputError("no patient tag", f"{path.name} line {n}", OWNER_SYSTEM)
                out.setdefault(owner, []).append(clean)
    return out
