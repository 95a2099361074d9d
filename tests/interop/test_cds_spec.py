"""The response checker catches each rule it claims to (a harness needs tests of its own)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from interop.cds_spec import discovery_problems, response_problems

GOOD: dict[str, Any] = {
    "cards": [
        {
            "uuid": "5f1d7d64-1a8f-4a4e-9a7b-0c2f7c1d9e10",
            "summary": "Hold warfarin 5 days before the procedure",
            "indicator": "warning",
            "source": {"label": "painpath"},
            "detail": "text",
            "overrideReasons": [{"system": "s", "code": "c", "display": "Reason"}],
            "selectionBehavior": "at-most-one",
            "suggestions": [
                {
                    "label": "Do this",
                    "uuid": "0b8f3e0c-8c39-4a0a-9d4e-6ed7b3c1f4a2",
                    "isRecommended": True,
                    "actions": [
                        {"type": "delete", "description": "Remove", "resourceId": ["X/1"]},
                        {"type": "create", "description": "Add", "resource": {"resourceType": "X"}},
                    ],
                }
            ],
            "links": [{"label": "Chart", "url": "https://example.org/c", "type": "absolute"}],
        }
    ]
}


def _card(body: dict[str, Any]) -> dict[str, Any]:
    card: dict[str, Any] = body["cards"][0]
    return card


BREAKS: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "no cards": (lambda b: b.pop("cards"), "cards"),
    "long summary": (lambda b: _card(b).update(summary="x" * 140), "under 140"),
    "no summary": (lambda b: _card(b).pop("summary"), "summary"),
    "bad indicator": (lambda b: _card(b).update(indicator="hard-stop"), "indicator"),
    "no source label": (lambda b: _card(b).update(source={}), "source.label"),
    "no uuid": (lambda b: _card(b).pop("uuid"), "uuid"),
    "cds-resp-1": (
        lambda b: _card(b)["suggestions"].append(dict(_card(b)["suggestions"][0])),
        "cds-resp-1",
    ),
    "cds-resp-2": (
        lambda b: _card(b)["suggestions"][0]["actions"][0].update(resource={"id": "1"}),
        "cds-resp-2",
    ),
    "cds-resp-3": (lambda b: _card(b)["links"][0].update(appContext="x"), "cds-resp-3"),
    "cds-resp-4": (lambda b: _card(b)["overrideReasons"][0].pop("display"), "cds-resp-4"),
    "cds-resp-5": (
        lambda b: _card(b)["suggestions"][0]["actions"][1].pop("description"),
        "cds-resp-5",
    ),
    "cds-resp-6": (lambda b: _card(b).pop("selectionBehavior"), "cds-resp-6"),
    "cds-resp-7": (
        lambda b: _card(b)["suggestions"][0].update(actionSelectionBehavior="some"),
        "cds-resp-7",
    ),
    "link type": (lambda b: _card(b)["links"][0].pop("type"), "links[0].type"),
    "relative link": (lambda b: _card(b)["links"][0].update(url="/chart"), "links[0].url"),
    "shared uuid": (lambda b: b["cards"].append(copy.deepcopy(_card(b))), "share a uuid"),
}


def test_a_valid_response_has_no_problems() -> None:
    assert response_problems(GOOD) == []
    assert response_problems({"cards": []}) == []


@pytest.mark.parametrize("name", sorted(BREAKS))
def test_each_broken_rule_is_reported(name: str) -> None:
    body = copy.deepcopy(GOOD)
    change, expected = BREAKS[name]
    change(body)
    problems = response_problems(body)
    assert any(expected in p for p in problems), problems


def test_discovery_needs_hook_id_description_and_unique_ids() -> None:
    service = {"hook": "patient-view", "id": "a", "description": "d", "prefetch": {"p": "x"}}
    assert discovery_problems({"services": [service]}) == []
    assert discovery_problems({"services": [service, service]}) == ["services: ids are not unique"]
    assert discovery_problems({"services": [{"id": "a"}]}) == [
        "services[0].hook: missing",
        "services[0].description: missing",
    ]
    assert discovery_problems({"services": [{**service, "prefetch": {"p": 1}}]}) == [
        "services[0].prefetch: not an object of template strings"
    ]
