"""Outcome measures of one episode: change from baseline at each follow-up window, never imputed.

The episode's index is its first interventional procedure (or the one named). Baseline: the
latest score within `baseline_days` before it. Each window of outcomes.yaml takes the score
nearest its target day within its tolerance; a window with no score is `missing` once it has
closed, `not-due` while it is open; its numbers are then None, never carried forward.
Pain is the NRS (Observations and intake answers); PEG is its score (else the mean of its three
items on one day); function is the mean of the PEG interference items. MME comes from the
engine on the baseline day and on each window's day.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from painpath.domain import Observation, PatientRecord, Procedure
from painpath.engine._context import build_context
from painpath.engine.mme import compute_mme
from painpath.errors import InputError
from painpath.knowledge import Knowledge, OutcomesFile
from painpath.reports._diary import relief_percent

__all__ = ["EpisodeOutcomes", "Score", "WindowMeasure", "episode_outcomes"]

_LOINC = "http://loinc.org"


@dataclass(frozen=True, slots=True)
class Score:
    """One pain, PEG or function value on a day, and where it came from."""

    day: date
    value: float
    ref: str


@dataclass(frozen=True, slots=True)
class WindowMeasure:
    window: str
    label: str
    target_day: date
    status: str  # recorded | missing | not-due
    nrs: Score | None = None
    nrs_change: float | None = None
    nrs_improvement_percent: float | None = None
    peg: Score | None = None
    peg_change: float | None = None
    function: Score | None = None
    function_change: float | None = None
    mme: float | None = None
    mme_change: float | None = None
    responders: dict[str, bool | None] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class EpisodeOutcomes:
    patient_id: str
    as_of: date
    index_procedure: str
    procedure: str  # canonical procedure id (first whose CPT list holds the code) or CPT
    session_family: str | None
    index_day: date
    baseline_nrs: Score | None
    baseline_peg: Score | None
    baseline_function: Score | None
    baseline_mme: float
    mme_incomplete: bool
    windows: tuple[WindowMeasure, ...]
    relief_weeks: float | None
    relief_source: str | None  # recorded | follow-up | None
    relief_censored: bool  # relief still at the level at the last follow-up ("at least")
    repeat_procedures: int
    complications: tuple[str, ...]
    messages: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        def score(s: Score | None) -> dict[str, Any] | None:
            return None if s is None else {"day": s.day.isoformat(), "value": s.value, "ref": s.ref}

        return {
            "patient_id": self.patient_id,
            "as_of": self.as_of.isoformat(),
            "index_procedure": self.index_procedure,
            "procedure": self.procedure,
            "session_family": self.session_family,
            "index_day": self.index_day.isoformat(),
            "baseline": {
                "nrs": score(self.baseline_nrs),
                "peg": score(self.baseline_peg),
                "function": score(self.baseline_function),
                "mme_per_day": self.baseline_mme,
                "mme_incomplete": self.mme_incomplete,
            },
            "windows": [
                {
                    "window": w.window,
                    "label": w.label,
                    "target_day": w.target_day.isoformat(),
                    "status": w.status,
                    "nrs": score(w.nrs),
                    "nrs_change": w.nrs_change,
                    "nrs_improvement_percent": w.nrs_improvement_percent,
                    "peg": score(w.peg),
                    "peg_change": w.peg_change,
                    "function": score(w.function),
                    "function_change": w.function_change,
                    "mme_per_day": w.mme,
                    "mme_change": w.mme_change,
                    "responders": dict(w.responders),
                }
                for w in self.windows
            ],
            "relief_weeks": self.relief_weeks,
            "relief_source": self.relief_source,
            "relief_censored": self.relief_censored,
            "repeat_procedures": self.repeat_procedures,
            "complications": list(self.complications),
            "messages": list(self.messages),
        }


def _code(obs: Observation, system: str | None = None) -> set[str]:
    return {c.code for c in obs.codings if c.code and (system is None or c.system == system)}


def _cpt(proc: Procedure) -> str | None:
    return next((c.code for c in proc.codings if c.code and "cpt" in (c.system or "")), None)


def _interventional(kb: Knowledge) -> dict[str, str]:
    table = kb.cache("outcomes-cpt")
    if not table:
        for proc in kb.procedures.values():
            for code in proc.cpt.codes:
                table.setdefault(code, proc.id)
    return table


def _series(record: PatientRecord, kb: Knowledge, outcomes: OutcomesFile) -> dict[str, list[Score]]:
    """Every pain, PEG and function value by day (same-day items averaged)."""
    codes = {i.id: i.code for i in kb.instruments.instruments}
    by_code = {v: k for k, v in codes.items()}
    raw: dict[str, list[Score]] = {}
    for obs in record.observations:
        if obs.value is None or obs.effective is None:
            continue
        for code in _code(obs, _LOINC):
            name = by_code.get(code)
            if name is not None:
                raw.setdefault(name, []).append(
                    Score(obs.effective.day, obs.value, f"Observation/{obs.id}")
                )
    intake = kb.instruments.numeric_items
    for qr in record.questionnaires:
        if qr.authored is None:
            continue
        for link, name in intake.items():
            value = qr.answers.get(link)
            if isinstance(value, float | int) and not isinstance(value, bool):
                raw.setdefault(name, []).append(
                    Score(qr.authored.day, float(value), f"QuestionnaireResponse/{qr.id}")
                )
    peg = list(raw.get("peg-score", []))
    peg_days = {s.day for s in peg}
    items = ("peg-pain", "peg-enjoyment", "peg-activity")
    peg += [s for s in _daily_mean(raw, items) if s.day not in peg_days]
    return {
        "nrs": sorted(raw.get("nrs", []), key=lambda s: s.day),
        "peg": sorted(peg, key=lambda s: s.day),
        "function": _daily_mean(raw, tuple(outcomes.function_items.values)),
    }


def _daily_mean(raw: dict[str, list[Score]], names: tuple[str, ...]) -> list[Score]:
    """The mean of the named items on each day all of them were recorded."""
    per: list[dict[date, Score]] = [{s.day: s for s in raw.get(n, [])} for n in names]
    if not per:
        return []
    days = set(per[0]).intersection(*per[1:])
    return [
        Score(d, round(sum(p[d].value for p in per) / len(per), 9), per[0][d].ref)
        for d in sorted(days)
    ]


def _nearest(series: Iterable[Score], target: date, tolerance: int) -> Score | None:
    found = [s for s in series if abs((s.day - target).days) <= tolerance]
    return min(found, key=lambda s: (abs((s.day - target).days), s.day)) if found else None


def _baseline(series: list[Score], index: date, days: int) -> Score | None:
    """The latest score on a day before the index day, within `days` (a same-day score may
    have been taken after the procedure, so it never counts as the baseline)."""
    found = [s for s in series if index - timedelta(days=days) <= s.day < index]
    return found[-1] if found else None


def _change(now: Score | None, base: Score | None) -> float | None:
    return None if now is None or base is None else round(now.value - base.value, 9)


def _pick_index(
    record: PatientRecord, kb: Knowledge, index: str | None, start: date | None
) -> Procedure:
    table = _interventional(kb)
    procs = [p for p in record.procedures if p.performed is not None and p.status != "preparation"]
    if index is not None:
        rid = index.removeprefix("Procedure/")
        found = next((p for p in procs if p.id == rid), None)
        if found is None:
            raise InputError("no such performed procedure in the record", f"Procedure/{rid}")
        return found
    chosen = [
        p
        for p in procs
        if _cpt(p) in table and (start is None or (p.performed and p.performed.day >= start))
    ]
    if not chosen:
        raise InputError(
            "no interventional procedure in the record for this episode",
            "episode",
            "a performed Procedure with a CPT code of the knowledge base",
        )
    return min(chosen, key=lambda p: p.performed.day if p.performed else date.max)


def episode_outcomes(
    record: PatientRecord,
    kb: Knowledge,
    outcomes: OutcomesFile,
    as_of: date,
    *,
    index: str | None = None,
    start: date | None = None,
) -> EpisodeOutcomes:
    """The outcome measures of the episode whose index procedure is `index` (a Procedure id),
    else the first interventional procedure on or after `start`."""
    from painpath.reports._diary import session_family_of

    proc = _pick_index(record, kb, index, start)
    assert proc.performed is not None
    day0 = proc.performed.day
    cpt = _cpt(proc)
    family = session_family_of(kb, cpt)
    series = _series(record, kb, outcomes)
    base_days = int(outcomes.baseline_days.value)
    base = {k: _baseline(v, day0, base_days) for k, v in series.items()}
    mme0 = compute_mme(build_context(record, kb, day0))
    messages: list[str] = []
    if base["nrs"] is None:
        messages.append(
            f"No pain score in the {base_days} days before the procedure: changes from baseline "
            "cannot be computed."
        )
    windows: list[WindowMeasure] = []
    after = {k: [s for s in v if day0 < s.day <= as_of] for k, v in series.items()}
    for spec in outcomes.followups:
        target = day0 + timedelta(days=int(spec.day.value))
        tol = int(spec.tolerance_days.value)
        got = {k: _nearest(v, target, tol) for k, v in after.items()}
        mme: float | None = None
        if target <= as_of:
            mme = compute_mme(build_context(record, kb, target)).total
        if got["nrs"] is None and got["peg"] is None and got["function"] is None:
            status = "not-due" if target + timedelta(days=tol) > as_of else "missing"
        else:
            status = "recorded"
        nrs, b = got["nrs"], base["nrs"]
        improvement = relief_percent(b.value, nrs.value) if nrs and b else None
        responders = {
            r.id: (None if improvement is None else improvement >= r.value)
            for r in outcomes.responders
        }
        windows.append(
            WindowMeasure(
                spec.id,
                spec.label,
                target,
                status,
                nrs,
                _change(nrs, b),
                improvement,
                got["peg"],
                _change(got["peg"], base["peg"]),
                got["function"],
                _change(got["function"], base["function"]),
                mme,
                None if mme is None else round(mme - mme0.total, 9),
                responders,
            )
        )
    weeks, source, censored = _relief(record, outcomes, proc, series["nrs"], base["nrs"], as_of)
    return EpisodeOutcomes(
        patient_id=record.patient_id,
        as_of=as_of,
        index_procedure=f"Procedure/{proc.id}",
        procedure=_interventional(kb).get(cpt or "", cpt or "unknown"),
        session_family=family,
        index_day=day0,
        baseline_nrs=base["nrs"],
        baseline_peg=base["peg"],
        baseline_function=base["function"],
        baseline_mme=mme0.total,
        mme_incomplete=mme0.incomplete,
        windows=tuple(windows),
        relief_weeks=weeks,
        relief_source=source,
        relief_censored=censored,
        repeat_procedures=_repeats(record, kb, proc, as_of),
        complications=_complications(record, outcomes, proc),
        messages=tuple(messages),
    )


def _linked(record: PatientRecord, proc: Procedure, code: str) -> list[Observation]:
    ref = f"Procedure/{proc.id}"
    return [o for o in record.observations if ref in o.part_of and code in _code(o)]


def _relief(
    record: PatientRecord,
    outcomes: OutcomesFile,
    proc: Procedure,
    nrs: list[Score],
    base: Score | None,
    as_of: date,
) -> tuple[float | None, str | None, bool]:
    """Weeks of relief at the outcomes level: recorded, else from follow-up scores."""
    assert proc.performed is not None
    recorded = [
        o for o in _linked(record, proc, outcomes.codes.relief_duration) if o.value is not None
    ]
    if recorded:
        latest = max(recorded, key=lambda o: o.effective.day if o.effective else date.min)
        assert latest.value is not None
        return latest.value, "recorded", False
    day0 = proc.performed.day
    later = [s for s in nrs if day0 < s.day <= as_of]
    if base is None or base.value <= 0 or not later:
        return None, None, False
    level = outcomes.relief_duration_percent.value
    last_good: date | None = None
    for s in later:
        percent = relief_percent(base.value, s.value)
        if percent is None or percent < level:
            weeks = 0.0 if last_good is None else (last_good - day0).days / 7
            return round(weeks, 1), "follow-up", False
        last_good = s.day
    assert last_good is not None
    return round((last_good - day0).days / 7, 1), "follow-up", True


def _repeats(record: PatientRecord, kb: Knowledge, proc: Procedure, as_of: date) -> int:
    """Sessions (distinct days) of the same procedure after the index, up to as_of."""
    assert proc.performed is not None
    table = _interventional(kb)
    same = table.get(_cpt(proc) or "")
    days = {
        p.performed.day
        for p in record.procedures
        if p.performed is not None
        and p.status != "preparation"
        and proc.performed.day < p.performed.day <= as_of
        and table.get(_cpt(p) or "") == same
    }
    return len(days)


def _complications(
    record: PatientRecord, outcomes: OutcomesFile, proc: Procedure
) -> tuple[str, ...]:
    found = _linked(record, proc, outcomes.codes.complication)
    return tuple(f"Observation/{o.id}" for o in found if o.value)
