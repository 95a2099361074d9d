"""order-select / order-sign cards: what the engine says about each ordered procedure.

An order is a draft `ServiceRequest` whose code is a CPT number of one of painpath's
procedures (`procedures.yaml` `cpt`). For each, the engine's option for that procedure
(the best-ranked one when a CPT number belongs to several) gives the cards:

- red flags (status `urgent-evaluation`): one `critical` card, whatever was ordered;
- no option: the engine found no condition the procedure treats (`warning`);
- not indicated: the engine's rationale (`warning`), with suggestions to order instead the
  options of the same family the engine marks indicated and diagnostic or trial (e.g. the
  medial branch block before the ablation), the draft replaced in one step;
- payer criteria not met or missing, apart from frequency caps (`warning`), and frequency
  caps (`warning`), each criterion with what the engine found;
- each safety finding (`critical` for stop, else `warning`/`info`): a hold with its days only
  when the engine marks the fact verified; otherwise "confirm with the guideline".

Cards with something to override carry painpath's override reasons (`cds-services.yaml`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any, NamedTuple

from painpath.errors import InputError
from painpath.interop._cards import card, card_uuid
from painpath.interop._services import CdsCatalog
from painpath.knowledge import Knowledge

__all__ = ["Order", "draft_orders", "order_cards"]


class Order(NamedTuple):
    """One ordered painpath procedure: the draft ServiceRequest, its CPT number, the
    procedures with that number, and the planned day when the order gives one."""

    ref: str
    code: str
    candidates: list[str]
    day: date | None = None


def _planned_day(request: Mapping[str, Any]) -> date | None:
    """The day of `occurrenceDateTime` (or `occurrencePeriod.start`), if readable."""
    value = request.get("occurrenceDateTime") or (request.get("occurrencePeriod") or {}).get(
        "start"
    )
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _procedures_by_cpt(knowledge: Knowledge) -> dict[str, list[str]]:
    table: dict[str, list[str]] = knowledge.cache("cds-cpt")
    if not table:
        for proc in knowledge.procedures.values():
            for code in proc.cpt.codes:
                table.setdefault(code, []).append(proc.id)
    return table


def draft_orders(
    context: Mapping[str, Any], knowledge: Knowledge, catalog: CdsCatalog, hook: str
) -> list[Order]:
    """Each ordered painpath procedure (see `Order`).

    order-select looks at the selected orders only; order-sign at every draft order.
    """
    cpt_system = catalog.order_code_systems["cpt"]
    selected = set(context.get("selections") or []) if hook == "order-select" else None
    table = _procedures_by_cpt(knowledge)
    out: list[Order] = []
    for i, entry in enumerate(context["draftOrders"].get("entry") or []):
        res = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(res, dict) or res.get("resourceType") != "ServiceRequest":
            continue
        rid = res.get("id")
        ref = f"ServiceRequest/{rid}"
        if selected is not None and ref not in selected:
            continue
        for coding in (res.get("code") or {}).get("coding") or []:
            if not isinstance(coding, dict) or coding.get("system") != cpt_system:
                continue
            code = str(coding.get("code"))
            if code in table and not (isinstance(rid, str) and rid):
                raise InputError(
                    "a draft order of a painpath procedure without an id",
                    f"context.draftOrders.entry[{i}].resource.id",
                    "the ServiceRequest's id (cards refer to it)",
                )
            if code in table:
                out.append(Order(ref, code, table[code], _planned_day(res)))
                break
    return out


def _override(cards: list[dict[str, Any]], catalog: CdsCatalog) -> list[dict[str, Any]]:
    for c in cards:
        c["overrideReasons"] = catalog.override_codings()
    return cards


def _criteria_cards(
    option: Mapping[str, Any],
    knowledge: Knowledge,
    catalog: CdsCatalog,
    doc: Mapping[str, Any],
    key: str,
    hook_instance: str,
) -> list[dict[str, Any]]:
    coverage = option.get("coverage") or {}
    policy = knowledge.policies.get(str(coverage.get("policy")))
    kinds: dict[str, str] = {}
    if policy is not None:
        extra = policy.extra_criteria.get(str(option.get("procedure")), [])
        kinds = {c.id: c.kind for c in [*policy.criteria, *extra]}
    open_ = [c for c in coverage.get("criteria") or [] if c.get("status") in ("not-met", "missing")]
    caps = [c for c in open_ if kinds.get(str(c.get("id"))) in catalog.frequency_kinds]
    other = [c for c in open_ if c not in caps]
    proc = option.get("procedure")
    out: list[dict[str, Any]] = []

    def lines(criteria: Sequence[Mapping[str, Any]]) -> str:
        rows = [
            f"- **{c.get('id')}** ({c.get('status')}): {c.get('text')} — found: "
            f"{c.get('detail')} [{c.get('citation')}]"
            for c in criteria
        ]
        return f"Policy {coverage.get('policy')}:\n" + "\n".join(rows)

    if other:
        unmet = [str(c.get("id")) for c in other if c.get("status") == "not-met"]
        missing = [str(c.get("id")) for c in other if c.get("status") == "missing"]
        parts = ([f"not met: {', '.join(unmet)}"] if unmet else []) + (
            [f"missing: {', '.join(missing)}"] if missing else []
        )
        summary = f"Payer criteria for {proc}: {'; '.join(parts)}"
        out.append(card(hook_instance, f"{key}/coverage", summary, "warning", doc, lines(other)))
    if caps:
        summary = f"Frequency cap reached for {proc}: {', '.join(str(c.get('id')) for c in caps)}"
        out.append(card(hook_instance, f"{key}/frequency", summary, "warning", doc, lines(caps)))
    return out


def _safety_cards(
    option: Mapping[str, Any],
    doc: Mapping[str, Any],
    key: str,
    hook_instance: str,
    day: date | None,
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    proc = option.get("procedure")
    for i, finding in enumerate(option.get("safety") or []):
        severity = finding.get("severity")
        indicator = {"stop": "critical", "warning": "warning"}.get(str(severity), "info")
        drug = finding.get("drug")
        days = finding.get("hold_days_before")
        if drug and finding.get("verified") and isinstance(days, int | float):
            summary = f"Hold {drug} {days:g} days before {proc}"
            restart = finding.get("restart_hours_after")
            if isinstance(restart, int | float):
                summary += f"; restart {restart:g} h after"
        elif drug:
            summary = f"{drug}: hold before {proc} not verified, confirm with the guideline"
        else:
            summary = f"{proc}: {finding.get('message')}"
        detail = f"{finding.get('message')} [{finding.get('citation')}]"
        if drug and finding.get("verified") and isinstance(days, int | float) and day:
            stop = day - timedelta(days=math.ceil(days))  # whole days: never a shorter hold
            detail += (
                f"\n\nFor the procedure on {day.isoformat()}: stop {drug} on "
                f"{stop.isoformat()} (no dose from that day on)."
            )
        refs = finding.get("evidence") or []
        if refs:
            detail += f"\n\nEvidence: {', '.join(refs)}"
        out.append(card(hook_instance, f"{key}/safety/{i}", summary, indicator, doc, detail))
    return out


def _first_steps(
    option: Mapping[str, Any],
    doc: Mapping[str, Any],
    knowledge: Knowledge,
    order: tuple[str, str],
    patient_id: str,
    hook_instance: str,
    key: str,
) -> list[dict[str, Any]]:
    """Suggestions: the engine's indicated diagnostic/trial options of the same family."""
    family = option.get("family")
    firsts = [
        o
        for o in doc.get("options") or []
        if o.get("family") == family
        and o.get("indicated")
        and o.get("purpose") in ("diagnostic", "trial")
        and o.get("procedure") != option.get("procedure")
    ]
    ref, _code = order
    suggestions: list[dict[str, Any]] = []
    for n, other in enumerate(firsts):
        proc = knowledge.procedures[str(other["procedure"])]
        code = proc.cpt.codes[0]
        request = {
            "resourceType": "ServiceRequest",
            "status": "draft",
            "intent": "order",
            "subject": {"reference": f"Patient/{patient_id}"},
            "code": {
                "coding": [{"system": "http://www.ama-assn.org/go/cpt", "code": code}],
                "text": proc.name,
            },
        }
        suggestions.append(
            {
                "label": f"Order {proc.id} (CPT {code}) first instead",
                "uuid": card_uuid(hook_instance, f"{key}/suggest/{n}"),
                "isRecommended": n == 0,
                "actions": [
                    {
                        "type": "delete",
                        "description": f"Remove the draft order {ref}",
                        "resourceId": [ref],
                    },
                    {
                        "type": "create",
                        "description": f"Order {proc.id} (CPT {code})",
                        "resource": request,
                    },
                ],
            }
        )
    return suggestions


