"""A synthetic clinic for the dashboards: deterministic episodes and outcome summaries.

`generated_clinic(10_000)` gives one pathway episode per patient over the 18 months before
`as_of`: each moves down the funnel with fixed odds, the treated ones get an outcome summary
(procedure, responders at the dashboard window or unknown, relief weeks or unknown, MME/day
at baseline and at the follow-up windows, tapering for some). The same seed gives the same
clinic. The odds are illustrative, not clinical facts: nothing here feeds a decision.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from painpath.knowledge import Knowledge, OutcomesFile
from painpath.reports._dashboard import EpisodeFlow, OutcomeSummary

__all__ = ["generated_clinic"]

# Illustrative shares of the pathway (not clinical data).
_P_CONSULT = 0.85
_P_TREAT = 0.7
_P_FOLLOW = 0.8
_P_OUTCOME_KNOWN = 0.75
_P_OPIOID = 0.35


def generated_clinic(
    kb: Knowledge,
    outcomes: OutcomesFile,
    patients: int,
    *,
    as_of: date,
    seed: int = 20261201,
) -> tuple[list[EpisodeFlow], list[OutcomeSummary]]:
    """`patients` episodes and the outcome summaries of those treated (deterministic)."""
    rng = random.Random(seed)
    procedures = sorted(kb.procedures)
    weights = [3.0 if p.startswith(("esi-", "facet-")) else 1.0 for p in procedures]
    stage_ids = [s.id for s in outcomes.dashboard.funnel]
    windows = [(int(w.day.value), w.id) for w in outcomes.followups]
    window = outcomes.dashboard.responder_window
    responder_levels = [(r.id, r.value) for r in outcomes.responders]
    flows: list[EpisodeFlow] = []
    reports: list[OutcomeSummary] = []
    for _ in range(patients):
        referred = as_of - timedelta(days=rng.randint(0, 540))
        reached = 1
        for p in (_P_CONSULT, _P_TREAT, _P_FOLLOW):
            if rng.random() >= p:
                break
            reached += 1
        procedure_day = None
        if reached >= 3:
            candidate = referred + timedelta(days=int(rng.gammavariate(2.0, 20.0)) + 7)
            procedure_day = candidate if candidate <= as_of else None
            if procedure_day is None:
                reached = 2
        flows.append(EpisodeFlow(frozenset(stage_ids[:reached]), referred, procedure_day))
        if procedure_day is None:
            continue
        procedure = rng.choices(procedures, weights)[0]
        improvement = rng.gauss(40.0, 30.0)
        due = {wid: procedure_day + timedelta(days=d) <= as_of for d, wid in windows}
        known = due.get(window, False) and rng.random() < _P_OUTCOME_KNOWN
        responders: dict[str, bool | None] = {
            rid: (improvement >= level if known else None) for rid, level in responder_levels
        }
        relief = round(max(0.0, rng.gauss(12.0, 8.0)), 1) if known else None
        mme: list[tuple[date, float]] = []
        if rng.random() < _P_OPIOID:
            dose = rng.choice((15.0, 30.0, 45.0, 60.0, 90.0))
            taper = rng.random() < 0.4
            mme.append((procedure_day, dose))
            for d, wid in windows:
                if due[wid]:
                    dose = round(dose * (0.8 if taper else 1.0), 1)
                    mme.append((procedure_day + timedelta(days=d), dose))
        reports.append(OutcomeSummary(procedure, responders, relief, tuple(mme)))
    return flows, reports
