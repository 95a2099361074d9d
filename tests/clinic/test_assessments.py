"""Stored assessments: a result equal to the patient's latest stored one is not stored again."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from painpath.clinic import (
    add_observation,
    assess_patient,
    import_bundle,
    list_assessments,
    open_episode,
    transition_episode,
)
from painpath.clinic._assessments import DOCUMENTS
from painpath.store import Assessment, AuditEvent

from ._world import World, vignette

AS_OF = date(2026, 6, 1)
REFERRAL = {"source": "referral", "reason": "Back pain"}
CONSULT = {"history": "h", "previous_treatments": "p", "symptoms": "s", "exam": "e"}


def _imported(world: World) -> str:
    with world.session() as session:
        return import_bundle(
            session, world.principals["clinician"], vignette("facet-two-positive-blocks")
        )


def _assess(world: World, pid: str, as_of: date = AS_OF, payer: str = "cms") -> dict[str, Any]:
    with world.session() as session:
        return assess_patient(
            session, world.principals["clinician"], pid, as_of, payer, now=world.clock()
        )


def _rows(world: World, pid: str) -> list[Assessment]:
    with world.session() as session:
        stmt = select(Assessment).where(Assessment.patient_id == pid).order_by(Assessment.id)
        return list(session.scalars(stmt))


def _run_targets(world: World, pid: str) -> list[str]:
    """The audited `assessment.run` events' targets for this patient, oldest first."""
    with world.session() as session:
        stmt = (
            select(AuditEvent.resource)
            .where(AuditEvent.patient_id == pid, AuditEvent.outcome == "allowed")
            .where(AuditEvent.resource.like("assessment.run %"))
            .order_by(AuditEvent.id)
        )
        return list(session.scalars(stmt))


def test_same_result_again_points_at_the_stored_row_and_is_audited_each_time(
    world: World,
) -> None:
    pid = _imported(world)
    first = _assess(world, pid)
    world.clock.advance(minutes=5)
    DOCUMENTS.clear()  # as another worker would see it: nothing cached in this process
    second = _assess(world, pid)
    assert second == first
    rows = _rows(world, pid)
    assert len(rows) == 1
    assert rows[0].document == first
    # Both reads are in the audit log, naming the one stored row.
    assert _run_targets(world, pid) == [f"assessment.run Assessment/{rows[0].id}"] * 2


def test_a_changed_record_stores_a_new_row(world: World) -> None:
    pid = _imported(world)
    before = _assess(world, pid)
    world.clock.advance(minutes=5)
    with world.session() as session:
        add_observation(
            session, world.principals["clinician"], pid, kind="nrs", value=2, now=world.clock()
        )
    after = _assess(world, pid)
    assert after != before
    rows = _rows(world, pid)
    assert [r.document for r in rows] == [before, after]


def test_another_as_of_is_stored_and_the_history_keeps_every_distinct_result(
    world: World,
) -> None:
    pid = _imported(world)
    june = _assess(world, pid)
    later = _assess(world, pid, as_of=date(2026, 3, 1))
    assert later != june
    back = _assess(world, pid)  # the June result again, but it is no longer the latest
    assert back == june
    rows = _rows(world, pid)
    assert [(r.as_of, r.document) for r in rows] == [
        (AS_OF, june),
        (date(2026, 3, 1), later),
        (AS_OF, june),
    ]
    with world.session() as session:
        page = list_assessments(session, world.principals["clinician"], pid)
    assert page.total == 3


def test_an_equal_document_for_another_as_of_is_not_taken_for_the_stored_one(
    world: World,
) -> None:
    """A row is reused only when its as-of date matches too, even if the document were equal."""
    pid = _imported(world)
    _assess(world, pid)
    with world.session() as session:
        stored = session.scalars(select(Assessment).where(Assessment.patient_id == pid)).one()
        stored.as_of = date(2026, 5, 31)  # the same document, filed under another date
        session.commit()
    _assess(world, pid)
    assert [r.as_of for r in _rows(world, pid)] == [date(2026, 5, 31), AS_OF]


def test_an_episode_assessment_is_its_own_row(world: World) -> None:
    """The pathway's assessment belongs to its episode: never folded into a plain one."""
    pid = _imported(world)
    plain = _assess(world, pid)
    who = world.principals["clinician"]
    with world.session() as session:
        episode = open_episode(session, who, pid, REFERRAL, now=world.clock())
        episode = transition_episode(
            session, who, episode["id"], "consult", CONSULT, episode["version"], now=world.clock()
        )
        episode = transition_episode(
            session,
            who,
            episode["id"],
            "assess",
            {"as_of": AS_OF.isoformat()},
            episode["version"],
            now=world.clock(),
        )
    rows = _rows(world, pid)
    assert [(r.episode_id, r.document) for r in rows] == [(None, plain), (episode["id"], plain)]
    assert episode["data"]["assessment"]["assessment_id"] == str(rows[1].id)
    # A plain run now matches the episode's row only in document, not in episode: stored.
    assert _assess(world, pid) == plain
    assert [r.episode_id for r in _rows(world, pid)] == [None, episode["id"], None]
