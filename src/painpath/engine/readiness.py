"""Readiness ("is it right for me?") and the latest pain score (decision-rules §2 and §8)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from painpath.engine._context import LOINC, Context
from painpath.engine._dates import days_before

__all__ = ["Readiness", "latest_nrs", "readiness"]


@dataclass(frozen=True, slots=True)
class Readiness:
    yes: int
    of: int
    evidence: str


def readiness(ctx: Context) -> Readiness | None:
    """Yes-count of the most recent counting intake response that answers a readiness item."""
    items = ctx.kb.instruments.readiness_items
    window = days_before(ctx.as_of, ctx.tables.intake_window_days)
    for qr in reversed(ctx.intake):
        assert qr.authored is not None
        if qr.authored.day < window:
            break
        if any(item in qr.answers for item in items):
            yes = sum(1 for item in items if qr.answers.get(item) is True)
            return Readiness(yes, len(items), f"QuestionnaireResponse/{qr.id}")
    return None


def latest_nrs(ctx: Context, within_days: float | None = None) -> tuple[float, str] | None:
    """The latest NRS 0-10 (Observation LOINC 72514-3 or the intake `nrs` item) on or before
    `as_of`, optionally only within the last `within_days` days, with its evidence (memoized
    per record: every option's baseline criterion asks)."""
    key = ("latest-nrs", within_days)
    if key in ctx.memo:
        found: tuple[float, str] | None = ctx.memo[key]
        return found
    ctx.memo[key] = found = _latest_nrs(ctx, within_days)
    return found


def _latest_nrs(ctx: Context, within_days: float | None) -> tuple[float, str] | None:
    low = days_before(ctx.as_of, within_days) if within_days is not None else None
    best: tuple[tuple[int, float], float, str] | None = None
    for obs in ctx.observations_coded(LOINC, ctx.tables.nrs_code):
        if obs.value is None or obs.effective is None:
            continue
        if low is not None and obs.effective.day < low:
            continue
        key = (obs.effective.day.toordinal(), _ts(obs.effective.instant))
        if best is None or key > best[0]:
            best = (key, obs.value, f"Observation/{obs.id}")
    for qr in ctx.intake:
        assert qr.authored is not None
        value = qr.answers.get("nrs")
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        if low is not None and qr.authored.day < low:
            continue
        key = (qr.authored.day.toordinal(), _ts(qr.authored.instant))
        if best is None or key > best[0]:
            best = (key, float(value), f"QuestionnaireResponse/{qr.id}")
    return None if best is None else (best[1], best[2])


def _ts(instant: object) -> float:
    return instant.timestamp() if isinstance(instant, datetime) else -1.0
