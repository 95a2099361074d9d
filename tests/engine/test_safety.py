"""Safety (decision-rules §5): antithrombotic holds by bleeding-risk class, and the other checks."""

from __future__ import annotations

from dataclasses import replace

import pytest

import painpath
from builders import AS_OF, ago, allergy, bundle, condition, med_request, med_statement

from ._support import KB, assert_valid, option, run, safety

# One record, three bleeding-risk classes: post-laminectomy syndrome is an ESI option
# (intermediate) and an SCS option (high); lumbar facet arthropathy a facet option (low).
CLASS_OPTION = {
    "high": "scs-trial",
    "intermediate": "esi-transforaminal-lumbar",
    "low": "facet-mbb-lumbar",
}
BASE = (
    condition("M96.1", onset=ago(months=24)),
    condition("M47.816", onset=ago(months=24)),
    med_statement("161", "acetaminophen", start=ago(months=20)),
)
CONFIRM = "confirm with the prescriber and the guideline"


def test_the_base_record_has_the_three_risk_classes():
    for risk, pid in CLASS_OPTION.items():
        assert KB.procedures[pid].bleeding_risk.value == risk
    doc = run(*BASE)
    for pid in CLASS_OPTION.values():
        assert safety(doc, pid) == []


def on(drug_rxcui, display, **kw):
    return med_statement(drug_rxcui, display, start=ago(days=30), id="drug", **kw)


def finding(doc, risk, drug):
    found = safety(doc, CLASS_OPTION[risk], drug)
    assert len(found) == 1, found
    return found[0]


def summary(f):
    return (f["severity"], f["hold_days_before"], f["restart_hours_after"])


# (ingredient, rxcui, {risk: (severity, hold_days_before, restart_hours_after)})
HOLDS = [
    (
        "ibuprofen",
        "5640",
        {"high": ("warning", 1, 24), "intermediate": ("info", 0, 24), "low": ("info", 0, 24)},
    ),
    (
        "diclofenac",
        "3355",
        {"high": ("warning", 1, 24), "intermediate": ("info", 0, 24), "low": ("info", 0, 24)},
    ),
    (
        "ketorolac",
        "35827",
        {"high": ("warning", 1, 24), "intermediate": ("info", 0, 24), "low": ("info", 0, 24)},
    ),
    (
        "etodolac",
        "4179",
        {"high": ("warning", 2, 24), "intermediate": ("info", 0, 24), "low": ("info", 0, 24)},
    ),
    (
        "indomethacin",
        "5781",
        {"high": ("warning", 2, 24), "intermediate": ("info", 0, 24), "low": ("info", 0, 24)},
    ),
    (
        "naproxen",
        "7258",
        {"high": ("warning", 4, 24), "intermediate": ("info", 0, 24), "low": ("info", 0, 24)},
    ),
    (
        "meloxicam",
        "41493",
        {"high": ("warning", 4, 24), "intermediate": ("info", 0, 24), "low": ("info", 0, 24)},
    ),
    (
        "nabumetone",
        "31448",
        {"high": ("warning", 6, 24), "intermediate": ("info", 0, 24), "low": ("info", 0, 24)},
    ),
    (
        "oxaprozin",
        "32613",
        {"high": ("warning", 10, 24), "intermediate": ("info", 0, 24), "low": ("info", 0, 24)},
    ),
    (
        "piroxicam",
        "8356",
        {"high": ("warning", 10, 24), "intermediate": ("info", 0, 24), "low": ("info", 0, 24)},
    ),
    (
        "celecoxib",
        "140587",
        {"high": ("warning", None, 24), "intermediate": ("info", 0, 24), "low": ("info", 0, 24)},
    ),
    (
        "cilostazol",
        "21107",
        {"high": ("warning", 2, 24), "intermediate": ("info", 0, 24), "low": ("info", 0, 24)},
    ),
    (
        "dipyridamole",
        "3521",
        {"high": ("warning", 2, None), "intermediate": ("info", 0, None), "low": ("info", 0, None)},
    ),
    (
        "warfarin",
        "11289",
        {"high": ("warning", 5, 6), "intermediate": ("warning", 5, 6), "low": ("warning", 0, 6)},
    ),
    (
        "acenocoumarol",
        "154",
        {"high": ("warning", 3, 24), "intermediate": ("warning", 3, 24), "low": ("warning", 0, 24)},
    ),
    (
        "dalteparin",
        "67109",
        {"high": ("warning", 1, 24), "intermediate": ("warning", 1, 24), "low": ("warning", 1, 4)},
    ),
    (
        "fondaparinux",
        "321208",
        {
            "high": ("warning", 4, 24),
            "intermediate": ("warning", 4, 24),
            "low": ("warning", None, 6),
        },
    ),
]
UNVERIFIED = [
    ("clopidogrel", "32968"),
    ("prasugrel", "613391"),
    ("ticagrelor", "1116632"),
    ("dabigatran", "1546356"),
    ("rivaroxaban", "1114195"),
    ("apixaban", "1364430"),
    ("edoxaban", "1599538"),
]


