"""painpath's own SQL on FHIR ViewDefinitions (`viewdefs/*.json`), packaged with the code.

They flatten what the rules read: Patient, Condition (one row per coding), MedicationRequest
and MedicationStatement, Procedure, Observation, QuestionnaireResponse and Coverage. The
screening prefilter runs the Condition and QuestionnaireResponse views; every view can be run
on its own with `painpath views run` (or `painpath.population.views.run_view`).
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

__all__ = ["VIEWDEFS", "viewdef"]

VIEWDEFS = (
    "patient",
    "condition",
    "medication_request",
    "medication_statement",
    "procedure",
    "observation",
    "questionnaire_response",
    "coverage",
)


def viewdef(name: str) -> dict[str, Any]:
    """The ViewDefinition `viewdefs/<name>.json` (a KeyError for an unknown name)."""
    if name not in VIEWDEFS:
        raise KeyError(name)
    text = resources.files("painpath.population").joinpath(f"viewdefs/{name}.json").read_text()
    data: dict[str, Any] = json.loads(text)
    return data
