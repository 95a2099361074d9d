"""A patient's charts from the record: pain and MME trajectory, and a block's diary curve."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from painpath.domain import PatientRecord
from painpath.engine._context import build_context
from painpath.engine.mme import compute_mme
from painpath.knowledge import Knowledge, OutcomesFile
from painpath.reports._charts import block_response_chart, trajectory_chart
from painpath.reports._diary import MINUTES_URL, relief_percent
from painpath.reports._measures import _interventional, _series

__all__ = ["diary_chart", "trajectory_svg"]


def trajectory_svg(
    record: PatientRecord, kb: Knowledge, outcomes: OutcomesFile, as_of: date, *, fmt: str = "svg"
) -> bytes:
    """Pain (NRS) and MME/day over the record, procedures marked by their canonical id."""
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
    return trajectory_chart(
        "Pain and opioid dose over time", pain, mme, sorted(procedures), fmt=fmt
    )


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