@pytest.mark.parametrize(("drug", "rxcui", "expected"), HOLDS, ids=[h[0] for h in HOLDS])
def test_hold_of_each_antithrombotic_row_for_each_risk_class(drug, rxcui, expected):
    doc = run(*BASE, on(rxcui, drug))
    for risk, want in expected.items():
        f = finding(doc, risk, drug)
        assert summary(f) == want, risk
        assert f["verified"] is True
        assert f["evidence"] == ["MedicationStatement/drug"]
        assert f["citation"] in KB.sources


@pytest.mark.parametrize(("drug", "rxcui"), UNVERIFIED, ids=[u[0] for u in UNVERIFIED])
def test_unverified_rows_give_no_number_and_ask_to_confirm(drug, rxcui):
    doc = run(*BASE, on(rxcui, drug))
    for risk in CLASS_OPTION:
        f = finding(doc, risk, drug)
        assert summary(f) == ("warning", None, None)
        assert f["verified"] is False
        assert CONFIRM in f["message"]


def test_every_antithrombotic_row_of_the_knowledge_base_is_tested():
    tested = {h[0] for h in HOLDS if h[0] != "celecoxib"} | {u[0] for u in UNVERIFIED}
    tested |= {"aspirin", "heparin", "enoxaparin", "nsaid"}  # nsaid: tested through celecoxib
    assert set(KB.antithrombotics) == tested


def test_number_cell_message_gives_hold_words_and_restart():
    doc = run(*BASE, on("11289", "warfarin"))
    assert finding(doc, "intermediate", "warfarin")["message"] == (
        "Hold warfarin 5 days before the procedure and check that the INR is normal before the "
        "procedure; restart 6 hours after (intermediate-risk procedure)."
    )
    assert finding(doc, "intermediate", "warfarin")["id"] == "antithrombotic-hold"


def test_warfarin_at_low_risk_is_do_not_stop_shared_decision():
    f = finding(run(*BASE, on("11289", "warfarin")), "low", "warfarin")
    assert summary(f) == ("warning", 0, 6)
    assert "shared decision" in f["message"]
    assert "usually continued for low-risk procedures" in f["message"]


def test_do_not_stop_cell_is_info_with_zero_hold():
    f = finding(run(*BASE, on("7258", "naproxen")), "low", "naproxen")
    assert f["id"] == "antithrombotic-continue"
    assert f["message"].startswith("Continue naproxen")


def test_nsaid_without_its_own_row_at_high_risk_says_5_half_lives():
    f = finding(run(*BASE, on("140587", "celecoxib")), "high", "celecoxib")
    assert summary(f) == ("warning", None, 24)
    assert "5 half-lives" in f["message"]


def test_fondaparinux_at_low_risk_is_a_shared_decision():
    f = finding(run(*BASE, on("321208", "fondaparinux")), "low", "fondaparinux")
    assert "shared decision" in f["message"]
    assert f["id"] == "antithrombotic-decision"


def test_hours_are_given_as_fractions_of_a_day():
    doc = run(*BASE, on("5224", "heparin", route="iv"))
    f = finding(doc, "high", "heparin")
    assert f["hold_days_before"] == 0.25
    assert "Hold heparin 6 hours before the procedure" in f["message"]


