"""Test exports: FHIR Bundles written as Bulk Data NDJSON folders, and Bundles rebuilt per patient.

`bundles_to_ndjson` does what a Bulk Data server does with a patient's record: one file per
resource type, one resource per line in the Bundle's order, and `urn:uuid:` references to
entries rewritten as relative `Type/id` references (Bulk exports carry no fullUrls).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from painpath.population._assess import resource_order_key

SHARED = Path(__file__).resolve().parents[3] / "shared"
SYNTHEA_BUNDLES = SHARED / "data" / "synthea-smart-generated-sample-data-r4" / "bundles"
SYNTHEA_BULK = SHARED / "data" / "synthea-smart-bulk-10-patients" / "ndjson"
VIGNETTES = SHARED / "vignettes"


def _relative(node: Any, urls: dict[str, str]) -> Any:
    if isinstance(node, dict):
        return {k: _relative(v, urls) for k, v in node.items()}
    if isinstance(node, list):
        return [_relative(v, urls) for v in node]
    if isinstance(node, str) and node in urls:
        return urls[node]
    return node


def bundles_to_ndjson(bundles: Iterable[dict[str, Any]], folder: Path) -> None:
    """Write the Bundles' resources into `folder` as `Type.000.ndjson` files."""
    lines: dict[str, list[str]] = defaultdict(list)
    for bundle in bundles:
        entries = [e for e in bundle.get("entry", []) if isinstance(e.get("resource"), dict)]
        urls = {
            e["fullUrl"]: f"{e['resource']['resourceType']}/{e['resource']['id']}"
            for e in entries
            if "fullUrl" in e and "id" in e["resource"]
        }
        for entry in entries:
            res = _relative(entry["resource"], urls)
            lines[res["resourceType"]].append(json.dumps(res, separators=(",", ":")))
    folder.mkdir(parents=True, exist_ok=True)
    for rtype, rows in lines.items():
        (folder / f"{rtype}.000.ndjson").write_text("\n".join(rows) + "\n", encoding="utf-8")


_OWNERS = ("subject", "patient", "beneficiary")


def _owner(res: dict[str, Any]) -> str | None:
    if res["resourceType"] == "Patient":
        return str(res["id"])
    for element in _OWNERS:
        ref = (res.get(element) or {}).get("reference", "")
        if ref.startswith("Patient/"):
            return str(ref[8:])
        if ref.startswith("urn:uuid:"):
            return str(ref[9:])
    return None


def ndjson_to_bundles(folder: Path) -> dict[str, dict[str, Any]]:
    """One collection Bundle per Patient of an NDJSON folder: every resource that names the
    patient, whatever its type, and the Medication and Organization resources, in the
    canonical order `screen` assembles a patient in (`resource_order_key`)."""
    own: dict[str, list[dict[str, Any]]] = defaultdict(list)
    shared: list[dict[str, Any]] = []
    for path in sorted(
        folder.glob("*.ndjson"), key=lambda p: (not p.name.startswith("Patient"), p.name)
    ):
        if path.name == "log.ndjson":
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            res = json.loads(line)
            owner = _owner(res)
            if owner is None:
                if res["resourceType"] in ("Medication", "Organization"):
                    shared.append(res)
            else:
                own[owner].append(res)
    return {
        pid: {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [
                {"resource": r} for r in sorted([*resources, *shared], key=resource_order_key)
            ],
        }
        for pid, resources in own.items()
    }
