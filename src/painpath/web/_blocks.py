"""The procedures of a record as the outcome forms and charts show them: which are diagnostic
blocks with a diary protocol, what their stored diary concluded, how long relief lasted; and
the post-block diary form read back into diary entries.

`outcome_forms` reads the record through the clinic service; everything else only reads what
it is given. The diary's result (peak relief, positive or negative against the policy's
threshold, its message) is the Observation the clinic service stored (`clinic/_diary.py`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from painpath.clinic import Principal, get_patient_bundle
from painpath.knowledge import Knowledge, OutcomesFile, load_knowledge, load_outcomes
from painpath.reports import DiaryEntry, session_family_of

__all__ = [
    "DiaryForm",
    "ProcedureView",
    "diary_form",
    "diary_minutes",
    "outcome_forms",
    "procedures_of",
    "read_diary_form",
    "read_weeks",
]


@dataclass(frozen=True, slots=True)
class ProcedureView:
    """One recorded procedure with what outcomes recorded on it."""

    id: str
    day: str
    name: str
    block: bool  # a diagnostic block whose session family has a diary protocol
    diary: Mapping[str, Any] | None  # the stored diary Observation
    relief_weeks: float | None

    @property
    def result(self) -> str | None:
        """`positive` / `negative` as the stored diary's interpretation says."""
        for item in (self.diary or {}).get("interpretation") or []:
            for coding in item.get("coding") or []:
                code = coding.get("code")
                if code in ("POS", "NEG"):
                    return "positive" if code == "POS" else "negative"
        return None

    @property
    def message(self) -> str:
        notes = (self.diary or {}).get("note") or []
        return str(notes[0].get("text", "")) if notes else ""

    @property
    def label(self) -> str:
        return f"{self.name}, {self.day}"


def _cpt(resource: Mapping[str, Any]) -> str | None:
    for coding in (resource.get("code") or {}).get("coding") or []:
        if isinstance(coding, Mapping) and "cpt" in str(coding.get("system", "")):
            code = coding.get("code")
            return code if isinstance(code, str) else None
    return None


def _linked(resource: Mapping[str, Any]) -> list[str]:
    return [str(p.get("reference")) for p in resource.get("partOf") or [] if isinstance(p, Mapping)]


def _codes(resource: Mapping[str, Any]) -> set[str]:
    return {str(c.get("code")) for c in (resource.get("code") or {}).get("coding") or []}


def procedures_of(
    bundle: Mapping[str, Any], kb: Knowledge, outcomes: OutcomesFile
) -> list[ProcedureView]:
    """The record's interventional procedures (CPT in the knowledge base), newest first, each
    with its stored diary and relief duration."""
    names: dict[str, str] = {}
    for proc in kb.procedures.values():  # a shared CPT code: the first procedure's name
        for code in proc.cpt.codes:
            names.setdefault(code, proc.name)
    resources = [e.get("resource") or {} for e in bundle.get("entry") or []]
    diaries: dict[str, Mapping[str, Any]] = {}
    weeks: dict[str, float] = {}
    for r in resources:
        if r.get("resourceType") != "Observation":
            continue
        codes = _codes(r)
        for ref in _linked(r):
            if "percent-relief" in codes and r.get("component"):
                diaries[ref] = r
            elif outcomes.codes.relief_duration in codes:
                weeks[ref] = float((r.get("valueQuantity") or {}).get("value", 0))
    found: list[ProcedureView] = []
    for r in resources:
        cpt = _cpt(r) if r.get("resourceType") == "Procedure" else None
        if cpt is None or cpt not in names:
            continue
        ref = f"Procedure/{r.get('id')}"
        when = r.get("performedDateTime") or (r.get("performedPeriod") or {}).get("start") or ""
        block = outcomes.diary(session_family_of(kb, cpt)) is not None
        view = ProcedureView(
            str(r.get("id")), str(when)[:10], names[cpt], block, diaries.get(ref), weeks.get(ref)
        )
        found.append(view)
    return sorted(found, key=lambda p: (p.day, p.id), reverse=True)


