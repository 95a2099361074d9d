"""Safety holds dated from the booking; unverified holds are never dated."""

from __future__ import annotations

from datetime import UTC, datetime

from painpath.web._holds import holds_for, option_for

START = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)


def _finding(**kw: object) -> dict[str, object]:
    base = {
        "id": "antithrombotic-hold",
        "severity": "warning",
        "drug": "warfarin",
        "hold_days_before": 5.0,
        "restart_hours_after": 6.0,
        "verified": True,
        "message": "Hold warfarin 5 days",
        "citation": "narouze-2018",
    }
    return {**base, **kw}


def test_whole_days_stop_on_the_calendar_day_before_the_procedure_day() -> None:
    (hold,) = holds_for([_finding()], START)
    assert hold.stop_on is not None and hold.stop_on.date().isoformat() == "2026-06-05"
    assert not hold.exact_time
    assert hold.restart_at == datetime(2026, 6, 10, 15, 0, tzinfo=UTC)


def test_a_hold_of_hours_stops_at_a_time() -> None:
    (hold,) = holds_for([_finding(drug="enoxaparin", hold_days_before=0.5)], START)
    assert hold.stop_on == datetime(2026, 6, 9, 21, 0, tzinfo=UTC) and hold.exact_time


def test_no_date_without_a_booking_or_when_unverified() -> None:
    (unbooked,) = holds_for([_finding()], None)
    assert unbooked.stop_on is None and unbooked.verified
    (unverified,) = holds_for([_finding(verified=False, hold_days_before=None)], START)
    assert unverified.stop_on is None and not unverified.verified
    (continued,) = holds_for([_finding(hold_days_before=0, restart_hours_after=None)], START)
    assert continued.stop_on is None and continued.continue_drug


def test_option_for_finds_the_procedure() -> None:
    document = {"options": [{"procedure": "esi-caudal"}, {"procedure": "facet-mbb-lumbar"}]}
    assert option_for(document, "facet-mbb-lumbar") == {"procedure": "facet-mbb-lumbar"}
    assert option_for(document, "scs-trial") is None and option_for(None, "x") is None
