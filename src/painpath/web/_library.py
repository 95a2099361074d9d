"""The procedure library: the knowledge base's families and procedures, as the pages show them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from painpath.knowledge import Knowledge
from painpath.knowledge._schema import Family, Procedure

__all__ = ["FamilyView", "expect_steps", "library"]

_STEP = re.compile(r"\b(Before|The day|After):\s*")


def expect_steps(text: str) -> list[tuple[str, str]]:
    """ "Before: ... The day: ... After: ..." as [(label, text)] in time order.

    Text without those markers comes back as one step labelled "What to expect".
    """
    parts = _STEP.split(text.strip())
    if len(parts) < 3:
        return [("What to expect", text.strip())]
    steps = [(parts[i], _capital(parts[i + 1].strip())) for i in range(1, len(parts) - 1, 2)]
    if parts[0].strip():
        steps.insert(0, ("What to expect", parts[0].strip()))
    return steps


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class FamilyView:
    """A family with its procedures, in the knowledge base's order."""

    family: Family
    procedures: tuple[Procedure, ...]


def library(kb: Knowledge) -> tuple[FamilyView, ...]:
    """Every family with its procedures (memoized per knowledge base)."""
    memo = kb.cache("web.library")
    if "families" not in memo:
        memo["families"] = tuple(
            FamilyView(f, tuple(p for p in kb.procedures.values() if p.family == f.id))
            for f in kb.families.values()
        )
    result: tuple[FamilyView, ...] = memo["families"]
    return result
