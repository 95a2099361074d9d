"""Payer coverage (decision-rules §4): each policy criterion is true, false or unknown.

Criteria are data (policies.yaml); each `kind` names one evaluator in `EVALUATORS`. The policy
status is `not-met` if any criterion is false, else `incomplete` if any is unknown, else `met`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from painpath.engine._context import Context
from painpath.engine._dates import days_before, in_rolling_months, months_before, within_months
from painpath.engine.readiness import latest_nrs
from painpath.engine.response import session_relief
from painpath.engine.staging import block_history, scs_history
from painpath.knowledge import Knowledge
from painpath.knowledge._schema import Criterion, Number, Procedure

__all__ = ["EVALUATORS", "CriterionResult", "OptionFacts", "evaluate_policy"]


@dataclass(frozen=True, slots=True)
class OptionFacts:
    """What the option-level rules already computed, shared with the criteria."""

    procedure: Procedure
    earliest_onset: date | None
    conservative_weeks: float
    red_flags: tuple[str, ...]


class CriterionResult(NamedTuple):
    """One criterion's result (a named tuple: several are made for every option)."""

    id: str
    value: bool | None  # True met, False not met, None unknown (missing)
    text: str
    detail: str
    evidence: tuple[str, ...]
    citation: str

    @property
    def status(self) -> str:
        return _STATUS[self.value]


_STATUS: dict[bool | None, str] = {True: "met", False: "not-met", None: "missing"}


Outcome = tuple[bool | None, str, tuple[str, ...]]
Evaluator = Callable[[Context, OptionFacts, Criterion], Outcome]


def _num(crit: Criterion, key: str) -> float:
    value = crit.params[key]
    assert isinstance(value, Number), f"{crit.id}.{key} must be a number"
    return value.value


def _str(crit: Criterion, key: str) -> str:
    value = crit.params[key]
    assert isinstance(value, str), f"{crit.id}.{key} must be a string"
    return value


def _groups(crit: Criterion, key: str) -> list[str]:
    value = crit.params[key]
    if isinstance(value, str):
        return [value]
    assert isinstance(value, list)
    return value


def _in_groups(ctx: Context, group_ids: list[str]) -> list[str]:
    refs: list[str] = []
    for gid in group_ids:
        refs.extend(c.ref for c in ctx.matching(ctx.kb.groups[gid].codes))
    return list(dict.fromkeys(refs))


def _no_red_flag(ctx: Context, facts: OptionFacts, crit: Criterion) -> Outcome:
    if facts.red_flags:
        return False, "red flag present: " + ", ".join(facts.red_flags), ()
    return True, "no red flag", ()


def _region_diagnosis(ctx: Context, facts: OptionFacts, crit: Criterion) -> Outcome:
    refs = _in_groups(ctx, _groups(crit, facts.procedure.region))
    return (
        (True, "on record", tuple(refs))
        if refs
        else (False, "no active diagnosis on the covered list", ())
    )


def _diagnosis(ctx: Context, facts: OptionFacts, crit: Criterion) -> Outcome:
    refs = _in_groups(ctx, _groups(crit, "groups"))
    return (
        (True, "on record", tuple(refs))
        if refs
        else (False, "no active diagnosis on the covered list", ())
    )


def _procedure_diagnosis(ctx: Context, facts: OptionFacts, crit: Criterion) -> Outcome:
    if facts.procedure.id not in crit.params:
        return False, "not a covered indication for this procedure", ()
    return _diagnosis_of(ctx, _groups(crit, facts.procedure.id))


def _diagnosis_of(ctx: Context, groups: list[str]) -> Outcome:
    refs = _in_groups(ctx, groups)
    return (
        (True, "on record", tuple(refs))
        if refs
        else (False, "no active diagnosis on the covered list", ())
    )


def _pain_duration(ctx: Context, facts: OptionFacts, crit: Criterion) -> Outcome:
    if facts.earliest_onset is None:
        return None, "onset date not recorded", ()
    if "days" in crit.params:
        limit = days_before(ctx.as_of, _num(crit, "days"))
    else:
        limit = months_before(ctx.as_of, int(_num(crit, "months")))
    ok = facts.earliest_onset <= limit
    return ok, f"pain since {facts.earliest_onset.isoformat()}", ()


def _conservative(ctx: Context, facts: OptionFacts, crit: Criterion) -> Outcome:
    needed = _num(crit, "weeks")
    ok = facts.conservative_weeks >= needed
    return ok, f"{facts.conservative_weeks:.1f} weeks documented (needs {needed:g})", ()