def order_cards(
    document: Mapping[str, Any],
    orders: Sequence[Order],
    knowledge: Knowledge,
    catalog: CdsCatalog,
    hook_instance: str,
    patient_id: str,
) -> list[dict[str, Any]]:
    """The cards of the ordered procedures (see the module docstring)."""
    if not orders:
        return []
    cards: list[dict[str, Any]] = []
    flags = document.get("red_flags") or []
    if flags:
        detail = "\n".join(f"- {f.get('message')}" for f in flags)
        cards.append(
            card(
                hook_instance,
                "red-flags",
                "Red flag: urgent evaluation before any elective pain procedure",
                "critical",
                document,
                detail,
            )
        )
    options = list(document.get("options") or [])
    for ref, code, candidates, day in orders:
        key = f"{ref}/{code}"
        option = next((o for o in options if o.get("procedure") in candidates), None)
        if option is None:
            summary = f"{' / '.join(candidates)} (CPT {code}): no matching diagnosis on record"
            detail = f"Assessment status: {document.get('status')}."
            cards += _override(
                [card(hook_instance, f"{key}/no-option", summary, "warning", document, detail)],
                catalog,
            )
            continue
        proc = option.get("procedure")
        found: list[dict[str, Any]] = []
        if not option.get("indicated") and not flags:
            detail = "\n".join(f"- {r}" for r in option.get("rationale") or [])
            one = card(
                hook_instance,
                f"{key}/not-indicated",
                f"{proc} is not indicated now",
                "warning",
                document,
                detail,
            )
            suggestions = _first_steps(
                option, document, knowledge, (ref, code), patient_id, hook_instance, key
            )
            if suggestions:
                one["suggestions"] = suggestions
                one["selectionBehavior"] = "at-most-one"
            found.append(one)
        found += _criteria_cards(option, knowledge, catalog, document, key, hook_instance)
        found += _safety_cards(option, document, key, hook_instance, day)
        cards += _override(found, catalog)
    return cards
