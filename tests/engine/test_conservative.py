"""Conservative care (decision-rules §2.3 and §7 "Conservative spans")."""

from __future__ import annotations

from datetime import date

import pytest

from builders import ago, condition, day, med_request, med_statement, procedure
from painpath.engine.conservative import Span, conservative_spans, count_days, weeks

from ._support import context, option, run

ONSET = ago(months=12)


def spans_of(*resources, as_of=None):
    kw = {} if as_of is None else {"as_of": as_of}
    return [
        (s.start, s.end, s.modality, s.evidence)
        for s in conservative_spans(context(*resources, **kw))
    ]


def span(start, end, modality="nsaid"):
    return Span(date.fromisoformat(start), date.fromisoformat(end), modality, "x/1")


# ---------------------------------------------------------------------- counting days


def test_count_days_is_inclusive_of_both_ends():
    assert count_days([span("2026-01-01", "2026-01-28")], date(2025, 1, 1), date(2026, 6, 1)) == 28


def test_count_days_counts_overlaps_once_and_joins_neighbours():
    spans = [
        span("2026-01-01", "2026-01-20"),
        span("2026-01-10", "2026-01-27"),
        span("2026-01-28", "2026-01-28"),
        span("2026-03-01", "2026-03-01"),
    ]
    assert count_days(spans, date(2025, 1, 1), date(2026, 6, 1)) == 29


def test_count_days_clips_to_the_window():
    spans = [span("2025-12-01", "2026-02-10")]
    assert count_days(spans, date(2026, 1, 1), date(2026, 1, 31)) == 31
    assert count_days(spans, date(2026, 2, 10), date(2026, 6, 1)) == 1
    assert count_days(spans, date(2026, 2, 11), date(2026, 6, 1)) == 0


def test_count_days_of_nothing_is_zero():
    assert count_days([], date(2025, 1, 1), date(2026, 1, 1)) == 0


def test_weeks_are_days_over_seven_unrounded():
    assert weeks(28) == 4.0
    assert weeks(27) == 27 / 7


# ------------------------------------------------------------------------------ spans


def test_statement_period_is_a_span():
    assert spans_of(
        med_statement("5640", "ibuprofen", start="2026-01-01", end="2026-02-01", id="s")
    ) == [(date(2026, 1, 1), date(2026, 2, 1), "nsaid", "MedicationStatement/s")]


def test_statement_without_end_runs_to_as_of():
    assert spans_of(med_statement("5640", "ibuprofen", start="2026-01-01", id="s")) == [
        (date(2026, 1, 1), date(2026, 6, 1), "nsaid", "MedicationStatement/s")
    ]


def test_statement_ending_after_as_of_is_clipped_to_as_of():
    assert spans_of(
        med_statement("5640", "ibuprofen", start="2026-05-01", end="2026-09-01", id="s")
    ) == [(date(2026, 5, 1), date(2026, 6, 1), "nsaid", "MedicationStatement/s")]


def test_statement_effective_date_time_is_one_day():
    assert spans_of(med_statement("5640", "ibuprofen", effective="2026-03-03", id="s")) == [
        (date(2026, 3, 3), date(2026, 3, 3), "nsaid", "MedicationStatement/s")
    ]


def test_request_runs_from_authored_to_the_end_of_its_validity():
    assert spans_of(
        med_request(
            "5640",
            "ibuprofen",
            authored="2026-01-05",
            validity=("2026-01-05", "2026-03-04"),
            id="r",
        )
    ) == [(date(2026, 1, 5), date(2026, 3, 4), "nsaid", "MedicationRequest/r")]


def test_request_validity_without_end_runs_to_as_of():
    assert spans_of(
        med_request(
            "5640", "ibuprofen", authored="2026-01-05", validity=("2026-01-05", None), id="r"
        )
    ) == [(date(2026, 1, 5), date(2026, 6, 1), "nsaid", "MedicationRequest/r")]


def test_active_request_without_validity_counts_90_days_from_authored():
    found = spans_of(med_request("5640", "ibuprofen", authored="2026-01-01", id="r"))
    assert found == [(date(2026, 1, 1), date(2026, 4, 1), "nsaid", "MedicationRequest/r")]


def test_active_request_without_validity_is_clipped_to_as_of():
    found = spans_of(med_request("5640", "ibuprofen", authored="2026-05-20", id="r"))
    assert found == [(date(2026, 5, 20), date(2026, 6, 1), "nsaid", "MedicationRequest/r")]


@pytest.mark.parametrize("status", ["completed", "stopped", "on-hold"])
def test_inactive_request_without_validity_is_one_day(status):
    found = spans_of(med_request("5640", "ibuprofen", authored="2026-02-02", status=status, id="r"))
    assert found == [(date(2026, 2, 2), date(2026, 2, 2), "nsaid", "MedicationRequest/r")]


@pytest.mark.parametrize("status", ["cancelled", "draft", "entered-in-error"])
def test_void_request_gives_no_span(status):
    assert spans_of(med_request("5640", "ibuprofen", authored="2026-02-02", status=status)) == []


def test_not_taken_statement_gives_no_span():
    assert (
        spans_of(med_statement("5640", "ibuprofen", start="2026-01-01", status="not-taken")) == []
    )


def test_medication_started_after_as_of_gives_no_span():
    assert spans_of(med_statement("5640", "ibuprofen", start="2026-06-02")) == []


@pytest.mark.parametrize(
    "cpt", ["97110", "97112", "97140", "97161", "97162", "97163", "97164", "97530"]
)
def test_physical_therapy_cpt_codes_are_conservative_care(cpt):
    found = spans_of(procedure(cpt, performed="2026-02-01", end="2026-03-31", id="pt"))
    assert found == [(date(2026, 2, 1), date(2026, 3, 31), "physical-therapy", "Procedure/pt")]


