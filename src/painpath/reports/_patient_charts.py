"""A patient's charts from the record: pain and MME trajectory, and a block's diary curve."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from typing import Any

from painpath.domain import PatientRecord
from painpath.engine._context import build_context
from painpath.engine.mme import compute_mme
from painpath.knowledge import Knowledge, OutcomesFile
from painpath.reports._charts import block_response_chart, trajectory_chart
from painpath.reports._diary import MINUTES_URL, relief_percent
from painpath.reports._measures import _interventional, _series

__all__ = [
    "TRAJECTORY_TITLE",
    "Trajectory",
    "diary_chart",
    "trajectory_key",
    "trajectory_series",
    "trajectory_svg",
]


TRAJECTORY_TITLE = "Pain and opioid dose over time"
TRAJECTORY_REVISION = "mpl-1"
"""Part of every trajectory chart key: change it when the drawing changes."""

Trajectory = tuple[list[tuple[date, float]], list[tuple[date, float]], list[tuple[date, str]]]
"""What the trajectory chart draws: pain (day, NRS), MME/day (day, total), procedures."""


def trajectory_svg(
    record: PatientRecord, kb: Knowledge, outcomes: OutcomesFile, as_of: date, *, fmt: str = "svg"
) -> bytes:
    """Pain (NRS) and MME/day over the record, procedures marked by their canonical id."""
    return trajectory_chart(
        TRAJECTORY_TITLE, *trajectory_series(record, kb, outcomes, as_of), fmt=fmt
    )


def trajectory_key(patient_id: str, series: Trajectory, fmt: str) -> str:
    """A digest of the patient's trajectory chart: its series, format and drawing revision
    (two calls with the same key draw the same bytes)."""
    text = json.dumps([TRAJECTORY_REVISION, patient_id, fmt, series], default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def trajectory_series(
    record: PatientRecord, kb: Knowledge, outcomes: OutcomesFile, as_of: date
) -> Trajectory:
    """The trajectory chart's series up to as_of: pain, MME/day on each day that matters
    (the day before the first, each pain score or procedure day, as_of), procedures."""
    pain = [(s.day, s.value) for s in _series(record, kb, outcomes)["nrs"] if s.day <= as_of]
    table = _interventional(kb)
    procedures: list[tuple[date, str]] = []
    for proc in record.procedures:
        code = next((c.code for c in proc.codings if c.code in table), None)
        if code is not None and proc.performed is not None and proc.performed.day <= as_of:
            procedures.append((proc.performed.day, table[code]))
    days = sorted({d for d, _ in pain} | {d for d, _ in procedures} | {as_of})
    first = days[0] - timedelta(days=1)
    mme = [(d, compute_mme(build_context(record, kb, d)).total) for d in [first, *days]]
    return pain, mme, sorted(procedures)


def diary_chart(
    resource: dict[str, Any], threshold: float, *, title: str, fmt: str = "svg"
) -> bytes:
    """The block-response curve of a stored diary Observation (its components)."""
    baseline: float | None = None
    scores: list[tuple[int, float]] = []  # (minutes, NRS)
    reported: list[tuple[int, float]] = []  # (minutes, percent relief the patient reported)
    for comp in resource.get("component") or []:
        minutes = next(
            (
                e.get("valueInteger")
                for e in comp.get("extension") or []
                if e.get("url") == MINUTES_URL
            ),
            None,
        )
        if not isinstance(minutes, int):
            continue
        if "valueInteger" in comp and minutes == 0:
            baseline = float(comp["valueInteger"])
        elif "valueInteger" in comp:
            scores.append((minutes, float(comp["valueInteger"])))
        elif "valueQuantity" in comp:
            reported.append((minutes, float(comp["valueQuantity"]["value"])))
    curve = sorted([(m, relief_percent(baseline, v)) for m, v in scores] + list(reported))
    value = (resource.get("valueQuantity") or {}).get("value")
    best = max((p for p in curve if p[1] is not None), key=lambda p: p[1] or 0.0, default=None)
    peak = (best[0], float(value)) if best is not None and value is not None else None
    return block_response_chart(title, curve, threshold, peak, fmt=fmt)
