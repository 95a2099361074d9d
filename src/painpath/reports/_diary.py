"""The pain diary after a diagnostic block: peak percent relief in the window, positive or not.

The protocol (when to score, how long the numbing medicine acts) comes from outcomes.yaml; the
threshold is the policy's number in rules.yaml (80% for facet blocks, 75% for SI joint blocks).
Relief at a timepoint is (baseline - score) / baseline x 100; the block's relief is the peak
within the window. Without a usable baseline there is no number, only a message saying why.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from painpath.errors import InputError
from painpath.knowledge import Knowledge, OutcomesFile

__all__ = [
    "MINUTES_URL",
    "BlockResponse",
    "DiaryEntry",
    "block_response",
    "relief_percent",
    "session_family_of",
]

MINUTES_URL = "https://painpath.dev/fhir/StructureDefinition/minutes-after-procedure"
"""Extension on a stored diary's component: minutes after the block (0: the baseline)."""


@dataclass(frozen=True, slots=True)
class DiaryEntry:
    """One diary entry: minutes after the block and either the NRS (0-10, against the
    baseline) or the percent relief the patient reports directly (0-100)."""

    minutes: int
    nrs: float | None = None
    relief: float | None = None

    def percent(self, baseline: float | None) -> float | None:
        """This entry's percent relief (None: an NRS without a usable baseline)."""
        if self.relief is not None:
            return self.relief
        assert self.nrs is not None
        return relief_percent(baseline, self.nrs)


@dataclass(frozen=True, slots=True)
class BlockResponse:
    """The result of one diary. `peak_percent` is None when it cannot be computed."""

    session_family: str
    anesthetic: str
    window_minutes: int
    timepoints: tuple[int, ...]
    threshold: float
    threshold_source: str
    baseline: float | None
    entries: tuple[DiaryEntry, ...]
    peak_percent: float | None
    peak_minutes: int | None
    result: str  # positive | negative | unknown
    message: str

    def curve(self) -> list[tuple[int, float | None, float | None]]:
        """(minutes, NRS or None, percent relief or None) of every entry, in time order."""
        return [(e.minutes, e.nrs, e.percent(self.baseline)) for e in self.entries]

    def to_json(self) -> dict[str, Any]:
        return {
            "session_family": self.session_family,
            "anesthetic": self.anesthetic,
            "window_minutes": self.window_minutes,
            "timepoints_minutes": list(self.timepoints),
            "threshold_percent": self.threshold,
            "threshold_source": self.threshold_source,
            "baseline_nrs": self.baseline,
            "entries": [{"minutes": m, "nrs": n, "relief_percent": p} for m, n, p in self.curve()],
            "peak_percent": self.peak_percent,
            "peak_minutes": self.peak_minutes,
            "result": self.result,
            "complete": self.complete,
            "message": self.message,
        }

    @property
    def complete(self) -> bool:
        """Whether every protocol time has a score (a diary may be recorded as it fills)."""
        return {e.minutes for e in self.entries} >= set(self.timepoints)


def relief_percent(baseline: float | None, score: float) -> float | None:
    """Percent relief of one score against the baseline (None without a positive baseline).

    Not rounded to display precision (79.96% must stay below 80%); round(..., 9) only removes
    binary noise, as the engine does. Worse pain than baseline gives a negative number.
    """
    if baseline is None or baseline <= 0:
        return None
    return round((baseline - score) / baseline * 100, 9)


def session_family_of(kb: Knowledge, cpt: str | None) -> str | None:
    """The session family (facet-block, si, esi, ...) whose CPT list holds `cpt`."""
    if cpt is None:
        return None
    for family in kb.session_families.values():
        if cpt in family.cpt.codes:
            return family.id
    return None


def _check(kb: Knowledge, instrument: str, value: float, field: str) -> None:
    scale = next(i for i in kb.instruments.instruments if i.id == instrument)
    span = f"{scale.minimum:g} to {scale.maximum:g}"
    if not math.isfinite(value) or (instrument == "nrs" and value != int(value)):
        raise InputError("an NRS score is a whole number", field, span)
    if not scale.minimum <= value <= scale.maximum:
        raise InputError(f"{value:g} is out of range", field, span)


