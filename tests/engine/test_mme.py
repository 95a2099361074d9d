"""Opioid MME per day (decision-rules §6; CDC 2022 clinical factors)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from builders import ago, condition, dosage, med_request, med_statement, medication
from painpath.engine.mme import compute_mme

from ._support import KB, assess, context, option, run

CDC = Path("/work/shared/data/cqframework-opioid-mme-r4/tests/MMECalculatorTests")

# (folder, as_of, expected total MME/day as the CDC calculator gives it)
CDC_CASES = [
    ("patient-mme-greater-than-fifty", date(2020, 6, 26), 180.0),  # fentanyl 75 mcg/h x 2.4
    ("patient-mme-less-than-fifty", date(2020, 6, 26), 30.0),  # oxycodone 10 mg q12h x 1.5
    ("patient-mme-with-timeofday", date(2020, 10, 1), 30.0),  # two timeOfDay entries
    ("mmecalc", date(2020, 10, 29), 20.0),  # an Epic morphine order, 20 mg daily
]


def cdc_bundle(folder: Path) -> dict:
    """The folder's Patient, MedicationRequest and Medication resources as one Bundle."""
    entries = []
    for path in sorted(folder.glob("*.json")):
        resource = json.loads(path.read_text("utf-8"))
        if resource["resourceType"] in ("Patient", "MedicationRequest", "Medication"):
            entries.append({"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource})
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def cdc_expected(folder: Path) -> float:
    """TotalMME of the folder's GuidanceResponse (the calculator's own answer)."""
    response = next(folder.glob("GuidanceResponse-*.json"))
    params = json.loads(response.read_text("utf-8"))["contained"][0]["parameter"]
    return next(p["valueQuantity"]["value"] for p in params if p["name"] == "TotalMME")


@pytest.mark.parametrize(("folder", "as_of", "expected"), CDC_CASES, ids=[c[0] for c in CDC_CASES])
def test_cdc_mme_calculator_cases(folder, as_of, expected):
    path = CDC / folder
    assert cdc_expected(path) == expected
    doc = assess(cdc_bundle(path), as_of=as_of)
    assert doc["mme_per_day"] == expected
    assert doc["mme_incomplete"] is False
    assert len(doc["mme_items"]) == 1
    assert doc["mme_items"][0]["mme_per_day"] == expected


def test_cdc_patient_without_medications_has_zero_mme():
    doc = assess(cdc_bundle(CDC / "patient-no-meds"), as_of=date(2020, 6, 26))
    assert (doc["mme_per_day"], doc["mme_items"], doc["mme_incomplete"]) == (0.0, [], False)


def test_cdc_orders_are_not_active_before_they_were_written():
    doc = assess(cdc_bundle(CDC / "patient-mme-greater-than-fifty"), as_of=date(2020, 6, 25))
    assert doc["mme_per_day"] == 0.0


def test_cdc_orders_are_not_active_after_their_validity():
    doc = assess(cdc_bundle(CDC / "patient-mme-less-than-fifty"), as_of=date(2020, 12, 26))
    assert doc["mme_per_day"] == 0.0


def mme(*resources, as_of=None):
    doc = run(*resources) if as_of is None else run(*resources, as_of=as_of)
    return doc


def opioid(rxcui, display, **kw):
    kw.setdefault("authored", ago(days=10))
    return med_request(rxcui, display, **kw)


def total(*resources):
    return mme(*resources)["mme_per_day"]


# ------------------------------------------------------------------------- the factors


@pytest.mark.parametrize(
    ("rxcui", "name", "dose", "per_day", "expected"),
    [
        ("7052", "morphine", 15, 2, 30.0),
        ("7804", "oxycodone", 10, 2, 30.0),
        ("5489", "hydrocodone", 10, 4, 40.0),
        ("3423", "hydromorphone", 2, 6, 60.0),  # factor 5 (2022), not 4
        ("6813", "methadone", 10, 3, 141.0),  # factor 4.7, no tiers
        ("7814", "oxymorphone", 10, 2, 60.0),
        ("787390", "tapentadol", 100, 2, 80.0),
        ("10689", "tramadol", 50, 4, 40.0),  # factor 0.2
        ("2670", "codeine", 30, 4, 18.0),
    ],
)
def test_cdc_2022_clinical_factor_of_each_opioid(rxcui, name, dose, per_day, expected):
    doc = mme(opioid(rxcui, name, dose=dose, frequency=per_day, period=1, period_unit="d"))
    assert doc["mme_per_day"] == expected
    assert doc["mme_items"][0]["drug"] == name


def test_factors_are_knowledge_data_from_the_2022_table():
    factors = {k: [f.factor for f in v] for k, v in KB.opioid_factors.items()}
    assert factors["hydromorphone"] == [5]
    assert factors["methadone"] == [4.7]
    assert factors["tramadol"] == [0.2]
    assert factors["buprenorphine"] == [None]


def test_no_opioid_gives_zero_mme():
    doc = mme(med_statement("5640", "ibuprofen", start=ago(days=5)))
    assert (doc["mme_per_day"], doc["mme_items"], doc["mme_incomplete"]) == (0.0, [], False)


# ------------------------------------------------------------------------ doses per day


def test_tablet_strength_is_read_from_the_normalized_name():
    doc = mme(
        opioid(
            "856999",
            "Hydrocodone Bitartrate 10 MG / Acetaminophen 325 MG Oral Tablet",
            dose=1,
            unit="tablet",
            frequency=1,
            period=6,
            period_unit="h",
            id="norco",
        )
    )
    assert doc["mme_items"] == [
        {
            "drug": "hydrocodone",
            "mme_per_day": 40.0,
            "reason": None,
            "evidence": "MedicationRequest/norco",
        }
    ]


def test_oral_solution_strength_per_ml_is_read_from_the_name():
    doc = mme(
        opioid(
            "1049611",
            "oxycodone hydrochloride 5 MG/ML Oral Solution",
            dose=2,
            unit="mL",
            frequency=4,
            period=1,
            period_unit="d",
        )
    )
    assert doc["mme_per_day"] == 60.0


def test_dose_in_micrograms_is_converted_to_milligrams():
    doc = mme(
        opioid(
            "3423", "hydromorphone", dose=2000, unit="ug", frequency=6, period=1, period_unit="d"
        )
    )
    assert doc["mme_per_day"] == 60.0


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("QD", 15.0),
        ("BID", 30.0),
        ("TID", 45.0),
        ("QID", 60.0),
        ("Q4H", 90.0),
        ("Q6H", 60.0),
        ("Q8H", 45.0),
        ("Q12H", 30.0),
    ],
)
def test_timing_code_gives_the_doses_per_day(code, expected):
    assert total(opioid("7052", "morphine", dose=15, timing_code=code)) == expected