def test_physical_therapy_snomed_procedure_is_conservative_care():
    found = spans_of(procedure(None, performed="2026-02-01", snomed="91251008", id="pt"))
    assert found == [(date(2026, 2, 1), date(2026, 2, 1), "physical-therapy", "Procedure/pt")]


def test_physical_therapy_date_time_is_one_day():
    found = spans_of(procedure("97110", performed="2026-02-01T15:00:00Z", id="pt"))
    assert found == [(date(2026, 2, 1), date(2026, 2, 1), "physical-therapy", "Procedure/pt")]


def test_interventional_procedure_is_not_conservative_care():
    assert spans_of(procedure("64483", performed="2026-02-01")) == []


def test_not_done_physical_therapy_is_ignored():
    assert spans_of(procedure("97110", performed="2026-02-01", status="not-done")) == []


@pytest.mark.parametrize(
    ("rxcui", "display", "modality"),
    [
        ("5640", "ibuprofen", "nsaid"),
        ("7258", "naproxen", "nsaid"),
        ("140587", "celecoxib", "nsaid"),
        ("161", "acetaminophen", "acetaminophen"),
        ("21949", "cyclobenzaprine", "muscle-relaxant"),
        ("25480", "gabapentin", "neuropathic"),
        ("187832", "pregabalin", "neuropathic"),
        ("72625", "duloxetine", "neuropathic"),
        ("7804", "oxycodone", "opioid"),
    ],
)
def test_conservative_medication_classes(rxcui, display, modality):
    found = spans_of(med_statement(rxcui, display, start="2026-01-01"))
    assert [m for *_, m, _ in found] == [modality]


@pytest.mark.parametrize(
    ("rxcui", "display"),
    [
        ("36437", "sertraline"),
        ("11289", "warfarin"),
        ("32968", "clopidogrel"),
        ("8640", "prednisone"),
    ],
)
def test_other_medications_are_not_conservative_care(rxcui, display):
    assert spans_of(med_statement(rxcui, display, start="2026-01-01")) == []


def test_combination_product_counts_each_class_by_normalized_name():
    found = spans_of(
        med_statement(
            "856999",
            "Hydrocodone Bitartrate 10 MG / Acetaminophen 325 MG Oral Tablet",
            start="2026-01-01",
        )
    )
    assert sorted(m for *_, m, _ in found) == ["acetaminophen", "opioid"]


def test_low_dose_aspirin_is_not_an_analgesic_modality():
    found = spans_of(
        med_statement(
            "1191", "aspirin", start="2026-01-01", dose=81, frequency=1, period=1, period_unit="d"
        )
    )
    assert found == []


def test_aspirin_325_mg_a_day_is_not_an_analgesic_modality():
    found = spans_of(
        med_statement(
            "1191", "aspirin", start="2026-01-01", dose=325, frequency=1, period=1, period_unit="d"
        )
    )
    assert found == []


def test_aspirin_above_325_mg_a_day_is_an_nsaid_modality():
    found = spans_of(
        med_statement(
            "1191", "aspirin", start="2026-01-01", dose=650, frequency=3, period=1, period_unit="d"
        )
    )
    assert [m for *_, m, _ in found] == ["nsaid"]


def test_aspirin_without_a_readable_dose_is_not_an_analgesic_modality():
    assert spans_of(med_statement("1191", "aspirin", start="2026-01-01")) == []


# ----------------------------------------------------------------- in the assessment


def test_physical_therapy_alone_can_reach_four_weeks():
    doc = run(
        condition("M54.16", onset=ONSET),
        procedure("97110", performed=ago(months=3), end=ago(months=2)),
    )
    assert doc["status"] == "refer-interventional"
    assert doc["conservative_care"]["modalities"] == ["physical-therapy"]
    assert "(physical therapy)" in option(doc, "esi-caudal")["rationale"][2]


def test_in_progress_physical_therapy_without_end_runs_to_as_of():
    doc = run(
        condition("M54.16", onset=ONSET),
        procedure("97110", performed=ago(days=27), status="in-progress"),
    )
    assert doc["conservative_care"]["weeks"] == 4.0
    assert doc["status"] == "refer-interventional"


def test_patient_level_modalities_list_each_class_once_in_record_order():
    doc = run(
        condition("M54.16", onset=ONSET),
        med_statement("25480", "gabapentin", start=ago(months=6)),
        med_statement("5640", "ibuprofen", start=ago(months=5)),
        med_statement("7258", "naproxen", start=ago(months=4)),
        procedure("97110", performed=ago(months=3), end=ago(months=2)),
    )
    assert doc["conservative_care"]["modalities"] == ["neuropathic", "nsaid", "physical-therapy"]


def test_patient_level_modalities_leave_out_care_before_the_lookback():
    doc = run(
        condition("M54.16", onset=ago(months=40)),
        med_statement("25480", "gabapentin", start=ago(months=36), end=ago(months=30)),
        med_statement("5640", "ibuprofen", start=ago(months=5)),
    )
    assert doc["conservative_care"]["modalities"] == ["nsaid"]


def test_patient_level_weeks_round_to_one_decimal():
    start = day(months=3)
    doc = run(
        condition("M54.16", onset=ONSET),
        med_statement(
            "5640", "ibuprofen", start=start.isoformat(), end=day(days=-29, base=start).isoformat()
        ),
    )
    assert doc["conservative_care"]["weeks"] == round(30 / 7, 1) == 4.3
