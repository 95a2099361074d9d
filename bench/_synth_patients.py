"""Small synthetic patients as per-patient Bundles, assembled the way `painpath screen` does.

`painpath synth` writes a Bulk NDJSON export; each patient's lines (its own resources, found
by `subject`, `patient` or `beneficiary`) become one collection Bundle through
`painpath.population._assess.bundle_of`, as screening builds it.
"""

from __future__ import annotations

import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from painpath.population._assess import bundle_of

__all__ = ["synth_bundles", "write_synth"]


def write_synth(folder: Path, patients: int = 2000) -> None:
    """`painpath synth --patients N --seed 0 --as-of 2026-06-01 folder` (same seed, same data)."""
    subprocess.run(
        [
            str(Path(sys.executable).parent / "painpath"),
            "synth",
            "--patients",
            str(patients),
            "--seed",
            "0",
            "--as-of",
            "2026-06-01",
            str(folder),
        ],
        check=True,
        capture_output=True,
    )


def _owner(resource: dict[str, Any]) -> str | None:
    if resource.get("resourceType") == "Patient":
        return str(resource["id"])
    for key in ("subject", "patient", "beneficiary"):
        ref = resource.get(key)
        if isinstance(ref, dict) and isinstance(ref.get("reference"), str):
            return str(ref["reference"]).removeprefix("Patient/")
    return None


def synth_bundles(folder: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """(patient id, Bundle) for each patient of the export in `folder`, by patient id."""
    lines: dict[str, list[bytes]] = defaultdict(list)
    for path in sorted(folder.glob("*.ndjson")):
        for line in path.read_bytes().splitlines():
            if line.strip():
                owner = _owner(orjson.loads(line))
                if owner is not None:
                    lines[owner].append(line)
    for pid in sorted(lines):
        yield pid, bundle_of(lines[pid])