# ------------------------------------------------------------------------------ aspirin


def aspirin(**kw):
    return med_request("1191", "aspirin 81 MG Oral Tablet", authored=ago(days=20), id="asa", **kw)


@pytest.mark.parametrize(
    "reason", ["I25.10", "I21.4", "I63.9", "I70.0", "Z95.1", "Z95.5", "Z86.73"]
)
def test_aspirin_for_secondary_prevention_follows_the_secondary_row(reason):
    doc = run(*BASE, aspirin(reason_codes=[reason]))
    assert summary(finding(doc, "high", "aspirin")) == ("warning", None, 24)
    assert "secondary prevention" in finding(doc, "high", "aspirin")["message"]
    assert summary(finding(doc, "intermediate", "aspirin")) == ("warning", None, 24)
    assert summary(finding(doc, "low", "aspirin")) == ("info", 0, 24)


def test_aspirin_for_a_coded_non_cardiac_reason_follows_the_primary_row():
    doc = run(*BASE, aspirin(reason_codes=["E78.5"]))
    assert summary(finding(doc, "high", "aspirin")) == ("warning", 6, 24)
    assert summary(finding(doc, "intermediate", "aspirin")) == ("warning", None, 24)
    assert "primary prevention" in finding(doc, "intermediate", "aspirin")["message"]
    assert summary(finding(doc, "low", "aspirin")) == ("info", 0, 24)


def test_aspirin_without_a_reason_follows_the_secondary_row():
    doc = run(*BASE, aspirin())
    assert summary(finding(doc, "high", "aspirin")) == ("warning", None, 24)


def test_aspirin_with_a_text_only_reason_follows_the_secondary_row():
    doc = run(*BASE, aspirin(reason_text="heart protection"))
    assert summary(finding(doc, "high", "aspirin")) == ("warning", None, 24)


def test_aspirin_with_one_secondary_reason_among_others_is_secondary():
    doc = run(*BASE, aspirin(reason_codes=["E78.5", "Z95.5"]))
    assert summary(finding(doc, "high", "aspirin")) == ("warning", None, 24)


def test_aspirin_reason_reference_to_a_primary_condition_is_primary():
    doc = run(
        *BASE,
        condition("E78.5", onset=ago(months=30), id="lipids"),
        aspirin(reason_refs=["Condition/lipids"]),
    )
    assert summary(finding(doc, "high", "aspirin")) == ("warning", 6, 24)


def test_aspirin_reason_reference_to_a_stent_is_secondary():
    doc = run(
        *BASE,
        condition("Z95.5", onset=ago(months=30), id="stent"),
        aspirin(reason_refs=["Condition/stent"]),
    )
    assert summary(finding(doc, "high", "aspirin")) == ("warning", None, 24)


def test_aspirin_unresolvable_reason_reference_is_secondary():
    doc = run(*BASE, aspirin(reason_refs=["Condition/not-here"]))
    assert summary(finding(doc, "high", "aspirin")) == ("warning", None, 24)


def test_aspirin_snomed_reason_is_mapped_before_the_row_is_chosen():
    coronary = run(*BASE, aspirin(reason_codes=[("http://snomed.info/sct", "53741008")]))
    lipids = run(*BASE, aspirin(reason_codes=[("http://snomed.info/sct", "55822004")]))
    assert summary(finding(coronary, "high", "aspirin")) == ("warning", None, 24)
    assert summary(finding(lipids, "high", "aspirin")) == ("warning", 6, 24)


def test_aspirin_reason_code_without_a_dot_is_read_like_a_condition_code():
    doc = run(*BASE, aspirin(reason_codes=["Z955"]))
    assert summary(finding(doc, "high", "aspirin")) == ("warning", None, 24)


# ----------------------------------------------------------------- heparin and enoxaparin


