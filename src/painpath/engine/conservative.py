"""Conservative-care accounting (decision-rules §2.3 and §7 "Conservative spans").

Care is counted in distinct calendar days covered by any span (medication or physical
therapy), start and end inclusive, clipped to a window; weeks = days / 7, unrounded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from painpath.domain import Medication
from painpath.engine._context import Context
from painpath.engine._dose import daily_dose

__all__ = ["Span", "conservative_spans", "count_days", "weeks", "window_start"]

_DAYS_PER_WEEK = 7


@dataclass(frozen=True, slots=True)
class Span:
    start: date
    end: date
    modality: str
    evidence: str


def conservative_spans(ctx: Context) -> list[Span]:
    """Every conservative span of the record that starts on or before `as_of`."""
    kb, as_of, t = ctx.kb, ctx.as_of, ctx.tables
    classes = t.conservative_classes
    default_days = t.default_days
    spans: list[Span] = []
    for resolved in ctx.medications:
        med = resolved.med
        modalities: list[str] = []
        for name in resolved.ingredients:
            ingredient = kb.ingredients_by_name[name]
            hits = [c for c in ingredient.classes if c in classes]
            if name == "aspirin":
                dose = daily_dose(resolved, name, as_of, kb)
                floor = kb.drugs.aspirin_analgesic_min_mg_per_day.value
                if dose.mg is None or dose.mg <= floor:
                    hits = []
            modalities.extend(h for h in hits if h not in modalities)
        if not modalities:
            continue
        rtype = "MedicationRequest" if med.kind == "request" else "MedicationStatement"
        span = _medication_span(ctx, med, default_days)
        if span is None:
            continue
        for modality in modalities:
            spans.append(Span(span[0], span[1], modality, f"{rtype}/{med.id}"))
    pt_codes = t.physical_therapy
    for proc, _cpt in ctx.procedures:
        is_pt = any((c.system, (c.code or "").strip()) in pt_codes for c in proc.codings)
        if not is_pt or proc.performed is None:
            continue
        start = proc.performed.day
        end = proc.performed_end or (as_of if proc.status == "in-progress" else start)
        spans.append(Span(start, min(end, as_of), "physical-therapy", f"Procedure/{proc.id}"))
    return spans


def _medication_span(
    ctx: Context, med: Medication, default_days: float
) -> tuple[date, date] | None:
    as_of = ctx.as_of
    if med.kind == "statement":
        if med.effective is None or med.effective.start is None:
            if med.effective is not None and med.effective.end is not None:
                return med.effective.end, med.effective.end
            return None
        end = med.effective.end or as_of
        return med.effective.start, min(end, as_of)
    start = med.authored or (med.validity.start if med.validity else None)
    if start is None:
        return None
    if med.validity is not None and (med.validity.start or med.validity.end):
        return start, min(med.validity.end or as_of, as_of)
    if med.status == "active":
        return start, min(start + timedelta(days=default_days), as_of)
    return start, start


def window_start(ctx: Context, onset: date | None) -> date:
    """max(as_of - lookback months, onset): where an option's conservative care starts counting."""
    return max(ctx.lookback, onset) if onset is not None else ctx.lookback


def count_days(spans: list[Span], low: date, high: date) -> int:
    """Distinct calendar days in [low, high] covered by any span."""
    clipped = sorted(
        (max(s.start, low), min(s.end, high)) for s in spans if s.end >= low and s.start <= high
    )
    days = 0
    current_start: date | None = None
    current_end: date | None = None
    for start, end in clipped:
        if current_end is None or current_start is None or start > current_end + timedelta(days=1):
            if current_end is not None and current_start is not None:
                days += (current_end - current_start).days + 1
            current_start, current_end = start, end
        elif end > current_end:
            current_end = end
    if current_end is not None and current_start is not None:
        days += (current_end - current_start).days + 1
    return days


def weeks(days: int) -> float:
    return days / _DAYS_PER_WEEK
