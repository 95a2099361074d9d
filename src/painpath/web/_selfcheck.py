"""What a self-assessment's answers suggest, in plain words, from the engine's document.

The engine decides (status, red flags, readiness); this module only chooses the words and the
order: warning signs first, with the knowledge base's action ("Call emergency services ...").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from painpath.knowledge import Knowledge
from painpath.web._intake import Group

__all__ = ["SelfResult", "self_result"]

_SUGGESTS = {
    "urgent-evaluation": (
        "One or more of your answers is a warning sign. A warning sign needs a doctor soon."
        " It is not a reason for a planned procedure."
    ),
    "refer-interventional": (
        "Your answers suggest that a visit with a pain specialist is worth it now."
    ),
    "conservative-care-first": (
        "Your answers suggest trying everyday treatments a little longer first, such as"
        " exercise, physical therapy and simple pain medicines."
    ),
    "not-indicated": (
        "Answers alone cannot show which treatment fits you. A doctor first needs to find what"
        " causes your pain (a diagnosis). Procedures help only some causes of pain."
    ),
}


@dataclass(frozen=True)
class Flag:
    """A warning sign raised by the answers: its name, what to do, and why."""

    id: str
    name: str
    action: str
    message: str


@dataclass(frozen=True)
class SelfResult:
    """The result page's content."""

    status: str
    suggests: str
    flags: tuple[Flag, ...]
    headline: str  # the most urgent action, or ""
    ready_yes: int | None
    ready_of: int
    worth_visit: bool
    answered: tuple[tuple[str, str], ...]  # (question, answer in words), for the printout
    knowledge_version: str
    as_of: str


def _answer_words(q_type: str, value: Any, options: Mapping[str, str]) -> str:
    if q_type == "boolean":
        return "Yes" if value else "No"
    if q_type == "choice":
        return ", ".join(options.get(code, code) for code in value)
    return str(value)


def self_result(
    document: Mapping[str, Any],
    values: Mapping[str, Any],
    groups: Sequence[Group],
    kb: Knowledge,
) -> SelfResult:
    """The result of one self-assessment: the engine's `document` for the `values` given."""
    order = list(kb.red_flags)
    raised = sorted(document.get("red_flags") or [], key=lambda f: order.index(f["id"]))
    flags = tuple(
        Flag(f["id"], kb.red_flags[f["id"]].name, kb.red_flags[f["id"]].action, f["message"])
        for f in raised
    )
    ready = document.get("readiness")
    ready_yes = int(ready["yes"]) if ready else None
    ready_of = int(ready["of"]) if ready else len(kb.instruments.readiness_items)
    several = kb.number("readiness-several")
    answered = []
    for group in groups:
        for q in group.questions:
            if q.link_id in values:
                options = {code: display for _, code, display in q.options}
                words = _answer_words(q.type, values[q.link_id], options)
                answered.append((f"{q.prefix} {q.text}".strip(), words))
    status = str(document["status"])
    return SelfResult(
        status=status,
        suggests=_SUGGESTS.get(status, status),
        flags=flags,
        headline=flags[0].action if flags else "",
        ready_yes=ready_yes,
        ready_of=ready_of,
        worth_visit=not flags and ready_yes is not None and ready_yes >= several,
        answered=tuple(answered),
        knowledge_version=str(document["knowledge_version"]),
        as_of=str(document["as_of"]),
    )
