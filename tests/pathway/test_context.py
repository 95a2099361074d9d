"""Safe readers of stored episode data used by the guards."""

from __future__ import annotations

from datetime import UTC, datetime

from painpath.pathway._context import parse_time, section


def test_section_is_empty_unless_an_object_is_stored() -> None:
    assert section({"plan": {"a": 1}}, "plan") == {"a": 1}
    assert section({"plan": ["a"]}, "plan") == {}
    assert section({}, "plan") == {}


def test_parse_time_reads_only_offset_date_times() -> None:
    moment = datetime(2026, 6, 1, 9, tzinfo=UTC)
    assert parse_time("2026-06-01T09:00:00+00:00") == moment
    assert parse_time(moment) == moment
    assert parse_time("2026-06-01T09:00:00") is None
    assert parse_time(datetime(2026, 6, 1, 9)) is None
    assert parse_time("soon") is None
    assert parse_time(42) is None
