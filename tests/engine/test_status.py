"""Candidacy status without red flags (decision-rules §2) and the record as of `as_of` (§0)."""

from __future__ import annotations

from datetime import date

import pytest

from builders import (
    AS_OF,
    ago,
    condition,
    day,
    intake,
    med_request,
    med_statement,
    procedure,
)
from painpath.engine.status import STATUSES

from ._support import indicated, option, option_ids, run

LUMBAR_ESI = ["esi-interlaminar-lumbar", "esi-transforaminal-lumbar", "esi-caudal"]
LUMBAR_FACET = ["facet-mbb-lumbar", "facet-ia-lumbar", "facet-rfa-lumbar"]


def nsaid(start, end=None, **kw):
    return med_statement("5640", "ibuprofen 400 MG Oral Tablet", start=start, end=end, **kw)


def test_the_four_statuses_are_the_contract():
    assert STATUSES == (
        "urgent-evaluation",
        "refer-interventional",
        "conservative-care-first",
        "not-indicated",
    )


# ------------------------------------------------------------------------- not indicated


def test_empty_record_is_not_indicated():
    doc = run()
    assert doc["status"] == "not-indicated"
    assert doc["options"] == []
    assert doc["pain"] == {"chronic": False, "duration_months": None, "latest_nrs": None}


@pytest.mark.parametrize("code", ["I10", "G89.29", "G89.21", "G89.4", "M54.9", "M79.7"])
def test_condition_that_no_procedure_treats_is_not_indicated(code):
    doc = run(condition(code, onset=ago(months=14)), nsaid(ago(months=12)))
    assert doc["status"] == "not-indicated"
    assert doc["options"] == []
    assert doc["next_steps"][0].startswith("No condition on record that interventional")


def test_nonspecific_chronic_pain_codes_together_still_match_nothing():
    doc = run(
        condition("G89.29", onset=ago(months=20)),
        condition("G89.4", onset=ago(months=20)),
        condition("M54.9", onset=ago(months=20)),
    )
    assert doc["status"] == "not-indicated"


def test_snomed_chronic_pain_maps_to_g89_29_and_matches_nothing():
    doc = run(condition(None, snomed="82423001", onset=ago(months=20)))
    assert doc["status"] == "not-indicated"


def test_unmapped_snomed_concept_matches_nothing():
    doc = run(condition(None, snomed="999999999", onset=ago(months=20)))
    assert doc["status"] == "not-indicated"


# ------------------------------------------------------------------ chronic (3 months)


def test_onset_exactly_3_months_ago_with_care_is_referred():
    onset = ago(months=3)
    doc = run(condition("M54.16", onset=onset), nsaid(onset))
    assert onset == "2026-03-01"
    assert doc["status"] == "refer-interventional"
    assert doc["pain"]["chronic"] is True


def test_onset_one_day_short_of_3_months_is_conservative_care_first():
    onset = ago(months=3, days=-1)
    doc = run(condition("M54.16", onset=onset), nsaid(onset))
    assert onset == "2026-03-02"
    assert doc["status"] == "conservative-care-first"
    assert doc["pain"]["chronic"] is False
    for opt in doc["options"]:
        assert opt["indicated"] is False
        assert (
            f"Pain since {onset}: not yet chronic (3 months reached on 2026-06-02)."
            in (opt["rationale"])
        )


def test_three_months_before_end_of_month_clamps_to_the_last_day():
    as_of = date(2026, 5, 31)
    chronic = run(condition("M54.16", onset="2026-02-28"), nsaid("2026-02-28"), as_of=as_of)
    short = run(condition("M54.16", onset="2026-03-01"), nsaid("2026-03-01"), as_of=as_of)
    assert chronic["status"] == "refer-interventional"
    assert short["status"] == "conservative-care-first"


def test_earliest_onset_among_the_option_conditions_decides_chronic():
    doc = run(
        condition("M54.16", onset=ago(months=1)),
        condition("M51.26", onset=ago(months=5)),  # axial disc: still an ESI option condition
        nsaid(ago(months=5)),
    )
    assert doc["status"] == "refer-interventional"
    assert indicated(doc) == LUMBAR_ESI


def test_onset_from_recorded_date_when_onset_is_absent():
    doc = run(condition("M54.16", onset=None, recorded=ago(months=4)), nsaid(ago(months=4)))
    assert doc["status"] == "refer-interventional"


