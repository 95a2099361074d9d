"""Dosage arithmetic: doses per day and the daily amount of one ingredient (decision-rules §6)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from painpath.domain import Dosage
from painpath.engine._meds import ResolvedMedication, strength_of
from painpath.knowledge import Knowledge

__all__ = ["DailyDose", "daily_dose", "doses_per_day", "select_dosages"]

_MG = frozenset({"mg", "milligram", "milligrams"})
_MCG = frozenset({"ug", "mcg", "µg", "microgram", "micrograms"})
_PER_HOUR = frozenset({"ug/h", "mcg/h", "ug/hr", "mcg/hr", "µg/h", "mcg/hour", "ug/hour"})
_ML = frozenset({"ml", "milliliter", "millilitre"})
_MCG_PER_MG = 1000.0


@dataclass(frozen=True, slots=True)
class DailyDose:
    """Amount per day of one ingredient: `mg` for most, `mcg_per_hour` for a patch; or a reason."""

    mg: float | None = None
    mcg_per_hour: float | None = None
    reason: str | None = None


def doses_per_day(dosage: Dosage, kb: Knowledge) -> float | None:
    """Doses per day from timing.repeat (frequencyMax when given), timeOfDay, or timing.code."""
    frequency = dosage.frequency_max if dosage.frequency_max is not None else dosage.frequency
    if frequency is not None:
        unit_days = kb.drugs.period_unit_days.get(dosage.period_unit or "d")
        period = dosage.period if dosage.period is not None else 1.0
        if unit_days is None or period <= 0:
            return None
        return frequency / (period * unit_days)
    if dosage.time_of_day_count:
        return float(dosage.time_of_day_count)
    if dosage.timing_code:
        return kb.drugs.timing_codes.get(dosage.timing_code.upper())
    return None


def select_dosages(dosages: tuple[Dosage, ...], as_of: date) -> list[Dosage]:
    """Instructions that count: same sequence adds up; across sequences the one whose bounds
    cover `as_of`, else all of the highest sequence (decision-rules §6)."""
    by_seq: dict[int | None, list[Dosage]] = {}
    for dosage in dosages:
        by_seq.setdefault(dosage.sequence, []).append(dosage)
    if len(by_seq) <= 1:
        return list(dosages)
    for group in by_seq.values():
        if any(d.bounds is not None and d.bounds.covers(as_of) for d in group):
            return group
    highest = max(by_seq, key=lambda s: -1 if s is None else s)
    return by_seq[highest]


def _amount(dosage: Dosage) -> float | None:
    return dosage.dose_high if dosage.dose_high is not None else dosage.dose_value


def daily_dose(
    resolved: ResolvedMedication, ingredient: str, as_of: date, kb: Knowledge
) -> DailyDose:
    """Daily amount of `ingredient` in this order, or why it cannot be read."""
    dosages = select_dosages(resolved.med.dosages, as_of)
    if not dosages:
        return DailyDose(reason="no dosage instructions")
    total_mg = 0.0
    total_mcg_h = 0.0
    for dosage in dosages:
        amount = _amount(dosage)
        if amount is None:
            return DailyDose(reason="dose not given")
        unit = (dosage.dose_unit or "").strip().lower()
        if unit in _PER_HOUR:
            total_mcg_h += amount
            continue
        strength = strength_of(resolved, ingredient)
        if resolved.transdermal and unit not in _MG and unit not in _MCG:
            if strength is None or "/HR" not in strength[1]:
                return DailyDose(reason="patch strength not readable from the product name")
            per_hour = strength[0] * (_MCG_PER_MG if strength[1] == "MG/HR" else 1.0)
            total_mcg_h += amount * per_hour
            continue
        per_day = doses_per_day(dosage, kb)
        if per_day is None:
            return DailyDose(reason="dose frequency not readable")
        if unit in _MG:
            mg = amount
        elif unit in _MCG:
            mg = amount / _MCG_PER_MG
        elif unit in _ML:
            if strength is None or not strength[1].endswith("/ML"):
                return DailyDose(reason="strength per mL not readable from the product name")
            mg = amount * strength[0] / (_MCG_PER_MG if strength[1] == "MCG/ML" else 1.0)
        else:  # a count of units (tablet, capsule, unitless): strength from the product name
            if strength is None or "/" in strength[1]:
                return DailyDose(reason="strength not readable from the product name")
            mg = amount * strength[0] / (_MCG_PER_MG if strength[1] in ("MCG", "UG") else 1.0)
        total_mg += mg * per_day
    if total_mcg_h and total_mg:
        return DailyDose(reason="mixed patch and oral dosing in one order")
    if total_mcg_h:
        return DailyDose(mcg_per_hour=total_mcg_h)
    return DailyDose(mg=total_mg)
