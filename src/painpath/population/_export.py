"""What screening needs to know about a Bulk Data export folder, engine-neutral.

The resource files (as `painpath.fhir.ndjson_files` lists and orders them), grouped by the type
their name gives; the types a patient's Bundle needs; and the SQL pieces both engines share:
the patient id a reference names (as `painpath.fhir` reads it) and the test that keeps only the
Observations the reader can use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from painpath.errors import InputError
from painpath.fhir import ndjson_files
from painpath.fhir._assemble import INDEXED, OWNER_ELEMENTS, READERS
from painpath.knowledge import Knowledge

__all__ = [
    "OWNER_PATHS",
    "PATIENT_TYPES",
    "TARGET_TYPES",
    "Export",
    "observation_filter",
    "observation_pattern",
    "open_export",
    "patient_id_sql",
    "visibly_unread_observation",
]

_NAME = re.compile(r"([A-Z][A-Za-z]*)(\.[0-9]+)?\.ndjson")

PATIENT_TYPES: tuple[str, ...] = ("Patient", *READERS)
"""Types that belong to one patient's Bundle (the reader's types and the Patient)."""

TARGET_TYPES: tuple[str, ...] = tuple(sorted(INDEXED))
"""Reference targets that belong to no patient (Medication, Organization)."""

OWNER_PATHS: dict[str, str] = {t: OWNER_ELEMENTS.get(t, "subject") for t in READERS}
"""The element of each read type that names its Patient."""


@dataclass(frozen=True, slots=True)
class Export:
    """The files of one export, in reading order, and their total size."""

    folder: Path
    files: tuple[tuple[str, Path], ...]  # (resource type from the name, path)
    bytes: int

    def of(self, *types: str) -> list[Path]:
        """The files of these types, in reading order."""
        return [path for rtype, path in self.files if rtype in types]


def open_export(folder: Path) -> Export:
    """The export in `folder`; InputError when it is not a folder or holds no Patient file."""
    try:
        paths = ndjson_files(folder)
    except InputError:
        raise InputError("not a folder", str(folder), "a Bulk Data export folder") from None
    files = []
    for path in paths:
        match = _NAME.fullmatch(path.name)
        assert match is not None  # ndjson_files lists only matching names
        files.append((match.group(1), path))
    if not any(rtype == "Patient" for rtype, _ in files):
        raise InputError(
            "no Patient file", str(folder), "Patient.ndjson (or Patient.000.ndjson) in the export"
        )
    total = sum(path.stat().st_size for _, path in files)
    return Export(folder, tuple(files), total)


def patient_id_sql(ref: str) -> str:
    """SQL for `painpath.fhir._refs.patient_id_of`: the Patient id a reference names
    (`Patient/id`, `urn:uuid:id`, or a URL ending in `Patient/id`, `_history` dropped).
    The usual `Patient/id` is read without the regular expression (the same result)."""
    return (
        f"(CASE WHEN {ref} LIKE 'Patient/_%' AND instr(substr({ref}, 9), '/') = 0 "
        f"THEN substr({ref}, 9) "
        f"WHEN {ref} LIKE 'urn:uuid:%' THEN substr({ref}, 10) "
        f"ELSE nullif(regexp_extract({ref}, '(^|/)Patient/([^/]+)(/_history/[^/]*)?$', 2), '') "
        "END)"
    )


def observation_filter(kb: Knowledge, line: str) -> str:
    """SQL true for every Observation line the reader might read (a superset: its text holds
    painpath's code system or one of the instrument codes, quoted)."""
    terms = [f"contains({line}, '{needle}')" for needle in _observation_needles(kb)]
    return "(" + " OR ".join(terms) + ")"


def observation_pattern(kb: Knowledge) -> str:
    """A regular expression (RE2 and Java syntax alike) found in the JSON text of an
    Observation's `code.coding` or `component` whenever the reader might read it: painpath's
    code system or one of the instrument codes, quoted (the needles of `observation_filter`,
    so a superset too)."""
    return "|".join(_REGEX_SPECIAL.sub(r"\\\g<0>", n) for n in _observation_needles(kb))


_REGEX_SPECIAL = re.compile(r"[\\.^$|?*+()\[\]{}-]")


def _observation_needles(kb: Knowledge) -> list[str]:
    """The texts an Observation the reader reads holds: painpath's code system, or an
    instrument code in quotes."""
    needles = {kb.instruments.painpath_system}
    needles |= {f'"{inst.code}"' for inst in kb.instruments.instruments}
    return sorted(needles)


def visibly_unread_observation(kb: Knowledge, line: str) -> str:
    """SQL true unless the line is visibly (Bulk form `{"resourceType":"Observation"`) an
    Observation with no code the reader reads: such lines are dropped before JSON parsing.
    Other spellings are parsed and filtered by `observation_filter` after."""
    prefix = '{"resourceType":"Observation"%'
    return f"NOT ({line} LIKE '{prefix}' AND NOT {observation_filter(kb, line)})"
