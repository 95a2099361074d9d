"""A small helper API that builds FHIR R4 resources and Bundles for tests.

Every builder returns a plain dict (the JSON a FHIR server would send). Resources are
written without a subject; `bundle()` adds the Patient (unless one is given) and points
each resource's subject/patient/beneficiary at it. Ids default to a readable prefix and a
running number; pass `id=` when a test needs to name the resource in an assertion.

    b = bundle(
        condition("M54.16", onset=ago(months=6)),
        med_statement("5640", "ibuprofen", start=ago(weeks=10)),
        procedure("64483", performed=ago(days=20), id="esi-1"),
    )
    doc = painpath.assess(b, as_of=AS_OF)
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

__all__ = [
    "AS_OF",
    "CPT",
    "ICD10",
    "INTAKE_URL",
    "LOINC",
    "PAINPATH",
    "RXNORM",
    "SNOMED",
    "ago",
    "allergy",
    "bundle",
    "condition",
    "coverage",
    "day",
    "dosage",
    "imaging_study",
    "intake",
    "med_request",
    "med_statement",
    "medication",
    "months_ago",
    "nrs",
    "painpath_obs",
    "patient",
    "percent_relief",
    "procedure",
    "radiology_report",
]

Resource = dict[str, Any]

AS_OF = date(2026, 6, 1)
"""The default assessment date of the engine tests."""

ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"
SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
CPT = "http://www.ama-assn.org/go/cpt"
PAINPATH = "https://painpath.dev/fhir/CodeSystem/painpath"
INTAKE_URL = "https://painpath.dev/fhir/Questionnaire/intake"
_CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
_CONDITION_VER = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
_ALLERGY_CLINICAL = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
_V2_0074 = "http://terminology.hl7.org/CodeSystem/v2-0074"
_ROUTES = {"iv": ("47625008", "Intravenous route"), "sc": ("34206005", "Subcutaneous route")}

_counter = itertools.count(1)


def _id(prefix: str, given: str | None) -> str:
    return given if given is not None else f"{prefix}-{next(_counter)}"


# ------------------------------------------------------------------------------------ dates


def _months_before(when: date, months: int) -> date:
    index = when.year * 12 + when.month - 1 - months
    year, month0 = divmod(index, 12)
    for last in (31, 30, 29, 28):
        try:
            return date(year, month0 + 1, min(when.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def day(
    *, days: int = 0, weeks: int = 0, months: int = 0, base: date = AS_OF, after: bool = False
) -> date:
    """`base` minus (or plus, with `after`) calendar months, weeks and days, as a date."""
    sign = 1 if after else -1
    moved = _months_before(base, -sign * months) if months else base
    return moved + timedelta(days=sign * (days + 7 * weeks))


def ago(*, days: int = 0, weeks: int = 0, months: int = 0, base: date = AS_OF) -> str:
    """ISO date `months`, `weeks` and `days` before `base` (months first, day clamped)."""
    return day(days=days, weeks=weeks, months=months, base=base).isoformat()


def months_ago(months: int, base: date = AS_OF) -> str:
    return ago(months=months, base=base)


def _iso(value: date | str | None) -> str | None:
    return value.isoformat() if isinstance(value, date) else value


# ------------------------------------------------------------------------------- resources


def patient(id: str = "p1", birth_date: str = "1960-05-04", gender: str = "female") -> Resource:
    return {"resourceType": "Patient", "id": id, "birthDate": birth_date, "gender": gender}


def _concept(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    coding: dict[str, Any] = {"system": system, "code": code}
    if display is not None:
        coding["display"] = display
    return {"coding": [coding]}


def condition(
    icd10: str | None = "M54.16",
    onset: date | str | None = "2025-01-01",
    status: str | None = "active",
    *,
    snomed: str | None = None,
    recorded: date | str | None = None,
    abatement: date | str | None = None,
    onset_period: date | str | None = None,
    verification: str | None = "confirmed",
    text: str | None = None,
    id: str | None = None,
) -> Resource:
    """A Condition coded in ICD-10-CM and/or SNOMED CT (`icd10=None` for SNOMED only)."""
    codings: list[dict[str, Any]] = []
    if icd10 is not None:
        codings.append({"system": ICD10, "code": icd10})
    if snomed is not None:
        codings.append({"system": SNOMED, "code": snomed})
    res: Resource = {
        "resourceType": "Condition",
        "id": _id("cond", id),
        "code": {"coding": codings},
    }
    if text is not None:
        res["code"]["text"] = text
    if status is not None:
        res["clinicalStatus"] = _concept(_CONDITION_CLINICAL, status)
    if verification is not None:
        res["verificationStatus"] = _concept(_CONDITION_VER, verification)
    if onset is not None:
        res["onsetDateTime"] = _iso(onset)
    if onset_period is not None:
        res["onsetPeriod"] = {"start": _iso(onset_period)}
    if recorded is not None:
        res["recordedDate"] = _iso(recorded)
    if abatement is not None:
        res["abatementDateTime"] = _iso(abatement)
    return res


def _dosage(
    dose: float | None,
    unit: str | None,
    *,
    dose_high: float | None = None,
    frequency: int | None = None,
    frequency_max: int | None = None,
    period: float | None = None,
    period_unit: str | None = None,
    time_of_day: Iterable[str] | None = None,
    timing_code: str | None = None,
    as_needed: bool | None = None,
    sequence: int | None = None,
    bounds: tuple[date | str | None, date | str | None] | None = None,
    route: str | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if sequence is not None:
        out["sequence"] = sequence
    timing: dict[str, Any] = {}
    repeat: dict[str, Any] = {}
    if frequency is not None:
        repeat["frequency"] = frequency
    if frequency_max is not None:
        repeat["frequencyMax"] = frequency_max
    if period is not None:
        repeat["period"] = period
    if period_unit is not None:
        repeat["periodUnit"] = period_unit
    if time_of_day is not None:
        repeat["timeOfDay"] = list(time_of_day)
    if bounds is not None:
        start, end = bounds
        repeat["boundsPeriod"] = {
            k: _iso(v) for k, v in (("start", start), ("end", end)) if v is not None
        }
    if repeat:
        timing["repeat"] = repeat
    if timing_code is not None:
        timing["code"] = {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation",
                    "code": timing_code,
                }
            ]
        }
    if timing:
        out["timing"] = timing
    if as_needed is not None:
        out["asNeededBoolean"] = as_needed
    if route is not None:
        code, display = _ROUTES.get(route, (route, route))
        out["route"] = _concept(SNOMED, code, display)
    if dose_high is not None:
        low = {"value": dose, "unit": unit} if dose is not None else {"unit": unit}
        out["doseAndRate"] = [
            {"doseRange": {"low": low, "high": {"value": dose_high, "unit": unit}}}
        ]
    elif dose is not None:
        quantity: dict[str, Any] = {"value": dose}
        if unit is not None:
            quantity["unit"] = unit
        out["doseAndRate"] = [{"doseQuantity": quantity}]
    return out


def _reasons(
    res: Resource, reason_codes: Iterable[str | tuple[str, str]], reason_refs: Iterable[str]
) -> None:
    codes = []
    for code in reason_codes:
        system, value = (ICD10, code) if isinstance(code, str) else code
        codes.append({"coding": [{"system": system, "code": value}]})
    if codes:
        res["reasonCode"] = codes
    refs = [{"reference": r} for r in reason_refs]
    if refs:
        res["reasonReference"] = refs


def medication(rxcui: str, display: str | None = None, *, id: str | None = None) -> Resource:
    """A Medication resource (for `medicationReference`)."""
    return {
        "resourceType": "Medication",
        "id": _id("med", id),
        "code": _concept(RXNORM, rxcui, display),
    }


def _drug(res: Resource, rxcui: str | None, display: str | None, reference: str | None) -> None:
    if reference is not None:
        res["medicationReference"] = {"reference": reference}
    else:
        assert rxcui is not None
        res["medicationCodeableConcept"] = _concept(RXNORM, rxcui, display)


def med_request(
    rxcui: str | None,
    display: str | None = None,
    authored: date | str | None = None,
    status: str = "active",
    *,
    dose: float | None = None,
    unit: str | None = "mg",
    dose_high: float | None = None,
    frequency: int | None = None,
    frequency_max: int | None = None,
    period: float | None = None,
    period_unit: str | None = None,
    time_of_day: Iterable[str] | None = None,
    timing_code: str | None = None,
    as_needed: bool | None = None,
    sequence: int | None = None,
    bounds: tuple[date | str | None, date | str | None] | None = None,
    route: str | None = None,
    validity: tuple[date | str | None, date | str | None] | None = None,
    dosages: list[dict[str, Any]] | None = None,
    reason_codes: Iterable[str | tuple[str, str]] = (),
    reason_refs: Iterable[str] = (),
    reason_text: str | None = None,
    medication_reference: str | None = None,
    id: str | None = None,
) -> Resource:
    """A MedicationRequest. One dosage from the keyword arguments, or `dosages=[dosage(...)]`.

    `validity=(start, end)` sets dispenseRequest.validityPeriod (either end may be None);
    `route` is "iv", "sc" or a SNOMED code; `reason_codes` are ICD-10-CM codes or
    (system, code) pairs.
    """
    res: Resource = {
        "resourceType": "MedicationRequest",
        "id": _id("medreq", id),
        "status": status,
        "intent": "order",
        "authoredOn": _iso(authored if authored is not None else ago(days=10)),
    }
    _drug(res, rxcui, display, medication_reference)
    if dosages is None:
        one = _dosage(
            dose,
            unit,
            dose_high=dose_high,
            frequency=frequency,
            frequency_max=frequency_max,
            period=period,
            period_unit=period_unit,
            time_of_day=time_of_day,
            timing_code=timing_code,
            as_needed=as_needed,
            sequence=sequence,
            bounds=bounds,
            route=route,
        )
        dosages = [one] if one else []
    if dosages:
        res["dosageInstruction"] = dosages
    if validity is not None:
        start, end = validity
        res["dispenseRequest"] = {
            "validityPeriod": {
                k: _iso(v) for k, v in (("start", start), ("end", end)) if v is not None
            }
        }
    _reasons(res, reason_codes, reason_refs)
    if reason_text is not None:
        res.setdefault("reasonCode", []).append({"text": reason_text})
    return res


def dosage(dose: float | None = None, unit: str | None = "mg", **kwargs: Any) -> dict[str, Any]:
    """One Dosage element for `med_request(dosages=[...])` (same keywords as med_request)."""
    return _dosage(dose, unit, **kwargs)


def med_statement(
    rxcui: str | None,
    display: str | None = None,
    start: date | str | None = None,
    end: date | str | None = None,
    status: str = "active",
    *,
    effective: date | str | None = None,
    dose: float | None = None,
    unit: str | None = "mg",
    frequency: int | None = None,
    period: float | None = None,
    period_unit: str | None = None,
    timing_code: str | None = None,
    route: str | None = None,
    reason_codes: Iterable[str | tuple[str, str]] = (),
    reason_refs: Iterable[str] = (),
    medication_reference: str | None = None,
    id: str | None = None,
) -> Resource:
    """A MedicationStatement with `effectivePeriod` (start, end) or `effectiveDateTime`."""
    res: Resource = {
        "resourceType": "MedicationStatement",
        "id": _id("medstmt", id),
        "status": status,
    }
    _drug(res, rxcui, display, medication_reference)
    if effective is not None:
        res["effectiveDateTime"] = _iso(effective)
    elif start is not None or end is not None:
        res["effectivePeriod"] = {
            k: _iso(v) for k, v in (("start", start), ("end", end)) if v is not None
        }
    one = _dosage(
        dose,
        unit,
        frequency=frequency,
        period=period,
        period_unit=period_unit,
        timing_code=timing_code,
        route=route,
    )
    if one:
        res["dosage"] = [one]
    _reasons(res, reason_codes, reason_refs)
    return res


def procedure(
    cpt: str | None,
    performed: date | str | None = "2026-04-02T09:00:00Z",
    end: date | str | None = None,
    status: str = "completed",
    *,
    snomed: str | None = None,
    id: str | None = None,
) -> Resource:
    """A Procedure coded in CPT (and/or SNOMED). With `end`, `performedPeriod` is written."""
    codings = []
    if cpt is not None:
        codings.append({"system": CPT, "code": cpt})
    if snomed is not None:
        codings.append({"system": SNOMED, "code": snomed})
    res: Resource = {
        "resourceType": "Procedure",
        "id": _id("proc", id),
        "status": status,
        "code": {"coding": codings},
    }
    if end is not None:
        res["performedPeriod"] = {"start": _iso(performed), "end": _iso(end)}
    elif performed is not None:
        res["performedDateTime"] = _iso(performed)
    return res


def _part_of(res: Resource, part_of: str | Iterable[str] | None) -> None:
    if part_of is None:
        return
    refs = [part_of] if isinstance(part_of, str) else list(part_of)
    res["partOf"] = [{"reference": r if "/" in r else f"Procedure/{r}"} for r in refs]


def nrs(
    value: float,
    when: date | str,
    *,
    part_of: str | Iterable[str] | None = None,
    status: str = "final",
    id: str | None = None,
) -> Resource:
    """A pain NRS 0-10 Observation (LOINC 72514-3); `part_of` names Procedure ids."""
    res: Resource = {
        "resourceType": "Observation",
        "id": _id("nrs", id),
        "status": status,
        "code": _concept(LOINC, "72514-3", "Pain severity - 0-10 verbal numeric rating"),
        "effectiveDateTime": _iso(when),
        "valueInteger" if float(value).is_integer() else "valueDecimal": value,
    }
    _part_of(res, part_of)
    return res


def percent_relief(
    value: float,
    when: date | str,
    part_of: str | Iterable[str] | None = None,
    *,
    id: str | None = None,
) -> Resource:
    """A painpath `percent-relief` Observation linked (partOf) to Procedure ids."""
    res: Resource = {
        "resourceType": "Observation",
        "id": _id("relief", id),
        "status": "final",
        "code": _concept(PAINPATH, "percent-relief"),
        "effectiveDateTime": _iso(when),
        "valueQuantity": {
            "value": value,
            "unit": "%",
            "system": "http://unitsofmeasure.org",
            "code": "%",
        },
    }
    _part_of(res, part_of)
    return res


def painpath_obs(
    code: str, value: float | bool, when: date | str | None = None, *, id: str | None = None
) -> Resource:
    """An Observation coded in painpath's code system (si-provocation-positive-count,
    trigger-point-findings, rfa-not-possible, ...); booleans go in valueBoolean."""
    res: Resource = {
        "resourceType": "Observation",
        "id": _id(code, id),
        "status": "final",
        "code": _concept(PAINPATH, code),
        "effectiveDateTime": _iso(when if when is not None else ago(days=7)),
    }
    if isinstance(value, bool):
        res["valueBoolean"] = value
    else:
        res["valueInteger" if float(value).is_integer() else "valueDecimal"] = value
    return res


def radiology_report(
    when: date | str | None,
    *,
    issued: str | None = None,
    category: str = "RAD",
    status: str = "final",
    id: str | None = None,
) -> Resource:
    """A DiagnosticReport of category RAD (or another v2-0074 category)."""
    res: Resource = {
        "resourceType": "DiagnosticReport",
        "id": _id("rad", id),
        "status": status,
        "category": [_concept(_V2_0074, category)],
        "code": _concept(LOINC, "24531-6", "MR Lumbar spine"),
    }
    if when is not None:
        res["effectiveDateTime"] = _iso(when)
    if issued is not None:
        res["issued"] = issued
    return res


def imaging_study(started: date | str, *, status: str = "available", id: str | None = None):
    return {
        "resourceType": "ImagingStudy",
        "id": _id("img", id),
        "status": status,
        "started": _iso(started),
    }


def intake(
    authored: date | str,
    answers: Mapping[str, bool | int | float | str],
    *,
    status: str = "completed",
    questionnaire: str | None = INTAKE_URL,
    id: str | None = None,
) -> Resource:
    """An intake QuestionnaireResponse: booleans → valueBoolean, ints → valueInteger."""
    items = []
    for link, value in answers.items():
        if isinstance(value, bool):
            answer: dict[str, Any] = {"valueBoolean": value}
        elif isinstance(value, int):
            answer = {"valueInteger": value}
        elif isinstance(value, float):
            answer = {"valueDecimal": value}
        else:
            answer = {"valueString": value}
        items.append({"linkId": link, "answer": [answer]})
    res: Resource = {
        "resourceType": "QuestionnaireResponse",
        "id": _id("qr", id),
        "status": status,
        "authored": _iso(authored),
        "item": items,
    }
    if questionnaire is not None:
        res["questionnaire"] = questionnaire
    return res


def allergy(
    snomed: str | None = "293637006",
    text: str | None = None,
    status: str | None = "active",
    *,
    display: str | None = None,
    id: str | None = None,
) -> Resource:
    """An AllergyIntolerance (default: SNOMED 293637006, allergy to contrast media)."""
    code: dict[str, Any] = {}
    if snomed is not None:
        code["coding"] = [{"system": SNOMED, "code": snomed}]
        if display is not None:
            code["coding"][0]["display"] = display
    if text is not None:
        code["text"] = text
    res: Resource = {"resourceType": "AllergyIntolerance", "id": _id("allergy", id), "code": code}
    if status is not None:
        res["clinicalStatus"] = _concept(_ALLERGY_CLINICAL, status)
    return res


def coverage(payor: str = "Medicare", *, status: str = "active", id: str | None = None):
    return {
        "resourceType": "Coverage",
        "id": _id("coverage", id),
        "status": status,
        "payor": [{"display": payor}],
    }


_OWNER = {"AllergyIntolerance": "patient", "Coverage": "beneficiary"}
_NO_OWNER = frozenset({"Patient", "Medication", "Organization"})


def bundle(*resources: Resource, patient_id: str = "p1", type: str = "collection") -> Resource:
    """A Bundle of the resources, with a Patient (added when none is given) as everyone's owner.

    Each entry gets a `fullUrl` of `urn:uuid:<id>`-style for readability of references.
    """
    items = [dict(r) for r in resources]
    pats = [r for r in items if r.get("resourceType") == "Patient"]
    if not pats:
        pats = [patient(patient_id)]
        items.insert(0, pats[0])
    owner = f"Patient/{pats[0]['id']}"
    for res in items:
        rtype = res.get("resourceType")
        if rtype in _NO_OWNER:
            continue
        element = _OWNER.get(rtype, "subject")
        res.setdefault(element, {"reference": owner})
    return {
        "resourceType": "Bundle",
        "type": type,
        "entry": [
            {"fullUrl": f"https://example.org/fhir/{r['resourceType']}/{r['id']}", "resource": r}
            for r in items
        ],
    }
