"""Two writers to one episode at once: one wins, the other gets 409, no update is lost."""

from __future__ import annotations

from sqlalchemy import func, select

from clinic._world import World
from painpath.store import Episode, EpisodeEvent

from ._client import ApiClient


def _open(client: ApiClient, world: World) -> dict[str, object]:
    response = client.post(
        "/patients/pt-own/episodes",
        json={"payload": {"source": "referral", "reason": "Back pain"}},
        headers=world.headers("clinician"),
    )
    assert response.status_code == 201, response.text
    episode: dict[str, object] = response.json()
    return episode


def test_two_writers_with_the_same_version_get_one_200_and_one_409(
    client: ApiClient, world: World
) -> None:
    episode = _open(client, world)
    url = f"/episodes/{episode['id']}/transitions"
    consult = {"history": "h", "previous_treatments": "p", "symptoms": "s", "exam": "e"}
    first = {"event": "consult", "payload": consult, "version": episode["version"]}
    second = {"event": "cancel", "payload": {"reason": "duplicate"}, "version": episode["version"]}
    headers = world.headers("clinician")
    responses = client.together(
        ("POST", url, {"json": first, "headers": headers}),
        ("POST", url, {"json": second, "headers": headers}),
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 409], [r.text for r in responses]
    loser = next(r for r in responses if r.status_code == 409).json()["error"]
    assert loser["code"] == "conflict"
    winner = next(r for r in responses if r.status_code == 200).json()
    with world.session() as session:
        row = session.get(Episode, episode["id"])
        assert row is not None
        assert (row.state, row.version) == (winner["state"], winner["version"])
        moves = session.scalar(
            select(func.count()).where(
                EpisodeEvent.episode_id == row.id, EpisodeEvent.event != "refer"
            )
        )
    assert moves == 1


def test_a_stale_version_is_refused_with_409_and_nothing_changes(
    client: ApiClient, world: World
) -> None:
    episode = _open(client, world)
    url = f"/episodes/{episode['id']}/transitions"
    headers = world.headers("clinician")
    cancel = {"event": "cancel", "payload": {"reason": "x"}, "version": 99}
    response = client.post(url, json=cancel, headers=headers)
    assert response.status_code == 409
    assert response.json()["error"]["field"] == "version"
    assert client.get(f"/episodes/{episode['id']}", headers=headers).json()["state"] == "referred"
