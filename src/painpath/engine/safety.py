"""Safety (decision-rules §5): antithrombotic holds by bleeding-risk class, pregnancy, systemic
infection, contrast allergy, and diabetes with steroid procedures.

An [UNVERIFIED] row, or a procedure whose risk class is unverified, never yields a number:
the finding says to confirm with the prescriber and the guideline.
"""

from __future__ import annotations

from dataclasses import dataclass

from painpath.domain import Medication
from painpath.engine._context import ICD10, SNOMED, Context
from painpath.engine._dose import daily_dose
from painpath.engine._meds import ResolvedMedication, is_active
from painpath.knowledge import normalize_icd
from painpath.knowledge._schema import Antithrombotic, HoldCell, HoldRow, Procedure

__all__ = ["SafetyFinding", "safety_findings"]

_CONFIRM = "confirm with the prescriber and the guideline"
_SEVERITY_ORDER = {"stop": 0, "warning": 1, "info": 2}


@dataclass(frozen=True, slots=True)
class SafetyFinding:
    id: str
    severity: str  # stop | warning | info
    message: str
    citation: str
    evidence: tuple[str, ...] = ()
    drug: str | None = None
    hold_days_before: float | None = None
    restart_hours_after: float | None = None
    verified: bool = True


def _ref(med: Medication) -> str:
    return f"{'MedicationRequest' if med.kind == 'request' else 'MedicationStatement'}/{med.id}"


def _aspirin_row(ctx: Context, med: Medication, entry: Antithrombotic) -> HoldRow:
    rows = {r.variant: r for r in entry.rows}
    secondary = ctx.kb.drugs.aspirin_secondary_prevention
    if med.reason_unresolved or not med.reasons:
        return rows["secondary-prevention"]
    codes: list[str] = []
    for codings in med.reasons:
        for coding in codings:
            if coding.system == ICD10 and coding.code:
                code = normalize_icd(coding.code)  # as Condition codes are read
                codes.append(ctx.kb.conditions.retired_codes.get(code, code))
            elif coding.system == SNOMED and coding.code in ctx.kb.snomed_to_icd:
                codes.append(ctx.kb.snomed_to_icd[coding.code])
    if not codes or any(ctx.kb.matcher.matches(c, secondary) for c in codes):
        return rows["secondary-prevention"]
    return rows["primary-prevention"]


def _row(ctx: Context, resolved: ResolvedMedication, entry: Antithrombotic) -> HoldRow | None:
    """The hold row for this order, or None when the variant cannot be told (heparin route)."""
    med = resolved.med
    rows = {r.variant: r for r in entry.rows}
    if entry.drug == "aspirin":
        return _aspirin_row(ctx, med, entry)
    if entry.drug == "heparin":
        routes = {c.code for d in med.dosages for c in d.route if c.system == SNOMED}
        variants = {
            ctx.kb.drugs.heparin_routes[r] for r in routes if r in ctx.kb.drugs.heparin_routes
        }
        return rows[variants.pop()] if len(variants) == 1 else None
    if entry.drug == "enoxaparin":
        dose = daily_dose(resolved, "enoxaparin", ctx.as_of, ctx.kb)
        limit = ctx.kb.drugs.enoxaparin_prophylactic_max_mg_per_day.value
        prophylactic = dose.mg is not None and dose.mg <= limit
        return rows["prophylactic" if prophylactic else "therapeutic"]
    return rows.get("default") or entry.rows[0]


def _cell_finding(drug: str, cell: HoldCell, row: HoldRow, risk: str, ref: str) -> SafetyFinding:
    """One hold-table cell as a finding (decision-rules §5)."""
    restart = cell.restart_hours
    a_risk = f"{'an' if risk[0] in 'aeiou' else 'a'} {risk}-risk procedure"

    def finding(kind: str, severity: str, text: str, hold: float | None) -> SafetyFinding:
        return SafetyFinding(kind, severity, text, row.source, (ref,), drug, hold, restart)

    if cell.kind == "number":
        assert cell.hold_days is not None
        days = cell.hold_days
        amount = f"{days:g} day{'' if days == 1 else 's'}" if days >= 1 else f"{days * 24:g} hours"
        text = f"Hold {drug} {amount} before the procedure"
        if cell.words:
            text += f" {cell.words}"
        if restart is not None:
            text += f"; restart {restart:g} hours after"
        return finding(
            "antithrombotic-hold", "warning", f"{text} ({risk}-risk procedure).", cell.hold_days
        )
    if cell.kind == "do-not-stop":
        return finding(
            "antithrombotic-continue",
            "info",
            f"Continue {drug}: the guideline does not advise stopping it for {a_risk}.",
            0,
        )
    if cell.kind == "do-not-stop-shared":
        return finding(
            "antithrombotic-continue",
            "warning",
            f"Usually continue {drug} ({cell.words or 'shared decision with the prescriber'}).",
            0,
        )
    if cell.kind in ("shared-decision", "rule"):
        words = cell.words or "shared decision with the prescriber"
        return finding(
            "antithrombotic-decision",
            "warning",
            f"{drug.capitalize()} before {a_risk}: {words}.",
            None,
        )
    return _unverified(drug, row.source, ref)


