"""Properties of the whole engine over generated records (hypothesis)."""

from __future__ import annotations

import copy
from datetime import timedelta

import orjson
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import painpath
from builders import (
    AS_OF,
    allergy,
    bundle,
    condition,
    imaging_study,
    intake,
    med_request,
    med_statement,
    nrs,
    painpath_obs,
    percent_relief,
    procedure,
    radiology_report,
)
from painpath.engine import assess_record
from painpath.fhir import read_bundle_bytes

from ._support import KB, assert_valid, assert_well_formed, assess

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)

CONDITION_CODES = [
    "M54.16", "M51.26", "M54.12", "M50.22", "M47.816", "M47.812", "M54.50", "M54.5", "M54.2",
    "M46.1", "M53.2X8", "M96.1", "G90.511", "G90.521", "G56.41", "G58.8", "B02.29", "M54.81",
    "G44.86", "M17.11", "M16.11", "M19.011", "M75.01", "M79.18", "G44.209", "G89.3", "G89.29",
    "G89.4", "M54.9", "I10", "E11.9", "E11.42", "F11.20", "F11.21", "Z34.90", "A41.9", "R63.4",
    "Z85.3", "C50.911", "G83.4", "S32.010A", "S32.010D", "M21.371", "I25.10",
]  # fmt: skip
SNOMED_CODES = ["278860009", "1121000119107", "202725007", "82423001", "239873007", "5602001"]
STATUSES = ["active", "active", "active", "resolved", "inactive", "recurrence", None]
PROCEDURE_CODES = [
    "64483", "62323", "64479", "64493", "64490", "64635", "64633", "63650", "63685", "27096",
    "20552", "90791", "64405", "64450", "20610",
]  # fmt: skip
CARE = [
    ("5640", "ibuprofen"),
    ("161", "acetaminophen"),
    ("25480", "gabapentin"),
    ("21949", "cyclobenzaprine"),
]
OPIOIDS = [
    ("7804", "oxycodone"),
    ("7052", "morphine"),
    ("3423", "hydromorphone"),
    ("6813", "methadone"),
    ("1819", "buprenorphine"),
    ("4337", "fentanyl"),
    ("856999", "Hydrocodone Bitartrate 10 MG / Acetaminophen 325 MG Oral Tablet"),
]
ANTITHROMBOTICS = [
    ("11289", "warfarin"),
    ("1191", "aspirin"),
    ("5224", "heparin"),
    ("67108", "enoxaparin"),
    ("1364430", "apixaban"),
    ("7258", "naproxen"),
    ("140587", "celecoxib"),
    ("321208", "fondaparinux"),
]
RED_FLAG_ITEMS = [
    "rf-saddle-numbness", "rf-bladder-bowel", "rf-fever", "rf-infection-risk", "rf-major-trauma",
    "rf-minor-trauma-osteoporosis", "rf-cancer-weight-loss", "rf-worsening-weakness",
]  # fmt: skip
INTAKE_ITEMS = [f"readiness-{i}" for i in range(1, 7)] + RED_FLAG_ITEMS

days_back = st.integers(min_value=0, max_value=1500)


def iso(back: int) -> str:
    return (AS_OF - timedelta(days=back)).isoformat()


@st.composite
def conditions(draw, rid):
    back = draw(st.one_of(st.none(), days_back))
    if draw(st.integers(0, 9)) == 0:
        return condition(
            None,
            snomed=draw(st.sampled_from(SNOMED_CODES)),
            onset=None if back is None else iso(back),
            id=rid,
        )
    return condition(
        draw(st.sampled_from(CONDITION_CODES)),
        onset=None if back is None else iso(back),
        status=draw(st.sampled_from(STATUSES)),
        id=rid,
    )


@st.composite
def care(draw, rid):
    rxcui, name = draw(st.sampled_from(CARE))
    start = draw(days_back)
    end = draw(st.one_of(st.none(), st.integers(0, start)))
    if draw(st.booleans()):
        return med_statement(
            rxcui, name, start=iso(start), end=None if end is None else iso(end), id=rid
        )
    return procedure("97110", performed=iso(start), end=None if end is None else iso(end), id=rid)


@st.composite
def medications(draw, rid):
    rxcui, name = draw(st.sampled_from(OPIOIDS + ANTITHROMBOTICS))
    return med_request(
        rxcui,
        name,
        authored=iso(draw(st.integers(0, 200))),
        status=draw(st.sampled_from(["active", "active", "completed", "stopped"])),
        dose=draw(st.one_of(st.none(), st.integers(1, 100))),
        unit=draw(st.sampled_from(["mg", "mg", "tablet", "ug/h"])),
        frequency=draw(st.one_of(st.none(), st.integers(1, 6))),
        period=1,
        period_unit="d",
        timing_code=draw(st.one_of(st.none(), st.sampled_from(["BID", "Q6H", "QD"]))),
        route=draw(st.one_of(st.none(), st.sampled_from(["iv", "sc"]))),
        reason_codes=draw(st.lists(st.sampled_from(["I25.10", "E78.5", "Z95.5"]), max_size=1)),
        id=rid,
    )