def _imaging(ctx: Context, facts: OptionFacts, crit: Criterion) -> Outcome:
    months = int(_num(crit, "months"))
    found = [
        i
        for i in ctx.record.imaging
        if i.radiology and i.when is not None and within_months(i.when, ctx.as_of, months)
    ]
    if not found:
        return None, f"no imaging report within {months} months", ()
    latest = max(found, key=lambda i: i.when or ctx.as_of)
    assert latest.when is not None
    return True, f"imaging of {latest.when.isoformat()}", (f"{latest.resource_type}/{latest.id}",)


def _baseline(ctx: Context, facts: OptionFacts, crit: Criterion) -> Outcome:
    days = _num(crit, "days")
    found = latest_nrs(ctx, days)
    if found is None:
        return None, f"no pain score within {days:g} days", ()
    return True, f"NRS {found[0]:g}", (found[1],)


def _region_of(facts: OptionFacts) -> str | None:
    region = facts.procedure.region
    return region if region in ("cervical-thoracic", "lumbar-sacral") else None


def _frequency(ctx: Context, facts: OptionFacts, crit: Criterion) -> Outcome:
    months = int(_num(crit, "months"))
    limit = _num(crit, "max_sessions")
    sessions = [
        s
        for s in ctx.sessions_of(_str(crit, "family"), _region_of(facts))
        if in_rolling_months(s.day, ctx.as_of, months)
    ]
    refs = tuple(r for s in sessions for r in s.refs)
    return len(sessions) < limit, f"{len(sessions)} sessions in {months} months", refs


def _repeat_relief(ctx: Context, facts: OptionFacts, crit: Criterion) -> Outcome:
    months = int(_num(crit, "months"))
    sessions = [
        s
        for s in ctx.sessions_of(_str(crit, "family"), _region_of(facts))
        if in_rolling_months(s.day, ctx.as_of, months)
    ]
    if not sessions:
        return True, "no earlier session in the window", ()
    last = sessions[-1]
    relief = session_relief(ctx, last)
    refs = (*last.refs, *relief.evidence)
    if relief.percent is None:
        return None, f"relief of the session of {last.day.isoformat()} not recorded", refs
    needed = _num(crit, "percent")
    return relief.percent >= needed, f"{relief.percent:.4g}% after {last.day.isoformat()}", refs


def _untreated_radicular(ctx: Context, facts: OptionFacts, crit: Criterion) -> Outcome:
    region = _region_of(facts)
    if region is None:
        return True, "not a spinal region", ()
    radicular = _in_groups(ctx, _groups(crit, region))
    if not radicular:
        return True, "no radicular diagnosis in this region", ()
    months = int(_num(crit, "months"))
    treated = [
        s
        for s in ctx.sessions_of(_str(crit, "family"), region)
        if in_rolling_months(s.day, ctx.as_of, months)
    ]
    if treated:
        return (
            True,
            f"radicular pain treated on {treated[-1].day.isoformat()}",
            tuple(treated[-1].refs),
        )
    return False, "radicular diagnosis without an epidural injection", tuple(radicular)


def _two_blocks(ctx: Context, facts: OptionFacts, crit: Criterion) -> Outcome:
    history = block_history(ctx, facts.procedure.region)
    if history.two_positive:
        return True, history.describe(), history.evidence
    recent = history.blocks[:2]
    unknown = any(r.percent is None for _, r in recent)
    failed = any(r.percent is not None and r.percent < history.threshold for _, r in recent)
    if len(recent) == 2 and unknown and not failed:
        return None, f"relief not recorded ({history.describe()})", history.evidence
    return False, f"{history.positive_count} positive ({history.describe()})", history.evidence


def _repeat_rfa(ctx: Context, facts: OptionFacts, crit: Criterion) -> Outcome:
    rfas = ctx.sessions_of("facet-rfa", facts.procedure.region)
    if not rfas:
        return True, "no earlier ablation", ()
    last = rfas[-1]
    relief = session_relief(ctx, last)
    refs = (*last.refs, *relief.evidence)
    if relief.percent is None:
        return None, f"relief after the ablation of {last.day.isoformat()} not recorded", refs
    return relief.percent >= _num(crit, "percent"), f"{relief.percent:.4g}%", refs


def _latest_painpath_value(ctx: Context, code: str) -> tuple[float, str] | None:
    found = ctx.observations_coded(ctx.kb.instruments.painpath_system, code)
    found = [o for o in found if o.value is not None and o.effective is not None]
    if not found:
        return None
    latest = max(found, key=lambda o: o.effective.day if o.effective else ctx.as_of)
    assert latest.value is not None
    return latest.value, f"Observation/{latest.id}"


def _documented_flag(ctx: Context, facts: OptionFacts, crit: Criterion) -> Outcome:
    found = _latest_painpath_value(ctx, _str(crit, "code"))
    if found is None:
        return None, "not documented", ()
    return found[0] >= 1, "documented", (found[1],)