def test_condition_with_no_date_is_never_chronic():
    doc = run(condition("M54.16", onset=None), nsaid(ago(months=4)))
    assert doc["status"] == "conservative-care-first"
    assert doc["pain"] == {"chronic": False, "duration_months": None, "latest_nrs": None}
    assert (
        "Onset not recorded: chronic pain (3 months or more) is not established."
        in (option(doc, "esi-caudal")["rationale"])
    )


def test_duration_months_is_days_over_30_4375_to_one_decimal():
    doc = run(condition("M54.16", onset="2025-06-01"), nsaid("2025-06-01"))
    assert doc["pain"]["duration_months"] == round(365 / 30.4375, 1) == 12.0
    doc = run(condition("M54.16", onset="2026-01-15"), nsaid("2026-01-15"))
    assert doc["pain"]["duration_months"] == round(137 / 30.4375, 1) == 4.5


# ---------------------------------------------------------------- conservative (4 weeks)


def test_conservative_care_of_exactly_28_days_inclusive_refers():
    start = day(months=2)
    doc = run(
        condition("M54.16", onset=ago(months=6)),
        nsaid(start.isoformat(), day(days=-27, base=start).isoformat()),
    )
    assert doc["status"] == "refer-interventional"
    assert doc["conservative_care"]["weeks"] == 4.0


def test_conservative_care_of_27_days_is_conservative_care_first():
    start = day(months=2)
    doc = run(
        condition("M54.16", onset=ago(months=6)),
        nsaid(start.isoformat(), day(days=-26, base=start).isoformat()),
    )
    assert doc["status"] == "conservative-care-first"
    assert doc["conservative_care"]["weeks"] == round(27 / 7, 1)
    assert (
        "Conservative care since onset: 3.9 weeks (NSAID); at least 4 needed."
        in (option(doc, "esi-caudal")["rationale"])
    )


def test_overlapping_spans_are_counted_once():
    # days 1-20 and 10-27: 27 distinct days, not 20 + 18.
    start = day(months=2)
    doc = run(
        condition("M54.16", onset=ago(months=6)),
        nsaid(start.isoformat(), day(days=-19, base=start).isoformat()),
        med_statement(
            "161",
            "acetaminophen 500 MG Oral Tablet",
            start=day(days=-9, base=start).isoformat(),
            end=day(days=-26, base=start).isoformat(),
        ),
    )
    assert doc["status"] == "conservative-care-first"
    assert doc["conservative_care"]["weeks"] == round(27 / 7, 1)
    assert doc["conservative_care"]["modalities"] == ["nsaid", "acetaminophen"]


def test_adjacent_spans_join_into_28_days():
    start = day(months=2)
    doc = run(
        condition("M54.16", onset=ago(months=6)),
        nsaid(start.isoformat(), day(days=-13, base=start).isoformat()),
        nsaid(day(days=-14, base=start).isoformat(), day(days=-27, base=start).isoformat()),
    )
    assert doc["status"] == "refer-interventional"


def test_care_that_ended_before_onset_does_not_count_for_the_option():
    doc = run(
        condition("M54.16", onset=ago(months=6)),
        nsaid(ago(months=10), ago(months=7)),
    )
    assert doc["status"] == "conservative-care-first"
    assert (
        "Conservative care since onset: 0.0 weeks; at least 4 needed."
        in (option(doc, "esi-caudal")["rationale"])
    )
    # The patient-level count has no onset clip.
    assert doc["conservative_care"]["weeks"] > 12


def test_care_overlapping_onset_counts_only_from_onset():
    onset = day(months=6)
    doc = run(
        condition("M54.16", onset=onset.isoformat()),
        nsaid(ago(months=8), day(days=-20, base=onset).isoformat()),  # 21 days after onset
    )
    assert doc["status"] == "conservative-care-first"
    doc = run(
        condition("M54.16", onset=onset.isoformat()),
        nsaid(ago(months=8), day(days=-27, base=onset).isoformat()),  # 28 days after onset
    )
    assert doc["status"] == "refer-interventional"


def test_care_before_the_24_month_lookback_does_not_count():
    doc = run(condition("M54.16", onset=ago(months=40)), nsaid(ago(months=36), ago(months=25)))
    assert doc["status"] == "conservative-care-first"
    assert doc["conservative_care"]["weeks"] == 0.0