def test_time_of_day_entries_count_as_doses():
    assert (
        total(opioid("7052", "morphine", dose=10, time_of_day=["08:00:00", "14:00:00", "20:00:00"]))
        == 30.0
    )


def test_frequency_per_period_in_hours_and_weeks():
    assert (
        total(opioid("7052", "morphine", dose=10, frequency=1, period=8, period_unit="h")) == 30.0
    )
    assert (
        total(opioid("7052", "morphine", dose=70, frequency=1, period=1, period_unit="wk")) == 10.0
    )


def test_as_needed_order_counts_at_frequency_max():
    doc = mme(
        opioid(
            "7804",
            "oxycodone",
            dose=5,
            frequency=1,
            frequency_max=3,
            period=1,
            period_unit="d",
            as_needed=True,
        )
    )
    assert doc["mme_per_day"] == 22.5


def test_as_needed_order_counts_at_the_high_end_of_the_dose_range():
    doc = mme(
        opioid(
            "1049621",
            "oxycodone hydrochloride 5 MG Oral Tablet",
            dose=1,
            dose_high=2,
            unit="tablet",
            frequency=1,
            period=6,
            period_unit="h",
            as_needed=True,
        )
    )
    assert doc["mme_per_day"] == 60.0  # 2 tablets x 5 mg x 4 a day x 1.5


def test_dosages_of_the_same_sequence_add_up():
    doc = mme(
        opioid(
            "7052",
            "morphine",
            dosages=[
                dosage(10, time_of_day=["08:00:00"], sequence=1),
                dosage(20, time_of_day=["20:00:00"], sequence=1),
            ],
        )
    )
    assert doc["mme_per_day"] == 30.0


def test_dosages_without_sequence_add_up():
    doc = mme(
        opioid(
            "7052", "morphine", dosages=[dosage(10, timing_code="QD"), dosage(20, timing_code="QD")]
        )
    )
    assert doc["mme_per_day"] == 30.0


def test_across_sequences_the_one_whose_bounds_cover_as_of_counts():
    taper = [
        dosage(20, timing_code="BID", sequence=1, bounds=(ago(days=30), ago(days=11))),
        dosage(10, timing_code="BID", sequence=2, bounds=(ago(days=10), ago(days=-20))),
        dosage(5, timing_code="BID", sequence=3, bounds=(ago(days=-21), ago(days=-40))),
    ]
    assert total(opioid("7052", "morphine", dosages=taper)) == 20.0


def test_across_sequences_the_first_step_counts_while_its_bounds_cover_as_of():
    taper = [
        dosage(20, timing_code="BID", sequence=1, bounds=(ago(days=5), ago(days=-5))),
        dosage(10, timing_code="BID", sequence=2, bounds=(ago(days=-6), ago(days=-20))),
    ]
    assert total(opioid("7052", "morphine", dosages=taper)) == 40.0


