"""Follow-up response: the relief a procedure session gave (decision-rules §3.1 "Session relief").

Relief comes from the latest percent-relief Observation linked (partOf) to a procedure of the
session - for diagnostic block sessions only those effective on the session's date, since a
block is judged while its anesthetic acts - else from linked NRS Observations:
(baseline - lowest later the same day) / baseline x 100. Unknown relief is `None`.
"""

from __future__ import annotations

from dataclasses import dataclass

from painpath.domain import Observation
from painpath.engine._context import LOINC, Context, Session

__all__ = ["Relief", "session_relief"]

_SAME_DAY_FAMILIES = frozenset({"facet-block"})


@dataclass(frozen=True, slots=True)
class Relief:
    """Percent relief of a session (None when unknown) and the observations it came from."""

    percent: float | None
    evidence: tuple[str, ...] = ()
    method: str = "unknown"


def _when_key(obs: Observation) -> tuple[float, float]:
    if obs.effective is None:
        return (-1.0, -1.0)
    instant = obs.effective.instant
    return (float(obs.effective.day.toordinal()), instant.timestamp() if instant else -1.0)


def session_relief(ctx: Context, session: Session) -> Relief:
    """The relief of one session, from percent-relief or NRS observations linked to it."""
    painpath = ctx.kb.instruments.painpath_system
    nrs_code = ctx.tables.nrs_code
    percent: list[Observation] = []
    nrs: list[Observation] = []
    for proc in session.procedures:
        for obs in ctx.linked.get(f"Procedure/{proc.id}", ()):
            for coding in obs.codings:
                if coding.system == painpath and coding.code == "percent-relief":
                    percent.append(obs)
                elif coding.system == LOINC and coding.code == nrs_code:
                    nrs.append(obs)
    if session.family in _SAME_DAY_FAMILIES:
        percent = [o for o in percent if o.effective is None or o.effective.day == session.day]
    percent = [o for o in percent if o.value is not None]
    if percent:
        latest = max(percent, key=_when_key)
        assert latest.value is not None
        return Relief(latest.value, (f"Observation/{latest.id}",), "percent-relief")
    return _from_nrs(session, [o for o in nrs if o.value is not None and o.effective])


def _from_nrs(session: Session, nrs: list[Observation]) -> Relief:
    start = min(
        (p.performed for p in session.procedures if p.performed is not None),
        key=lambda w: (w.day, w.instant.timestamp() if w.instant else -1.0),
        default=None,
    )
    if start is None or not nrs:
        return Relief(None)
    before: list[Observation] = []
    after: list[Observation] = []
    for obs in nrs:
        assert obs.effective is not None
        if start.instant is not None and obs.effective.instant is not None:
            if obs.effective.instant < start.instant:
                before.append(obs)
            elif obs.effective.day == session.day and obs.effective.instant > start.instant:
                after.append(obs)
        elif obs.effective.day < session.day:
            before.append(obs)
        elif obs.effective.day == session.day and start.instant is None:
            after.append(obs)
    if not before or not after:
        return Relief(None)
    baseline = max(before, key=_when_key)
    lowest = min(after, key=lambda o: o.value if o.value is not None else 0.0)
    assert baseline.value is not None and lowest.value is not None
    if baseline.value <= 0:
        return Relief(None)
    # Not rounded to the displayed precision: 79.96% must stay below an 80% threshold.
    # round(..., 9) only removes binary floating-point noise (7.6 / 9.5 -> exactly 80).
    value = round((baseline.value - lowest.value) / baseline.value * 100, 9)
    return Relief(value, (f"Observation/{baseline.id}", f"Observation/{lowest.id}"), "nrs")
