"""Timezone-aware datetimes round-trip on both backends, always read back in UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.exc import StatementError

from painpath.store import Clinic, LoginAttempt, Patient, session_factory

PLUS_0530 = timezone(timedelta(hours=5, minutes=30))
MINUS_0800 = timezone(timedelta(hours=-8))


def test_aware_datetimes_come_back_equal_and_in_utc(db_engine):
    created = datetime(2026, 3, 29, 1, 30, 15, 123456, tzinfo=PLUS_0530)
    factory = session_factory(db_engine)
    with factory() as session:
        session.add(Clinic(id=1, name="c"))
        session.add(Patient(id="p", clinic_id=1, created_at=created, updated_at=created))
        session.commit()
    with factory() as session:
        patient = session.get(Patient, "p")
        assert patient.created_at == created
        assert patient.created_at.tzinfo is UTC
        assert patient.created_at.isoformat() == "2026-03-28T20:00:15.123456+00:00"


def test_comparisons_use_the_instant_not_the_wall_clock(db_engine):
    base = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    factory = session_factory(db_engine)
    with factory() as session:
        session.add_all(
            [
                LoginAttempt(key="a", at=base.astimezone(PLUS_0530)),  # 17:30 local
                LoginAttempt(key="b", at=(base + timedelta(hours=1)).astimezone(MINUS_0800)),
            ]
        )
        session.commit()
        later = select(LoginAttempt.key).where(LoginAttempt.at > base.astimezone(MINUS_0800))
        assert session.scalars(later).all() == ["b"]
        ordered = select(LoginAttempt.key).order_by(LoginAttempt.at.desc())
        assert session.scalars(ordered).all() == ["b", "a"]


def test_naive_datetimes_are_refused(db_session):
    db_session.add(LoginAttempt(key="a", at=datetime(2026, 6, 1, 12, 0)))
    with pytest.raises(StatementError, match="naive datetime"):
        db_session.commit()