@st.composite
def sessions(draw, rid):
    back = draw(st.integers(0, 900))
    when = f"{iso(back)}T09:00:00Z"
    out = [procedure(draw(st.sampled_from(PROCEDURE_CODES)), performed=when, id=rid)]
    if draw(st.booleans()):
        out.append(
            percent_relief(
                draw(st.integers(0, 100)), f"{iso(back)}T15:00:00Z", rid, id=f"{rid}-relief"
            )
        )
    return out


@st.composite
def documentation(draw, rid):
    """Resources that only document (imaging, unlinked pain scores, psych evaluation)."""
    kind = draw(st.integers(0, 3))
    back = draw(st.integers(0, 900))
    if kind == 0:
        return radiology_report(iso(back), id=rid)
    if kind == 1:
        return imaging_study(iso(back), id=rid)
    if kind == 2:
        return nrs(draw(st.integers(0, 10)), iso(back), id=rid)
    return procedure("90791", performed=iso(back), id=rid)


@st.composite
def other(draw, rid):
    kind = draw(st.integers(0, 2))
    back = draw(st.integers(0, 90))
    if kind == 0:
        answers = draw(st.dictionaries(st.sampled_from(INTAKE_ITEMS), st.booleans(), max_size=5))
        if draw(st.booleans()):
            answers = {**answers, "nrs": draw(st.integers(0, 10))}
        return intake(iso(back + 1), answers, id=rid)
    if kind == 1:
        code = draw(st.sampled_from(["si-provocation-positive-count", "trigger-point-findings"]))
        top = 6 if code.startswith("si") else 3
        return painpath_obs(code, draw(st.integers(0, top)), iso(back), id=rid)
    return allergy("293637006", id=rid)


@st.composite
def records(draw):
    """A list of FHIR resources of one patient (without the Patient)."""
    out: list[dict] = []
    for i in range(draw(st.integers(0, 4))):
        out.append(draw(conditions(f"c{i}")))
    for i in range(draw(st.integers(0, 3))):
        out.append(draw(care(f"care{i}")))
    for i in range(draw(st.integers(0, 2))):
        out.append(draw(medications(f"m{i}")))
    for i in range(draw(st.integers(0, 3))):
        out.extend(draw(sessions(f"s{i}")))
    for i in range(draw(st.integers(0, 3))):
        out.append(draw(documentation(f"d{i}")))
    for i in range(draw(st.integers(0, 2))):
        out.append(draw(other(f"o{i}")))
    return out


STATUS_RANK = {"not-indicated": 0, "conservative-care-first": 1, "refer-interventional": 2}


def criteria_met(doc) -> set[tuple[str, str]]:
    return {
        (o["procedure"], c["id"])
        for o in doc["options"]
        if o["coverage"] is not None
        for c in o["coverage"]["criteria"]
        if c["status"] == "met"
    }


# ------------------------------------------------------------------------------ properties


@SETTINGS
@given(records())
def test_output_always_validates_against_the_schema(resources):
    doc = assess(bundle(*resources))
    assert doc["status"] in ("urgent-evaluation", *STATUS_RANK)
    if doc["status"] == "not-indicated":
        assert doc["options"] == []
    if doc["status"] != "refer-interventional":
        assert not any(o["indicated"] for o in doc["options"])


@SETTINGS
@given(
    records(),
    st.sampled_from(
        [
            ("condition", "G83.4"),
            ("condition", "M46.25"),
            ("condition", "S32.010A"),
            ("condition", "M21.371"),
            ("condition", "G06.1"),
            *[("screen", item) for item in RED_FLAG_ITEMS if item != "rf-cancer-weight-loss"],
        ]
    ),
)
def test_adding_a_red_flag_always_gives_urgent_evaluation_with_nothing_indicated(resources, flag):
    kind, code = flag
    if kind == "condition":
        added = condition(code, onset=iso(1), id="added-flag")
    else:
        added = intake(f"{AS_OF.isoformat()}T23:59:59Z", {code: True}, id="added-flag")
    doc = assess(bundle(*resources, added))
    assert doc["status"] == "urgent-evaluation"
    assert doc["red_flags"]
    assert not any(o["indicated"] for o in doc["options"])
    for opt in doc["options"]:
        cov = opt["coverage"]
        assert cov["status"] in ("not-met", "no-policy")
        if cov["policy"] is not None:
            assert "no-red-flag" in cov["unmet"]


