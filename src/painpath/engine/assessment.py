"""Compose the `painpath.assessment/v1` document from the rules (decision-rules §1-§8)."""

from __future__ import annotations

from datetime import date
from typing import Any

from painpath.domain import PatientRecord
from painpath.engine._context import Context, build_context
from painpath.engine.conservative import conservative_spans, count_days, weeks
from painpath.engine.mme import MmeResult, compute_mme
from painpath.engine.options import Option, evaluate_option, groups_of, match_options
from painpath.engine.rationale import next_steps, option_rationale
from painpath.engine.readiness import latest_nrs, readiness
from painpath.engine.redflags import RedFlagResult, find_red_flags
from painpath.engine.status import decide_status
from painpath.knowledge import Knowledge

__all__ = ["SCHEMA_ID", "assess_record"]

SCHEMA_ID = "painpath.assessment/v1"
_RULES = "painpath-decision-rules-v1"


class _Citations:
    def __init__(self) -> None:
        self.ids: list[str] = []

    def add(self, source: str | None) -> str | None:
        if source and source not in self.ids:
            self.ids.append(source)
        return source


def assess_record(
    record: PatientRecord, kb: Knowledge, as_of: date, payer: str | None = "cms"
) -> dict[str, Any]:
    """Assess one patient record on `as_of`; `payer=None` skips coverage."""
    ctx = build_context(record, kb, as_of)
    cites = _Citations()
    flags = find_red_flags(ctx)
    mme = compute_mme(ctx)
    spans = conservative_spans(ctx)
    options = match_options(ctx, spans)
    flag_ids = tuple(f.id for f in flags.flags)
    status = decide_status(ctx, options, flag_ids)
    for option in options:
        evaluate_option(ctx, option, status, flag_ids, payer)
    options.sort(key=lambda o: not o.indicated)  # stable: knowledge order within each group

    patient_days = count_days(spans, ctx.lookback, as_of)
    ready = readiness(ctx)
    nrs = latest_nrs(ctx)
    cites.add(_RULES)
    for flag in flags.flags:
        cites.add(flag.citation)
    doc: dict[str, Any] = {
        "schema": SCHEMA_ID,
        "knowledge_version": kb.version,
        "as_of": as_of.isoformat(),
        "patient_id": record.patient_id,
        "status": status,
        "red_flags": [
            {
                "id": f.id,
                "evidence": list(f.evidence),
                "message": f.message,
                "action": f.action,
                "citation": f.citation,
            }
            for f in flags.flags
        ],
        "pain": _pain(ctx, options, nrs),
        "conservative_care": {
            "weeks": round(weeks(patient_days), 1),
            "modalities": list(dict.fromkeys(s.modality for s in spans if s.end >= ctx.lookback)),
        },
        "mme_per_day": mme.total,
        "mme_incomplete": mme.incomplete,
        "mme_items": [
            {
                "drug": i.drug,
                "mme_per_day": i.mme_per_day,
                "reason": i.reason,
                "evidence": i.evidence,
            }
            for i in mme.items
        ],
        "readiness": None if ready is None else {"yes": ready.yes, "of": ready.of},
        "options": [_option_doc(ctx, o, mme, flags, ready, cites, payer) for o in options],
        "next_steps": next_steps(ctx, status, options, flags, cites),
    }
    doc["citations"] = [kb.citation(c) for c in cites.ids]
    return doc


def _pain(ctx: Context, options: list[Option], nrs: tuple[float, str] | None) -> dict[str, Any]:
    pool = [c for o in options for c in o.conditions]
    if not pool:
        pool = [c for c in ctx.active if groups_of(ctx.kb, c.code)]
    onsets = [c.onset for c in pool if c.onset is not None]
    earliest = min(onsets) if onsets else None
    per_month = ctx.tables.days_per_month
    duration = None if earliest is None else round((ctx.as_of - earliest).days / per_month, 1)
    chronic = any(o.chronic for o in options) if options else False
    return {
        "chronic": chronic,
        "duration_months": duration,
        "latest_nrs": None if nrs is None else nrs[0],
    }


def _coverage_doc(option: Option, cites: _Citations, payer: str | None) -> dict[str, Any] | None:
    if payer is None:
        return None
    if option.policy is None or option.criteria is None:
        return {"policy": None, "status": "no-policy", "unmet": [], "missing": [], "criteria": []}
    unmet: list[str] = []
    missing: list[str] = []
    criteria: list[dict[str, Any]] = []
    add = cites.add
    for c in option.criteria:  # one pass: the ids by value, the citations, each criterion
        if c.value is False:
            unmet.append(c.id)
        elif c.value is None:
            missing.append(c.id)
        add(c.citation)
        criteria.append(
            {
                "id": c.id,
                "status": c.status,
                "text": c.text,
                "detail": c.detail,
                "evidence": list(c.evidence),
                "citation": c.citation,
            }
        )
    status = "not-met" if unmet else "incomplete" if missing else "met"
    return {
        "policy": option.policy,
        "status": status,
        "unmet": unmet,
        "missing": missing,
        "criteria": criteria,
    }


def _option_doc(
    ctx: Context,
    option: Option,
    mme: MmeResult,
    flags: RedFlagResult,
    ready: Any,
    cites: _Citations,
    payer: str | None,
) -> dict[str, Any]:
    proc = option.procedure
    for finding in option.safety:
        cites.add(finding.citation)
    rationale, evidence = option_rationale(ctx, option, mme, flags, ready, cites)
    return {
        "procedure": proc.id,
        "family": proc.family,
        "purpose": proc.purpose,
        "indicated": option.indicated,
        "rationale": rationale,
        "evidence": evidence,
        "coverage": _coverage_doc(option, cites, payer),
        "safety": [
            {
                "id": f.id,
                "severity": f.severity,
                "drug": f.drug,
                "hold_days_before": f.hold_days_before,
                "restart_hours_after": f.restart_hours_after,
                "verified": f.verified,
                "message": f.message,
                "evidence": list(f.evidence),
                "citation": f.citation,
            }
            for f in option.safety
        ],
    }
