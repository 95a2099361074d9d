"""The CDS Hooks 2.0.1 response rules as one checker, for every response a test receives.

`response_problems(body)` returns every problem of a hook response, `discovery_problems`
those of a discovery document; an empty list means the body follows the rules. Encoded:

- Response: `cards` is an array (present even when empty); `systemActions` optional.
- Card: `summary` required, a string under 140 characters; `indicator` required, one of
  info | warning | critical; `source` required with a `label`; `uuid` (a UUID, needed for
  feedback); `detail` a string; `suggestions`, `links`, `overrideReasons` arrays.
- cds-resp-1: `selectionBehavior` at-most-one -> at most one suggestion isRecommended.
- cds-resp-2: an action of type delete has a resourceId and no resource.
- cds-resp-3: `appContext` only on links of type smart.
- cds-resp-4: every override reason Coding has a display.
- cds-resp-5: every suggestion action has a description.
- cds-resp-6: suggestions present -> selectionBehavior present (and one of at-most-one | any).
- cds-resp-7: `actionSelectionBehavior`, where given, is all | any | at-most-one.
- Suggestion: `label` required, `uuid` a UUID when given; action `type` one of create |
  update | delete; create/update carry a `resource`.
- Link: `label`, `url` (absolute http(s)) and `type` (absolute | smart) required.
- Discovery: `services` array; each service has `hook`, `id`, `description` strings,
  `prefetch` an object of strings when given; ids unique.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlsplit

INDICATORS = ("info", "warning", "critical")
SELECTION = ("at-most-one", "any")
ACTION_SELECTION = ("all", "any", "at-most-one")
ACTION_TYPES = ("create", "update", "delete")
LINK_TYPES = ("absolute", "smart")


def _is_uuid(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        uuid.UUID(value.removeprefix("urn:uuid:"))
    except ValueError:
        return False
    return True


def _action_problems(action: Any, where: str) -> list[str]:
    if not isinstance(action, dict):
        return [f"{where}: not an object"]
    out: list[str] = []
    kind = action.get("type")
    if kind not in ACTION_TYPES:
        out.append(f"{where}.type: {kind!r} not one of {ACTION_TYPES}")
    if not isinstance(action.get("description"), str) or not action["description"]:
        out.append(f"{where}.description: missing (cds-resp-5)")
    if kind == "delete" and (not action.get("resourceId") or "resource" in action):
        out.append(f"{where}: delete needs resourceId and no resource (cds-resp-2)")
    if kind in ("create", "update") and not isinstance(action.get("resource"), dict):
        out.append(f"{where}.resource: {kind} needs a resource")
    return out


def _suggestion_problems(card: dict[str, Any], where: str) -> list[str]:
    out: list[str] = []
    suggestions = card.get("suggestions")
    if suggestions is None:
        return out
    if not isinstance(suggestions, list):
        return [f"{where}.suggestions: not an array"]
    behaviour = card.get("selectionBehavior")
    if suggestions and behaviour is None:
        out.append(f"{where}: suggestions without selectionBehavior (cds-resp-6)")
    if behaviour is not None and behaviour not in SELECTION:
        out.append(f"{where}.selectionBehavior: {behaviour!r} not one of {SELECTION}")
    recommended = sum(1 for s in suggestions if isinstance(s, dict) and s.get("isRecommended"))
    if behaviour == "at-most-one" and recommended > 1:
        out.append(f"{where}: {recommended} recommended suggestions with at-most-one (cds-resp-1)")
    for i, suggestion in enumerate(suggestions):
        at = f"{where}.suggestions[{i}]"
        if not isinstance(suggestion, dict):
            out.append(f"{at}: not an object")
            continue
        if not isinstance(suggestion.get("label"), str) or not suggestion["label"]:
            out.append(f"{at}.label: missing")
        if "uuid" in suggestion and not _is_uuid(suggestion["uuid"]):
            out.append(f"{at}.uuid: not a UUID")
        picked = suggestion.get("actionSelectionBehavior")
        if picked is not None and picked not in ACTION_SELECTION:
            out.append(f"{at}.actionSelectionBehavior: {picked!r} (cds-resp-7)")
        for n, action in enumerate(suggestion.get("actions") or []):
            out += _action_problems(action, f"{at}.actions[{n}]")
    return out


def _link_problems(card: dict[str, Any], where: str) -> list[str]:
    out: list[str] = []
    for i, link in enumerate(card.get("links") or []):
        at = f"{where}.links[{i}]"
        if not isinstance(link, dict):
            out.append(f"{at}: not an object")
            continue
        if not isinstance(link.get("label"), str) or not link["label"]:
            out.append(f"{at}.label: missing")
        url = link.get("url")
        if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https"):
            out.append(f"{at}.url: not an absolute URL")
        if link.get("type") not in LINK_TYPES:
            out.append(f"{at}.type: {link.get('type')!r} not one of {LINK_TYPES}")
        if link.get("type") != "smart" and "appContext" in link:
            out.append(f"{at}: appContext on a non-smart link (cds-resp-3)")
    return out


def card_problems(card: Any, where: str) -> list[str]:
    """Every problem of one card."""
    if not isinstance(card, dict):
        return [f"{where}: not an object"]
    out: list[str] = []
    summary = card.get("summary")
    if not isinstance(summary, str) or not summary:
        out.append(f"{where}.summary: missing")
    elif len(summary) >= 140:
        out.append(f"{where}.summary: {len(summary)} characters (must be under 140)")
    if card.get("indicator") not in INDICATORS:
        out.append(f"{where}.indicator: {card.get('indicator')!r} not one of {INDICATORS}")
    source = card.get("source")
    if not isinstance(source, dict) or not isinstance(source.get("label"), str):
        out.append(f"{where}.source.label: missing")
    if not _is_uuid(card.get("uuid")):
        out.append(f"{where}.uuid: missing or not a UUID (feedback needs it)")
    if "detail" in card and not isinstance(card["detail"], str):
        out.append(f"{where}.detail: not a string")
    for i, reason in enumerate(card.get("overrideReasons") or []):
        if not isinstance(reason, dict) or not reason.get("display") or not reason.get("code"):
            out.append(f"{where}.overrideReasons[{i}]: code and display needed (cds-resp-4)")
    return out + _suggestion_problems(card, where) + _link_problems(card, where)


def response_problems(body: Any) -> list[str]:
    """Every problem of a hook response (see the module docstring)."""
    if not isinstance(body, dict) or not isinstance(body.get("cards"), list):
        return ["cards: missing or not an array"]
    out: list[str] = []
    uuids = [c.get("uuid") for c in body["cards"] if isinstance(c, dict)]
    if len(uuids) != len(set(uuids)):
        out.append("cards: two cards share a uuid")
    for i, card in enumerate(body["cards"]):
        out += card_problems(card, f"cards[{i}]")
    for i, action in enumerate(body.get("systemActions") or []):
        out += _action_problems(action, f"systemActions[{i}]")
    return out


def discovery_problems(body: Any) -> list[str]:
    """Every problem of a discovery document."""
    if not isinstance(body, dict) or not isinstance(body.get("services"), list):
        return ["services: missing or not an array"]
    out: list[str] = []
    ids: list[str] = []
    for i, service in enumerate(body["services"]):
        at = f"services[{i}]"
        if not isinstance(service, dict):
            out.append(f"{at}: not an object")
            continue
        for key in ("hook", "id", "description"):
            if not isinstance(service.get(key), str) or not service[key]:
                out.append(f"{at}.{key}: missing")
        ids.append(str(service.get("id")))
        prefetch = service.get("prefetch")
        if prefetch is not None and (
            not isinstance(prefetch, dict) or not all(isinstance(v, str) for v in prefetch.values())
        ):
            out.append(f"{at}.prefetch: not an object of template strings")
    if len(ids) != len(set(ids)):
        out.append("services: ids are not unique")
    return out
