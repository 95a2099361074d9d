"""Reading one patient's FHIR R4 Bundle into a `PatientRecord` (decision-rules §0, §7).

Accepted Bundle types: collection, searchset, transaction, transaction-response,
batch, document. The Bundle must hold exactly one Patient; a resource whose
`subject`/`patient`/`beneficiary` names another Patient is refused. Resources of
types painpath does not read are skipped after that check; ignored records (§0) are
dropped before anything else is read.

Deliberate choices:
- Two read resources with the same `Type/id` are an error (which one to believe is
  not a guess painpath makes).
- An entry without a `resource` is an error, except a DELETE request in a
  transaction/batch and a response-only entry of a transaction-response.
- A resource without an `id` takes the uuid of its `urn:uuid:` fullUrl, else is an error.
- `subject: urn:uuid:X` that matches no entry names Patient X (Synthea's convention).
- "Another Patient" means a reference that resolves to, or literally names, a Patient
  other than the Bundle's; a subject that is some other kind of resource (a Group, a
  Device) is not refused. This is checked for skipped resources too (an Encounter of
  another patient still means the Bundle mixes patients).
- Observations that no rule reads (vital signs, laboratory results) are skipped like
  unread types, so they are neither indexed nor read; a `reasonReference` to one reads
  as unresolved.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from painpath.domain import PatientRecord
from painpath.errors import FhirInputError
from painpath.fhir._assemble import INDEXED, OWNER_ELEMENTS, READERS, build_record
from painpath.fhir._gcpause import paused_gc
from painpath.fhir._ignore import is_ignored
from painpath.fhir._observations import observation_is_read
from painpath.fhir._refs import Index, patient_id_of
from painpath.fhir._types import Json, Located

__all__ = ["BUNDLE_TYPES", "read_bundle", "read_bundle_bytes"]

BUNDLE_TYPES = frozenset(
    {"collection", "searchset", "transaction", "transaction-response", "batch", "document"}
)
_EXPECTED = "a FHIR R4 Bundle as one JSON object"
_JSON_KINDS = {list: "array", str: "string", int: "number", float: "number", bool: "boolean"}
_READ, _OBSERVATION, _TARGET, _PATIENT = 1, 2, 3, 4
_ROLES: dict[str, int] = {
    **dict.fromkeys(READERS, _READ),
    "Observation": _OBSERVATION,  # read when coded as something the rules read
    **dict.fromkeys(INDEXED, _TARGET),
    "Patient": _PATIENT,
}
"""What the scan does with a resource of each type it does not skip."""


def read_bundle_bytes(data: bytes) -> PatientRecord:
    """Parse JSON bytes (orjson) and read the Bundle; not JSON → FhirInputError with position."""
    with paused_gc():
        try:
            document = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            where = f"line {exc.lineno} column {exc.colno}"
            raise FhirInputError("not valid JSON", where, _EXPECTED) from None
        return read_bundle(document)


def _entry_id(res: Json, entry: Json) -> str | None:
    """The resource's id, else the uuid of its `urn:uuid:` fullUrl, else None."""
    rid = res.get("id")
    if isinstance(rid, str) and rid:
        return rid
    url = entry.get("fullUrl")
    if isinstance(url, str) and url.startswith("urn:uuid:") and len(url) > 9:
        return url[9:]
    return None


def _may_lack_resource(entry: Json, bundle_type: str) -> bool:
    request = entry.get("request")
    if bundle_type in ("transaction", "batch") and isinstance(request, dict):
        return request.get("method") == "DELETE"
    return bundle_type == "transaction-response" and isinstance(entry.get("response"), dict)


def _check_header(bundle: object) -> tuple[str, list[Any]]:
    """The Bundle's type and entries, after checking it is a Bundle at all."""
    if not isinstance(bundle, dict) and not isinstance(bundle, Mapping):
        kind = _JSON_KINDS.get(type(bundle), "null")
        raise FhirInputError(f"document is a JSON {kind}, not an object", "document", _EXPECTED)
    rtype = bundle.get("resourceType")
    if rtype != "Bundle":
        shown = f"{rtype!r}" if isinstance(rtype, str) and rtype.isalnum() else "missing"
        raise FhirInputError(f"not a Bundle (resourceType {shown})", "resourceType", _EXPECTED)
    btype = bundle.get("type")
    if not isinstance(btype, str) or btype not in BUNDLE_TYPES:
        raise FhirInputError(
            "unsupported Bundle type", "type", "one of " + ", ".join(sorted(BUNDLE_TYPES))
        )
    entries = bundle.get("entry", [])
    if not isinstance(entries, list):
        raise FhirInputError("entry is not a list", "entry", "a list of entries")
    return btype, entries


def _names_other_patient(ref: str, index: Index, patient_key: str) -> bool:
    key = index.key(ref)
    if key is None and (pid := patient_id_of(ref)) is not None:
        key = f"Patient/{pid}"
    return key is not None and key.startswith("Patient/") and key != patient_key


