"""Hypothesis strategies for FHIR R4 Bundles: valid, subtly wrong, and hostile.

`bundles()` draws one of three families:

- valid: a Patient and a few Conditions, Observations and MedicationStatements that point at
  it, with any Unicode in the free text and dates across the whole calendar;
- subtly wrong: a valid Bundle with one mutation (a value of the wrong type, a missing or
  unknown field, a duplicate id, a dangling reference, a date out of range or malformed);
- hostile: huge strings, deep nesting (to 150 levels; deeper in the fixed tests), many
  entries, not a Bundle at all.

Every draw is JSON-serialisable (no NaN) so it can go over HTTP or into a file. The fixed
worst cases too big for example generation are `many_entries(n)` and `deep(n)`.
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st

Json = dict[str, Any]

TEXT = st.text(max_size=40)  # any Unicode, surrogates and control characters included
IDS = st.from_regex(r"[A-Za-z0-9\-.]{1,12}", fullmatch=True)
GOOD_DATES = st.dates().map(lambda d: d.isoformat())
BAD_DATES = st.sampled_from(
    [
        "0000-01-01",
        "10000-01-01",
        "2026-02-30",
        "2026-13-01",
        "2026-06-01T25:00:00Z",
        "yesterday",
        "",
        "1900-01-01T00:00:00+99:00",
        "-0001-01-01",
    ]
)
SNOMED = st.sampled_from(["279039007", "23056005", "128196005", "202708005", "000000", ""])
LOINC = st.sampled_from(["72514-3", "75893-5", "00000-0"])
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    TEXT,
)
ANY_JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=12,
)


@st.composite
def _patient(draw: st.DrawFn, pid: str) -> Json:
    return {
        "resourceType": "Patient",
        "id": pid,
        "gender": draw(st.sampled_from(["female", "male", "other", "unknown"])),
        "birthDate": draw(GOOD_DATES),
        "name": [{"family": draw(TEXT), "given": [draw(TEXT)]}],
    }


def _subject(pid: str) -> Json:
    return {"reference": f"Patient/{pid}"}


@st.composite
def _condition(draw: st.DrawFn, pid: str, rid: str) -> Json:
    return {
        "resourceType": "Condition",
        "id": rid,
        "subject": _subject(pid),
        "clinicalStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                    "code": draw(st.sampled_from(["active", "resolved", "inactive"])),
                }
            ]
        },
        "code": {
            "coding": [{"system": "http://snomed.info/sct", "code": draw(SNOMED)}],
            "text": draw(TEXT),
        },
        "onsetDateTime": draw(GOOD_DATES),
    }


@st.composite
def _observation(draw: st.DrawFn, pid: str, rid: str) -> Json:
    return {
        "resourceType": "Observation",
        "id": rid,
        "status": draw(st.sampled_from(["final", "amended", "preliminary", "entered-in-error"])),
        "subject": _subject(pid),
        "code": {"coding": [{"system": "http://loinc.org", "code": draw(LOINC)}]},
        "effectiveDateTime": draw(GOOD_DATES),
        "valueQuantity": {"value": draw(st.integers(-5, 15)), "unit": "{score}"},
    }


@st.composite
def _medication(draw: st.DrawFn, pid: str, rid: str) -> Json:
    return {
        "resourceType": "MedicationStatement",
        "id": rid,
        "status": draw(st.sampled_from(["active", "completed", "stopped"])),
        "subject": _subject(pid),
        "medicationCodeableConcept": {"text": draw(TEXT)},
        "effectiveDateTime": draw(GOOD_DATES),
    }


@st.composite
def valid_bundles(draw: st.DrawFn) -> Json:
    """A readable one-patient Bundle: the Patient and up to 6 resources about it."""
    pid = draw(IDS)
    makers = [_condition, _observation, _medication]
    entries = [{"resource": draw(_patient(pid))}]
    for i in range(draw(st.integers(0, 6))):
        make = makers[draw(st.integers(0, len(makers) - 1))]
        entries.append({"resource": draw(make(pid, f"r{i}"))})
    kind = draw(st.sampled_from(["collection", "searchset", "transaction", "document"]))
    return {"resourceType": "Bundle", "type": kind, "entry": entries}


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside `node` (dict keys and list indexes)."""
    found: list[tuple[Any, ...]] = []
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for key, value in items:
        found.append((*prefix, key))
        if isinstance(value, dict | list):
            found.extend(_paths(value, (*prefix, key)))
    return found


