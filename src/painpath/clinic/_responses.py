"""QuestionnaireResponses to painpath's intake questionnaire, checked item by item.

Every answered `linkId` must be an item of the intake questionnaire
(`knowledge/data/questionnaire-intake.json`) and its answer must have the item's type
(boolean, integer, a choice among the item's options, text). The response is then stored
and the record read back through the Bundle reader (NRS and PEG ranges, decision-rules §7).
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from painpath.clinic._fhirstore import store_resource, validate_stored
from painpath.clinic._guard import guarded
from painpath.clinic._principal import Principal, utcnow
from painpath.errors import FhirInputError
from painpath.knowledge import load_knowledge

__all__ = ["add_questionnaire_response", "intake_items"]

_VALUE_OF = {
    "boolean": "valueBoolean",
    "integer": "valueInteger",
    "decimal": "valueDecimal",
    "choice": "valueCoding",
    "string": "valueString",
    "text": "valueString",
    "date": "valueDate",
    "dateTime": "valueDateTime",
}


def _walk(items: object) -> Iterator[Mapping[str, Any]]:
    stack = [items]
    while stack:
        level = stack.pop()
        for item in level if isinstance(level, list) else []:
            if isinstance(item, dict):
                yield item
                stack.append(item.get("item"))
                for answer in item.get("answer") or []:
                    if isinstance(answer, dict):
                        stack.append(answer.get("item"))


@functools.cache
def intake_items() -> tuple[str, dict[str, Mapping[str, Any]]]:
    """The intake questionnaire's canonical URL and its items by linkId."""
    questionnaire = load_knowledge().questionnaire
    return str(questionnaire["url"]), {i["linkId"]: i for i in _walk(questionnaire.get("item"))}


def _check_item(
    item: Mapping[str, Any], where: str, known: Mapping[str, Mapping[str, Any]]
) -> None:
    link = item.get("linkId")
    spec = known.get(link) if isinstance(link, str) else None
    if spec is None:
        raise FhirInputError(
            "unknown linkId", f"{where}.linkId", "a linkId of the intake questionnaire"
        )
    answers = item.get("answer") or []
    kind = spec.get("type")
    if kind in ("group", "display"):
        if answers:
            raise FhirInputError("a group or display item has no answer", f"{where}.answer", "none")
        return
    element = _VALUE_OF.get(str(kind))
    options = {
        o["valueCoding"].get("code") for o in spec.get("answerOption") or [] if "valueCoding" in o
    }
    for j, answer in enumerate(answers):
        value = answer.get(element) if isinstance(answer, dict) and element else None
        at = f"{where}.answer[{j}]"
        if value is None:
            raise FhirInputError(f"answer is not a {kind}", at, f"{element} for {link}")
        if kind == "choice" and (not isinstance(value, dict) or value.get("code") not in options):
            raise FhirInputError(
                "not one of the item's options",
                f"{at}.valueCoding",
                ", ".join(sorted(str(o) for o in options)),
            )


def _check(response: Mapping[str, Any], patient_id: str) -> None:
    if response.get("resourceType") != "QuestionnaireResponse":
        raise FhirInputError("not a QuestionnaireResponse", "resourceType", "QuestionnaireResponse")
    url, known = intake_items()
    canonical = str(response.get("questionnaire") or "").split("|", 1)[0]
    if canonical != url:
        raise FhirInputError("not a response to the intake questionnaire", "questionnaire", url)
    subject = response.get("subject")
    ref = subject.get("reference") if isinstance(subject, dict) else None
    if subject is not None and ref != f"Patient/{patient_id}":
        raise FhirInputError("names another subject", "subject", f"Patient/{patient_id}")
    items = response.get("item")
    if not isinstance(items, list) or not items:
        raise FhirInputError("no answers", "item", "the answered items")
    stack: list[tuple[Mapping[str, Any], str]] = [
        (item, f"item[{i}]") for i, item in enumerate(items) if isinstance(item, dict)
    ]
    while stack:
        item, where = stack.pop()
        _check_item(item, where, known)
        stack.extend(
            (child, f"{where}.item[{k}]")
            for k, child in enumerate(item.get("item") or [])
            if isinstance(child, dict)
        )


def add_questionnaire_response(
    session: Session,
    principal: Principal,
    patient_id: str,
    response: Mapping[str, Any],
    *,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Store a QuestionnaireResponse to the intake questionnaire; returns it as stored.

    The server gives it a new id, sets `subject` to the patient and `authored` (when
    missing) to now. Bad input is FhirInputError naming the item (`item[2].answer[0]`).
    """
    clock = now or utcnow()
    with guarded(
        session, principal, "questionnaire.create", patient_id=patient_id, now=clock
    ) as guard:
        guard.patient(patient_id)
        _check(response, patient_id)
        rid = str(uuid.uuid4())
        guard.target = f"QuestionnaireResponse/{rid}"
        stored = {
            **response,
            "id": rid,
            "subject": {"reference": f"Patient/{patient_id}"},
            "status": response.get("status") or "completed",
            "authored": response.get("authored") or clock.isoformat(),
        }
        store_resource(session, patient_id, "QuestionnaireResponse", rid, stored, "api", clock)
        validate_stored(session, patient_id)
    return stored
