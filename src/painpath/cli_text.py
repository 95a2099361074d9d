"""`painpath assess --format text`: the assessment as a short summary a person can read."""

from __future__ import annotations

from typing import Any

__all__ = ["render_text"]

_STATUS_WORDS = {
    "urgent-evaluation": "URGENT EVALUATION: a red flag needs care now, not an elective procedure",
    "refer-interventional": "Refer for an interventional pain consultation",
    "conservative-care-first": "Conservative care first: not yet a candidate",
    "not-indicated": "Not indicated: no condition on record that these procedures treat",
}


def _option_lines(option: dict[str, Any]) -> list[str]:
    mark = "indicated" if option["indicated"] else "not indicated"
    lines = [f"  - {option['procedure']} ({option['purpose']}): {mark}"]
    lines.extend(f"      {reason}" for reason in option["rationale"])
    coverage = option.get("coverage")
    if coverage is not None:
        text = f"      Coverage ({coverage['policy'] or 'no policy'}): {coverage['status']}"
        if coverage["unmet"]:
            text += "; not met: " + ", ".join(coverage["unmet"])
        if coverage["missing"]:
            text += "; missing: " + ", ".join(coverage["missing"])
        lines.append(text)
    for finding in option["safety"]:
        lines.append(f"      Safety [{finding['severity']}]: {finding['message']}")
    return lines


def render_text(doc: dict[str, Any]) -> str:
    """A plain-text summary: status, why, red flags, options, next steps, sources."""
    out = [
        f"painpath assessment for {doc['patient_id']} as of {doc['as_of']} "
        f"(knowledge {doc['knowledge_version']})",
        "",
        f"Status: {_STATUS_WORDS.get(doc['status'], doc['status'])}",
    ]
    pain = doc["pain"]
    if pain["duration_months"] is not None:
        out.append(
            f"Pain: {pain['duration_months']} months"
            + (" (chronic)" if pain["chronic"] else "")
            + (f", latest NRS {pain['latest_nrs']:g}/10" if pain["latest_nrs"] is not None else "")
        )
    care = doc["conservative_care"]
    out.append(
        f"Conservative care: {care['weeks']} weeks"
        + (f" ({', '.join(care['modalities'])})" if care["modalities"] else "")
    )
    mme = f"Opioids: {'at least ' if doc['mme_incomplete'] else ''}{doc['mme_per_day']:g} MME/day"
    out.append(mme)
    if doc["readiness"] is not None:
        out.append(f"Readiness: {doc['readiness']['yes']} of {doc['readiness']['of']}")
    if doc["red_flags"]:
        out += ["", "RED FLAGS:"]
        for flag in doc["red_flags"]:
            out.append(f"  ! {flag['id']}: {flag['message']} {flag['action']}")
    if doc["options"]:
        out += ["", "Options (best first):"]
        for option in doc["options"]:
            out.extend(_option_lines(option))
    if doc["next_steps"]:
        out += ["", "Next steps:"]
        out.extend(f"  {i}. {step}" for i, step in enumerate(doc["next_steps"], 1))
    out += ["", "Sources:"]
    out.extend(f"  [{c['id']}] {c['title']}" for c in doc["citations"])
    return "\n".join(out) + "\n"
