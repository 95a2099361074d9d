"""Opioid morphine milligram equivalents per day (decision-rules §6; CDC 2022 clinical factors).

MME/day = mg/day x the ingredient's factor, each order rounded to 0.1; transdermal fentanyl is
mcg/h x the patch factor. An opioid whose dose cannot be read, or that has no factor in the
2022 table, is listed with `mme_per_day: None` and a reason: reported, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass

from painpath.engine._context import Context
from painpath.engine._dose import daily_dose
from painpath.engine._meds import ResolvedMedication, is_active

__all__ = ["MmeItem", "MmeResult", "compute_mme"]


@dataclass(frozen=True, slots=True)
class MmeItem:
    drug: str
    mme_per_day: float | None
    reason: str | None
    evidence: str


@dataclass(frozen=True, slots=True)
class MmeResult:
    total: float
    incomplete: bool
    items: tuple[MmeItem, ...]


def _item(ctx: Context, resolved: ResolvedMedication, ingredient: str) -> MmeItem:
    kb = ctx.kb
    ref = f"{'MedicationRequest' if resolved.med.kind == 'request' else 'MedicationStatement'}/"
    ref += resolved.med.id
    factors = kb.opioid_factors.get(ingredient, [])
    dose = daily_dose(resolved, ingredient, ctx.as_of, kb)
    patch = dose.mcg_per_hour is not None or resolved.transdermal
    factor_row = next(
        (f for f in factors if f.route == ("transdermal" if patch else "oral")), None
    ) or next((f for f in factors if f.route == "any"), None)
    if factor_row is None or factor_row.factor is None:
        reason = (
            factor_row.reason_absent
            if factor_row is not None and factor_row.reason_absent
            else f"{ingredient} has no factor in the {kb.drugs.mme_table_version} table"
        )
        return MmeItem(ingredient, None, reason, ref)
    if dose.reason is not None:
        return MmeItem(ingredient, None, f"{dose.reason}; MME not computed", ref)
    if factor_row.dose_unit == "mcg/h":
        if dose.mcg_per_hour is None:
            return MmeItem(ingredient, None, "patch dose in mcg/h not readable", ref)
        value = dose.mcg_per_hour * kb.drugs.fentanyl_patch_factor.value
    else:
        if dose.mg is None:
            return MmeItem(ingredient, None, "dose in mg not readable", ref)
        value = dose.mg * factor_row.factor
    return MmeItem(ingredient, round(value, 1), None, ref)


def compute_mme(ctx: Context) -> MmeResult:
    """Total MME/day over the active opioid orders on `as_of`."""
    default_days = ctx.tables.default_days
    items: list[MmeItem] = []
    for resolved in ctx.medications:
        if not is_active(resolved.med, ctx.as_of, default_days):
            continue
        for ingredient in resolved.ingredients:
            known = ctx.kb.ingredients_by_name[ingredient]
            if "opioid" in known.classes:
                items.append(_item(ctx, resolved, ingredient))
    total = round(sum((i.mme_per_day for i in items if i.mme_per_day is not None), 0.0), 1)
    return MmeResult(total, any(i.mme_per_day is None for i in items), tuple(items))
