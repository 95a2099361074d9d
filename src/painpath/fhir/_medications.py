"""MedicationRequest and MedicationStatement read into `Medication`.

- The drug: `medicationCodeableConcept`, or the Medication that `medicationReference`
  names (in the record, in the shared index of a Bulk export, or `contained` as
  `#id`): its `code` codings, and its `ingredient[].itemCodeableConcept` codings (or
  the codes of the Medications that `itemReference` names).
- Reasons: each `reasonCode`'s codings, and the `code` codings of each resolvable
  `reasonReference` (Condition or Observation). A reason given only as text, or a
  reference that does not resolve (or names an ignored record), sets
  `reason_unresolved` — the safe reading for aspirin (decision-rules §5).
- MedicationRequest: `authored` is `authoredOn`, `validity` is
  `dispenseRequest.validityPeriod`, dosages from `dosageInstruction`.
- MedicationStatement: `effective` is `effectivePeriod`, or `effectiveDateTime` as a
  one-day period with `effective_is_datetime` set; dosages from `dosage`.
"""

from __future__ import annotations

from painpath.domain import Coding, Medication, Period
from painpath.fhir._dates import parse_day, parse_period
from painpath.fhir._dosage import read_dosages
from painpath.fhir._refs import Index
from painpath.fhir._types import Json
from painpath.fhir._values import as_list, as_obj, as_str, codings, reference

__all__ = ["read_medication_request", "read_medication_statement"]


def _drug(res: Json, index: Index) -> tuple[tuple[Coding, ...], tuple[Coding, ...], str | None]:
    """(medication codings, ingredient codings, text) of a request or statement."""
    concept = as_obj(res.get("medicationCodeableConcept"))
    if concept is not None:
        return codings(concept), (), as_str(concept.get("text"))
    ref_element = as_obj(res.get("medicationReference"))
    ref = reference(ref_element)
    display = as_str(ref_element.get("display")) if ref_element is not None else None
    target = index.resolve(ref, res) if ref is not None else None
    if target is None or target.get("resourceType") != "Medication":
        return (), (), display
    code = as_obj(target.get("code"))
    ingredients: list[Coding] = []
    for item in as_list(target.get("ingredient")):
        if not isinstance(item, dict):
            continue
        if (item_concept := as_obj(item.get("itemCodeableConcept"))) is not None:
            ingredients.extend(codings(item_concept))
        elif (item_ref := reference(item.get("itemReference"))) is not None:
            part = index.resolve(item_ref, target) or index.resolve(item_ref, res)
            if part is not None:
                ingredients.extend(codings(part.get("code")))
    text = (as_str(code.get("text")) if code is not None else None) or display
    return codings(code), tuple(ingredients), text


def _reasons(res: Json, index: Index) -> tuple[tuple[tuple[Coding, ...], ...], bool]:
    """The codings of every reason, and whether some reason could not be read as codes."""
    reasons: list[tuple[Coding, ...]] = []
    unresolved = False
    for concept in as_list(res.get("reasonCode")):
        found = codings(concept)
        if found:
            reasons.append(found)
        elif isinstance(concept, dict):
            unresolved = True
    for element in as_list(res.get("reasonReference")):
        ref = reference(element)
        target = index.resolve(ref, res) if ref is not None else None
        found = ()
        if target is not None and target.get("resourceType") in ("Condition", "Observation"):
            found = codings(target.get("code"))
        if found:
            reasons.append(found)
        else:
            unresolved = True
    return tuple(reasons), unresolved


def read_medication_request(res: Json, rid: str, where: str, index: Index) -> Medication:
    """A MedicationRequest (`kind='request'`)."""
    drug, ingredients, text = _drug(res, index)
    reasons, unresolved = _reasons(res, index)
    dispense = as_obj(res.get("dispenseRequest"))
    validity = (
        parse_period(dispense.get("validityPeriod"), where, "dispenseRequest.validityPeriod")
        if dispense is not None
        else None
    )
    return Medication(
        id=rid,
        kind="request",
        status=as_str(res.get("status")),
        codings=drug,
        authored=parse_day(res.get("authoredOn"), where, "authoredOn"),
        effective=None,
        validity=validity,
        dosages=read_dosages(res.get("dosageInstruction"), where, "dosageInstruction"),
        reasons=reasons,
        reason_unresolved=unresolved,
        ingredient_codings=ingredients,
        text=text,
    )


def read_medication_statement(res: Json, rid: str, where: str, index: Index) -> Medication:
    """A MedicationStatement (`kind='statement'`)."""
    drug, ingredients, text = _drug(res, index)
    reasons, unresolved = _reasons(res, index)
    effective = parse_period(res.get("effectivePeriod"), where, "effectivePeriod")
    is_datetime = False
    if effective is None:
        day = parse_day(res.get("effectiveDateTime"), where, "effectiveDateTime")
        if day is not None:
            effective, is_datetime = Period(day, day), True
    return Medication(
        id=rid,
        kind="statement",
        status=as_str(res.get("status")),
        codings=drug,
        authored=None,
        effective=effective,
        validity=None,
        dosages=read_dosages(res.get("dosage"), where, "dosage"),
        reasons=reasons,
        reason_unresolved=unresolved,
        ingredient_codings=ingredients,
        text=text,
        effective_is_datetime=is_datetime,
    )