def _observation_at_least(ctx: Context, facts: OptionFacts, crit: Criterion) -> Outcome:
    found = _latest_painpath_value(ctx, _str(crit, "code"))
    if found is None:
        return None, "not recorded", ()
    minimum = _num(crit, "minimum")
    return found[0] >= minimum, f"{found[0]:g} recorded (needs {minimum:g})", (found[1],)


def _procedure_within(ctx: Context, facts: OptionFacts, crit: Criterion) -> Outcome:
    code_set = getattr(ctx.kb.procedures_file, _str(crit, "code_set"))
    months = int(_num(crit, "months"))
    found = [
        p
        for p, cpt in ctx.procedures
        if cpt in code_set.codes
        and p.performed
        and within_months(p.performed.day, ctx.as_of, months)
    ]
    if not found:
        return None, f"none within {months} months", ()
    return (
        True,
        f"on {found[-1].performed.day.isoformat()}" if found[-1].performed else "",
        (f"Procedure/{found[-1].id}",),
    )


def _no_sud(ctx: Context, facts: OptionFacts, crit: Criterion) -> Outcome:
    refs = [c.ref for c in ctx.matching(ctx.kb.codes("substance-use-disorder"))]
    if refs:
        return False, "active substance use disorder", tuple(refs)
    return True, "none on record", ()


def _trial_limit(ctx: Context, facts: OptionFacts, crit: Criterion) -> Outcome:
    trials = scs_history(ctx).trials
    refs = tuple(r for s, _ in trials for r in s.refs)
    return len(trials) < _num(crit, "max_trials"), f"{len(trials)} trials so far", refs


def _no_failed_trial(ctx: Context, facts: OptionFacts, crit: Criterion) -> Outcome:
    needed = _num(crit, "percent")
    trials = scs_history(ctx).trials
    refs = tuple(r for s, rel in trials for r in (*s.refs, *rel.evidence))
    if any(r.percent is not None and r.percent < needed for _, r in trials):
        return False, "an earlier trial failed", refs
    if any(r.percent is None for _, r in trials):
        return None, "relief of an earlier trial not recorded", refs
    return True, "no failed trial", refs


def _successful_trial(ctx: Context, facts: OptionFacts, crit: Criterion) -> Outcome:
    trials = scs_history(ctx).trials
    if not trials:
        return False, "no trial yet", ()
    session, relief = trials[-1]
    refs = (*session.refs, *relief.evidence)
    if relief.percent is None:
        return None, f"relief of the trial of {session.day.isoformat()} not recorded", refs
    return relief.percent >= _num(crit, "percent"), f"{relief.percent:.4g}%", refs


EVALUATORS: dict[str, Evaluator] = {
    "conservative-weeks": _conservative,
    "diagnosis": _diagnosis,
    "documented-flag": _documented_flag,
    "imaging": _imaging,
    "baseline-score": _baseline,
    "no-active-sud": _no_sud,
    "no-failed-trial": _no_failed_trial,
    "no-red-flag": _no_red_flag,
    "no-untreated-radicular": _untreated_radicular,
    "observation-at-least": _observation_at_least,
    "pain-duration": _pain_duration,
    "procedure-diagnosis": _procedure_diagnosis,
    "procedure-within": _procedure_within,
    "region-diagnosis": _region_diagnosis,
    "repeat-relief": _repeat_relief,
    "repeat-rfa-relief": _repeat_rfa,
    "session-frequency": _frequency,
    "successful-trial": _successful_trial,
    "trial-limit": _trial_limit,
    "two-positive-blocks": _two_blocks,
}


def _criteria(kb: Knowledge, procedure: Procedure) -> tuple[str, tuple[_Step, ...]]:
    """The procedure's policy id and its criteria with their evaluators (memoized per kb)."""
    memo: dict[str, tuple[str, tuple[_Step, ...]]] = kb.cache("policy-criteria")
    found = memo.get(procedure.id)
    if found is None:
        policy = kb.policies[procedure.policy or ""]
        criteria = [*policy.criteria, *policy.extra_criteria.get(procedure.id, [])]
        steps = tuple((EVALUATORS[c.kind], c, c.id, c.text, c.source) for c in criteria)
        found = memo[procedure.id] = (policy.id, steps)
    return found


_Step = tuple[Evaluator, Criterion, str, str, str]  # evaluator, criterion, id, text, source


def evaluate_policy(ctx: Context, facts: OptionFacts) -> tuple[str, list[CriterionResult]]:
    """The policy id and each criterion's result for the option's procedure."""
    policy_id, steps = _criteria(ctx.kb, facts.procedure)
    results: list[CriterionResult] = []
    for evaluate, crit, crit_id, text, source in steps:
        value, detail, refs = evaluate(ctx, facts, crit)
        results.append(CriterionResult(crit_id, value, text, detail, refs, source))
    return policy_id, results
