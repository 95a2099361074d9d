"""Red flags (decision-rules §1): urgent evaluation instead of an elective procedure.

A flag is raised by an active Condition on the flag's list (with the onset window and 7th
character rules where the knowledge base gives them) or by a "yes" to its item of the intake
red-flag screen answered within the intake window.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from painpath.engine._context import Context, ResolvedCondition
from painpath.engine._dates import days_before, months_before
from painpath.knowledge import Knowledge
from painpath.knowledge._schema import RedFlag

__all__ = ["RedFlagFinding", "ScreenNote", "find_red_flags"]

_MAX_MEMO = 50_000


@dataclass(frozen=True, slots=True)
class RedFlagFinding:
    id: str
    evidence: tuple[str, ...]
    message: str
    action: str
    citation: str


@dataclass(frozen=True, slots=True)
class ScreenNote:
    """A red-flag screen answer that raises no flag but must be followed up (or explained)."""

    text: str
    evidence: tuple[str, ...] = ()
    citation: str = ""


@dataclass
class RedFlagResult:
    flags: list[RedFlagFinding] = field(default_factory=list)
    notes: list[ScreenNote] = field(default_factory=list)  # rationale (history of ...)
    next_steps: list[ScreenNote] = field(default_factory=list)


def _seventh(code: str) -> str | None:
    bare = code.replace(".", "")
    return bare[6] if len(bare) >= 7 else None


def _condition_hits(ctx: Context, flag: RedFlag, result: RedFlagResult) -> list[str]:
    hits: list[str] = []
    window_start: date | None = None
    if flag.onset_window is not None:
        window_start = months_before(ctx.as_of, int(flag.onset_window.value))
    for rc in ctx.matching(flag.codes):
        if flag.seventh_character and _seventh(rc.code) not in flag.seventh_character:
            continue
        if window_start is not None:
            if rc.onset is None:
                if flag.when_no_onset == "no-flag":
                    continue
            elif rc.onset < window_start:
                if flag.history_rationale:
                    result.notes.append(
                        ScreenNote(flag.history_rationale, (rc.ref,), flag.codes.source)
                    )
                continue
        hits.append(rc.ref)
    for first, *others in [flag.combination] if flag.combination else []:
        anchors = ctx.matching(first)
        companions: list[ResolvedCondition] = []
        for other in others:
            companions.extend(ctx.matching(other, active_only=False))
        if anchors and companions:
            hits.extend(c.ref for c in [*anchors, *companions])
    return hits


def _flag_code(kb: Knowledge, code: str) -> bool:
    """Whether a condition code is in any red flag's code sets (memoized per knowledge base):
    a record without one has no condition hits and no history notes to look for."""
    memo: dict[str, bool] = kb.cache("red-flag-code")
    found = memo.get(code)
    if found is None:
        found = any(
            kb.matcher.matches(code, codes)
            for flag in kb.red_flags.values()
            for codes in (flag.codes, *flag.combination)
        )
        if len(memo) >= _MAX_MEMO:
            memo.clear()
        memo[code] = found
    return found


def find_red_flags(ctx: Context) -> RedFlagResult:
    """Red flags of the record on `as_of`, with history notes and screen follow-ups."""
    kb = ctx.kb
    result = RedFlagResult()
    if not ctx.conditions and not ctx.intake:  # flags come from conditions and intake answers
        return result
    window = days_before(ctx.as_of, ctx.tables.intake_window_days)
    latest: dict[str, tuple[bool, str, date]] = {}
    stale_yes: dict[str, tuple[str, date]] = {}
    for qr in ctx.intake:  # oldest first: later answers overwrite earlier ones
        assert qr.authored is not None
        for item in kb.instruments.red_flag_items:
            if item not in qr.answers:
                continue
            answer = qr.answers[item] is True
            if qr.authored.day >= window:
                latest[item] = (answer, f"QuestionnaireResponse/{qr.id}", qr.authored.day)
                stale_yes.pop(item, None)
            elif answer:
                stale_yes[item] = (f"QuestionnaireResponse/{qr.id}", qr.authored.day)
            else:
                stale_yes.pop(item, None)
    by_conditions = any(_flag_code(kb, c.code) for c in ctx.conditions)
    for flag in kb.red_flags.values():
        if flag.exempt_with is not None and ctx.matching(flag.exempt_with):
            continue
        evidence = _condition_hits(ctx, flag, result) if by_conditions else []
        for item in flag.screen_items:
            last = latest.get(item)
            if last is not None and last[0]:
                evidence.append(last[1])
            elif item in stale_yes and last is None:
                ref, day = stale_yes[item]
                result.next_steps.append(
                    ScreenNote(
                        f"Repeat the red-flag screen ({item} answered yes on {day.isoformat()}) "
                        "before any procedure.",
                        (ref,),
                        flag.codes.source,
                    )
                )
        if evidence:
            unique = tuple(dict.fromkeys(evidence))
            result.flags.append(
                RedFlagFinding(flag.id, unique, flag.message, flag.action, flag.codes.source)
            )
    return result