def diary_minutes(outcomes: OutcomesFile) -> list[int]:
    """Every diary time of every protocol, in order (the form offers one field per time; the
    service refuses a time the chosen anesthetic's protocol lacks)."""
    return sorted(
        {m for d in outcomes.diaries for a in d.anesthetics for m in a.timepoints_minutes.values}
    )


def _minutes_label(minutes: int) -> str:
    return f"{minutes} minutes" if minutes < 60 else f"{minutes / 60:g} hours"


@dataclass(frozen=True, slots=True)
class DiaryForm:
    """What the diary form shows: the choices and the values to put back in the fields."""

    procedures: list[tuple[str, str]]
    anesthetics: list[tuple[str, str]]
    times: list[tuple[str, str]]  # (field name, label)
    values: Mapping[str, str]


def diary_form(
    blocks: list[ProcedureView], outcomes: OutcomesFile, values: Mapping[str, str] | None = None
) -> DiaryForm:
    """The post-block diary form for the record's diagnostic blocks."""
    drugs: dict[str, str] = {}
    for protocol in outcomes.diaries:
        for a in protocol.anesthetics:
            hours = a.window_minutes / 60
            drugs.setdefault(a.id, f"{a.id} (scores for {hours:g} hours)")
    default = outcomes.diaries[0].default_anesthetic if outcomes.diaries else ""
    kept = dict(values or {})
    kept.setdefault("anesthetic", default)
    return DiaryForm(
        [(b.id, b.label) for b in blocks if b.block],
        list(drugs.items()),
        [(f"nrs_{m}", f"Pain at {_minutes_label(m)}") for m in diary_minutes(outcomes)],
        kept,
    )


def _whole(raw: str) -> int | None:
    try:
        return int(raw.strip())
    except ValueError:
        return None


def read_diary_form(
    form: Mapping[str, str], outcomes: OutcomesFile
) -> tuple[int | None, list[DiaryEntry], dict[str, str]]:
    """(baseline, entries, errors) from the diary form; a field that is not a whole number is
    an error next to it. Ranges and protocol times are the service's to judge."""
    errors: dict[str, str] = {}
    baseline: int | None = None
    raw = form.get("baseline", "").strip()
    if raw:
        baseline = _whole(raw)
        if baseline is None:
            errors["baseline"] = "Enter the pain score as a whole number from 0 to 10."
    entries: list[DiaryEntry] = []
    for minutes in diary_minutes(outcomes):
        name = f"nrs_{minutes}"
        text = form.get(name, "").strip()
        if not text:
            continue
        score = _whole(text)
        if score is None:
            errors[name] = "Enter the pain score as a whole number from 0 to 10."
        else:
            entries.append(DiaryEntry(minutes, score))
    if not form.get("procedure"):
        errors["procedure"] = "Choose the block this diary is for."
    if not entries and not errors:
        errors["nrs_30"] = "Enter at least one pain score after the block."
    return baseline, entries, errors


def read_weeks(form: Mapping[str, str]) -> tuple[float | None, dict[str, str]]:
    """(weeks, errors) from the relief-duration form."""
    errors: dict[str, str] = {}
    if not form.get("procedure"):
        errors["procedure"] = "Choose the procedure whose relief this is."
    text = form.get("weeks", "").strip()
    weeks: float | None = None
    try:
        weeks = float(text)
        if weeks != weeks or weeks in (float("inf"), float("-inf")):
            weeks = None
    except ValueError:
        weeks = None
    if weeks is None:
        errors["weeks"] = "Enter the number of weeks, for example 6 or 12.5."
    return weeks, errors


def outcome_forms(
    session: Session,
    principal: Principal,
    patient_id: str,
    *,
    form: str = "",
    values: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The workspace's outcome part: the record's procedures with their diaries and relief,
    and the two forms (`form` names the one being shown again with `values`)."""
    kb, outcomes = load_knowledge(), load_outcomes()
    procedures = procedures_of(get_patient_bundle(session, principal, patient_id), kb, outcomes)
    return {
        "procedures": procedures,
        "diary": diary_form(procedures, outcomes, values if form == "diary" else None),
        "relief_values": (values or {}) if form == "relief" else {},
        "relief_level": outcomes.relief_duration_percent.value,
    }
