"""Options (decision-rules §3): which procedures the record's conditions match, and whether each
is indicated now, with its coverage and safety findings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from painpath.engine._context import Context, ResolvedCondition
from painpath.engine._dates import months_before
from painpath.engine.conservative import Span, count_days, weeks, window_start
from painpath.engine.coverage import CriterionResult, OptionFacts, evaluate_policy
from painpath.engine.safety import SafetyFinding, safety_findings
from painpath.engine.staging import PREREQUISITES, Prerequisite
from painpath.knowledge import Knowledge
from painpath.knowledge._schema import Procedure

__all__ = ["Option", "evaluate_option", "groups_of", "match_options"]


@dataclass
class Option:
    procedure: Procedure
    conditions: list[ResolvedCondition]
    covered_conditions: list[ResolvedCondition]
    exempt: bool  # made by cancer-related pain: exempt from the chronic and conservative tests
    earliest_onset: date | None
    chronic: bool
    conservative_weeks: float
    conservative_modalities: list[str]
    conservative_evidence: list[str]
    prerequisite: Prerequisite | None = None
    safety: list[SafetyFinding] = field(default_factory=list)
    policy: str | None = None
    criteria: list[CriterionResult] | None = None
    indicated: bool = False
    reasons_not: list[str] = field(default_factory=list)
    min_weeks: float = 0.0

    @property
    def ready(self) -> bool:
        """Chronic with enough conservative care (or exempt): the §2.4 test for this option."""
        return self.exempt or (self.chronic and self.conservative_weeks >= self.min_weeks)


def groups_of(kb: Knowledge, code: str) -> tuple[str, ...]:
    """The condition groups a code belongs to (memoized in the knowledge base, per code)."""
    memo: dict[str, tuple[str, ...]] = kb.cache("groups-of-code")
    found = memo.get(code)
    if found is None:
        found = tuple(g.id for g in kb.groups.values() if kb.matcher.matches(code, g.codes))
        memo[code] = found
    return found


def match_options(ctx: Context, spans: list[Span]) -> list[Option]:
    """Every procedure whose indication groups match an active Condition, in knowledge order."""
    kb, t = ctx.kb, ctx.tables
    by_group: dict[str, list[ResolvedCondition]] = {}
    for rc in ctx.active:
        for gid in groups_of(kb, rc.code):
            by_group.setdefault(gid, []).append(rc)
    if not by_group:
        return []
    index = t.procedures_by_group
    candidates = sorted({i for gid in by_group for i in index.get(gid, ())})
    chronic_limit = months_before(ctx.as_of, t.chronic_months)
    cancer = t.cancer
    options: list[Option] = []
    for i in candidates:
        entry = t.procedures[i]
        covered: list[ResolvedCondition] = []
        for gid in entry.indications:
            covered.extend(c for c in by_group.get(gid, ()) if c not in covered)
        matched = list(covered)
        for gid in entry.also_indications:
            matched.extend(c for c in by_group.get(gid, ()) if c not in matched)
        if not matched:
            continue
        onsets = [c.onset for c in matched if c.onset is not None]
        earliest = min(onsets) if onsets else None
        low = window_start(ctx, earliest)
        days = count_days(spans, low, ctx.as_of)
        inside = [s for s in spans if s.end >= low and s.start <= ctx.as_of]
        option = Option(
            procedure=entry.procedure,
            conditions=matched,
            covered_conditions=covered,
            exempt=any(kb.matcher.matches(c.code, cancer) for c in matched),
            earliest_onset=earliest,
            chronic=earliest is not None and earliest <= chronic_limit,
            conservative_weeks=weeks(days),
            conservative_modalities=list(dict.fromkeys(s.modality for s in inside)),
            conservative_evidence=list(dict.fromkeys(s.evidence for s in inside)),
            min_weeks=t.conservative_min_weeks,
        )
        options.append(option)
    return options


def evaluate_option(
    ctx: Context, option: Option, status: str, red_flags: tuple[str, ...], payer: str | None
) -> None:
    """Fill in prerequisites, safety, coverage and `indicated` for one option (§3.1, §4, §5)."""
    proc = option.procedure
    if proc.prerequisite is not None:
        option.prerequisite = PREREQUISITES[proc.prerequisite](ctx, proc)
    option.safety = safety_findings(ctx, proc)
    if payer is not None and proc.policy is not None:
        facts = OptionFacts(proc, option.earliest_onset, option.conservative_weeks, red_flags)
        option.policy, option.criteria = evaluate_policy(ctx, facts)
    reasons: list[str] = []
    if red_flags:
        reasons.append("a red flag needs urgent evaluation first")
    elif status != "refer-interventional":
        reasons.append(
            "conservative care comes first" if status == "conservative-care-first" else status
        )
    if not option.exempt:
        if not option.chronic:
            reasons.append("pain is not yet chronic")
        if option.conservative_weeks < option.min_weeks:
            reasons.append(
                f"conservative care {option.conservative_weeks:.1f} weeks, "
                f"below {option.min_weeks:g}"
            )
    stops = [f for f in option.safety if f.severity == "stop"]
    reasons.extend(f"safety: {f.message}" for f in stops)
    if option.prerequisite is not None and not option.prerequisite.met:
        reasons.append(option.prerequisite.reason)
    option.reasons_not = reasons
    option.indicated = not reasons
