"""Reading a FHIR Bulk Data export folder (NDJSON) into one `PatientRecord` per Patient.

https://hl7.org/fhir/uv/bulkdata/export.html: each output file holds resources of
one type, one JSON object per line, named `Type.ndjson` or `Type.000.ndjson`.

- Files whose name does not start with a resource type (`log.ndjson`, the export
  log some servers write beside the data) are not resource files and are skipped;
  `ndjson_files()` lists exactly the files that are read.
- A line is read only as far as needed: a line that starts with
  `{"resourceType":"T"` for a type T that painpath does not read (Encounter,
  DocumentReference, Claim, ...) is skipped unparsed once it is seen to end with
  `}` — like an ignored record, it is not read and not validated. Every other line
  is parsed in full; a broken one is reported with file and line number. Blank
  lines are allowed. Ignored records (§0) are dropped before validation.
- A resource belongs to the Patient its `subject` (`patient` for
  AllergyIntolerance, `beneficiary` for Coverage) names as `Patient/id`,
  `urn:uuid:id` or a URL ending in `Patient/id`. A read resource that names no
  Patient, or one absent from the export, is an error; so is a duplicate `Type/id`.
- Medication and Organization resources belong to no Patient: any record may
  reference them. References resolve by `Type/id` across the export.

Each resource is read into its domain object as soon as it is parsed (while it is
still in the CPU cache), and only what references need is kept of it. Files are read
Patient first, then the reference targets (Medication, Organization, Condition,
Observation), so references resolve on the spot; a resource whose reference did not
resolve yet is read again once every file is in. Every error is raised before the
first record is returned: reading is all or nothing.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from pathlib import Path

import orjson

from painpath.domain import PatientRecord
from painpath.errors import FhirInputError
from painpath.fhir._assemble import (
    INDEXED,
    OWNER_ELEMENTS,
    READERS,
    RecordBuilder,
    read_resource,
)
from painpath.fhir._gcpause import paused_gc
from painpath.fhir._ignore import is_ignored
from painpath.fhir._refs import Index, patient_id_of
from painpath.fhir._types import Json, Located
from painpath.fhir._values import reference

__all__ = ["ndjson_files", "read_ndjson_dir", "read_ndjson_resources"]

_RESOURCE_FILE = re.compile(r"([A-Z][A-Za-z]*)(\.[0-9]+)?\.ndjson")
_FIRST = {"Patient": 0, "Medication": 1, "Organization": 2, "Condition": 3, "Observation": 4}
_PREFIX = b'{"resourceType":"'
_PREFIX_LEN = len(_PREFIX)
_WANTED = frozenset(READERS) | INDEXED | {"Patient"}
_TARGETS = frozenset({"Condition", "Observation"})  # reasonReference targets: keep their code
_LINE_EXPECTED = "one FHIR resource as a JSON object per line"


def _file_order(path: Path) -> tuple[int, str]:
    match = _RESOURCE_FILE.fullmatch(path.name)
    return (_FIRST.get(match.group(1), 9) if match else 9), path.name


def ndjson_files(folder: Path) -> list[Path]:
    """The resource files of an export folder, Patient and reference targets first.

    Files whose names do not start with a resource type (`log.ndjson`) are left out.
    """
    if not folder.is_dir():
        raise FhirInputError("not a folder", folder.name, "a Bulk Data export folder")
    found = [p for p in folder.iterdir() if _RESOURCE_FILE.fullmatch(p.name) and p.is_file()]
    return sorted(found, key=_file_order)


def _leading_type(line: bytes) -> str | None:
    """The resourceType of a line written `{"resourceType":"T",...}` (the Bulk export form)."""
    if not line.startswith(_PREFIX):
        return None
    end = line.find(b'"', _PREFIX_LEN)
    return line[_PREFIX_LEN:end].decode("ascii", "replace") if end > 0 else None


def read_ndjson_resources(
    folder: Path, types: Collection[str] | None = None
) -> Iterator[tuple[Json, str]]:
    """Every resource of every resource file, with its origin `File.ndjson line N`.

    With `types`, only resources of those types are returned, and a line whose leading
    `resourceType` names another type is skipped without being parsed (its last
    non-blank byte must still be `}`). Raises FhirInputError naming file and line for
    a line that is not JSON, not an object, or has no resourceType.
    """
    for path in ndjson_files(folder):
        name = path.name
        try:
            data = path.read_bytes()
        except OSError:
            raise FhirInputError("cannot read file", name, "a readable NDJSON file") from None
        for number, line in enumerate(data.split(b"\n"), 1):
            if types is not None:
                leading = _leading_type(line)
                if leading is not None and leading not in types:
                    if line.rstrip().endswith(b"}"):
                        continue
                    where = f"{name} line {number}"
                    raise FhirInputError("line is cut short", where, _LINE_EXPECTED)
            if not line or line.isspace():
                continue
            origin = f"{name} line {number}"
            try:
                res = orjson.loads(line)
            except orjson.JSONDecodeError:
                raise FhirInputError("not valid JSON", origin, _LINE_EXPECTED) from None
            if not isinstance(res, dict):
                raise FhirInputError("line is not a JSON object", origin, _LINE_EXPECTED)
            rtype = res.get("resourceType")
            if not isinstance(rtype, str) or not rtype:
                raise FhirInputError("resource has no resourceType", origin, _LINE_EXPECTED)
            if types is None or rtype in types:
                yield res, origin


def _at(exc: FhirInputError, origin: str) -> FhirInputError:
    """The same error, its `where` prefixed with the file and line of the resource."""
    return FhirInputError(exc.what, f"{origin}, {exc.where}", exc.expected)


def _id(res: Json, origin: str) -> str:
    rid = res.get("id")
    if not isinstance(rid, str) or not rid:
        raise FhirInputError("resource has no id", origin, "a resource id")
    return rid


class _Export:
    """The records of one export, built resource by resource."""

    def __init__(self) -> None:
        self.patients: dict[str, tuple[Located, RecordBuilder]] = {}
        self.targets: dict[str, Json] = {}
        self.index = Index(self.targets)
        self.seen: dict[str, str] = {}
        self.waiting: list[tuple[Located, str]] = []  # (resource, owner) read again at the end

    def _claim(self, key: str, origin: str) -> None:
        first = self.seen.setdefault(key, origin)
        if first is not origin:
            what = f"duplicate resource {key} (first at {first})"
            raise FhirInputError(what, origin, "unique Type/id")

    def add(self, res: Json, origin: str) -> None:
        """Take one parsed resource: a Patient, a reference target, or a record's resource."""
        rtype: str = res["resourceType"]
        reader = READERS.get(rtype)
        if reader is None:
            if rtype == "Patient" or rtype in INDEXED:
                rid = _id(res, origin)
                self._claim(f"{rtype}/{rid}", origin)
                if rtype == "Patient":
                    self.patients[rid] = (Located(res, rid, origin), RecordBuilder())
                else:  # Medication, Organization: reference targets of any record
                    self.targets[f"{rtype}/{rid}"] = res
            return
        if is_ignored(res, rtype):
            return
        rid = _id(res, origin)
        key = f"{rtype}/{rid}"
        self._claim(key, origin)
        element = OWNER_ELEMENTS.get(rtype, "subject")
        ref = reference(res.get(element))
        owner = patient_id_of(ref) if ref is not None else None
        if owner is None:
            where = f"{origin}, {key} {element}"
            raise FhirInputError("names no Patient", where, "a reference to Patient/<id>")
        if rtype in _TARGETS:
            self.targets[key] = {"resourceType": rtype, "code": res.get("code")}
        entry = self.patients.get(owner)
        if entry is not None:
            misses = self.index.misses
            try:
                item = reader[1](res, rid, key, self.index)
            except FhirInputError as exc:
                raise _at(exc, origin) from None
            if self.index.misses == misses:
                entry[1].add(reader[0], item)
                return
        self.waiting.append((Located(res, rid, origin), owner))

    def finish(self) -> list[PatientRecord]:
        """Read the waiting resources, then freeze every record, in Patient-file order."""
        for located, owner in self.waiting:
            entry = self.patients.get(owner)
            rtype = located.resource["resourceType"]
            if entry is None:
                raise FhirInputError(
                    f"references Patient/{owner}, which is not in the export",
                    f"{located.origin}, {rtype}/{located.id}",
                    "a Patient resource for every subject",
                )
            try:
                entry[1].add(*read_resource(located.resource, rtype, located.id, self.index))
            except FhirInputError as exc:
                raise _at(exc, located.origin) from None
        records = []
        for located, builder in self.patients.values():
            try:
                records.append(builder.finish(located))
            except FhirInputError as exc:
                raise _at(exc, located.origin) from None
        return records


def read_ndjson_dir(path: Path) -> Iterator[PatientRecord]:
    """One PatientRecord per Patient of a Bulk Data export folder, in Patient-file order.

    Raises FhirInputError naming the file and line (and `Type/id element` for a value
    error), before the first record is returned.
    """
    export = _Export()
    with paused_gc():
        for res, origin in read_ndjson_resources(path, _WANTED):
            export.add(res, origin)
        records = export.finish()
    yield from records