def _set(node: Any, path: tuple[Any, ...], value: Any) -> None:
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value


@st.composite
def wrong_bundles(draw: st.DrawFn) -> Json:
    """A valid Bundle with one mutation somewhere."""
    bundle = copy.deepcopy(draw(valid_bundles()))
    resources = [e["resource"] for e in bundle["entry"]]
    kind = draw(
        st.sampled_from(
            ["retype", "drop", "extra", "duplicate", "dangling", "bad-date", "other-patient"]
        )
    )
    if kind in ("retype", "drop"):
        path = draw(st.sampled_from(_paths(bundle)))
        parent: Any = bundle
        for key in path[:-1]:
            parent = parent[key]
        if kind == "drop" and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            _set(bundle, path, draw(ANY_JSON))
    elif kind == "extra":
        target = draw(st.sampled_from(resources))
        target[draw(TEXT)] = draw(ANY_JSON)
    elif kind == "duplicate":
        bundle["entry"].append(copy.deepcopy(draw(st.sampled_from(bundle["entry"]))))
    elif kind == "dangling":
        target = draw(st.sampled_from(resources))
        target["subject"] = {"reference": draw(st.sampled_from(["Patient/nobody", "#x", "", "x"]))}
    elif kind == "bad-date":
        target = draw(st.sampled_from(resources))
        field = "birthDate" if target["resourceType"] == "Patient" else "effectiveDateTime"
        target[field] = draw(BAD_DATES)
    else:
        extra = draw(_patient(draw(IDS)))
        bundle["entry"].append({"resource": extra})
    return bundle


@st.composite
def hostile_bundles(draw: st.DrawFn) -> Any:
    """Huge strings, deep nesting, many small entries, or not a Bundle at all."""
    kind = draw(st.sampled_from(["huge-string", "deep", "many", "not-a-bundle", "any-json"]))
    if kind == "not-a-bundle":
        return draw(st.sampled_from([[], "Bundle", 1, None, {"resourceType": "Patient"}]))
    if kind == "any-json":
        return draw(ANY_JSON)
    bundle = copy.deepcopy(draw(valid_bundles()))
    patient = bundle["entry"][0]["resource"]
    if kind == "huge-string":
        size = draw(st.sampled_from([10_000, 200_000, 1_000_000]))
        patient["name"][0]["family"] = draw(st.characters()) * size
    elif kind == "deep":
        patient["extension"] = deep(
            draw(st.integers(30, 150))
        )  # hypothesis prints examples recursively
    else:
        bundle["entry"].extend(many_entries(draw(st.integers(100, 3000)))["entry"])
    return bundle


def bundles() -> st.SearchStrategy[Any]:
    """Any of the three families, valid ones most often."""
    return st.one_of(valid_bundles(), wrong_bundles(), hostile_bundles())


def deep(depth: int) -> Any:
    """Arrays nested `depth` levels deep."""
    node: Any = []
    for _ in range(depth):
        node = [node]
    return node


def many_entries(n: int, pid: str = "pt-many", *, small: bool = False) -> Json:
    """A Bundle of one Patient and `n` Observations about it, or with `small` `n` bare
    `Basic` resources (48 bytes each compact: 10^5 of them fit the 5 MiB request limit)."""
    entries: list[Json] = [{"resource": {"resourceType": "Patient", "id": pid}}]
    if small:
        entries.extend({"resource": {"resourceType": "Basic", "id": f"b{i}"}} for i in range(n))
    else:
        entries.extend(
            {
                "resource": {
                    "resourceType": "Observation",
                    "id": f"o{i}",
                    "status": "final",
                    "subject": {"reference": f"Patient/{pid}"},
                }
            }
            for i in range(n)
        )
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}
