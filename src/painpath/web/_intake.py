"""The public self-assessment: painpath's intake Questionnaire as a form, read back into a
FHIR QuestionnaireResponse that the engine assesses like any other record.

Form fields are named by the questionnaire's linkIds. Nothing is stored: the answers become a
one-patient Bundle in memory, `painpath.assess` reads it, and the page shows the result. A
signed-in patient may then save the same answers to their own record (a stored
QuestionnaireResponse that their next assessment reads).
The warning-sign questions must be answered (an unanswered one cannot be read as "no");
every other question may be left blank.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from painpath.knowledge import Knowledge

__all__ = [
    "SELF_PATIENT",
    "TEXT_MAX_CHARS",
    "Group",
    "Question",
    "intake_groups",
    "questionnaire_response",
    "read_answers",
    "response_bundle",
]

SELF_PATIENT = "self-assessment"
"""The id of the in-memory Patient a self-assessment is made for (never stored)."""

TEXT_MAX_CHARS = 2000
"""The longest free-text answer accepted (an input limit, not a clinical number)."""

_MIN = "http://hl7.org/fhir/StructureDefinition/minValue"
_MAX = "http://hl7.org/fhir/StructureDefinition/maxValue"


@dataclass(frozen=True)
class Question:
    """One answerable item of the questionnaire."""

    link_id: str
    text: str
    type: str  # boolean | integer | choice | string | text
    prefix: str = ""
    low: int | None = None
    high: int | None = None
    options: tuple[tuple[str, str, str], ...] = ()  # (system, code, display)
    repeats: bool = False
    required: bool = False
    shown_when: str | None = None  # the answer that enables this item (enableWhen), in words
    enable: tuple[str, str] | None = None  # (question linkId, answer code) of enableWhen

    @property
    def scale(self) -> bool:
        """A 0-10 score: shown as a row of eleven buttons."""
        return self.type == "integer" and self.low == 0 and self.high == 10


@dataclass(frozen=True)
class Group:
    """A group of questions with its title and its introduction."""

    link_id: str
    text: str
    intro: str = ""
    questions: tuple[Question, ...] = field(default_factory=tuple)


def _bound(item: Mapping[str, Any], url: str) -> int | None:
    for ext in item.get("extension", []):
        if ext.get("url") == url and isinstance(ext.get("valueInteger"), int):
            return int(ext["valueInteger"])
    return None


def _question(item: Mapping[str, Any], required: set[str], labels: dict[str, str]) -> Question:
    options = tuple(
        (o["valueCoding"]["system"], o["valueCoding"]["code"], o["valueCoding"]["display"])
        for o in item.get("answerOption", [])
    )
    shown_when, enable = None, None
    for cond in item.get("enableWhen", []):
        code = str(cond.get("answerCoding", {}).get("code"))
        shown_when = labels.get(f"{cond.get('question')}={code}", code)
        enable = (str(cond.get("question")), code)
    return Question(
        link_id=item["linkId"],
        text=item["text"],
        type=item["type"],
        prefix=item.get("prefix", ""),
        low=_bound(item, _MIN),
        high=_bound(item, _MAX),
        options=options,
        repeats=bool(item.get("repeats")),
        required=item["linkId"] in required,
        shown_when=shown_when,
        enable=enable,
    )


def intake_groups(kb: Knowledge) -> tuple[Group, ...]:
    """The questionnaire's groups and questions, in order (memoized per knowledge base)."""
    memo = kb.cache("web.intake_groups")
    if "groups" not in memo:
        required = {item for flag in kb.red_flags.values() for item in flag.screen_items}
        labels = {
            f"{item['linkId']}={o['valueCoding']['code']}": o["valueCoding"]["display"]
            for group in kb.questionnaire["item"]
            for item in group.get("item", [])
            for o in item.get("answerOption", [])
        }
        groups = []
        for group in kb.questionnaire["item"]:
            children = group.get("item", [])
            intro = " ".join(i["text"] for i in children if i["type"] == "display")
            questions = tuple(
                _question(i, required, labels) for i in children if i["type"] != "display"
            )
            groups.append(Group(group["linkId"], group["text"], intro, questions))
        memo["groups"] = tuple(groups)
    result: tuple[Group, ...] = memo["groups"]
    return result