@pytest.mark.parametrize(
    ("route", "expected"),
    [
        (
            "iv",
            {
                "high": ("warning", 0.25, 2),
                "intermediate": ("warning", 0.25, 2),
                "low": ("warning", 0.25, 2),
            },
        ),
        (
            "sc",
            {
                "high": ("warning", 1, 6),
                "intermediate": ("warning", 0.25, 2),
                "low": ("warning", 0.25, 2),
            },
        ),
    ],
)
def test_heparin_row_follows_the_route(route, expected):
    doc = run(*BASE, on("5224", "heparin", route=route, dose=5000, unit="[iU]", frequency=2))
    for risk, want in expected.items():
        assert summary(finding(doc, risk, "heparin")) == want


def test_heparin_without_a_route_asks_to_confirm():
    doc = run(*BASE, on("5224", "heparin"))
    for risk in CLASS_OPTION:
        f = finding(doc, risk, "heparin")
        assert f["severity"] == "warning"
        assert f["hold_days_before"] is None
        assert CONFIRM in f["message"]


def test_heparin_with_an_unknown_route_code_asks_to_confirm():
    doc = run(*BASE, on("5224", "heparin", route="26643006"))  # oral: not a heparin row
    assert finding(doc, "high", "heparin")["hold_days_before"] is None


def enoxaparin(**kw):
    return med_request("67108", "enoxaparin", authored=ago(days=5), id="lmwh", **kw)


def test_enoxaparin_40_mg_a_day_is_prophylactic():
    doc = run(*BASE, enoxaparin(dose=40, frequency=1, period=1, period_unit="d"))
    assert summary(finding(doc, "high", "enoxaparin")) == ("warning", 0.5, 24)
    assert summary(finding(doc, "low", "enoxaparin")) == ("warning", 0.5, 4)


def test_enoxaparin_80_mg_a_day_is_therapeutic():
    doc = run(*BASE, enoxaparin(dose=40, frequency=2, period=1, period_unit="d"))
    assert summary(finding(doc, "high", "enoxaparin")) == ("warning", 1, 24)
    assert summary(finding(doc, "intermediate", "enoxaparin")) == ("warning", 1, 24)
    assert summary(finding(doc, "low", "enoxaparin")) == ("warning", 1, 4)


def test_enoxaparin_with_an_unreadable_dose_is_therapeutic():
    doc = run(*BASE, enoxaparin())
    assert summary(finding(doc, "high", "enoxaparin")) == ("warning", 1, 24)


# -------------------------------------------------------------------- which drugs count


@pytest.mark.parametrize(
    ("rxcui", "name"),
    [
        ("36437", "sertraline"),
        ("4493", "fluoxetine"),
        ("72625", "duloxetine"),
        ("39998", "venlafaxine"),
    ],
)
def test_ssris_and_snris_give_no_finding(rxcui, name):
    doc = run(*BASE, on(rxcui, name))
    for pid in CLASS_OPTION.values():
        assert safety(doc, pid) == []


def test_completed_medication_gives_no_finding():
    doc = run(*BASE, med_statement("11289", "warfarin", start=ago(months=6), end=ago(days=2)))
    assert safety(doc, "scs-trial") == []


def test_medication_statement_not_active_gives_no_finding():
    doc = run(*BASE, on("11289", "warfarin", status="completed"))
    assert safety(doc, "scs-trial") == []


def test_request_without_validity_older_than_90_days_is_not_active():
    old = run(*BASE, med_request("11289", "warfarin", authored=ago(days=91)))
    recent = run(*BASE, med_request("11289", "warfarin", authored=ago(days=90)))
    assert safety(old, "scs-trial") == []
    assert len(safety(recent, "scs-trial")) == 1


def test_request_whose_validity_ended_is_not_active():
    doc = run(
        *BASE,
        med_request(
            "11289", "warfarin", authored=ago(days=60), validity=(ago(days=60), ago(days=1))
        ),
    )
    assert safety(doc, "scs-trial") == []


def test_request_with_open_validity_stays_active():
    doc = run(
        *BASE,
        med_request("11289", "warfarin", authored=ago(days=400), validity=(ago(days=400), None)),
    )
    assert len(safety(doc, "scs-trial", "warfarin")) == 1


