"""The CDS Hooks feedback endpoint's data: read strictly, stored, and audited.

CDS Hooks 2.0.1 §Feedback: `{"feedback": [{card, outcome, acceptedSuggestions,
overrideReason, outcomeTimestamp}]}`. Rules: `card` (a uuid) and `outcome` (`accepted` |
`overridden`) and `outcomeTimestamp` are required; cds-fb-2: an accepted outcome names
its accepted suggestions; cds-fb-3: an override reason has a reason Coding, a comment, or
both. All entries are stored in one transaction with one audit row each, or none is.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy.orm import Session

from painpath.clinic import audit_event
from painpath.errors import InputError
from painpath.store import CdsFeedback

__all__ = ["AUDIT_ROLE", "OUTCOMES", "parse_feedback", "store_feedback"]

OUTCOMES = ("accepted", "overridden")
AUDIT_ROLE = "cds-client"
"""The `role` of audit rows written for a CDS client (an EHR, not a painpath user)."""


def _uuid(value: Any, where: str) -> str:
    text = value.removeprefix("urn:uuid:") if isinstance(value, str) else ""
    try:
        return str(uuid.UUID(text))
    except ValueError:
        raise InputError("not a uuid", where, "the uuid painpath gave the card") from None


def _instant(value: Any, where: str) -> datetime:
    if isinstance(value, str):
        try:
            when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            when = None
        if when is not None and when.tzinfo is not None:
            return when
    raise InputError("not an instant", where, "an ISO 8601 date-time with a time zone")


def _reason(entry: dict[str, Any], where: str) -> dict[str, Any]:
    reason = entry.get("overrideReason")
    if reason is None:
        return {}
    if not isinstance(reason, dict):
        raise InputError("not an object", where, "an object")
    coding, comment = reason.get("reason"), reason.get("userComment")
    if coding is None and comment is None:  # cds-fb-3
        raise InputError("neither reason nor userComment", where, "a reason Coding or a comment")
    if coding is not None and (not isinstance(coding, dict) or not coding.get("code")):
        raise InputError("not a Coding with a code", f"{where}.reason", "a Coding")
    if comment is not None and not isinstance(comment, str):
        raise InputError("not a string", f"{where}.userComment", "free text")
    out: dict[str, Any] = {"user_comment": comment[:4000] if comment else None}
    if coding:
        out["reason_system"] = str(coding.get("system") or "")[:200] or None
        out["reason_code"] = str(coding["code"])[:100]
        out["reason_display"] = str(coding.get("display") or "")[:200] or None
    return out


def parse_feedback(data: bytes) -> list[dict[str, Any]]:
    """The feedback entries as column values; InputError names the first problem."""
    try:
        body = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise InputError(
            f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}", "body"
        ) from None
    items = body.get("feedback") if isinstance(body, dict) else None
    if not isinstance(items, list) or not items:
        raise InputError("missing or empty", "feedback", "an array of feedback entries")
    out: list[dict[str, Any]] = []
    for i, entry in enumerate(items):
        where = f"feedback[{i}]"
        if not isinstance(entry, dict):
            raise InputError("not an object", where, "a feedback entry")
        outcome = entry.get("outcome")
        if outcome not in OUTCOMES:
            raise InputError(f"outcome {outcome!r}", f"{where}.outcome", " or ".join(OUTCOMES))
        accepted = entry.get("acceptedSuggestions") or []
        if not isinstance(accepted, list):
            raise InputError("not an array", f"{where}.acceptedSuggestions", "an array")
        if outcome == "accepted" and not accepted:  # cds-fb-2
            raise InputError("accepted without acceptedSuggestions", where, "the suggestions taken")
        ids = [
            _uuid(
                a.get("id") if isinstance(a, dict) else None, f"{where}.acceptedSuggestions[{n}].id"
            )
            for n, a in enumerate(accepted)
        ]
        out.append(
            {
                "card_uuid": _uuid(entry.get("card"), f"{where}.card"),
                "outcome": outcome,
                "outcome_at": _instant(entry.get("outcomeTimestamp"), f"{where}.outcomeTimestamp"),
                "accepted_suggestions": {"ids": ids},
                **_reason(entry, f"{where}.overrideReason"),
            }
        )
    return out


def store_feedback(
    session: Session,
    entries: list[dict[str, Any]],
    *,
    client: str,
    service_id: str,
    now: datetime,
    source_ip: str | None = None,
) -> list[int]:
    """Store the entries and their audit rows in one transaction; the new row ids."""
    rows = [
        CdsFeedback(received_at=now, client=client[:200], service_id=service_id, **entry)
        for entry in entries
    ]
    session.add_all(rows)
    session.flush()
    for row in rows:
        event = audit_event(
            None,
            "create",
            f"cds.feedback CdsFeedback/{row.id}",
            "allowed",
            detail=f"{service_id} card {row.card_uuid} {row.outcome} by {client}"[:500],
            now=now,
            source_ip=source_ip,
        )
        event.role = AUDIT_ROLE
        session.add(event)
    session.commit()
    return [row.id for row in rows]