def test_across_sequences_without_covering_bounds_the_highest_sequence_counts():
    steps = [dosage(20, timing_code="BID", sequence=1), dosage(10, timing_code="BID", sequence=2)]
    assert total(opioid("7052", "morphine", dosages=steps)) == 20.0


# ---------------------------------------------------------------------------- fentanyl


def test_fentanyl_patch_dose_in_mcg_per_hour():
    doc = mme(
        opioid("4337", "fentanyl", dose=25, unit="ug/h", frequency=1, period=72, period_unit="h")
    )
    assert doc["mme_per_day"] == 60.0


def test_fentanyl_patch_product_in_patches():
    doc = mme(
        opioid(
            "197696",
            "72 HR Fentanyl 0.075 MG/HR Transdermal System",
            dose=1,
            unit="patch",
            frequency=1,
            period=3,
            period_unit="d",
        )
    )
    assert doc["mme_per_day"] == 180.0


def test_transdermal_fentanyl_known_by_the_word_in_its_name():
    doc = mme(
        opioid(
            "245134",
            "72 HR Fentanyl 0.025 MG/HR Transdermal System",
            dose=1,
            unit="patch",
            frequency=1,
            period=72,
            period_unit="h",
        )
    )
    assert doc["mme_per_day"] == 60.0


def test_buccal_fentanyl_has_no_factor():
    doc = mme(
        opioid(
            "4337", "fentanyl buccal", dose=100, unit="ug", frequency=4, period=1, period_unit="d"
        )
    )
    item = doc["mme_items"][0]
    assert item["mme_per_day"] is None
    assert "no factor" in item["reason"]
    assert doc["mme_incomplete"] is True


# ------------------------------------------------------------------- incomplete items


def test_buprenorphine_is_listed_without_mme_and_makes_the_total_incomplete():
    doc = mme(
        condition("M54.16", onset=ago(months=6)),
        opioid("1819", "buprenorphine", dose=8, frequency=2, period=1, period_unit="d", id="bup"),
        opioid("7804", "oxycodone", dose=10, frequency=4, period=1, period_unit="d"),
    )
    assert doc["mme_incomplete"] is True
    assert doc["mme_per_day"] == 60.0
    bup = next(i for i in doc["mme_items"] if i["drug"] == "buprenorphine")
    assert bup == {
        "drug": "buprenorphine",
        "mme_per_day": None,
        "reason": (
            "buprenorphine is a partial agonist and has no factor in the CDC 2022 clinical table"
        ),
        "evidence": "MedicationRequest/bup",
    }
    lines = option(doc, "esi-caudal")["rationale"]
    assert "Opioid dose is at least 60 MME/day; not computed for buprenorphine." in lines
    assert any("at least 60 MME/day (50 or more)" in line for line in lines)


@pytest.mark.parametrize(("rxcui", "name"), [("6754", "meperidine"), ("6378", "levorphanol")])
def test_opioids_absent_from_the_2022_table_have_no_mme(rxcui, name):
    doc = mme(opioid(rxcui, name, dose=50, frequency=4, period=1, period_unit="d"))
    assert doc["mme_items"][0]["mme_per_day"] is None
    assert doc["mme_incomplete"] is True


def test_opioid_without_a_dose_is_listed_with_a_reason():
    doc = mme(opioid("7804", "oxycodone", frequency=2, period=1, period_unit="d", id="o"))
    assert doc["mme_items"] == [
        {
            "drug": "oxycodone",
            "mme_per_day": None,
            "reason": "dose not given; MME not computed",
            "evidence": "MedicationRequest/o",
        }
    ]
    assert doc["mme_incomplete"] is True
    assert doc["mme_per_day"] == 0.0


def test_opioid_without_a_frequency_is_not_guessed():
    doc = mme(opioid("7804", "oxycodone", dose=10))
    assert doc["mme_items"][0]["mme_per_day"] is None
    assert "frequency" in doc["mme_items"][0]["reason"]


def test_tablet_count_without_a_strength_in_the_name_is_not_guessed():
    doc = mme(
        opioid("7804", "oxycodone", dose=1, unit="tablet", frequency=2, period=1, period_unit="d")
    )
    assert doc["mme_items"][0]["mme_per_day"] is None


def test_opioid_without_dosage_instructions_is_incomplete():
    doc = mme(med_statement("7804", "oxycodone", start=ago(days=20)))
    assert doc["mme_items"][0]["mme_per_day"] is None
    assert doc["mme_items"][0]["reason"] == "no dosage instructions; MME not computed"


# ------------------------------------------------------------------- totals and rounding


