"""The demo clinic's outcome reports: one per episode that has follow-up visits, computed by
the clinic service as the demo clinician, so `make run` opens on a dashboard with figures.

`report_outcomes` skips an episode that already has a report, so running it again (a second
`painpath demo`, or a demo database loaded before reports existed) changes nothing more.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from painpath.clinic import Principal, compute_outcomes
from painpath.store import Episode, OutcomeReport, Patient

__all__ = ["report_outcomes"]


def report_outcomes(session: Session, clinician: Principal, now: datetime) -> int:
    """Compute the outcome report of every episode of the clinician's clinic with a follow-up
    visit and no report yet; returns how many were computed."""
    reported = set(session.scalars(select(OutcomeReport.episode_id)).all())
    rows = session.execute(
        select(Episode.id, Episode.patient_id, Episode.data)
        .join(Patient, Patient.id == Episode.patient_id)
        .where(Patient.clinic_id == clinician.clinic_id)
        .order_by(Episode.id)
    ).all()
    made = 0
    for episode_id, patient_id, data in rows:
        visits = ((data or {}).get("follow_up") or {}).get("visits")
        if not visits or episode_id in reported:
            continue
        compute_outcomes(session, clinician, patient_id, episode_id=episode_id, now=now)
        made += 1
    return made
