"""The demo's FHIR Bundles: read from the shared folder, given demo ids and names, moved in time.

The public vignettes describe a patient as seen on their as-of date (2026-06-01); the Synthea
records end in 2021 (SMART shifted them +2 years; the newest encounter is 2021-03-31). The
demo moves every full date and date-time of a Bundle forward or back by whole days
(`shift_dates`, as SMART's own `timeshift` tool did), so that each record stands in relation
to the patient's demo assessment date exactly as it stood to its own reference date. Time of
day and UTC offsets are kept; partial dates (`YYYY`, `YYYY-MM`) and narrative are left alone.
"""

from __future__ import annotations

import copy
import json
import os
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from painpath.errors import InputError

__all__ = [
    "SHARED_ENV",
    "VIGNETTE_AS_OF",
    "entries_until",
    "find_shared",
    "load_source",
    "newest_date",
    "rename_patient",
    "shift_dates",
]

SHARED_ENV = "PAINPATH_SHARED"
VIGNETTE_AS_OF = date(2026, 6, 1)
"""The as-of date the public vignettes are written for (`shared/tools/check_vignettes.py`)."""

SYNTHEA_DIR = Path("data") / "synthea-smart-generated-sample-data-r4" / "bundles"
VIGNETTE_DIR = Path("vignettes")

_FULL_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?")


def _candidates() -> list[Path]:
    """Where `shared` may be: beside the source checkout, then beside the working directory."""
    checkout = Path(__file__).resolve().parents[3]
    found = [checkout.parent / "shared"] if (checkout / "pyproject.toml").is_file() else []
    return [*found, Path.cwd().resolve().parent / "shared", Path.cwd().resolve() / "shared"]


def find_shared(explicit: Path | str | None = None) -> Path:
    """The shared folder (vignettes and Synthea data): `explicit`, else `$PAINPATH_SHARED`,
    else `../shared` beside the repository (or the working directory).

    Raises InputError naming what is missing when no candidate holds both data sets.
    """
    named = explicit if explicit is not None else os.environ.get(SHARED_ENV, "").strip() or None
    candidates = [Path(named).expanduser()] if named is not None else _candidates()
    for folder in candidates:
        if (folder / VIGNETTE_DIR).is_dir() and (folder / SYNTHEA_DIR).is_dir():
            return folder.resolve()
    where = ", ".join(str(c) for c in candidates)
    raise InputError(
        f"the shared demo data is missing (looked in {where})",
        SHARED_ENV,
        f"a folder holding {VIGNETTE_DIR}/ and {SYNTHEA_DIR}/, e.g. PAINPATH_SHARED=../shared",
    )


def load_source(shared: Path, source: str) -> dict[str, Any]:
    """A Bundle by demo source name: `vignette:<name>` or `synthea:<file stem prefix>`."""
    kind, _, name = source.partition(":")
    if kind == "vignette":
        path = shared / VIGNETTE_DIR / f"{name}.bundle.json"
    elif kind == "synthea":
        matches = sorted((shared / SYNTHEA_DIR).glob(f"{name}_*.json"))
        path = matches[0] if matches else shared / SYNTHEA_DIR / f"{name}_*.json"
    else:
        raise ValueError(f"unknown demo source {source!r}")
    if not path.is_file():
        raise InputError(f"demo source {source!r} is missing", str(path), "the shared data set")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _walk_strings(node: Any, change: Any) -> Any:
    """A copy of the JSON with every string passed through `change(value)`."""
    if isinstance(node, dict):
        return {key: _walk_strings(value, change) for key, value in node.items()}
    if isinstance(node, list):
        return [_walk_strings(item, change) for item in node]
    if isinstance(node, str):
        return change(node)
    return node


def _shift_one(value: str, days: int) -> str:
    if not _FULL_DATE.fullmatch(value):
        return value
    moved = date.fromisoformat(value[:10]) + timedelta(days=days)
    return moved.isoformat() + value[10:]


def shift_dates(bundle: dict[str, Any], days: int) -> dict[str, Any]:
    """A copy of the Bundle with every full date and date-time moved by `days` whole days."""
    if days == 0:
        return copy.deepcopy(bundle)
    shifted: dict[str, Any] = _walk_strings(bundle, lambda value: _shift_one(value, days))
    return shifted


def newest_date(node: dict[str, Any]) -> date:
    """The latest full date anywhere in a Bundle or resource (clinical or not)."""
    found: list[date] = []

    def note(value: str) -> str:
        if _FULL_DATE.fullmatch(value):
            found.append(date.fromisoformat(value[:10]))
        return value

    _walk_strings(node, note)
    if not found:
        raise ValueError("no date")
    return max(found)


def entries_until(bundle: dict[str, Any], day: date) -> dict[str, Any]:
    """The Bundle without the entries dated after `day` (the record as it stood then); the
    Patient and undated entries (coverage) are kept. Entries are shared, not copied."""
    kept = []
    for entry in bundle.get("entry") or []:
        resource = entry.get("resource") or {}
        try:
            newest = newest_date(resource)
        except ValueError:
            newest = None
        if resource.get("resourceType") == "Patient" or newest is None or newest <= day:
            kept.append(entry)
    return {**bundle, "entry": kept}


def _patient_entry(bundle: dict[str, Any]) -> dict[str, Any]:
    for entry in bundle.get("entry") or []:
        if entry.get("resource", {}).get("resourceType") == "Patient":
            found: dict[str, Any] = entry
            return found
    raise ValueError("the Bundle has no Patient")


def rename_patient(
    bundle: dict[str, Any], patient_id: str, given: str, family: str
) -> dict[str, Any]:
    """Give the Bundle's Patient the demo id and name (in place; returns the Bundle).

    References written as `Patient/<old id>` or as the Patient entry's fullUrl are
    rewritten; a `urn:uuid:` fullUrl keeps resolving because the Bundle keeps it.
    """
    out = bundle
    entry = _patient_entry(out)
    patient = entry["resource"]
    old_refs = {f"Patient/{patient.get('id')}"}
    url = entry.get("fullUrl")
    if isinstance(url, str) and not url.startswith("urn:uuid:"):
        old_refs.add(url)
        entry["fullUrl"] = url.replace(f"Patient/{patient.get('id')}", f"Patient/{patient_id}")
    patient["id"] = patient_id
    patient["name"] = [{"use": "official", "family": family, "given": [given]}]
    patient.pop("text", None)  # the generator's narrative names the original patient

    def rewrite(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("reference")
            if isinstance(ref, str) and ref in old_refs:
                node["reference"] = f"Patient/{patient_id}"
            for value in node.values():
                rewrite(value)
        elif isinstance(node, list):
            for item in node:
                rewrite(item)

    rewrite(out)
    return out