def test_each_item_is_rounded_to_one_decimal_before_the_sum():
    # codeine 1 mg/day x 0.15 = 0.15 -> 0.1 each: the total is 0.2, not round(0.3, 1).
    doc = mme(
        opioid("2670", "codeine", dose=1, timing_code="QD", id="c1"),
        opioid("2670", "codeine", dose=1, timing_code="QD", id="c2"),
    )
    assert [i["mme_per_day"] for i in doc["mme_items"]] == [0.1, 0.1]
    assert doc["mme_per_day"] == 0.2


def test_each_active_order_is_its_own_item():
    doc = mme(
        opioid("7804", "oxycodone", dose=10, timing_code="BID", id="o1"),
        med_statement("7052", "morphine", start=ago(days=40), dose=15, timing_code="BID", id="m1"),
    )
    assert [(i["drug"], i["mme_per_day"], i["evidence"]) for i in doc["mme_items"]] == [
        ("oxycodone", 30.0, "MedicationRequest/o1"),
        ("morphine", 30.0, "MedicationStatement/m1"),
    ]
    assert doc["mme_per_day"] == 60.0


def test_inactive_orders_do_not_count():
    doc = mme(
        opioid("7804", "oxycodone", dose=10, timing_code="BID", authored=ago(days=91)),
        opioid("7804", "oxycodone", dose=10, timing_code="BID", status="completed"),
        opioid(
            "7804", "oxycodone", dose=10, timing_code="BID", validity=(ago(days=60), ago(days=1))
        ),
        opioid("7804", "oxycodone", dose=10, timing_code="BID", authored=ago(days=-1)),
        med_statement(
            "7052", "morphine", start=ago(days=60), end=ago(days=1), dose=15, timing_code="BID"
        ),
    )
    assert (doc["mme_per_day"], doc["mme_items"]) == (0.0, [])


def test_order_referencing_a_medication_resource():
    doc = mme(
        medication("7804", "oxycodone", id="oxy"),
        opioid(None, None, medication_reference="Medication/oxy", dose=10, timing_code="BID"),
    )
    assert doc["mme_per_day"] == 30.0


def test_order_with_a_contained_medication():
    order = opioid(None, None, medication_reference="#m", dose=15, timing_code="BID")
    order["contained"] = [medication("7052", "morphine", id="m")]
    assert total(order) == 30.0


def test_compute_mme_directly_on_the_context():
    ctx = context(opioid("7804", "oxycodone", dose=10, timing_code="BID", id="o"))
    result = compute_mme(ctx)
    assert (result.total, result.incomplete) == (30.0, False)
    assert [(i.drug, i.mme_per_day, i.evidence) for i in result.items] == [
        ("oxycodone", 30.0, "MedicationRequest/o")
    ]


# ---------------------------------------------------------------------- rationale flags


def rationale_lines(*resources):
    doc = mme(condition("M54.16", onset=ago(months=6)), *resources)
    return doc, option(doc, "esi-caudal")["rationale"]


def test_below_50_mme_adds_no_dose_line():
    doc, lines = rationale_lines(opioid("7804", "oxycodone", dose=16.6, timing_code="BID"))
    assert doc["mme_per_day"] == 49.8
    assert not any("MME/day" in line for line in lines)


def test_exactly_50_mme_adds_the_reassess_line():
    doc, lines = rationale_lines(opioid("7052", "morphine", dose=25, timing_code="BID"))
    assert doc["mme_per_day"] == 50.0
    assert (
        "Opioids 50 MME/day (50 or more): reassess benefits and risks; an interventional option "
        "may help reduce it." in lines
    )
    assert "cdc-opioid-2022" in {c["id"] for c in doc["citations"]}


def test_90_mme_adds_the_high_dose_line_instead():
    doc, lines = rationale_lines(opioid("7052", "morphine", dose=45, timing_code="BID"))
    assert doc["mme_per_day"] == 90.0
    assert (
        "Opioids 90 MME/day (90 or more): high dose; an interventional option may help reduce it."
        in lines
    )
    assert not any("reassess" in line for line in lines)


def test_compute_mme_on_a_past_date():
    order = opioid("7052", "morphine", dose=15, timing_code="BID", authored="2025-01-10")
    assert mme(order, as_of=date(2025, 2, 1))["mme_per_day"] == 30.0
    assert mme(order, as_of=date(2025, 1, 9))["mme_per_day"] == 0.0


def test_statement_with_only_an_effective_date_counts_for_90_days():
    def stmt(back):
        return med_statement(
            "7052", "morphine", effective=ago(days=back), dose=15, timing_code="BID"
        )

    assert total(stmt(90)) == 30.0
    assert total(stmt(91)) == 0.0


def test_statement_with_an_open_period_stays_active():
    order = med_statement("7052", "morphine", start=ago(days=400), dose=15, timing_code="BID")
    assert total(order) == 30.0
