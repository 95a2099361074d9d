"""Finding a resource type's NDJSON files in a FHIR Bulk Data export directory.

A Bulk export names each file after the type it holds: `Patient.ndjson`,
`Patient.000.ndjson`, `Patient-1.ndjson`. Files whose name does not start with a resource
type (`output.ndjson`, `log.ndjson`) may hold any type: they are read too, keeping only
lines whose `resourceType` matches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from painpath.errors import InputError

__all__ = ["BulkFiles", "bulk_files", "files_for"]

_TYPED = re.compile(r"^([A-Z][A-Za-z]+)(?:[.\-_].*)?\.ndjson$")
MIXED = "*"


@dataclass(frozen=True)
class BulkFiles:
    """One resource type's files: `typed` hold only that type; `mixed` need a filter."""

    typed: tuple[Path, ...]
    mixed: tuple[Path, ...]


def bulk_files(directory: Path) -> dict[str, list[Path]]:
    """The directory's NDJSON files by resource type (`*` for files that may mix types)."""
    if not directory.is_dir():
        raise InputError(f"{directory} is not a directory", "BULK_DIR", "a Bulk Data export")
    found: dict[str, list[Path]] = {}
    for path in sorted(directory.iterdir()):
        if not path.is_file() or not path.name.endswith(".ndjson"):
            continue
        match = _TYPED.match(path.name)
        found.setdefault(match.group(1) if match else MIXED, []).append(path)
    return found


def files_for(source: Path | dict[str, list[Path]], resource: str) -> BulkFiles:
    """The files to read for `resource` from a directory or a type → files mapping."""
    by_type = bulk_files(source) if isinstance(source, Path) else source
    typed = tuple(Path(p) for p in by_type.get(resource, []))
    mixed = tuple(Path(p) for p in by_type.get(MIXED, []))
    for path in typed + mixed:
        if not path.is_file():
            raise InputError(f"{path} does not exist", "source", "an NDJSON file")
    return BulkFiles(typed, mixed)
