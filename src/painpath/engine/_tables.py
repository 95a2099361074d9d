"""Indexes of the knowledge base that the rules look up for every patient, built once per
Knowledge object (kept in its memo tables) instead of once per assessment.

Nothing here adds a fact: each field is a knowledge value, or a dict/set over knowledge
lists, in the knowledge's own order.
"""

from __future__ import annotations

from dataclasses import dataclass

from painpath.engine._systems import CPT_SYSTEMS, SNOMED
from painpath.knowledge import Knowledge
from painpath.knowledge._schema import CodeSet, Procedure, SafetyCheck

__all__ = ["ProcedureEntry", "Tables", "tables"]


@dataclass(frozen=True, slots=True)
class ProcedureEntry:
    """A procedure with its indication groups: primary, then those that only make it an option."""

    procedure: Procedure
    indications: tuple[str, ...]
    also_indications: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Tables:
    # rules.yaml numbers the rules read for every patient
    chronic_months: int
    conservative_min_weeks: float
    lookback_months: int
    intake_window_days: float
    default_days: float
    days_per_month: float
    mme_reassess: float
    mme_high: float
    cancer: CodeSet
    procedures: tuple[ProcedureEntry, ...]  # knowledge order
    procedures_by_group: dict[str, tuple[int, ...]]  # group id -> indexes into `procedures`
    sessions_by_cpt: dict[str, tuple[tuple[str, str | None], ...]]  # (family id, region)
    physical_therapy: frozenset[tuple[str, str]]  # (system, code)
    conservative_classes: frozenset[str]
    safety_checks: dict[str, SafetyCheck]
    nrs_code: str


def _systems(name: str) -> frozenset[str]:
    return CPT_SYSTEMS if name == "cpt" else frozenset({SNOMED})


def _build(kb: Knowledge) -> Tables:
    entries: list[ProcedureEntry] = []
    by_group: dict[str, list[int]] = {}
    for proc in kb.procedures.values():
        for gid in dict.fromkeys((*proc.indications, *proc.also_indications)):
            by_group.setdefault(gid, []).append(len(entries))
        entries.append(ProcedureEntry(proc, tuple(proc.indications), tuple(proc.also_indications)))
    sessions: dict[str, list[tuple[str, str | None]]] = {}
    for fam in kb.session_families.values():
        for cpt in dict.fromkeys(fam.cpt.codes):
            sessions.setdefault(cpt, []).append((fam.id, fam.regions.get(cpt)))
    pt = frozenset(
        (system, code)
        for code_set in kb.procedures_file.physical_therapy
        for system in _systems(code_set.system)
        for code in code_set.codes
    )
    return Tables(
        chronic_months=int(kb.number("chronic-months")),
        conservative_min_weeks=kb.number("conservative-min-weeks"),
        lookback_months=int(kb.number("conservative-lookback-months")),
        intake_window_days=kb.number("intake-window-days"),
        default_days=kb.number("medication-request-default-days"),
        days_per_month=kb.number("days-per-month"),
        mme_reassess=kb.number("mme-reassess"),
        mme_high=kb.number("mme-high"),
        cancer=kb.codes("cancer-pain"),
        procedures=tuple(entries),
        procedures_by_group={g: tuple(ix) for g, ix in by_group.items()},
        sessions_by_cpt={c: tuple(f) for c, f in sessions.items()},
        physical_therapy=pt,
        conservative_classes=frozenset(kb.drugs.conservative_classes),
        safety_checks={c.id: c for c in kb.rules.safety_checks},
        nrs_code=next(i.code for i in kb.instruments.instruments if i.id == "nrs"),
    )


def tables(kb: Knowledge) -> Tables:
    """The tables of `kb`, built on first use."""
    memo = kb.cache("engine-tables")
    found: Tables | None = memo.get("tables")
    if found is None:
        found = memo["tables"] = _build(kb)
    return found