def _check_entry(kb: Knowledge, entry: DiaryEntry, where: str) -> None:
    if (entry.nrs is None) == (entry.relief is None):
        raise InputError("give either a pain score or a percent relief", where, "nrs or relief")
    if entry.nrs is not None:
        _check(kb, "nrs", entry.nrs, f"{where}.nrs")
    if entry.relief is not None:
        _check(kb, "percent-relief", entry.relief, f"{where}.relief")


def block_response(
    kb: Knowledge,
    outcomes: OutcomesFile,
    session_family: str | None,
    *,
    baseline: float | None,
    entries: Sequence[DiaryEntry],
    anesthetic: str | None = None,
) -> BlockResponse:
    """Judge one diary against the protocol of its session family.

    Raises InputError for input that is wrong (no protocol for the procedure, an unknown
    anesthetic, a time that is not one of the protocol's, a repeated time, a score outside
    0-10). A missing or zero baseline, or no score in the window, is not an error: the result
    is `unknown` with a message and no number.
    """
    protocol = outcomes.diary(session_family)
    if protocol is None:
        known = ", ".join(d.session_family for d in outcomes.diaries)
        raise InputError(
            f"no pain diary protocol for {session_family or 'this procedure'}",
            "procedure",
            f"a diagnostic block of a family with a diary ({known})",
        )
    drug = protocol.anesthetic(anesthetic)
    if drug is None:
        raise InputError(
            f"unknown anesthetic {anesthetic!r}",
            "anesthetic",
            " or ".join(a.id for a in protocol.anesthetics),
        )
    points = tuple(drug.timepoints_minutes.values)
    seen: set[int] = set()
    for i, entry in enumerate(entries):
        if entry.minutes not in points:
            raise InputError(
                f"{entry.minutes} minutes is not a diary time for {drug.id}",
                f"entries[{i}].minutes",
                ", ".join(str(p) for p in points),
            )
        if entry.minutes in seen:
            raise InputError(f"two scores at {entry.minutes} minutes", f"entries[{i}].minutes")
        seen.add(entry.minutes)
        _check_entry(kb, entry, f"entries[{i}]")
    if baseline is not None:
        _check(kb, "nrs", baseline, "baseline")
    threshold_number = kb.rules.numbers[protocol.threshold]
    ordered = tuple(sorted(entries, key=lambda e: e.minutes))

    def done(peak: float | None, minutes: int | None, result: str, message: str) -> BlockResponse:
        return BlockResponse(
            protocol.session_family,
            drug.id,
            drug.window_minutes,
            points,
            threshold_number.value,
            threshold_number.source,
            baseline,
            ordered,
            peak,
            minutes,
            result,
            message,
        )

    in_window = [e for e in ordered if e.minutes <= drug.window_minutes]
    needs_baseline = any(e.nrs is not None for e in in_window)
    if needs_baseline and baseline is None:
        return done(
            None,
            None,
            "unknown",
            "No baseline pain score: relief cannot be computed. Record the 0-10 score from "
            "just before the block.",
        )
    if needs_baseline and baseline is not None and baseline <= 0:
        return done(
            None,
            None,
            "unknown",
            "The baseline pain score is 0: relief cannot be measured against it.",
        )
    if not in_window:
        return done(None, None, "unknown", "No diary score yet: relief cannot be computed.")
    best = max(in_window, key=lambda e: (e.percent(baseline) or 0.0, -e.minutes))
    raw = best.percent(baseline)
    assert raw is not None
    peak = max(0.0, raw)
    positive = peak >= threshold_number.value
    hours = best.minutes / 60
    when = f"{best.minutes} minutes" if best.minutes < 60 else f"{hours:g} hours"
    have = len({e.minutes for e in ordered})
    so_far = "" if have >= len(points) else f" so far ({have} of {len(points)} diary times)"
    return done(
        peak,
        best.minutes,
        "positive" if positive else "negative",
        f"Peak relief {peak:.4g}% at {when}: {'positive' if positive else 'negative'} block"
        f"{'' if positive else so_far} "
        f"({'at least' if positive else 'below'} {threshold_number.value:.4g}%).",
    )