def test_stopped_request_is_not_active():
    doc = run(*BASE, med_request("11289", "warfarin", authored=ago(days=10), status="stopped"))
    assert safety(doc, "scs-trial") == []


def test_drug_is_the_ingredient_name_never_the_display():
    doc = run(*BASE, on("11289", "COUMADIN 5 MG TABLET (Brand X)"))
    assert [f["drug"] for f in safety(doc, "scs-trial")] == ["warfarin"]


def test_product_named_by_its_normalized_name_is_recognised():
    doc = run(*BASE, on("855332", "Warfarin Sodium 5 MG Oral Tablet"))
    assert summary(finding(doc, "high", "warfarin")) == ("warning", 5, 6)


def test_one_finding_per_drug_per_option():
    doc = run(
        *BASE,
        med_statement("11289", "warfarin", start=ago(days=30), id="w1"),
        med_request("11289", "warfarin", authored=ago(days=10), id="w2"),
    )
    assert len(safety(doc, "scs-trial", "warfarin")) == 1


def test_two_drugs_give_two_findings():
    doc = run(
        *BASE, on("11289", "warfarin"), med_statement("32968", "clopidogrel", start=ago(days=9))
    )
    assert sorted(f["drug"] for f in safety(doc, "scs-trial")) == ["clopidogrel", "warfarin"]


# ------------------------------------------------------------------------ other checks


def options_with(doc, check):
    return sorted(
        o["procedure"] for o in doc["options"] if any(s["id"] == check for s in o["safety"])
    )


ALL = (
    condition("M96.1", onset=ago(months=24)),
    condition("M47.816", onset=ago(months=24)),
    condition("M47.812", onset=ago(months=24)),
    condition("M46.1", onset=ago(months=24)),
    condition("M17.11", onset=ago(months=24)),
    condition("M16.11", onset=ago(months=24)),
    condition("M19.011", onset=ago(months=24)),
    condition("M79.18", onset=ago(months=24)),
    condition("M54.81", onset=ago(months=24)),
    condition("G90.511", onset=ago(months=24)),
    condition("G90.521", onset=ago(months=24)),
    condition("G89.3", onset=ago(months=2)),
    med_statement("161", "acetaminophen", start=ago(months=20)),
)
FLUORO_ONLY = [
    "block-celiac-plexus",
    "block-lumbar-sympathetic",
    "esi-caudal",
    "esi-interlaminar-lumbar",
    "esi-transforaminal-lumbar",
    "facet-ia-lumbar",
    "facet-mbb-cervical",
    "facet-mbb-lumbar",
    "facet-rfa-cervical",
    "facet-rfa-lumbar",
    "scs-implant",
    "scs-trial",
]
ULTRASOUND_CAPABLE = [
    "block-occipital",
    "block-peripheral",
    "block-stellate-ganglion",
    "joint-injection-hip",
    "joint-injection-knee",
    "joint-injection-shoulder",
    "si-joint-injection",
    "trigger-point-injection",
]


def test_the_record_of_all_procedures_lists_every_procedure():
    doc = run(*ALL)
    assert sorted(o["procedure"] for o in doc["options"]) == sorted(
        FLUORO_ONLY + ULTRASOUND_CAPABLE
    )


@pytest.mark.parametrize("code", ["Z33.1", "Z34.90", "Z3A.20", "O09.90", "O26.891"])
def test_pregnancy_stops_fluoroscopy_procedures_and_warns_for_ultrasound_capable_ones(code):
    doc = run(*ALL, condition(code, onset=ago(months=2), id="preg"))
    assert options_with(doc, "pregnancy-fluoroscopy") == FLUORO_ONLY
    assert options_with(doc, "pregnancy-ultrasound") == ULTRASOUND_CAPABLE
    for pid in FLUORO_ONLY:
        f = next(s for s in safety(doc, pid) if s["id"] == "pregnancy-fluoroscopy")
        assert f["severity"] == "stop"
        assert f["evidence"] == ["Condition/preg"]
        assert option(doc, pid)["indicated"] is False
    for pid in ULTRASOUND_CAPABLE:
        f = next(s for s in safety(doc, pid) if s["id"] == "pregnancy-ultrasound")
        assert f["severity"] == "warning"
        assert option(doc, pid)["indicated"] is True


