"""The words of an assessment: each option's rationale and the next steps, as a clinician writes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, Protocol

from painpath.domain import Medication
from painpath.engine._context import Context
from painpath.engine._dates import months_before
from painpath.engine._meds import is_active
from painpath.engine.mme import MmeResult
from painpath.engine.options import Option
from painpath.engine.redflags import RedFlagResult
from painpath.knowledge import Knowledge
from painpath.knowledge._schema import Procedure

__all__ = ["next_steps", "option_rationale"]

_MAX_MEMO = 50_000
_MODALITY_WORDS = {
    "physical-therapy": "physical therapy",
    "nsaid": "NSAID",
    "acetaminophen": "acetaminophen",
    "muscle-relaxant": "muscle relaxant",
    "neuropathic": "neuropathic agent",
    "opioid": "opioid",
}


class _Cites(Protocol):
    def add(self, source: str | None) -> str | None: ...


def _chronic_date(ctx: Context, onset: date) -> date:
    """The first as_of on which pain with this onset counts as chronic."""
    months = ctx.tables.chronic_months
    day = months_before(onset, -months)  # onset plus the months, day clamped to the month's end
    while months_before(day, months) < onset:  # a clamped end of month: a day or three later
        day += timedelta(days=1)
    return day


def option_rationale(
    ctx: Context,
    option: Option,
    mme: MmeResult,
    flags: RedFlagResult,
    ready: Any,
    cites: _Cites,
) -> tuple[list[str], list[str]]:
    """Reasons for and against the option, and the resource ids they rest on."""
    kb = ctx.kb
    lines: list[str] = []
    evidence: list[str] = []
    names = []
    proc = option.procedure
    for rc in option.conditions:
        onset = f"onset {rc.onset.isoformat()}" if rc.onset else "onset not recorded"
        names.append(f"{_group_name(kb, proc, rc.code)} ({rc.code}, {onset})")
        evidence.append(rc.ref)
    covered = {c.cond.id for c in option.covered_conditions}
    lines.append("Diagnosis: " + "; ".join(names) + ".")
    if not covered:
        lines.append(
            "The matching diagnosis is not on the procedure's primary indication list "
            "(payer coverage usually needs a more specific diagnosis)."
        )
    if option.exempt:
        lines.append(
            "Cancer-related pain (G89.3): offered whatever the duration of pain or of "
            "conservative care."
        )
    else:
        if option.earliest_onset is None:
            lines.append("Onset not recorded: chronic pain (3 months or more) is not established.")
        elif option.chronic:
            lines.append(f"Chronic pain since {option.earliest_onset.isoformat()}.")
        else:
            when = _chronic_date(ctx, option.earliest_onset)
            lines.append(
                f"Pain since {option.earliest_onset.isoformat()}: not yet chronic "
                f"(3 months reached on {when.isoformat()})."
            )
        modalities = ", ".join(_MODALITY_WORDS.get(m, m) for m in option.conservative_modalities)
        lines.append(
            f"Conservative care since onset: {option.conservative_weeks:.1f} weeks"
            + (f" ({modalities})" if modalities else "")
            + f"; at least {option.min_weeks:g} needed."
        )
        evidence.extend(option.conservative_evidence)
    if option.prerequisite is not None:
        lines.append(option.prerequisite.reason + ".")
        evidence.extend(option.prerequisite.evidence)
        cites.add(option.prerequisite.citation)
    for flag in flags.flags:
        lines.append(f"Not now: red flag ({flag.id}) needs urgent evaluation first.")
    for note in flags.notes:  # e.g. "History of cauda equina syndrome ..." (decision-rules §1)
        lines.append(note.text)
        evidence.extend(note.evidence)
        cites.add(note.citation)
    for finding in option.safety:
        if finding.severity == "stop":
            lines.append(f"Not now: {finding.message}")
    if option.criteria is not None:
        unmet = [c.id for c in option.criteria if c.value is False]
        missing = [c.id for c in option.criteria if c.value is None]
        if unmet:
            lines.append("Payer criteria not met: " + ", ".join(unmet) + ".")
        if missing:
            lines.append("Payer criteria not yet documented: " + ", ".join(missing) + ".")
    lines.extend(_once(ctx, "mme-lines", lambda: _mme_lines(ctx, mme, cites)))
    if ready is not None:
        lines.append(f"Readiness: {ready.yes} of {ready.of} 'is it right for me?' answers are yes.")
        evidence.append(ready.evidence)
    lines.extend(_once(ctx, "record-notes", lambda: _record_notes(ctx)))
    cites.add(option.procedure.bleeding_risk.source)
    cites.add(kb.procedures[option.procedure.id].cpt.source)
    return lines, list(dict.fromkeys(evidence))


def _group_name(kb: Knowledge, proc: Procedure, code: str) -> str:
    """The name of the procedure's first indication group (primary, then also) holding `code`
    (memoized per knowledge base)."""
    memo: dict[tuple[str, str], str] = kb.cache("indication-group-name")
    key = (proc.id, code)
    found = memo.get(key)
    if found is None:
        ids = (*proc.indications, *proc.also_indications)
        found = next(kb.groups[g].name for g in ids if kb.matcher.matches(code, kb.groups[g].codes))
        if len(memo) >= _MAX_MEMO:
            memo.clear()
        memo[key] = found
    return found


def _once(ctx: Context, name: str, make: Callable[[], list[str]]) -> list[str]:
    """Lines that are the same for every option of the record: made (and cited) once."""
    found: list[str] | None = ctx.memo.get(name)
    if found is None:
        found = ctx.memo[name] = make()
    return found


def _record_notes(ctx: Context) -> list[str]:
    """Conditions and active medications no rule could use, one line each kind."""
    notes: list[str] = []
    if ctx.unmapped_codes:
        notes.append(
            "Not considered, coded without a painpath mapping: "
            + ", ".join(ctx.unmapped_codes)
            + "."
        )
    default_days = ctx.tables.default_days
    unknown = [
        f"{r.names[0] if r.names else 'uncoded'} ({_med_ref(r.med)})"
        for r in ctx.medications
        if r.unrecognised and is_active(r.med, ctx.as_of, default_days)
    ]
    if unknown:
        notes.append(
            "Unrecognised active medications, not used by any rule: " + "; ".join(unknown) + "."
        )
    return notes


def _med_ref(med: Medication) -> str:
    return f"{'MedicationRequest' if med.kind == 'request' else 'MedicationStatement'}/{med.id}"


def _mme_lines(ctx: Context, mme: MmeResult, cites: _Cites) -> list[str]:
    reassess = ctx.tables.mme_reassess
    high = ctx.tables.mme_high
    lines: list[str] = []
    prefix = "at least " if mme.incomplete else ""
    if mme.incomplete:
        missing = ", ".join(i.drug for i in mme.items if i.mme_per_day is None)
        lines.append(f"Opioid dose is at least {mme.total:g} MME/day; not computed for {missing}.")
    if mme.total >= high:
        cites.add(ctx.kb.rules.numbers["mme-high"].source)
        lines.append(
            f"Opioids {prefix}{mme.total:g} MME/day ({high:g} or more): high dose; an "
            "interventional option may help reduce it."
        )
    elif mme.total >= reassess:
        cites.add(ctx.kb.rules.numbers["mme-reassess"].source)
        lines.append(
            f"Opioids {prefix}{mme.total:g} MME/day ({reassess:g} or more): reassess benefits "
            "and risks; an interventional option may help reduce it."
        )
    return lines


def next_steps(
    ctx: Context,
    status: str,
    options: list[Option],
    flags: RedFlagResult,
    cites: _Cites,
) -> list[str]:
    """What should happen next, most urgent first."""
    steps: list[str] = []
    if status == "urgent-evaluation":
        for flag in flags.flags:
            steps.append(f"Urgent evaluation ({flag.id}): {flag.action} No elective procedure.")
    elif status == "not-indicated":
        steps.append(
            "No condition on record that interventional procedures treat: continue care with "
            "the treating clinician; reassess if a specific pain diagnosis is made."
        )
    elif status == "conservative-care-first":
        steps.append(_conservative_step(ctx, options))
    else:
        indicated = [o for o in options if o.indicated]
        if indicated:
            names = ", ".join(o.procedure.id for o in indicated[:3])
            steps.append(f"Refer for an interventional pain consultation: consider {names}.")
        else:
            steps.append(
                "Refer for an interventional pain consultation; no option is indicated yet "
                "(see each option's rationale for what would change that)."
            )
        for option in options:
            if option.criteria is None:
                continue
            missing = [c for c in option.criteria if c.value is None]
            unmet = [c for c in option.criteria if c.value is False]
            if option.indicated and unmet:
                steps.append(
                    f"Coverage for {option.procedure.id} is not met ("
                    + "; ".join(f"{c.id}: {c.detail}" for c in unmet)
                    + "): the procedure may still be chosen, but expect the payer to deny it."
                )
            if option.indicated and missing:
                steps.append(
                    f"Before {option.procedure.id}: document "
                    + "; ".join(f"{c.id} ({c.detail})" for c in missing)
                    + "."
                )
    for option in options:
        prereq = option.prerequisite
        if prereq is not None and prereq.next_step and prereq.next_step not in steps:
            steps.append(prereq.next_step)
    for note in flags.next_steps:
        steps.append(note.text)
        cites.add(note.citation)
    return steps


def _conservative_step(ctx: Context, options: list[Option]) -> str:
    best: tuple[date, Option] | None = None
    for option in options:
        if option.earliest_onset is None:
            continue
        chronic_on = _chronic_date(ctx, option.earliest_onset)
        missing_weeks = max(option.min_weeks - option.conservative_weeks, 0.0)
        care_on = ctx.as_of + timedelta(weeks=missing_weeks)
        ready_on = max(chronic_on, care_on)
        if best is None or ready_on < best[0]:
            best = (ready_on, option)
    if best is None:
        return (
            "Continue conservative care (physical therapy, medication, activity); record when "
            "the pain began so that its duration can be judged."
        )
    return (
        "Continue conservative care (physical therapy, medication, activity) and reassess on "
        f"{best[0].isoformat()} if pain persists ({best[1].procedure.id} may then be an option)."
    )