class _Scan:
    """One pass over the entries: the Patients, the resources to read, the reference index."""

    def __init__(self, bundle_type: str) -> None:
        self.bundle_type = bundle_type
        self.patients: list[Located] = []
        self.kept: list[Located] = []
        self.by_key: dict[str, Json] = {}
        self.by_url: dict[str, str] = {}
        self.first_at: dict[str, str] = {}
        # owner references to check once the Patient is known, each with where it first
        # occurs: reference -> (entry, element); entry -1 marks a read resource, whose element
        # is already `Type/id element`. Whether a reference names another Patient depends only
        # on the reference, so its first occurrence is the one an error names.
        self.foreign: dict[str, tuple[int, str]] = {}

    def entry(self, i: int, entry: object) -> None:
        """Take one entry: check its shape, then skip, ignore, index and/or keep its resource."""
        if not isinstance(entry, dict):
            raise FhirInputError("entry is not an object", f"entry[{i}]", "a Bundle entry object")
        res = entry.get("resource")
        if res is None:
            if _may_lack_resource(entry, self.bundle_type):
                return
            raise FhirInputError(
                "entry has no resource", f"entry[{i}]", "a resource in every entry"
            )
        rtype = res.get("resourceType") if isinstance(res, dict) else None
        if not isinstance(rtype, str) or not rtype:
            what = (
                "resource has no resourceType"
                if isinstance(res, dict)
                else "resource is not an object"
            )
            raise FhirInputError(what, f"entry[{i}].resource", "a FHIR resource object")
        role = _ROLES.get(rtype)
        if role is None or (
            role == _OBSERVATION and not observation_is_read(res) and not is_ignored(res, rtype)
        ):
            owner = res.get("subject")
            if isinstance(owner, dict) and isinstance(ref := owner.get("reference"), str):
                self.foreign.setdefault(ref, (i, "subject"))
            owner = res.get("patient")
            if isinstance(owner, dict) and isinstance(ref := owner.get("reference"), str):
                self.foreign.setdefault(ref, (i, "patient"))
            return
        if is_ignored(res, rtype):
            return
        origin = f"entry[{i}].resource"
        rid = _entry_id(res, entry)
        if rid is None:
            if rtype in INDEXED:  # a reference target nothing can name
                return
            raise FhirInputError("resource has no id", origin, "an id (or a urn:uuid: fullUrl)")
        key = f"{rtype}/{rid}"
        first = self.first_at.setdefault(key, origin)
        if first is not origin:
            raise FhirInputError(
                f"duplicate resource {key} (first at {first})", origin, "unique Type/id"
            )
        self.by_key[key] = res
        url = entry.get("fullUrl")
        if isinstance(url, str) and url:
            self.by_url[url] = key
        if role <= _OBSERVATION:
            self.kept.append(Located(res, rid, origin))
        elif role == _PATIENT:
            self.patients.append(Located(res, rid, origin))

    def the_patient(self) -> Located:
        """The one Patient, else FhirInputError."""
        if not self.patients:
            raise FhirInputError("no Patient resource", "entry", "exactly one Patient per Bundle")
        if len(self.patients) > 1:
            first, second = self.patients[0], self.patients[1]
            what = f"a second Patient (Patient/{second.id}; the first is Patient/{first.id})"
            raise FhirInputError(what, second.origin, "exactly one Patient per Bundle")
        return self.patients[0]

    def check_owners(self, patient: Located, index: Index) -> None:
        """Refuse any resource whose subject/patient/beneficiary names another Patient."""
        patient_key = f"Patient/{patient.id}"
        own = {patient_key, f"urn:uuid:{patient.id}"}
        own.update(url for url, key in self.by_url.items() if key == patient_key)
        expected = f"the Bundle's only Patient, {patient_key}"
        for res, rid, _origin in self.kept:
            element = OWNER_ELEMENTS.get(res["resourceType"], "subject")
            owner = res.get(element)
            if owner is None:
                continue
            if not isinstance(owner, dict):
                where = f"{res['resourceType']}/{rid} {element}"
                raise FhirInputError("not a Reference", where, f"a Reference to {patient_key}")
            ref = owner.get("reference")
            if isinstance(ref, str) and ref not in own and ref not in self.foreign:
                self.foreign[ref] = (-1, f"{res['resourceType']}/{rid} {element}")
        for ref, (i, element) in self.foreign.items():
            if ref not in own and _names_other_patient(ref, index, patient_key):
                where = f"entry[{i}].resource.{element}" if i >= 0 else element
                raise FhirInputError("references another Patient", f"{where}.reference", expected)


def read_bundle(bundle: Mapping[str, Any]) -> PatientRecord:
    """Read one patient's Bundle (already parsed JSON) into a PatientRecord.

    Raises FhirInputError (what, where as a JSON path or `Type/id element`, expected)
    for anything painpath cannot read: not a Bundle, not exactly one Patient, another
    Patient's resource, an invalid value (§7), a duplicate resource, a malformed entry.
    """
    with paused_gc():
        bundle_type, entries = _check_header(bundle)
        scan = _Scan(bundle_type)
        for i, entry in enumerate(entries):
            scan.entry(i, entry)
        patient = scan.the_patient()
        index = Index(scan.by_key, scan.by_url)
        scan.check_owners(patient, index)
        return build_record(patient, scan.kept, index)
