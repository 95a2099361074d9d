"""An outcome report's few fields the dashboards read, and their small stored JSON."""

from __future__ import annotations

from datetime import date
from typing import Any

from painpath.knowledge import OutcomesFile
from painpath.reports._dashboard import OutcomeSummary

__all__ = ["outcome_summary", "summary_from_json", "summary_json"]


def outcome_summary(body: dict[str, Any], outcomes: OutcomesFile) -> OutcomeSummary:
    """The dashboard's view of one outcome report (`EpisodeOutcomes.to_json()`)."""
    window = outcomes.dashboard.responder_window
    at = next((w for w in body["windows"] if w["window"] == window), None)
    responders = dict(at["responders"]) if at is not None else {}
    mme = [(date.fromisoformat(body["index_day"]), float(body["baseline"]["mme_per_day"]))]
    mme += [
        (date.fromisoformat(w["target_day"]), float(w["mme_per_day"]))
        for w in body["windows"]
        if w["mme_per_day"] is not None
    ]
    return OutcomeSummary(body["procedure"], responders, body["relief_weeks"], tuple(mme))


def summary_json(summary: OutcomeSummary) -> dict[str, Any]:
    """An OutcomeSummary as small JSON (stored beside the report for the dashboards)."""
    return {
        "procedure": summary.procedure,
        "responders": summary.responders,
        "relief_weeks": summary.relief_weeks,
        "mme": [[d.isoformat(), v] for d, v in summary.mme],
    }


def summary_from_json(data: dict[str, Any]) -> OutcomeSummary:
    """The inverse of `summary_json`."""
    return OutcomeSummary(
        data["procedure"],
        data["responders"],
        data["relief_weeks"],
        tuple((date.fromisoformat(d), float(v)) for d, v in data["mme"]),
    )