def test_lookback_window_starts_exactly_24_months_before():
    edge = day(months=24)
    inside = run(
        condition("M54.16", onset=ago(months=40)),
        nsaid(ago(months=30), day(days=-27, base=edge).isoformat()),
    )
    outside = run(
        condition("M54.16", onset=ago(months=40)),
        nsaid(ago(months=30), day(days=-26, base=edge).isoformat()),
    )
    assert inside["status"] == "refer-interventional"
    assert inside["conservative_care"]["weeks"] == 4.0
    assert outside["status"] == "conservative-care-first"


def test_no_conservative_care_is_conservative_care_first_with_a_reassess_date():
    onset = ago(months=6)
    doc = run(condition("M54.16", onset=onset))
    assert doc["status"] == "conservative-care-first"
    assert doc["next_steps"][0] == (
        "Continue conservative care (physical therapy, medication, activity) and reassess on "
        "2026-06-29 if pain persists (esi-interlaminar-lumbar may then be an option)."
    )


def test_one_ready_option_is_enough_to_refer():
    doc = run(
        condition("M17.11", onset=ago(months=1)),  # knee: not chronic yet
        condition("M54.16", onset=ago(months=6)),
        nsaid(ago(months=5)),
    )
    assert doc["status"] == "refer-interventional"
    assert option(doc, "joint-injection-knee")["indicated"] is False
    assert indicated(doc) == LUMBAR_ESI


def test_each_option_uses_its_own_onset_for_conservative_care():
    # Care ran 8-5 months ago: before the knee pain began, after the back pain began.
    doc = run(
        condition("M17.11", onset=ago(months=4)),
        condition("M47.816", onset=ago(months=9)),
        nsaid(ago(months=8), ago(months=5)),
    )
    assert option(doc, "facet-mbb-lumbar")["indicated"] is True
    knee = option(doc, "joint-injection-knee")
    assert knee["indicated"] is False
    assert "Conservative care since onset: 0.0 weeks; at least 4 needed." in knee["rationale"]


# --------------------------------------------------------------------------- cancer pain


def test_cancer_pain_refers_whatever_the_durations():
    doc = run(condition("G89.3", onset=ago(days=7)))
    assert doc["status"] == "refer-interventional"
    assert indicated(doc) == ["block-peripheral", "block-celiac-plexus"]
    assert (
        "Cancer-related pain (G89.3): offered whatever the duration of pain or of conservative "
        "care." in option(doc, "block-celiac-plexus")["rationale"]
    )


def test_cancer_pain_without_any_date_still_refers():
    doc = run(condition("G89.3", onset=None))
    assert doc["status"] == "refer-interventional"


def test_cancer_pain_exemption_does_not_extend_to_other_options():
    doc = run(condition("G89.3", onset=ago(days=7)), condition("M54.16", onset=ago(days=7)))
    assert doc["status"] == "refer-interventional"
    assert indicated(doc) == ["block-peripheral", "block-celiac-plexus"]
    assert option(doc, "esi-caudal")["indicated"] is False


# ----------------------------------------------------------------- codes and the record


def test_snomed_chronic_low_back_pain_gives_the_lumbar_facet_options():
    doc = run(condition(None, snomed="278860009", onset=ago(months=8)), nsaid(ago(months=6)))
    assert option_ids(doc) == LUMBAR_FACET
    assert doc["status"] == "refer-interventional"
    assert "M54.50" in option(doc, "facet-mbb-lumbar")["rationale"][0]


def test_snomed_chronic_neck_pain_gives_the_cervical_facet_options():
    doc = run(condition(None, snomed="1121000119107", onset=ago(months=8)), nsaid(ago(months=6)))
    assert option_ids(doc) == ["facet-mbb-cervical", "facet-rfa-cervical"]


def test_icd10_coding_wins_over_snomed_on_the_same_condition():
    doc = run(condition("M54.16", snomed="278860009", onset=ago(months=8)), nsaid(ago(months=6)))
    assert option_ids(doc) == LUMBAR_ESI


def test_retired_m54_5_reads_as_m54_50():
    doc = run(condition("M54.5", onset=ago(months=8)), nsaid(ago(months=6)))
    assert option_ids(doc) == LUMBAR_FACET
    assert "M54.50" in option(doc, "facet-mbb-lumbar")["rationale"][0]


def test_code_without_a_dot_is_normalised():
    doc = run(condition("M5416", onset=ago(months=8)), nsaid(ago(months=6)))
    assert option_ids(doc) == LUMBAR_ESI