def test_resolved_pregnancy_gives_no_finding():
    doc = run(*ALL, condition("Z34.90", onset=ago(months=14), status="resolved"))
    assert options_with(doc, "pregnancy-fluoroscopy") == []


@pytest.mark.parametrize("code", ["A41.9", "A40.0", "R65.20", "R65.21"])
def test_systemic_infection_stops_every_procedure(code):
    doc = run(*ALL, condition(code, onset=ago(days=3)))
    assert doc["status"] == "refer-interventional"
    for opt in doc["options"]:
        stop = [s for s in opt["safety"] if s["id"] == "systemic-infection"]
        assert [s["severity"] for s in stop] == ["stop"]
        assert opt["indicated"] is False
        assert any(
            line.startswith("Not now: Active systemic infection") for line in opt["rationale"]
        )


CONTRAST = sorted(pid for pid, p in KB.procedures.items() if p.uses_contrast)


def test_contrast_procedures_are_the_expected_ones():
    assert CONTRAST == [
        "block-celiac-plexus",
        "block-lumbar-sympathetic",
        "block-stellate-ganglion",
        "esi-caudal",
        "esi-interlaminar-cervical",
        "esi-interlaminar-lumbar",
        "esi-transforaminal-cervical",
        "esi-transforaminal-lumbar",
        "facet-ia-lumbar",
        "facet-mbb-cervical",
        "facet-mbb-lumbar",
        "joint-injection-hip",
        "si-joint-injection",
    ]


def test_coded_contrast_allergy_warns_only_for_contrast_procedures():
    doc = run(*ALL, allergy("293637006", id="contrast"))
    listed = [p for p in CONTRAST if p in {o["procedure"] for o in doc["options"]}]
    assert options_with(doc, "contrast-allergy") == listed
    f = next(s for s in safety(doc, "esi-caudal") if s["id"] == "contrast-allergy")
    assert (f["severity"], f["evidence"]) == ("warning", ["AllergyIntolerance/contrast"])
    assert option(doc, "esi-caudal")["indicated"] is True


@pytest.mark.parametrize(
    "text", ["Contrast media", "IV CONTRAST dye", "iodinated agents", "Iohexol"]
)
def test_contrast_allergy_by_text_warns(text):
    doc = run(*BASE, allergy(None, text=text))
    assert options_with(doc, "contrast-allergy") == [
        "esi-caudal",
        "esi-interlaminar-lumbar",
        "esi-transforaminal-lumbar",
        "facet-ia-lumbar",
        "facet-mbb-lumbar",
    ]


def test_contrast_allergy_by_display_warns():
    doc = run(*BASE, allergy("999000", display="Allergy to radiocontrast agent"))
    assert "esi-caudal" in options_with(doc, "contrast-allergy")


def test_other_or_inactive_allergies_give_no_contrast_warning():
    doc = run(
        *BASE,
        allergy("91936005", display="Allergy to penicillin"),
        allergy("293637006", status="resolved"),
        allergy("293637006", status="inactive"),
    )
    assert options_with(doc, "contrast-allergy") == []


def test_refuted_contrast_allergy_is_ignored():
    doc = run(
        *BASE, {**allergy("293637006"), "verificationStatus": {"coding": [{"code": "refuted"}]}}
    )
    assert options_with(doc, "contrast-allergy") == []


STEROID = sorted(pid for pid, p in KB.procedures.items() if p.steroid)


@pytest.mark.parametrize("code", ["E11.9", "E10.9", "E08.9", "E13.9", "E11.42"])
def test_diabetes_warns_on_glucose_for_steroid_procedures(code):
    doc = run(*ALL, condition(code, onset=ago(months=40)))
    listed = sorted(o["procedure"] for o in doc["options"] if o["procedure"] in STEROID)
    assert options_with(doc, "diabetes-steroid") == listed
    assert "facet-mbb-lumbar" not in listed and "scs-trial" not in listed
    f = next(s for s in safety(doc, "esi-caudal") if s["id"] == "diabetes-steroid")
    assert f["severity"] == "warning"
    assert "glucose" in f["message"]


