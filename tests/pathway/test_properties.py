"""Properties of the state machine over random event sequences (hypothesis): an episode never
reaches a state outside the table, only PathwayError is ever raised, the data given is never
changed, and everything stored is JSON.

Runs start from every prefix of the happy path (so deep states are exercised), then pick events
that are legal from the current state half of the time, with payloads that are mostly valid.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from painpath.errors import PathwayError
from painpath.pathway import apply
from painpath.pathway._schema import EventSpec, FieldSpec

from ._support import HAPPY, NEXT_PROCEDURE, PATHWAY, PROCEDURE, opened

SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)

EVENTS = [*PATHWAY.definition.events, PATHWAY.definition.opening]
NAMES = [*PATHWAY.event_names, PATHWAY.definition.opening.name, "teleport"]
FIRST = datetime(2026, 5, 25, tzinfo=UTC)
LAST = datetime(2026, 9, 1, tzinfo=UTC)

JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["", "  ", "x", "2026-06-15", "2026-06-15T09:00:00", "a\nb"]),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.sampled_from(["a", "step"]), st.integers(), max_size=2),
)
_PROCEDURES = st.sampled_from([PROCEDURE, NEXT_PROCEDURE])


def _valid(spec: FieldSpec) -> st.SearchStrategy[Any]:
    """A value of the field's type within its bounds (guards may still refuse it)."""
    low = int(spec.min) if spec.min is not None else -5
    high = int(spec.max) if spec.max is not None else 500
    by_type: dict[str, st.SearchStrategy[Any]] = {
        "string": st.sampled_from(["BP 120/80", "Suite 2", "Dr Example"]),
        "text": st.sampled_from(["Reason given.", "Line one.\nLine two."]),
        "date": st.dates(FIRST.date(), LAST.date()).map(date.isoformat),
        "datetime": st.datetimes(
            FIRST.replace(tzinfo=None), LAST.replace(tzinfo=None), timezones=st.just(UTC)
        ).map(datetime.isoformat),
        "integer": st.integers(low, high),
        "number": st.integers(low, high),
        "boolean": st.one_of(st.just(True), st.booleans()),
        "enum": st.sampled_from(spec.values or ["?"]),
        "procedure-id": _PROCEDURES,
        "procedure-ids": st.lists(_PROCEDURES, min_size=1, max_size=2, unique=True),
        "checklist-step": st.sampled_from(list(PATHWAY.steps)),
    }
    return by_type[spec.type]


def _payloads(spec: EventSpec | None) -> st.SearchStrategy[object]:
    """Payloads for one event: mostly well-typed, sometimes with absent, junk or extra fields,
    rarely not an object at all."""
    fields = spec.fields if spec else {}
    required = {n: _valid(f) for n, f in fields.items() if f.required}
    optional = {n: _valid(f) for n, f in fields.items() if not f.required}
    loose = {n: st.one_of(_valid(f), JUNK) for n, f in fields.items()}
    good = st.fixed_dictionaries(required, optional=optional)
    return st.one_of(
        good,
        good,
        good,
        st.fixed_dictionaries({}, optional=loose),
        st.fixed_dictionaries({}, optional={**loose, "extra": JUNK}),
        JUNK,
    )


PAYLOADS = {name: _payloads(next((e for e in EVENTS if e.name == name), None)) for name in NAMES}
ANY_EVENT = st.sampled_from(NAMES)
LEGAL = {
    state: st.sampled_from([e.name for e in PATHWAY.events_from(state)])
    for state in PATHWAY.states
    if PATHWAY.events_from(state)
}
MINUTES = st.integers(0, 3 * 24 * 60)


def _prefixes() -> list[tuple[str, dict[str, Any], datetime]]:
    """The episode after each prefix of the happy path, with the time of its last event."""
    episode, now = opened(), FIRST
    found = [(episode.state, episode.data, now)]
    for event, payload, now in HAPPY:
        episode = episode.apply(event, payload, now)
        found.append((episode.state, episode.data, now))
    return found


PREFIXES = _prefixes()


@SETTINGS
@given(st.integers(0, len(PREFIXES) - 1), st.integers(1, 25), st.data())
def test_random_event_sequences_stay_in_the_table_and_fail_only_with_pathway_error(
    prefix: int, length: int, draws: st.DataObject
) -> None:
    state, data, now = PREFIXES[prefix]
    for _ in range(length):
        legal = LEGAL.get(state)
        event = draws.draw(legal if legal is not None and draws.draw(st.booleans()) else ANY_EVENT)
        payload = draws.draw(PAYLOADS[event])
        now += timedelta(minutes=draws.draw(MINUTES))
        before = copy.deepcopy(data)
        try:
            moved = apply(state, data, event, payload, now=now)  # type: ignore[arg-type]
        except PathwayError as error:
            assert error.code in {"illegal-event", "invalid-payload", "guard-failed"}
            assert str(error)
            assert data == before
            continue
        assert data == before
        assert moved.from_state == state
        assert moved.to_state in PATHWAY.states
        assert PATHWAY.event(state, event) is not None
        json.dumps(moved.new_data)
        json.dumps(moved.event_record["data"])
        state, data = moved.to_state, moved.new_data