@pytest.mark.parametrize("status", ["resolved", "inactive", "remission"])
def test_condition_that_is_not_active_is_ignored(status):
    doc = run(condition("M54.16", onset=ago(months=8), status=status), nsaid(ago(months=6)))
    assert doc["status"] == "not-indicated"


@pytest.mark.parametrize("status", ["recurrence", "relapse", None])
def test_recurrence_relapse_or_absent_clinical_status_is_active(status):
    doc = run(condition("M54.16", onset=ago(months=8), status=status), nsaid(ago(months=6)))
    assert doc["status"] == "refer-interventional"


def test_condition_abated_on_as_of_is_inactive_abated_after_is_active():
    abated = run(condition("M54.16", onset=ago(months=8), abatement=ago()), nsaid(ago(months=6)))
    later = run(
        condition("M54.16", onset=ago(months=8), abatement=ago(days=-1)), nsaid(ago(months=6))
    )
    assert abated["status"] == "not-indicated"
    assert later["status"] == "refer-interventional"


@pytest.mark.parametrize("verification", ["refuted", "entered-in-error"])
def test_refuted_or_erroneous_condition_is_ignored(verification):
    doc = run(
        condition("M54.16", onset=ago(months=8), verification=verification),
        nsaid(ago(months=6)),
    )
    assert doc["status"] == "not-indicated"


def test_condition_with_onset_after_as_of_is_ignored():
    doc = run(condition("M54.16", onset=ago(days=-1)))
    assert doc["status"] == "not-indicated"


def test_past_as_of_reproduces_the_past_assessment():
    record = (
        condition("M54.16", onset="2025-01-10"),
        nsaid("2025-02-01", "2025-03-15"),
        condition("G83.4", onset="2026-05-20"),  # a red flag that came later
        procedure("64483", performed="2026-05-25T10:00:00Z"),
        intake("2026-05-28", {"rf-fever": True, "readiness-1": True}),
        med_request("7804", "oxycodone", authored="2026-05-01", dose=10, frequency=2),
    )
    past = run(*record, as_of=date(2025, 6, 1))
    now = run(*record, as_of=AS_OF)
    assert now["status"] == "urgent-evaluation"
    assert past["status"] == "refer-interventional"
    assert past["red_flags"] == []
    assert past["readiness"] is None
    assert past["mme_per_day"] == 0.0
    assert past["as_of"] == "2025-06-01"
    esi = option(past, "esi-transforaminal-lumbar")
    assert esi["coverage"]["criteria"][6]["detail"] == "0 sessions in 12 months"


# ------------------------------------------------------ refer but nothing indicated (§2.5)


def test_refer_with_every_option_stopped_keeps_the_status_and_says_why():
    doc = run(
        condition("M54.16", onset=ago(months=6)),
        condition("A41.9", onset=ago(days=2)),
        nsaid(ago(months=5)),
    )
    assert doc["status"] == "refer-interventional"
    assert indicated(doc) == []
    assert doc["next_steps"][0] == (
        "Refer for an interventional pain consultation; no option is indicated yet "
        "(see each option's rationale for what would change that)."
    )


def test_high_mme_and_readiness_add_rationale_but_never_change_the_status():
    base = (condition("M54.16", onset=ago(months=1)), nsaid(ago(days=20)))
    plain = run(*base)
    heavy = run(
        *base,
        med_request("7804", "oxycodone", authored=ago(days=5), dose=40, frequency=2),
        intake(ago(days=2), {f"readiness-{i}": True for i in range(1, 7)}),
    )
    assert plain["status"] == heavy["status"] == "conservative-care-first"
    assert heavy["mme_per_day"] == 120.0
    assert heavy["readiness"] == {"yes": 6, "of": 6}
    assert any("MME/day" in line for line in option(heavy, "esi-caudal")["rationale"])


def test_conservative_next_step_without_any_onset_asks_when_pain_began():
    doc = run(condition("M54.16", onset=None))
    assert doc["next_steps"] == [
        "Continue conservative care (physical therapy, medication, activity); record when the "
        "pain began so that its duration can be judged."
    ]


def test_conservative_next_step_waits_for_the_chronic_date_when_that_is_later():
    doc = run(condition("M54.16", onset=ago(months=1)), nsaid(ago(months=1)))
    assert doc["next_steps"][0] == (
        "Continue conservative care (physical therapy, medication, activity) and reassess on "
        "2026-08-01 if pain persists (esi-interlaminar-lumbar may then be an option)."
    )