def test_findings_are_ordered_stop_warning_info():
    doc = run(
        *BASE,
        condition("A41.9", onset=ago(days=3)),
        condition("E11.9", onset=ago(months=40)),
        on("7258", "naproxen"),
    )
    severities = [s["severity"] for s in safety(doc, "esi-transforaminal-lumbar")]
    assert severities == ["stop", "warning", "info"]


def test_warning_and_info_findings_do_not_stop_the_option():
    doc = run(*BASE, on("11289", "warfarin"))
    assert option(doc, "esi-transforaminal-lumbar")["indicated"] is True
    assert option(doc, "scs-trial")["indicated"] is True


def test_messages_use_an_before_intermediate():
    doc = run(*BASE, on("7258", "naproxen"), aspirin(reason_codes=["E78.5"]))
    messages = [f["message"] for f in safety(doc, "esi-transforaminal-lumbar")]
    assert any("an intermediate-risk procedure" in m for m in messages)
    assert not any(" a intermediate" in m for m in messages)


# --------------------------------------------------------------------- risk classes


@pytest.mark.parametrize(
    ("risk", "procedures"),
    [
        ("high", ["scs-implant", "scs-trial"]),
        (
            "intermediate",
            [
                "block-celiac-plexus",
                "block-lumbar-sympathetic",
                "block-stellate-ganglion",
                "esi-caudal",
                "esi-interlaminar-cervical",
                "esi-interlaminar-lumbar",
                "esi-transforaminal-cervical",
                "esi-transforaminal-lumbar",
                "facet-mbb-cervical",
                "facet-rfa-cervical",
            ],
        ),
        (
            "low",
            [
                "block-occipital",
                "block-peripheral",
                "facet-ia-lumbar",
                "facet-mbb-lumbar",
                "facet-rfa-lumbar",
                "joint-injection-hip",
                "joint-injection-knee",
                "joint-injection-shoulder",
                "si-joint-injection",
                "trigger-point-injection",
            ],
        ),
    ],
)
def test_bleeding_risk_class_of_each_procedure(risk, procedures):
    # clinical-facts §2.1: thoracolumbar facet moved to low in 2018, cervical facet stays
    # intermediate; §10: the SI joint injection is low.
    found = sorted(pid for pid, p in KB.procedures.items() if p.bleeding_risk.value == risk)
    assert found == procedures


def test_facet_ia_takes_the_risk_class_of_the_regions_facet_mbb():
    for pid, proc in KB.procedures.items():
        if pid.startswith("facet-ia-"):
            mbb = KB.procedures[pid.replace("facet-ia-", "facet-mbb-")]
            assert proc.bleeding_risk.value == mbb.bleeding_risk.value


def test_si_joint_injection_uses_the_low_risk_cells():
    doc = run(
        condition("M46.1", onset=ago(months=12)),
        med_statement("161", "acetaminophen", start=ago(months=10)),
        on("11289", "warfarin"),
    )
    f = safety(doc, "si-joint-injection", "warfarin")[0]
    assert summary(f) == ("warning", 0, 6)


def test_procedure_whose_risk_class_is_unverified_gives_no_number():
    proc = KB.procedures["esi-caudal"]
    risk = proc.bleeding_risk.model_copy(update={"tag": "unverified"})
    kb = replace(
        KB,
        procedures={**KB.procedures, "esi-caudal": proc.model_copy(update={"bleeding_risk": risk})},
    )
    doc = painpath.assess(bundle(*BASE, on("11289", "warfarin")), as_of=AS_OF, knowledge=kb)
    assert_valid(doc)
    f = safety(doc, "esi-caudal", "warfarin")[0]
    assert summary(f) == ("warning", None, None)
    assert f["verified"] is False
    assert CONFIRM in f["message"]
    # the other ESIs keep their verified intermediate-risk hold
    assert summary(safety(doc, "esi-transforaminal-lumbar", "warfarin")[0]) == ("warning", 5, 6)
