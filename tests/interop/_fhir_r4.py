"""FHIR R4 validation with fhirclient's R4 (4.0.1) models, and reference checks."""

from __future__ import annotations

import importlib
import re
from typing import Any

from fhirclient.models.fhirabstractbase import FHIRValidationError


def r4_problems(resource: dict[str, Any]) -> list[str]:
    """fhirclient's complaints about one resource (strict: unknown elements, wrong types,
    missing required elements); empty when it is valid R4."""
    rtype = resource["resourceType"]
    module = importlib.import_module(f"fhirclient.models.{rtype.lower()}")
    try:
        getattr(module, rtype)(resource, strict=True)
    except FHIRValidationError as exc:
        return [f"{rtype}/{resource.get('id')}: {exc}"]
    return []


def references(node: Any) -> list[str]:
    """Every `reference` string in a resource."""
    if isinstance(node, dict):
        found = [node["reference"]] if isinstance(node.get("reference"), str) else []
        return found + [r for v in node.values() for r in references(v)]
    if isinstance(node, list):
        return [r for v in node for r in references(v)]
    return []


RELATIVE = re.compile(r"^[A-Z][A-Za-z]+/[A-Za-z0-9\-.]{1,64}$")