@SETTINGS
@given(records(), st.lists(st.integers(0, 3), min_size=1, max_size=3), st.data())
def test_adding_conservative_care_never_lowers_the_status(resources, extra, data):
    before = assess(bundle(*resources))
    added = [data.draw(care(f"added-care{i}")) for i, _ in enumerate(extra)]
    after = assess(bundle(*resources, *added))
    if before["status"] == "urgent-evaluation":
        assert after["status"] == "urgent-evaluation"
        return
    assert after["status"] != "urgent-evaluation"
    assert STATUS_RANK[after["status"]] >= STATUS_RANK[before["status"]]
    assert after["conservative_care"]["weeks"] >= before["conservative_care"]["weeks"]
    before_indicated = {o["procedure"] for o in before["options"] if o["indicated"]}
    after_indicated = {o["procedure"] for o in after["options"] if o["indicated"]}
    assert before_indicated <= after_indicated


@SETTINGS
@given(records(), st.data())
def test_removing_a_criterions_evidence_never_turns_not_met_into_met(resources, data):
    documents = [
        r
        for r in resources
        if r["resourceType"] in ("DiagnosticReport", "ImagingStudy", "MedicationStatement")
        or (r["resourceType"] == "Observation" and "partOf" not in r and r["id"].startswith("d"))
        or (
            r["resourceType"] == "Procedure"
            and r["code"]["coding"][0]["code"] in ("90791", "97110")
        )
    ]
    assume(documents)
    removed = data.draw(st.sampled_from(documents))
    before = assess(bundle(*resources))
    after = assess(bundle(*[r for r in resources if r is not removed]))
    assert criteria_met(after) <= criteria_met(before)
    was = {o["procedure"]: o["coverage"]["status"] for o in before["options"] if o["coverage"]}
    for opt in after["options"]:
        if was.get(opt["procedure"]) == "not-met":
            assert opt["coverage"]["status"] == "not-met"


@SETTINGS
@given(records())
def test_coverage_never_changes_indicated_status_or_safety(resources):
    b = bundle(*resources)
    cms = painpath.assess(b, as_of=AS_OF, payer="cms")
    none = painpath.assess(b, as_of=AS_OF, payer="none")
    assert_valid(none)

    def core(doc):
        return [
            (
                o["procedure"],
                o["indicated"],
                o["safety"],
                [line for line in o["rationale"] if not line.startswith("Payer criteria")],
            )
            for o in doc["options"]
        ]

    assert core(cms) == core(none)
    assert all(o["coverage"] is None for o in none["options"])
    same = ("status", "red_flags", "pain", "conservative_care", "mme_per_day", "readiness")
    assert {k: cms[k] for k in same} == {k: none[k] for k in same}


# ------------------------------------------------------------------------ robustness

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 5)
    | st.floats(allow_nan=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)


def _check(document):
    """A valid document, or an InputError: never another exception."""
    try:
        doc = painpath.assess(document, as_of=AS_OF)
    except painpath.InputError as exc:
        assert exc.message
        return
    assert_valid(doc)
    assert_well_formed(doc)


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            yield from _paths(inner, (*prefix, i))


@SETTINGS
@given(records(), st.data(), json_values)
def test_corrupted_bundles_give_an_input_error_or_a_valid_document(resources, data, junk):
    document = bundle(*resources)
    paths = [p for p in _paths(document) if p]
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(paths))
        target = document
        try:
            for step in path[:-1]:
                target = target[step]
            if data.draw(st.booleans()) and isinstance(target, dict):
                target.pop(path[-1], None)
            else:
                target[path[-1]] = junk
        except (KeyError, IndexError, TypeError):
            continue
    _check(document)


@SETTINGS
@given(records(), st.data())
def test_truncated_bundle_bytes_give_an_input_error_or_a_valid_document(resources, data):
    raw = orjson.dumps(bundle(*resources))
    cut = data.draw(st.integers(0, len(raw)))
    try:
        record = read_bundle_bytes(raw[:cut])
    except painpath.InputError:
        return
    doc = assess_record(record, KB, AS_OF, "cms")
    assert_valid(doc)


@SETTINGS
@given(records(), st.data())
def test_bundles_with_entries_dropped_give_an_input_error_or_a_valid_document(resources, data):
    document = bundle(*resources)
    keep = data.draw(
        st.lists(st.booleans(), min_size=len(document["entry"]), max_size=len(document["entry"]))
    )
    document["entry"] = [e for e, k in zip(document["entry"], keep, strict=True) if k]
    _check(copy.deepcopy(document))


@SETTINGS
@given(json_values)
def test_arbitrary_json_gives_an_input_error_or_a_valid_document(junk):
    _check(junk)
    _check({"resourceType": "Bundle", "type": "collection", "entry": junk})