def _whole(raw: str, q: Question) -> tuple[int | None, str | None]:
    low = q.low if q.low is not None else 0
    span = f"from {low} to {q.high}" if q.high is not None else f"of at least {low}"
    try:
        value = int(raw.strip())
    except ValueError:
        return None, f"Enter a whole number {span}."
    if value < low or (q.high is not None and value > q.high):
        return None, f"Enter a whole number {span}."
    return value, None


def read_answers(
    form: Mapping[str, Sequence[str]], groups: Sequence[Group]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The typed answers of a submitted form, and a message for each field that is wrong.

    `form` maps each field name to every value sent for it. Answers: bool for yes/no, int
    for numbers, a list of codes for choices, str for text; unanswered items are left out.
    """
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for group in groups:
        for q in group.questions:
            sent = [v for v in form.get(q.link_id, []) if v.strip()]
            if q.enable and q.enable[1] not in values.get(q.enable[0], []):
                continue  # not asked: the answer that enables it was not given
            if not sent:
                if q.required:
                    errors[q.link_id] = "Please answer yes or no."
                continue
            if q.type == "boolean":
                if len(sent) != 1 or sent[0] not in ("yes", "no"):
                    errors[q.link_id] = "Choose yes or no."
                else:
                    values[q.link_id] = sent[0] == "yes"
            elif q.type == "integer":
                number, problem = _whole(sent[0], q)
                if problem:
                    errors[q.link_id] = problem
                else:
                    values[q.link_id] = number
            elif q.type == "choice":
                codes = {code for _, code, _ in q.options}
                if any(v not in codes for v in sent) or (len(sent) > 1 and not q.repeats):
                    errors[q.link_id] = "Choose from the listed answers."
                else:
                    values[q.link_id] = list(dict.fromkeys(sent))
            else:
                text = sent[0].strip()
                if len(text) > TEXT_MAX_CHARS:
                    errors[q.link_id] = (
                        f"Please shorten this answer to {TEXT_MAX_CHARS} characters or fewer"
                        f" (it has {len(text)})."
                    )
                elif q.type == "string" and ("\n" in text or "\r" in text):
                    errors[q.link_id] = "Please write this answer on one line."
                else:
                    values[q.link_id] = text
    return values, errors


def _answers(q: Question, value: Any) -> list[dict[str, Any]]:
    if q.type == "boolean":
        return [{"valueBoolean": value}]
    if q.type == "integer":
        return [{"valueInteger": value}]
    if q.type == "choice":
        by_code = {code: (system, code, display) for system, code, display in q.options}
        return [
            {"valueCoding": {"system": by_code[c][0], "code": c, "display": by_code[c][2]}}
            for c in value
        ]
    return [{"valueString": value}]


def questionnaire_response(
    values: Mapping[str, Any],
    groups: Sequence[Group],
    url: str,
    authored: datetime,
    subject: str = SELF_PATIENT,
) -> dict[str, Any]:
    """The QuestionnaireResponse of `values` (items grouped as in the questionnaire)."""
    items = []
    for group in groups:
        answered = [
            {"linkId": q.link_id, "text": q.text, "answer": _answers(q, values[q.link_id])}
            for q in group.questions
            if q.link_id in values
        ]
        if answered:
            items.append({"linkId": group.link_id, "text": group.text, "item": answered})
    return {
        "resourceType": "QuestionnaireResponse",
        "id": "self-assessment-response",
        "questionnaire": url,
        "status": "completed",
        "subject": {"reference": f"Patient/{subject}"},
        "authored": authored.isoformat(),
        "item": items,
    }


def response_bundle(
    values: Mapping[str, Any], groups: Sequence[Group], url: str, authored: datetime
) -> dict[str, Any]:
    """A collection Bundle: an anonymous Patient and the QuestionnaireResponse of `values`."""
    response = questionnaire_response(values, groups, url, authored)
    patient = {"resourceType": "Patient", "id": SELF_PATIENT}
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": patient}, {"resource": response}],
    }
