"""Candidacy status (decision-rules §2): one of four, red flags first."""

from __future__ import annotations

from painpath.engine._context import Context
from painpath.engine.options import Option

__all__ = ["STATUSES", "decide_status"]

STATUSES = ("urgent-evaluation", "refer-interventional", "conservative-care-first", "not-indicated")


def decide_status(ctx: Context, options: list[Option], red_flags: tuple[str, ...]) -> str:
    """Red flags first, then not-indicated (no option), refer-interventional, conservative first.

    Cancer-related pain (an option made by G89.3) refers whatever the durations; otherwise some
    option must be chronic with at least the minimum weeks of its own conservative care.
    """
    if red_flags:
        return "urgent-evaluation"
    if not options:
        return "not-indicated"
    if any(o.ready for o in options):
        return "refer-interventional"
    return "conservative-care-first"