def _unverified(drug: str, citation: str, ref: str) -> SafetyFinding:
    return SafetyFinding(
        "antithrombotic-unverified",
        "warning",
        f"{drug.capitalize()} is taken: the hold before this procedure is not verified here; "
        f"{_CONFIRM}.",
        citation,
        (ref,),
        drug,
        None,
        None,
        verified=False,
    )


def _antithrombotics(ctx: Context, proc: Procedure) -> list[SafetyFinding]:
    kb = ctx.kb
    if not ctx.medications:
        return []
    default_days = ctx.tables.default_days
    risk = proc.bleeding_risk.value
    risk_unverified = proc.bleeding_risk.tag == "unverified" or risk not in (
        "high",
        "intermediate",
        "low",
    )
    findings: dict[str, SafetyFinding] = {}
    for resolved in ctx.medications:
        if not is_active(resolved.med, ctx.as_of, default_days):
            continue
        ref = _ref(resolved.med)
        for name in resolved.ingredients:
            entry = kb.antithrombotics.get(name)
            if entry is None and "nsaid" in kb.ingredients_by_name[name].classes:
                entry = kb.antithrombotics.get("nsaid")
            if entry is None or name in findings:
                continue
            if risk_unverified:
                findings[name] = _unverified(name, proc.bleeding_risk.source, ref)
                continue
            row = _row(ctx, resolved, entry)
            if row is None:
                findings[name] = SafetyFinding(
                    "antithrombotic-route-unknown",
                    "warning",
                    f"{name.capitalize()}: the route (IV or subcutaneous) is not recorded, so the "
                    f"hold cannot be chosen; {_CONFIRM}.",
                    entry.rows[0].source,
                    (ref,),
                    name,
                )
                continue
            if row.tag == "unverified":
                findings[name] = _unverified(name, row.source, ref)
                continue
            cell: HoldCell = getattr(row, risk)
            findings[name] = _cell_finding(name, cell, row, risk, ref)
    return list(findings.values())


def _conditions(ctx: Context, proc: Procedure) -> list[SafetyFinding]:
    kb = ctx.kb
    checks = ctx.tables.safety_checks
    out: list[SafetyFinding] = []
    pregnancy = [c.ref for c in ctx.matching(kb.codes("pregnancy"))]
    if pregnancy:
        radiation = any(i in ("fluoroscopy", "ct") for i in proc.imaging)
        if proc.ultrasound_possible:
            check = checks["pregnancy-ultrasound"]
            out.append(
                SafetyFinding(check.id, "warning", check.message, check.source, tuple(pregnancy))
            )
        elif radiation:
            check = checks["pregnancy-fluoroscopy"]
            out.append(
                SafetyFinding(check.id, "stop", check.message, check.source, tuple(pregnancy))
            )
    infection = [c.ref for c in ctx.matching(kb.codes("systemic-infection"))]
    if infection:
        check = checks["systemic-infection"]
        out.append(SafetyFinding(check.id, "stop", check.message, check.source, tuple(infection)))
    if proc.uses_contrast:
        allergy = _contrast_allergies(ctx)
        if allergy:
            check = checks["contrast-allergy"]
            out.append(SafetyFinding(check.id, "warning", check.message, check.source, allergy))
    if proc.steroid:
        diabetes = [c.ref for c in ctx.matching(kb.codes("diabetes"))]
        if diabetes:
            check = checks["diabetes-steroid"]
            out.append(
                SafetyFinding(check.id, "warning", check.message, check.source, tuple(diabetes))
            )
    return out


def _contrast_allergies(ctx: Context) -> tuple[str, ...]:
    drugs = ctx.kb.drugs
    words = drugs.contrast_allergy_words
    refs: list[str] = []
    for allergy in ctx.record.allergies:
        if allergy.clinical_status not in (None, "active"):
            continue
        coded = any(
            c.system == SNOMED and c.code in drugs.contrast_allergy.codes for c in allergy.codings
        )
        texts = [c.display or "" for c in allergy.codings] + [allergy.text or ""]
        worded = any(w in t.lower() for t in texts for w in words)
        if coded or worded:
            refs.append(f"AllergyIntolerance/{allergy.id}")
    return tuple(refs)


def safety_findings(ctx: Context, proc: Procedure) -> list[SafetyFinding]:
    """Every safety finding for one procedure: stops first, then warnings, then info."""
    findings = [*_conditions(ctx, proc), *_antithrombotics(ctx, proc)]
    if len(findings) < 2:
        return findings
    return sorted(findings, key=lambda f: _SEVERITY_ORDER[f.severity])