def test_referral_next_steps_name_the_missing_documentation_of_indicated_options():
    doc = run(condition("M54.16", onset=ago(months=6)), nsaid(ago(months=5)))
    assert doc["next_steps"] == [
        "Refer for an interventional pain consultation: consider esi-interlaminar-lumbar, "
        "esi-transforaminal-lumbar, esi-caudal.",
        "Before esi-interlaminar-lumbar: document imaging (no imaging report within 24 months); "
        "baseline-score (no pain score within 30 days).",
        "Before esi-transforaminal-lumbar: document imaging (no imaging report within 24 "
        "months); baseline-score (no pain score within 30 days).",
        "Before esi-caudal: document imaging (no imaging report within 24 months); "
        "baseline-score (no pain score within 30 days).",
    ]


def test_referral_with_payer_none_has_no_documentation_steps():
    doc = run(condition("M54.16", onset=ago(months=6)), nsaid(ago(months=5)), payer="none")
    assert len(doc["next_steps"]) == 1


# ------------------------------------------------------------------ indications (§3.0)

ESI_C = ["esi-interlaminar-cervical", "esi-transforaminal-cervical"]
FACET_C = ["facet-mbb-cervical", "facet-rfa-cervical"]
SCS = ["scs-trial", "scs-implant"]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        # lumbar-sacral radicular, and the axial disc codes that are options too
        *[
            (c, LUMBAR_ESI)
            for c in ["M54.16", "M54.17", "M54.30", "M54.42", "M51.16", "M51.17", "M47.26"]
        ],
        *[(c, LUMBAR_ESI) for c in ["M47.27", "M48.062", "M51.26", "M51.27", "M51.362"]],
        *[(c, LUMBAR_ESI) for c in ["M51.379", "M48.061", "M48.07"]],
        ("M96.1", [*LUMBAR_ESI, *SCS]),
        # cervical-thoracic radicular and axial disc
        *[(c, ESI_C) for c in ["M54.12", "M54.13", "M54.14", "M50.121", "M47.22", "M47.24"]],
        *[(c, ESI_C) for c in ["M51.14", "M51.15", "M50.20", "M50.30", "M48.02"]],
        # facet
        *[(c, LUMBAR_FACET) for c in ["M47.815", "M47.816", "M47.817", "M47.897", "M54.50"]],
        ("M54.59", LUMBAR_FACET),
        *[(c, FACET_C) for c in ["M47.812", "M47.813", "M47.814", "M47.892", "M54.2"]],
        # SI joint
        *[(c, ["si-joint-injection"]) for c in ["M46.1", "M53.3", "M53.2X8", "M47.818", "M43.28"]],
        # neuromodulation, sympathetic and peripheral blocks
        ("G90.511", [*SCS, "block-stellate-ganglion", "block-peripheral"]),
        ("G56.41", [*SCS, "block-stellate-ganglion", "block-peripheral"]),
        ("G90.521", [*SCS, "block-lumbar-sympathetic", "block-peripheral"]),
        ("G57.71", [*SCS, "block-lumbar-sympathetic", "block-peripheral"]),
        ("G90.50", [*SCS, "block-peripheral"]),
        ("E11.42", SCS),
        ("E10.42", SCS),
        ("G58.8", ["block-peripheral"]),
        ("B02.29", ["block-peripheral"]),
        ("G89.3", ["block-peripheral", "block-celiac-plexus"]),
        ("M54.81", ["block-occipital"]),
        ("G44.86", ["block-occipital"]),
        # joints and muscles
        ("M17.11", ["joint-injection-knee"]),
        ("M16.9", ["joint-injection-hip"]),
        ("M19.012", ["joint-injection-shoulder"]),
        ("M75.02", ["joint-injection-shoulder"]),
        ("M79.18", ["trigger-point-injection"]),
        ("G44.209", ["trigger-point-injection"]),
        # nothing alone
        ("E11.40", []),
        ("M79.7", []),
        ("M25.50", []),
    ],
)
def test_indication_table_gives_the_options(code, expected):
    doc = run(condition(code, onset=ago(months=6)), nsaid(ago(months=5)), payer="none")
    assert sorted(option_ids(doc)) == sorted(expected)
