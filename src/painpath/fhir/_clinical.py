"""Readers of the simple clinical resources: Patient, Condition, Procedure, AllergyIntolerance,
Coverage, DiagnosticReport and ImagingStudy.

Each reader takes the resource, its id, the `Type/id` prefix for error messages and
the record's reference index, and returns the domain object. Dates the rules read
are validated (`_dates`); other malformed elements read as absent.
"""

from __future__ import annotations

from datetime import date

from painpath.domain import Allergy, Condition, CoverageInfo, Imaging, Procedure
from painpath.fhir._dates import parse_day, parse_end_day, parse_when
from painpath.fhir._refs import Index
from painpath.fhir._types import Json
from painpath.fhir._values import as_list, as_obj, as_str, codings, first_code

__all__ = [
    "RADIOLOGY_CATEGORY",
    "read_allergy",
    "read_condition",
    "read_coverage",
    "read_diagnostic_report",
    "read_imaging_study",
    "read_patient_details",
    "read_procedure",
]

RADIOLOGY_CATEGORY = ("http://terminology.hl7.org/CodeSystem/v2-0074", "RAD")
"""The DiagnosticReport category coding (HL7 v2 table 0074) that marks radiology."""


def read_patient_details(res: Json, where: str) -> tuple[date | None, str | None]:
    """The Patient's birth date (partial → first day) and administrative gender."""
    return parse_day(res.get("birthDate"), where, "birthDate"), as_str(res.get("gender"))


def read_condition(res: Json, rid: str, where: str, index: Index) -> Condition:
    """A Condition: onset is `onsetDateTime`, else `onsetPeriod.start` (recordedDate is kept
    apart); abatement is `abatementDateTime`, else `abatementPeriod.start` (the day the
    condition is first recorded as abated; `abatementAge`/`abatementString` are not read)."""
    onset = parse_day(res.get("onsetDateTime"), where, "onsetDateTime")
    if onset is None and (period := as_obj(res.get("onsetPeriod"))) is not None:
        onset = parse_day(period.get("start"), where, "onsetPeriod.start")
    abatement = parse_day(res.get("abatementDateTime"), where, "abatementDateTime")
    if abatement is None and (period := as_obj(res.get("abatementPeriod"))) is not None:
        abatement = parse_day(period.get("start"), where, "abatementPeriod.start")
    code = as_obj(res.get("code"))
    return Condition(
        id=rid,
        codings=codings(code),
        clinical_status=first_code(res.get("clinicalStatus")),
        verification_status=first_code(res.get("verificationStatus")),
        onset=onset,
        recorded=parse_day(res.get("recordedDate"), where, "recordedDate"),
        abatement=abatement,
        text=as_str(code.get("text")) if code is not None else None,
    )


def read_procedure(res: Json, rid: str, where: str, index: Index) -> Procedure:
    """A Procedure: performed is `performedDateTime`, else `performedPeriod.start`;
    `performed_end` is `performedPeriod.end` (a partial end date reads as its last day)."""
    performed = parse_when(res.get("performedDateTime"), where, "performedDateTime")
    end = None
    period = as_obj(res.get("performedPeriod"))
    if period is not None:
        if performed is None:
            performed = parse_when(period.get("start"), where, "performedPeriod.start")
        end = parse_end_day(period.get("end"), where, "performedPeriod.end")
    return Procedure(
        id=rid,
        codings=codings(res.get("code")),
        status=as_str(res.get("status")),
        performed=performed,
        performed_end=end,
    )


def read_allergy(res: Json, rid: str, where: str, index: Index) -> Allergy:
    """An AllergyIntolerance: its code, statuses and categories (food, medication, ...)."""
    code = as_obj(res.get("code"))
    return Allergy(
        id=rid,
        codings=codings(code),
        clinical_status=first_code(res.get("clinicalStatus")),
        verification_status=first_code(res.get("verificationStatus")),
        category=tuple(c for c in as_list(res.get("category")) if isinstance(c, str)),
        text=as_str(code.get("text")) if code is not None else None,
    )


def read_coverage(res: Json, rid: str, where: str, index: Index) -> CoverageInfo:
    """A Coverage: status, the payors' display names and the coverage type.

    A payor is named by its Reference `display`, else by the `name` of the
    Organization it references when that is in the record.
    """
    payors: list[str] = []
    for payor in as_list(res.get("payor")):
        if not isinstance(payor, dict):
            continue
        display = as_str(payor.get("display"))
        if display is None and isinstance(ref := payor.get("reference"), str):
            target = index.resolve(ref, res)
            display = as_str(target.get("name")) if target is not None else None
        if display:
            payors.append(display)
    kind = as_obj(res.get("type"))
    return CoverageInfo(
        id=rid,
        status=as_str(res.get("status")),
        payor=tuple(payors),
        type_codings=codings(kind),
        type_text=as_str(kind.get("text")) if kind is not None else None,
    )


def _is_radiology(res: Json) -> bool:
    system, code = RADIOLOGY_CATEGORY
    for category in as_list(res.get("category")):
        for coding in as_list(category.get("coding") if isinstance(category, dict) else None):
            if (
                isinstance(coding, dict)
                and coding.get("code") == code
                and coding.get("system", system) == system
            ):
                return True
    return False


def read_diagnostic_report(res: Json, rid: str, where: str, index: Index) -> Imaging:
    """A DiagnosticReport: radiology when a category coding is v2-0074 `RAD`; its date is
    `effectiveDateTime`, else `effectivePeriod.start`, else `issued`."""
    when = parse_day(res.get("effectiveDateTime"), where, "effectiveDateTime")
    if when is None and (period := as_obj(res.get("effectivePeriod"))) is not None:
        when = parse_day(period.get("start"), where, "effectivePeriod.start")
    if when is None:
        when = parse_day(res.get("issued"), where, "issued")
    return Imaging(rid, "DiagnosticReport", _is_radiology(res), when)


def read_imaging_study(res: Json, rid: str, where: str, index: Index) -> Imaging:
    """An ImagingStudy: always radiology; its date is `started`."""
    return Imaging(rid, "ImagingStudy", True, parse_day(res.get("started"), where, "started"))
