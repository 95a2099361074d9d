"""FHIR R4 in: a Bundle or a Bulk Data NDJSON export read into typed `PatientRecord`s.

Reading follows decision-rules §0 (ignored records, references) and §7 (what is
invalid input); every problem raises `painpath.errors.FhirInputError` carrying what,
where (a JSON path, `Type/id element`, or `File.ndjson line N`) and what was
expected, never PHI.

    read_bundle(bundle)        parsed Bundle -> PatientRecord
    read_bundle_bytes(data)    JSON bytes -> PatientRecord
    read_ndjson_dir(path)      Bulk export folder -> one PatientRecord per Patient
    read_ndjson_resources(p)   Bulk export folder -> (resource, origin) pairs
    ndjson_files(path)         the resource files of an export folder
    check_json_limits(doc)     nesting depth and text that storage can hold (importers)
"""

from painpath.fhir._bundle import BUNDLE_TYPES, read_bundle, read_bundle_bytes
from painpath.fhir._limits import MAX_BUNDLE_ENTRIES, MAX_JSON_DEPTH, check_json_limits
from painpath.fhir._ndjson import ndjson_files, read_ndjson_dir, read_ndjson_resources

__all__ = [
    "BUNDLE_TYPES",
    "MAX_BUNDLE_ENTRIES",
    "MAX_JSON_DEPTH",
    "check_json_limits",
    "ndjson_files",
    "read_bundle",
    "read_bundle_bytes",
    "read_ndjson_dir",
    "read_ndjson_resources",
]
