"""Observation and QuestionnaireResponse read into `Observation` and `QuestionnaireAnswers`.

Observation:
- `value`: `valueQuantity.value`, `valueInteger`, `valueDecimal` (as float), or
  `valueBoolean` (1.0/0.0); any other value[x] reads as None. `unit` is the
  quantity's unit, else its code.
- An Observation (or a component) coded as a scored instrument of the knowledge
  base (NRS, PEG, percent relief, ...) must carry a number within the
  instrument's range (decision-rules §7).
- `effective`: `effectiveDateTime`, `effectiveInstant`, else `effectivePeriod.start`.
- `part_of`: every `partOf` reference resolved to its key (`Procedure/id`).

QuestionnaireResponse: nested `item`s (and items nested in answers) are walked
without recursion; each linkId keeps its first answer: valueBoolean → bool,
valueInteger/valueDecimal → float, valueCoding → its code, valueString,
valueDate/valueDateTime → str. The intake questionnaire's scored items (`nrs`,
`peg-*`) must be numbers in range. `questionnaire` is the canonical URL without
its `|version`.
"""

from __future__ import annotations

from painpath.domain import Observation, QuestionnaireAnswers, When
from painpath.fhir._dates import parse_when
from painpath.fhir._instruments import Ranges, check_element_value, instrument_of, ranges
from painpath.fhir._refs import Index
from painpath.fhir._types import Json
from painpath.fhir._values import as_list, as_obj, as_str, codings, loose_number, reference

__all__ = ["observation_is_read", "read_observation", "read_questionnaire_response"]


def _value(res: Json) -> tuple[float | None, str | None]:
    quantity = res.get("valueQuantity")
    if isinstance(quantity, dict):
        return loose_number(quantity.get("value")), as_str(quantity.get("unit")) or as_str(
            quantity.get("code")
        )
    if "valueInteger" in res:
        return loose_number(res["valueInteger"]), None
    if "valueDecimal" in res:
        return loose_number(res["valueDecimal"]), None
    flag = res.get("valueBoolean")
    if isinstance(flag, bool):
        return (1.0 if flag else 0.0), None
    return None, None


def _effective(res: Json, where: str) -> When | None:
    if "effectiveDateTime" in res:
        return parse_when(res["effectiveDateTime"], where, "effectiveDateTime")
    if "effectiveInstant" in res:
        return parse_when(res["effectiveInstant"], where, "effectiveInstant")
    period = as_obj(res.get("effectivePeriod"))
    if period is not None:
        return parse_when(period.get("start"), where, "effectivePeriod.start")
    return None


def read_observation(res: Json, rid: str, where: str, index: Index) -> Observation | None:
    """An Observation painpath reads; instrument scores are validated against their range.

    Only Observations coded as one of the knowledge base's instruments (NRS, PEG, percent
    relief, ...) or in painpath's own code system are kept: no rule reads vital signs or
    laboratory results, and skipping them keeps reading fast. Others give None.
    """
    if not observation_is_read(res):
        return None
    code = codings(res.get("code"))
    scale = instrument_of(code)
    if scale is not None:
        check_element_value(res, f"{where} ", scale)
    for i, component in enumerate(as_list(res.get("component"))):
        if isinstance(component, dict) and (part := instrument_of(codings(component.get("code")))):
            check_element_value(component, f"{where} component[{i}].", part)
    value, unit = _value(res)
    part_of: list[str] = []
    for element in as_list(res.get("partOf")):
        ref = reference(element)
        key = index.key(ref) if ref is not None else None
        if key is not None:
            part_of.append(key)
    return Observation(
        id=rid,
        codings=code,
        status=as_str(res.get("status")),
        effective=_effective(res, where),
        value=value,
        unit=unit,
        part_of=tuple(part_of),
    )


def _coded_for_painpath(concept: object, table: Ranges) -> bool:
    if not isinstance(concept, dict):
        return False
    found = concept.get("coding")
    if not isinstance(found, list):
        return False
    painpath, by_system = table.painpath_system, table.codes_by_system
    for coding in found:
        if isinstance(coding, dict):
            system = coding.get("system")
            if system == painpath:
                return True
            # a system or code of the wrong JSON type (a list, an object) is not hashable
            codes = by_system.get(system) if isinstance(system, str) else None
            if codes is not None and isinstance(code := coding.get("code"), str) and code in codes:
                return True
    return False


def observation_is_read(res: Json) -> bool:
    """True when the Observation or one of its components is coded as something painpath reads
    (an instrument of the knowledge base, or painpath's own code system); raw JSON, no parsing."""
    table = ranges()
    if _coded_for_painpath(res.get("code"), table):
        return True
    components = res.get("component")
    return isinstance(components, list) and any(
        isinstance(c, dict) and _coded_for_painpath(c.get("code"), table) for c in components
    )


def _answer_value(answer: Json) -> bool | float | str | None:
    for name, raw in answer.items():
        if not name.startswith("value"):
            continue
        if name == "valueBoolean":
            return raw if isinstance(raw, bool) else None
        if name in ("valueInteger", "valueDecimal"):
            return loose_number(raw)
        if name == "valueQuantity":
            return loose_number(raw.get("value")) if isinstance(raw, dict) else None
        if name == "valueCoding":
            return as_str(raw.get("code")) if isinstance(raw, dict) else None
        if name in ("valueString", "valueDate", "valueDateTime"):
            return as_str(raw)
        return None
    return None


def read_questionnaire_response(
    res: Json, rid: str, where: str, index: Index
) -> QuestionnaireAnswers:
    """A QuestionnaireResponse; the intake questionnaire's scored items are validated."""
    table = ranges()
    canonical = as_str(res.get("questionnaire"))
    if canonical is not None:
        canonical = canonical.split("|", 1)[0]
    scored = table.intake_items if canonical == table.intake_url else {}
    answers: dict[str, bool | float | str] = {}
    stack: list[tuple[object, str]] = [(res.get("item"), f"{where} item")]
    while stack:
        items, path = stack.pop()
        for i, item in enumerate(as_list(items)):
            if not isinstance(item, dict):
                continue
            link = as_str(item.get("linkId"))  # paths below are built only where used
            for j, answer in enumerate(as_list(item.get("answer"))):
                if not isinstance(answer, dict):
                    continue
                if link is not None and link in scored:
                    check_element_value(answer, f"{path}[{i}].answer[{j}].", scored[link])
                if link is not None and link not in answers:
                    value = _answer_value(answer)
                    if value is not None:
                        answers[link] = value
                if "item" in answer:
                    stack.append((answer["item"], f"{path}[{i}].answer[{j}].item"))
            if "item" in item:
                stack.append((item["item"], f"{path}[{i}].item"))
    return QuestionnaireAnswers(
        id=rid,
        questionnaire=canonical,
        status=as_str(res.get("status")),
        authored=parse_when(res.get("authored"), where, "authored"),
        answers=answers,
    )
