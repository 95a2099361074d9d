"""The painpath.assessment/v1 document as a whole: schema, citations, order, words."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path

import pytest

import painpath
from builders import (
    AS_OF,
    ago,
    allergy,
    bundle,
    condition,
    imaging_study,
    intake,
    med_request,
    med_statement,
    nrs,
    painpath_obs,
    patient,
    percent_relief,
    procedure,
    radiology_report,
)
from painpath.engine import SCHEMA_ID, assess_record
from painpath.fhir import read_bundle

from ._support import KB, SCHEMA, assert_valid, assert_well_formed, assess, cited_ids, option, run

SYNTHEA = Path("/work/shared/data/synthea-smart-generated-sample-data-r4/bundles")

# A busy record: many options, coverage of every policy, safety findings, MME, readiness.
RICH = (
    condition("M54.16", onset=ago(months=14), id="radic"),
    condition("M47.816", onset=ago(months=20), id="facet"),
    condition("M96.1", onset=ago(months=30), id="fbss"),
    condition("M46.1", onset=ago(months=9), id="si"),
    condition("M79.18", onset=ago(months=9), id="myo"),
    condition("M54.81", onset=ago(months=9), id="occ"),
    condition("M17.11", onset=ago(months=9), id="knee"),
    condition("G90.521", onset=ago(months=9), id="crps"),
    condition("E11.9", onset=ago(months=90), id="dm"),
    med_statement("5640", "ibuprofen", start=ago(months=12), id="ibu"),
    med_statement("11289", "warfarin", start=ago(months=12), id="warf"),
    med_request("7804", "oxycodone", authored=ago(days=10), dose=10, timing_code="QID", id="oxy"),
    med_request(
        "1819", "buprenorphine", authored=ago(days=10), dose=2, timing_code="BID", id="bup"
    ),
    procedure("97110", performed=ago(months=10), end=ago(months=8), id="pt"),
    procedure("64483", performed=f"{ago(months=4)}T09:00:00Z", id="esi1"),
    percent_relief(60, ago(months=4, days=-14), "esi1", id="esi1-relief"),
    procedure("64493", performed=f"{ago(months=3)}T09:00:00Z", id="mbb1"),
    percent_relief(90, ago(months=3), "mbb1", id="mbb1-relief"),
    procedure("90791", performed=ago(months=2), id="psych"),
    radiology_report(ago(months=6), id="mri"),
    imaging_study(ago(months=6), id="mri-study"),
    nrs(7, ago(days=4), id="nrs"),
    painpath_obs("si-provocation-positive-count", 3, id="si-exam"),
    painpath_obs("trigger-point-findings", 2, id="tp-exam"),
    allergy("293637006", id="contrast"),
    intake(ago(days=3), {"readiness-1": True, "readiness-2": True, "rf-fever": False}, id="qr"),
)


@pytest.fixture(scope="module")
def rich():
    return run(*RICH)


def test_schema_is_a_valid_draft_2020_12_schema():
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert SCHEMA["properties"]["schema"]["const"] == SCHEMA_ID == "painpath.assessment/v1"


def test_rich_record_validates_and_is_well_formed(rich):
    assert_valid(rich)
    assert_well_formed(rich)
    assert rich["status"] == "refer-interventional"
    assert [(o["procedure"], o["indicated"]) for o in rich["options"]] == [
        ("esi-interlaminar-lumbar", True),
        ("esi-transforaminal-lumbar", True),
        ("esi-caudal", True),
        ("facet-mbb-lumbar", True),
        ("si-joint-injection", True),
        ("scs-trial", True),
        ("block-lumbar-sympathetic", True),
        ("block-occipital", True),
        ("block-peripheral", True),
        ("joint-injection-knee", True),
        ("trigger-point-injection", True),
        ("facet-ia-lumbar", False),
        ("facet-rfa-lumbar", False),
        ("scs-implant", False),
    ]


def test_schema_check_catches_a_broken_document(rich):
    broken = copy.deepcopy(rich)
    broken["status"] = "maybe"
    with pytest.raises(AssertionError):
        assert_valid(broken)
    broken = copy.deepcopy(rich)
    del broken["options"][0]["rationale"]
    with pytest.raises(AssertionError):
        assert_valid(broken)


def test_header_fields(rich):
    assert rich["schema"] == "painpath.assessment/v1"
    assert rich["knowledge_version"] == KB.version
    assert rich["as_of"] == AS_OF.isoformat()
    assert rich["patient_id"] == "p1"


def test_every_citation_resolves_to_a_knowledge_source(rich):
    for cid in cited_ids(rich):
        assert cid in KB.sources
    assert rich["citations"][0] == {
        "id": "painpath-decision-rules-v1",
        "title": KB.sources["painpath-decision-rules-v1"].title,
    }


def test_citations_are_listed_once_each(rich):
    ids = [c["id"] for c in rich["citations"]]
    assert len(ids) == len(set(ids))


def test_every_evidence_reference_names_a_resource_of_the_bundle(rich):
    keys = {f"{r['resourceType']}/{r['id']}" for r in RICH}
    refs = set()
    for flag in rich["red_flags"]:
        refs.update(flag["evidence"])
    for item in rich["mme_items"]:
        refs.add(item["evidence"])
    for opt in rich["options"]:
        refs.update(opt["evidence"])
        for finding in opt["safety"]:
            refs.update(finding["evidence"])
        for crit in opt["coverage"]["criteria"]:
            refs.update(crit["evidence"])
    assert refs
    assert refs <= keys, refs - keys


def test_options_list_indicated_first_then_knowledge_order(rich):
    order = list(KB.procedures)
    flags = [o["indicated"] for o in rich["options"]]
    assert flags == sorted(flags, reverse=True)
    assert True in flags and False in flags
    for group in (True, False):
        ids = [o["procedure"] for o in rich["options"] if o["indicated"] is group]
        assert ids == sorted(ids, key=order.index)


def test_options_follow_the_knowledge_order_when_all_are_indicated():
    doc = run(
        condition("M17.11", onset=ago(months=9)),
        condition("M54.16", onset=ago(months=9)),
        med_statement("5640", "ibuprofen", start=ago(months=8)),
    )
    assert [o["procedure"] for o in doc["options"]] == [
        "esi-interlaminar-lumbar",
        "esi-transforaminal-lumbar",
        "esi-caudal",
        "joint-injection-knee",
    ]


def test_indicated_option_moves_ahead_of_an_earlier_one_that_is_not(rich):
    ids = [o["procedure"] for o in rich["options"]]
    order = list(KB.procedures)
    assert order.index("facet-ia-lumbar") < order.index("trigger-point-injection")
    assert ids.index("facet-ia-lumbar") > ids.index("trigger-point-injection")


def test_option_family_and_purpose_come_from_the_knowledge_base(rich):
    for opt in rich["options"]:
        proc = KB.procedures[opt["procedure"]]
        assert (opt["family"], opt["purpose"]) == (proc.family, proc.purpose)


def test_every_rationale_line_and_message_is_a_sentence(rich):
    assert_well_formed(rich)
    for opt in rich["options"]:
        assert opt["rationale"]
        assert all(line for line in opt["rationale"])
    assert rich["next_steps"]


def test_rich_record_details(rich):
    assert rich["mme_per_day"] == 60.0
    assert rich["mme_incomplete"] is True
    assert rich["readiness"] == {"yes": 2, "of": 6}
    assert rich["pain"] == {"chronic": True, "duration_months": 30.0, "latest_nrs": 7}
    assert rich["conservative_care"]["modalities"] == ["nsaid", "opioid", "physical-therapy"]
    esi = option(rich, "esi-transforaminal-lumbar")
    assert esi["coverage"]["status"] == "met"
    assert [(s["id"], s["drug"]) for s in esi["safety"]] == [
        ("contrast-allergy", None),
        ("diabetes-steroid", None),
        ("antithrombotic-hold", "warfarin"),
        ("antithrombotic-continue", "ibuprofen"),
    ]
    assert rich["next_steps"] == [
        "Refer for an interventional pain consultation: consider esi-interlaminar-lumbar, "
        "esi-transforaminal-lumbar, esi-caudal."
    ]


def test_assessment_is_deterministic_and_does_not_change_its_input():
    b = bundle(*RICH)
    before = copy.deepcopy(b)
    first = painpath.assess(b, as_of=AS_OF)
    second = painpath.assess(b, as_of=AS_OF)
    assert first == second
    assert b == before
    assert json.loads(json.dumps(first)) == first  # plain JSON data


def test_as_of_defaults_to_today():
    doc = painpath.assess(bundle(), payer="none")
    assert doc["as_of"] == date.today().isoformat()
    assert_valid(doc)


def test_unknown_payer_is_an_input_error():
    with pytest.raises(painpath.InputError):
        painpath.assess(bundle(), as_of=AS_OF, payer="aetna")


def test_bundle_with_two_patients_is_a_fhir_input_error():
    with pytest.raises(painpath.FhirInputError):
        painpath.assess(bundle(patient("a"), patient("b")), as_of=AS_OF)


def test_not_a_bundle_is_a_fhir_input_error():
    with pytest.raises(painpath.FhirInputError):
        painpath.assess({"resourceType": "Patient", "id": "x"}, as_of=AS_OF)


def test_out_of_range_nrs_is_a_fhir_input_error():
    with pytest.raises(painpath.FhirInputError):
        painpath.assess(bundle(nrs(11, ago(days=1))), as_of=AS_OF)


def test_out_of_range_percent_relief_is_a_fhir_input_error():
    with pytest.raises(painpath.FhirInputError):
        painpath.assess(bundle(procedure("64483", id="e"), percent_relief(120, ago(days=1), "e")))


def test_assess_record_without_payer_gives_null_coverage():
    record = read_bundle(bundle(*RICH))
    doc = assess_record(record, KB, AS_OF, None)
    assert_valid(doc)
    assert all(o["coverage"] is None for o in doc["options"])
    with_payer = assess_record(record, KB, AS_OF, "cms")
    assert [o["indicated"] for o in doc["options"]] == [
        o["indicated"] for o in with_payer["options"]
    ]


def test_unrecognised_rxnorm_medication_is_named_in_the_rationale():
    doc = run(
        condition("M54.16", onset=ago(months=6)),
        med_statement("5640", "ibuprofen", start=ago(months=5)),
        med_statement("999999", "Unknown Product 5 MG Oral Tablet", start=ago(days=5), id="odd"),
    )
    assert (
        "Unrecognised active medications, not used by any rule: "
        "Unknown Product 5 MG Oral Tablet (MedicationStatement/odd)."
        in option(doc, "esi-caudal")["rationale"]
    )


def test_unmapped_condition_code_is_named_in_the_rationale():
    doc = run(
        condition("M54.16", onset=ago(months=6)),
        med_statement("5640", "ibuprofen", start=ago(months=5)),
        condition(None, snomed="999999999", onset=ago(months=6), id="odd"),
    )
    assert (
        "Not considered, coded without a painpath mapping: Condition/odd."
        in option(doc, "esi-caudal")["rationale"]
    )


def test_every_synthea_patient_bundle_gives_a_valid_document():
    statuses = set()
    for path in sorted(SYNTHEA.glob("*.json")):
        data = json.loads(path.read_text("utf-8"))
        if not any(e.get("resource", {}).get("resourceType") == "Patient" for e in data["entry"]):
            continue
        for as_of in (date(2019, 6, 1), date(2021, 1, 1)):
            doc = assess(data, as_of=as_of)
            statuses.add(doc["status"])
    assert {"not-indicated", "conservative-care-first", "urgent-evaluation"} <= statuses
