"""Episode services: pathway moves stored as one transaction, versions guarded, roles per event."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from painpath import pathway
from painpath.clinic import get_episode, open_episode, transition_episode
from painpath.errors import AccessDenied, ConflictError, PathwayError
from painpath.store import Assessment, AuditEvent, Episode, EpisodeEvent

from ._world import World, vignette

REFERRAL = {"source": "referral", "reason": "Back pain"}
CONSULT = {"history": "h", "previous_treatments": "p", "symptoms": "s", "exam": "e"}


def _open(world: World, who: str = "clinician") -> dict[str, Any]:
    with world.session() as session:
        return open_episode(session, world.principals[who], "pt-own", REFERRAL, now=world.clock())


def test_opening_records_the_referral_as_the_first_event(world: World) -> None:
    episode = _open(world)
    assert episode["state"] == "referred"
    assert episode["data"]["referral"]["source"] == "referral"
    with world.session() as session:
        events = session.scalars(
            select(EpisodeEvent).where(EpisodeEvent.episode_id == episode["id"])
        )
        assert [(e.event, e.to_state) for e in events] == [("refer", "referred")]


def test_a_move_stores_state_data_and_event_and_bumps_the_version(world: World) -> None:
    episode = _open(world)
    with world.session() as session:
        moved = transition_episode(
            session,
            world.principals["clinician"],
            episode["id"],
            "consult",
            CONSULT,
            episode["version"],
            now=world.clock(),
        )
    assert (moved["state"], moved["version"]) == ("consultation", episode["version"] + 1)
    assert moved["data"]["consultation"]["exam"] == "e"


def test_an_illegal_move_is_refused_and_nothing_is_stored(world: World) -> None:
    episode = _open(world)
    with world.session() as session, pytest.raises(PathwayError) as caught:
        transition_episode(
            session,
            world.principals["clinician"],
            episode["id"],
            "plan",
            {},
            episode["version"],
            now=world.clock(),
        )
    assert "consult" in caught.value.message  # the allowed events are named
    with world.session() as session:
        row = session.get(Episode, episode["id"])
        assert row is not None and (row.state, row.version) == ("referred", episode["version"])
        outcome = session.scalar(select(AuditEvent.outcome).order_by(AuditEvent.id.desc()))
    assert outcome == "error"


def test_the_assess_event_stores_an_assessment_and_names_it(world: World) -> None:
    from painpath.clinic import import_bundle

    with world.session() as session:
        pid = import_bundle(
            session, world.principals["clinician"], vignette("radicular-ready"), now=world.clock()
        )
        episode = open_episode(
            session, world.principals["clinician"], pid, REFERRAL, now=world.clock()
        )
        who = world.principals["clinician"]
        episode = transition_episode(
            session, who, episode["id"], "consult", CONSULT, episode["version"], now=world.clock()
        )
        episode = transition_episode(
            session,
            who,
            episode["id"],
            "assess",
            {"as_of": "2026-06-01"},
            episode["version"],
            now=world.clock(),
        )
        stored = session.scalars(select(Assessment)).one()
    assert episode["data"]["assessment"]["assessment_id"] == str(stored.id)
    assert stored.episode_id == episode["id"]
    assert (stored.status, stored.as_of.isoformat()) == ("refer-interventional", "2026-06-01")


def test_a_coordinator_may_cancel_but_not_record_a_consultation(world: World) -> None:
    episode = _open(world, "coordinator")
    coordinator = world.principals["coordinator"]
    with world.session() as session, pytest.raises(AccessDenied):
        transition_episode(
            session,
            coordinator,
            episode["id"],
            "consult",
            CONSULT,
            episode["version"],
            now=world.clock(),
        )
    with world.session() as session:
        cancelled = transition_episode(
            session,
            coordinator,
            episode["id"],
            "cancel",
            {"reason": "patient moved"},
            episode["version"],
            now=world.clock(),
        )
    assert cancelled["state"] == "cancelled"
    assert cancelled["next_events"] == []


def test_a_concurrent_commit_in_between_is_a_conflict_not_a_lost_update(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    episode = _open(world)
    who = world.principals["clinician"]
    real_apply = pathway.apply
    raced: list[bool] = []

    def apply_after_a_rival(*args: Any, **kwargs: Any) -> Any:
        if not raced:  # another writer commits between our read and our write
            raced.append(True)
            with world.session() as rival:
                transition_episode(
                    rival,
                    who,
                    episode["id"],
                    "cancel",
                    {"reason": "rival"},
                    episode["version"],
                    now=world.clock(),
                )
        return real_apply(*args, **kwargs)

    monkeypatch.setattr(pathway, "apply", apply_after_a_rival)
    with world.session() as session, pytest.raises(ConflictError):
        transition_episode(
            session, who, episode["id"], "consult", CONSULT, episode["version"], now=world.clock()
        )
    with world.session() as session:
        row = session.get(Episode, episode["id"])
        assert row is not None and row.state == "cancelled"
        count = session.scalar(select(func.count()).where(EpisodeEvent.episode_id == row.id))
    assert count == 2  # the referral and the rival's cancel; the loser left nothing


def test_reading_an_episode_lists_the_next_events_and_who_may_fire_them(world: World) -> None:
    episode = _open(world)
    with world.session() as session:
        shown = get_episode(session, world.principals["coordinator"], episode["id"])
    permitted = {e["name"]: e["permitted"] for e in shown["next_events"]}
    assert permitted == {"consult": False, "cancel": True}
