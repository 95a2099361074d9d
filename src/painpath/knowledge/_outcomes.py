"""outcomes.yaml: the post-block pain diary and the follow-up windows of outcome measures.

Loaded and checked on its own (the core loader stays as it is): every `source` must resolve in
sources.yaml, every `threshold` must name a number of rules.yaml, every session family and
instrument must exist, and the file's version must equal the knowledge base's.
"""

from __future__ import annotations

import functools
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from painpath.errors import KnowledgeError
from painpath.knowledge._loader import DATA_DIR, Knowledge, _read, load_knowledge
from painpath.knowledge._schema import Cited, Number
from painpath.knowledge._validate import iter_sources

__all__ = [
    "Anesthetic",
    "DashboardSpec",
    "DiaryProtocol",
    "FollowupWindow",
    "OutcomesFile",
    "load_outcomes",
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class IntList(Cited):
    """A cited list of whole numbers (minutes after a block)."""

    values: list[int] = Field(min_length=1)


class NameList(Cited):
    """A cited list of ids."""

    values: list[str] = Field(min_length=1)


class Anesthetic(_Model):
    """A numbing medicine of a diagnostic block: how long it acts and when to score."""

    id: str
    duration_hours: Number
    timepoints_minutes: IntList

    @property
    def window_minutes(self) -> int:
        """The diary window: the expected duration of action, in minutes."""
        return round(self.duration_hours.value * 60)


class DiaryProtocol(_Model):
    """The pain diary of one session family (facet-block, si)."""

    session_family: str
    threshold: str  # a number id of rules.yaml
    default_anesthetic: str
    anesthetics: list[Anesthetic] = Field(min_length=1)

    def anesthetic(self, anesthetic_id: str | None) -> Anesthetic | None:
        """The named anesthetic (the default when None), or None when the protocol lacks it."""
        wanted = anesthetic_id or self.default_anesthetic
        return next((a for a in self.anesthetics if a.id == wanted), None)


class FollowupWindow(_Model):
    id: str
    label: str
    day: Number
    tolerance_days: Number


class ResponderLevel(Number):
    id: str


class OutcomeCodes(_Model):
    relief_duration: str
    complication: str
    diary_result: str


class FunnelStage(_Model):
    id: str
    label: str
    event: str  # a pathway event name


class DashboardSpec(_Model):
    funnel: list[FunnelStage] = Field(min_length=1)
    procedure_event: str
    responder_window: str


class OutcomesFile(_Model):
    version: str
    diaries: list[DiaryProtocol]
    relief_duration_percent: Number
    followups: list[FollowupWindow] = Field(min_length=1)
    baseline_days: Number
    responders: list[ResponderLevel] = Field(min_length=1)
    codes: OutcomeCodes
    function_items: NameList
    dashboard: DashboardSpec

    def diary(self, session_family: str | None) -> DiaryProtocol | None:
        """The diary protocol of a session family, or None when it has none."""
        return next((d for d in self.diaries if d.session_family == session_family), None)


def _check(outcomes: OutcomesFile, kb: Knowledge) -> list[str]:
    name = "outcomes.yaml"
    problems: list[str] = []
    if outcomes.version != kb.version:
        problems.append(f"{name}: version {outcomes.version} differs from {kb.version}")
    for path, source in iter_sources(outcomes, ""):
        if source not in kb.sources:
            problems.append(f"{name}: {path.lstrip('.')}: unknown source {source!r}")
    instruments = {i.id for i in kb.instruments.instruments}
    for i, diary in enumerate(outcomes.diaries):
        where = f"{name}: diaries[{i}]"
        if diary.session_family not in kb.session_families:
            problems.append(f"{where}: unknown session family {diary.session_family!r}")
        if diary.threshold not in kb.rules.numbers:
            problems.append(f"{where}: threshold {diary.threshold!r} is not a rules.yaml number")
        if diary.anesthetic(None) is None:
            problems.append(f"{where}: default anesthetic {diary.default_anesthetic!r} not listed")
        for j, anesthetic in enumerate(diary.anesthetics):
            points = anesthetic.timepoints_minutes.values
            if points != sorted(set(points)) or points[0] <= 0:
                problems.append(f"{where}.anesthetics[{j}]: timepoints must rise from above 0")
            if points[-1] > anesthetic.window_minutes:
                problems.append(f"{where}.anesthetics[{j}]: a timepoint lies after the window")
    for item in outcomes.function_items.values:
        if item not in instruments:
            problems.append(f"{name}: function_items: unknown instrument {item!r}")
    if outcomes.dashboard.responder_window not in {w.id for w in outcomes.followups}:
        problems.append(f"{name}: dashboard.responder_window is not a follow-up window id")
    days = [w.day.value for w in outcomes.followups]
    if days != sorted(days):
        problems.append(f"{name}: followups must be in time order")
    return problems


@functools.cache
def load_outcomes(data_dir: Path = DATA_DIR) -> OutcomesFile:
    """outcomes.yaml, validated against its schema and the rest of the knowledge base.

    Raises KnowledgeError listing every problem (file and path of each).
    """
    outcomes = _read("outcomes.yaml", OutcomesFile, data_dir)
    problems = _check(outcomes, load_knowledge(data_dir))
    if problems:
        raise KnowledgeError(problems)
    return outcomes
