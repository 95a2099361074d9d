"""The patient-view card: the engine's assessment of the open chart, as one CDS Hooks card.

Nothing here decides anything clinical: status, red flags, options, coverage and safety are
the engine's (`painpath.assessment/v1`); this module only words and orders them. Indicator:
`critical` when the engine raised a red flag; `warning` when one of the top options carries
a safety finding of severity stop or warning; `info` otherwise.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from painpath.interop._services import CdsCatalog
from painpath.knowledge import Knowledge

__all__ = ["card", "card_uuid", "option_line", "patient_view_cards", "source", "summary_text"]

_NS = uuid.UUID("6f0c7a52-8d0e-4d3c-9a39-2b8f1f0d6a11")
SUMMARY_MAX = 139  # "<140 characters" (CDS Hooks 2.0 Card.summary)


def card_uuid(hook_instance: str, key: str) -> str:
    """A card's uuid: unique per hook call and card, the same if the call is repeated."""
    return str(uuid.uuid5(_NS, f"{hook_instance}/{key}"))


def summary_text(text: str) -> str:
    """One line, cut to fewer than 140 characters."""
    line = " ".join(text.split())
    return line if len(line) <= SUMMARY_MAX else line[: SUMMARY_MAX - 1].rstrip() + "…"


def source(document: Mapping[str, Any]) -> dict[str, Any]:
    """The card source: painpath and the knowledge version that decided."""
    return {
        "label": f"painpath (knowledge {document.get('knowledge_version', '?')})",
        "topic": {
            "system": "https://painpath.dev/fhir/CodeSystem/cds-topic",
            "code": "interventional-pain",
            "display": "Interventional pain medicine",
        },
    }


def card(
    hook_instance: str,
    key: str,
    summary: str,
    indicator: str,
    document: Mapping[str, Any],
    detail: str | None = None,
) -> dict[str, Any]:
    """A card with uuid, summary, indicator and source (and detail when given)."""
    out: dict[str, Any] = {
        "uuid": card_uuid(hook_instance, key),
        "summary": summary_text(summary),
        "indicator": indicator,
        "source": source(document),
    }
    if detail:
        out["detail"] = detail
    return out


def _cpt(knowledge: Knowledge, procedure: str) -> str:
    proc = knowledge.procedures.get(procedure)
    return ", ".join(proc.cpt.codes) if proc is not None else "?"


def option_line(knowledge: Knowledge, option: Mapping[str, Any]) -> str:
    """One markdown bullet: procedure, CPT numbers, indicated or not, coverage status."""
    proc = str(option.get("procedure"))
    coverage = option.get("coverage") or {}
    state = "indicated" if option.get("indicated") else "not indicated now"
    return (
        f"- **{proc}** (CPT {_cpt(knowledge, proc)}): {state}; "
        f"coverage {coverage.get('status', 'no-policy')}"
    )


def _safety_lines(options: Sequence[Mapping[str, Any]]) -> list[str]:
    lines: list[str] = []
    for option in options:
        for finding in option.get("safety") or []:
            lines.append(f"- {option.get('procedure')}: {finding.get('message')}")
    return lines


def _record_lines(document: Mapping[str, Any]) -> list[str]:
    """Pain, conservative care and opioid dose, as the engine found them."""
    lines: list[str] = []
    pain = document.get("pain") or {}
    if pain:
        months = pain.get("duration_months")
        nrs = pain.get("latest_nrs")
        lines.append(
            f"- Pain: {'chronic' if pain.get('chronic') else 'not chronic'}"
            + (f", {months:g} months" if isinstance(months, int | float) else "")
            + (f", latest NRS {nrs:g}" if isinstance(nrs, int | float) else "")
        )
    care = document.get("conservative_care") or {}
    if care:
        weeks = care.get("weeks")
        kinds = ", ".join(care.get("modalities") or []) or "none recorded"
        span = f"{weeks:g} weeks" if isinstance(weeks, int | float) else "unknown span"
        lines.append(f"- Conservative care: {span} ({kinds})")
    mme = document.get("mme_per_day")
    if document.get("mme_incomplete"):
        lines.append("- Opioids: MME per day incomplete (a dose could not be read)")
    elif isinstance(mme, int | float) and mme > 0:
        lines.append(f"- Opioids: {mme:g} MME per day")
    return ["**Record:**", *lines] if lines else []


def patient_view_cards(
    document: Mapping[str, Any],
    knowledge: Knowledge,
    catalog: CdsCatalog,
    hook_instance: str,
    chart_url: str | None,
) -> list[dict[str, Any]]:
    """The one patient-view card of an assessment (see the module docstring)."""
    status = str(document.get("status"))
    flags = document.get("red_flags") or []
    top = list(document.get("options") or [])[: catalog.top_options]
    lines: list[str] = []
    if flags:
        indicator = "critical"
        lines.append("**Red flags** (urgent evaluation, never an elective procedure):")
        lines += [f"- {f.get('message')} ({', '.join(f.get('evidence') or [])})" for f in flags]
    else:
        severe = any(
            s.get("severity") in ("stop", "warning") for o in top for s in o.get("safety") or []
        )
        indicator = "warning" if severe else "info"
    lines += _record_lines(document)
    if top:
        lines.append("**Options** (best first):")
        lines += [option_line(knowledge, o) for o in top]
    safety = _safety_lines(top)
    if safety:
        lines.append("**Safety:**")
        lines += safety
    steps = document.get("next_steps") or []
    if steps:
        lines.append("**Next steps:**")
        lines += [f"- {s}" for s in steps]
    summary = catalog.status_summaries.get(status, status)
    out = card(
        hook_instance, "status", f"painpath: {summary}", indicator, document, "\n".join(lines)
    )
    if chart_url:
        out["links"] = [{"label": "Open the painpath chart", "url": chart_url, "type": "absolute"}]
    return [out]
