"""The record as the rules see it on `as_of`: codes resolved, future records dropped, indexes built.

Built once per assessment so that each rule is a cheap lookup (decision-rules §0 and §7).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from painpath.domain import Condition, Observation, PatientRecord, Procedure, QuestionnaireAnswers
from painpath.engine._dates import months_before
from painpath.engine._meds import ResolvedMedication, resolve
from painpath.engine._systems import CPT_SYSTEMS, ICD10, LOINC, SNOMED
from painpath.engine._tables import Tables, tables
from painpath.knowledge import Knowledge, normalize_icd
from painpath.knowledge._schema import CodeSet

__all__ = [
    "CPT_SYSTEMS",
    "ICD10",
    "LOINC",
    "SNOMED",
    "Context",
    "ResolvedCondition",
    "Session",
    "build_context",
]

_MAX_MEMO = 50_000
_ACTIVE_STATUSES = frozenset({"active", "recurrence", "relapse"})


@dataclass(frozen=True, slots=True)
class ResolvedCondition:
    """A Condition with its ICD-10-CM code (direct, or mapped from SNOMED CT) and its onset."""

    cond: Condition
    code: str
    onset: date | None  # onset, else recordedDate
    active: bool

    @property
    def ref(self) -> str:
        return f"Condition/{self.cond.id}"


@dataclass(frozen=True, slots=True)
class Session:
    """All procedures of one session family on one calendar date in one region."""

    family: str
    region: str | None
    day: date
    procedures: tuple[Procedure, ...]

    @property
    def refs(self) -> list[str]:
        return [f"Procedure/{p.id}" for p in self.procedures]


@dataclass
class Context:
    record: PatientRecord
    kb: Knowledge
    as_of: date
    tables: Tables
    lookback: date  # as_of - the conservative-care lookback (decision-rules §2.3)
    conditions: list[ResolvedCondition] = field(default_factory=list)
    medications: list[ResolvedMedication] = field(default_factory=list)
    procedures: list[tuple[Procedure, str | None]] = field(default_factory=list)  # with CPT code
    observations: list[Observation] = field(default_factory=list)
    linked: dict[str, list[Observation]] = field(default_factory=dict)
    intake: list[QuestionnaireAnswers] = field(default_factory=list)
    sessions: dict[str, list[Session]] = field(default_factory=dict)
    unmapped_codes: list[str] = field(default_factory=list)

    active: list[ResolvedCondition] = field(default_factory=list)
    # what the rules derive from the whole record more than once (the record notes that every
    # option's rationale ends with, the latest NRS, block histories), by name or (name, key)
    memo: dict[Any, Any] = field(default_factory=dict)
    _matches: dict[tuple[int, bool], list[ResolvedCondition]] = field(default_factory=dict)
    _coded: dict[tuple[str | None, str | None], list[Observation]] | None = None

    def matching(self, codes: CodeSet, *, active_only: bool = True) -> list[ResolvedCondition]:
        """Conditions (active ones by default) whose code is in `codes`; memoized per code set.

        The list is shared between calls: read it, do not change it."""
        pool = self.active if active_only else self.conditions
        if not pool:
            return []
        key = (id(codes), active_only)
        found = self._matches.get(key)
        if found is None:
            match = self.kb.matcher.matches
            found = [c for c in pool if match(c.code, codes)]
            self._matches[key] = found
        return found

    def sessions_of(self, family: str, region: str | None = None) -> list[Session]:
        """Sessions of a family (oldest first), limited to a region when both have one."""
        found = self.sessions.get(family, [])
        if region is None:
            return found
        return [s for s in found if s.region is None or s.region == region]

    def observations_coded(self, system: str, code: str) -> list[Observation]:
        """The observations with a coding (system, code), in record order (a new list)."""
        coded = self._coded
        if coded is None:
            coded = {}
            for obs in self.observations:
                for pair in dict.fromkeys((c.system, c.code) for c in obs.codings):
                    coded.setdefault(pair, []).append(obs)
            self._coded = coded
        return list(coded.get((system, code), ()))


def _icd(raw: str, kb: Knowledge) -> str:
    """An ICD-10-CM code as written, normalized and moved off a retired code (memoized)."""
    memo: dict[str, str] = kb.cache("icd-of-code")
    found = memo.get(raw)
    if found is None:
        code = normalize_icd(raw)
        found = kb.conditions.retired_codes.get(code, code)
        if len(memo) >= _MAX_MEMO:
            memo.clear()
        memo[raw] = found
    return found


def _icd_code(cond: Condition, kb: Knowledge) -> str | None:
    for coding in cond.codings:
        if coding.system == ICD10 and coding.code:
            return _icd(coding.code, kb)
    for coding in cond.codings:
        if coding.system == SNOMED and coding.code:
            mapped = kb.snomed_to_icd.get(coding.code.strip())
            if mapped is not None:
                return mapped
    return None


def _is_active(cond: Condition, as_of: date) -> bool:
    if cond.clinical_status is not None and cond.clinical_status not in _ACTIVE_STATUSES:
        return False
    return cond.abatement is None or cond.abatement > as_of


def _cpt(proc: Procedure) -> str | None:
    for coding in proc.codings:
        if coding.system in CPT_SYSTEMS and coding.code:
            return coding.code.strip()
    return None


def build_context(record: PatientRecord, kb: Knowledge, as_of: date) -> Context:
    """Resolve codes and drop what lies after `as_of` (a past as_of reproduces the past)."""
    t = tables(kb)
    ctx = Context(record, kb, as_of, t, months_before(as_of, t.lookback_months))
    for cond in record.conditions:
        onset = cond.onset or cond.recorded
        if onset is not None and onset > as_of:
            continue
        code = _icd_code(cond, kb)
        if code is None:
            if cond.codings:
                ctx.unmapped_codes.append(f"Condition/{cond.id}")
            continue
        ctx.conditions.append(ResolvedCondition(cond, code, onset, _is_active(cond, as_of)))
    ctx.active = [c for c in ctx.conditions if c.active]
    for med in record.medications:
        start = med.authored or (med.effective.start if med.effective else None)
        if start is not None and start > as_of:
            continue
        ctx.medications.append(resolve(med, kb))
    for proc in record.procedures:
        if proc.performed is None or proc.performed.day > as_of or proc.status == "preparation":
            continue
        ctx.procedures.append((proc, _cpt(proc)))
    linked: dict[str, list[Observation]] = defaultdict(list)
    for obs in record.observations:
        if obs.effective is not None and obs.effective.day > as_of:
            continue
        ctx.observations.append(obs)
        for ref in obs.part_of:
            linked[ref].append(obs)
    ctx.linked = dict(linked)
    intake_url = kb.instruments.intake_questionnaire
    for qr in record.questionnaires:
        if qr.authored is None or qr.authored.day > as_of:
            continue
        if qr.questionnaire in (None, intake_url):
            ctx.intake.append(qr)
    ctx.intake.sort(key=_authored_key)
    ctx.sessions = _sessions(ctx)
    return ctx


def _authored_key(qr: QuestionnaireAnswers) -> tuple[date, float]:
    when = qr.authored
    assert when is not None
    return when.day, when.instant.timestamp() if when.instant else -1.0


def _sessions(ctx: Context) -> dict[str, list[Session]]:
    grouped: dict[tuple[str, str | None, date], list[Procedure]] = defaultdict(list)
    by_cpt = ctx.tables.sessions_by_cpt
    for proc, cpt in ctx.procedures:
        if cpt is None or proc.performed is None:
            continue
        for fam_id, region in by_cpt.get(cpt, ()):
            grouped[(fam_id, region, proc.performed.day)].append(proc)
    out: dict[str, list[Session]] = defaultdict(list)
    for (fam_id, region, day), procs in sorted(grouped.items(), key=lambda kv: kv[0][2]):
        out[fam_id].append(Session(fam_id, region, day, tuple(procs)))
    return dict(out)
