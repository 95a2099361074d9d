"""The block diary recorded on the procedure, and the engine's next assessment reading it."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from painpath.clinic import (
    assess_patient,
    import_bundle,
    record_block_diary,
    record_relief_duration,
)
from painpath.errors import InputError, NotFound
from painpath.reports import DiaryEntry
from painpath.store import FhirResource

from ._world import World, vignette

AS_OF = date(2026, 6, 1)
RFA = "facet-rfa-lumbar"


def _facet_without_relief() -> dict[str, Any]:
    """The two-positive-blocks vignette with its recorded relief removed."""
    bundle = vignette("facet-two-positive-blocks")
    bundle["entry"] = [
        e
        for e in bundle["entry"]
        if not (
            e["resource"]["resourceType"] == "Observation"
            and e["resource"]["id"] in {"observation-22", "observation-24"}
        )
    ]
    return bundle


def _option(doc: dict[str, Any], procedure: str) -> dict[str, Any]:
    return next(o for o in doc["options"] if o["procedure"] == procedure)


def _imported(world: World) -> str:
    with world.session() as session:
        return import_bundle(session, world.principals["clinician"], _facet_without_relief())


def _assess(world: World, pid: str) -> dict[str, Any]:
    with world.session() as session:
        return assess_patient(session, world.principals["clinician"], pid, AS_OF, now=world.clock())


def _record(world: World, pid: str, proc: str, baseline: float | None, entries: Any) -> Any:
    with world.session() as session:
        return record_block_diary(
            session,
            world.principals["clinician"],
            pid,
            proc,
            baseline=baseline,
            entries=entries,
            anesthetic="bupivacaine",
            now=world.clock(),
        )


def _relief_diary(world: World, pid: str, proc: str, two_hour: float) -> Any:
    """Percent relief as the patient reports it: 40, 70, `two_hour` and 50 over 4 hours."""
    entries = [DiaryEntry(30, relief=40), DiaryEntry(60, relief=70)]
    entries += [DiaryEntry(120, relief=two_hour), DiaryEntry(240, relief=50)]
    return _record(world, pid, proc, None, entries)


def _diary(world: World, pid: str, proc: str, baseline: float | None, two_hour: float) -> Any:
    """NRS scores: 8, 6, `two_hour` and 9 over 4 hours against `baseline`."""
    entries = [DiaryEntry(30, nrs=8), DiaryEntry(60, nrs=6), DiaryEntry(120, nrs=two_hour)]
    return _record(world, pid, proc, baseline, [*entries, DiaryEntry(240, nrs=9)])


def test_two_diaries_at_85_percent_make_the_ablation_indicated_in_the_next_assessment(
    world: World,
) -> None:
    pid = _imported(world)
    before = _option(_assess(world, pid), RFA)
    assert before["indicated"] is False
    first = _relief_diary(world, pid, "procedure-21", 85)  # 85% at 2 h
    assert first["response"]["result"] == "positive"
    assert first["response"]["peak_percent"] == pytest.approx(85.0)
    assert first["response"]["peak_minutes"] == 120
    after_one = _option(_assess(world, pid), RFA)
    assert after_one["indicated"] is False
    _relief_diary(world, pid, "procedure-23", 85)
    after_two = _option(_assess(world, pid), RFA)
    assert after_two["indicated"] is True
    blocks = next(c for c in after_two["coverage"]["criteria"] if c["id"] == "two-positive-blocks")
    assert blocks["status"] == "met"


def test_a_diary_that_peaks_at_60_percent_is_negative_and_keeps_the_ablation_out(
    world: World,
) -> None:
    pid = _imported(world)
    result = _diary(world, pid, "procedure-21", 10, 4)  # 60% at 2 h, the peak
    assert result["response"]["result"] == "negative"
    assert result["response"]["peak_percent"] == pytest.approx(60.0)
    interpretation = result["observation"]["interpretation"][0]["coding"][0]["code"]
    assert interpretation == "NEG"
    _relief_diary(world, pid, "procedure-23", 90)
    assert _option(_assess(world, pid), RFA)["indicated"] is False


def test_a_missing_baseline_is_refused_with_the_reason_and_nothing_is_stored(
    world: World,
) -> None:
    pid = _imported(world)
    with world.session() as session:
        before = session.query(FhirResource).filter_by(patient_id=pid).count()
    with pytest.raises(InputError) as caught:
        _diary(world, pid, "procedure-21", None, 1)
    assert "No baseline pain score" in caught.value.message
    assert caught.value.where == "baseline"
    with world.session() as session:
        assert session.query(FhirResource).filter_by(patient_id=pid).count() == before


def test_recording_again_replaces_the_earlier_diary_of_the_procedure(world: World) -> None:
    pid = _imported(world)
    _diary(world, pid, "procedure-21", 10, 4)
    _diary(world, pid, "procedure-21", 10, 1)
    with world.session() as session:
        rows = session.query(FhirResource).filter_by(patient_id=pid, source="diary").all()
    assert len(rows) == 1
    assert rows[0].resource["valueQuantity"]["value"] == pytest.approx(90.0)


def test_the_diary_is_dated_at_its_last_entry_on_the_day_of_the_block(world: World) -> None:
    pid = _imported(world)
    obs = _relief_diary(world, pid, "procedure-21", 85)["observation"]  # block at 09:00Z
    assert obs["effectiveDateTime"] == "2026-04-02T13:00:00+00:00"  # the 240-minute entry
    assert obs["status"] == "preliminary"  # bupivacaine: 360 and 480 minutes not in yet


def test_an_unknown_procedure_is_not_found(world: World) -> None:
    pid = _imported(world)
    with pytest.raises(NotFound):
        _diary(world, pid, "procedure-404", 10, 1)


def test_a_procedure_without_a_diary_protocol_is_refused(world: World) -> None:
    pid = _imported(world)
    with pytest.raises(InputError) as caught:
        _diary(world, pid, "procedure-17", 10, 1)  # physical therapy
    assert "no pain diary protocol" in caught.value.message


def test_relief_duration_is_recorded_on_the_procedure(world: World) -> None:
    pid = _imported(world)
    with world.session() as session:
        obs = record_relief_duration(
            session, world.principals["clinician"], pid, "procedure-21", weeks=12, now=world.clock()
        )
    assert obs["valueQuantity"]["value"] == 12
    assert obs["partOf"] == [{"reference": "Procedure/procedure-21"}]


def test_a_late_block_keeps_its_diary_on_its_own_day_for_the_engine(world: World) -> None:
    from datetime import UTC, datetime

    from painpath.clinic import add_procedure

    pid = _imported(world)
    with world.session() as session:
        proc = add_procedure(
            session,
            world.principals["clinician"],
            pid,
            cpt="64493",
            performed=datetime(2026, 5, 31, 22, 0, tzinfo=UTC),
            now=world.clock(),
        )
    obs = _relief_diary(world, pid, proc["id"], 90)["observation"]
    assert obs["effectiveDateTime"] == "2026-05-31T23:59:00+00:00"
