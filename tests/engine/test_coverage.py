"""Payer coverage (decision-rules §4): each criterion true, false or unknown, per policy."""

from __future__ import annotations

import pytest

from builders import (
    ago,
    condition,
    day,
    imaging_study,
    intake,
    med_statement,
    nrs,
    painpath_obs,
    percent_relief,
    procedure,
    radiology_report,
)

from ._support import criterion, criterion_doc, indicated, option, run

TFESI = "esi-transforaminal-lumbar"


def nsaid(start, end=None, **kw):
    return med_statement("5640", "ibuprofen", start=start, end=end, **kw)


def care_days(days, *, months_back=2, id=None):
    """An NSAID course of exactly `days` calendar days, starting `months_back` months ago."""
    start = day(months=months_back)
    return nsaid(start.isoformat(), day(days=-(days - 1), base=start).isoformat(), id=id)


def session(cpt, when, relief=None, *, id):
    out = [procedure(cpt, performed=f"{when}T09:00:00Z", id=id)]
    if relief is not None:
        out.append(percent_relief(relief, when, id, id=f"{id}-relief"))
    return out


def esi_record(*, dx="M54.16", onset=None, care=True, imaging=True, baseline=True):
    out = [condition(dx, onset=onset or ago(months=6), id="dx")]
    if care:
        out.append(nsaid(ago(months=5), id="care"))
    if imaging:
        out.append(radiology_report(ago(months=3), id="mri"))
    if baseline:
        out.append(nrs(6, ago(days=5), id="baseline"))
    return out


def coverage_of(doc, pid):
    return option(doc, pid)["coverage"]


# -------------------------------------------------------------------------- the status


def test_esi_record_with_everything_documented_is_met():
    cov = coverage_of(run(*esi_record()), TFESI)
    assert cov["policy"] == "cms-lcd-esi"
    assert cov["status"] == "met"
    assert cov["unmet"] == cov["missing"] == []
    assert [c["id"] for c in cov["criteria"]] == [
        "no-red-flag",
        "radicular-diagnosis",
        "pain-4-weeks",
        "conservative-4-weeks",
        "imaging",
        "baseline-score",
        "frequency",
        "repeat-relief",
    ]
    assert {c["status"] for c in cov["criteria"]} == {"met"}


def test_unknown_criteria_make_the_policy_incomplete():
    cov = coverage_of(run(*esi_record(imaging=False, baseline=False)), TFESI)
    assert cov["status"] == "incomplete"
    assert cov["unmet"] == []
    assert cov["missing"] == ["imaging", "baseline-score"]


def test_a_false_criterion_makes_the_policy_not_met_even_with_unknowns():
    cov = coverage_of(run(*esi_record(dx="M51.26", imaging=False)), TFESI)
    assert cov["status"] == "not-met"
    assert cov["unmet"] == ["radicular-diagnosis"]
    assert cov["missing"] == ["imaging"]


def test_unmet_and_missing_are_listed_in_criteria_order():
    cov = coverage_of(
        run(*esi_record(dx="M51.26", care=False, imaging=False, baseline=False)), TFESI
    )
    assert cov["unmet"] == ["radicular-diagnosis", "conservative-4-weeks"]
    assert cov["missing"] == ["imaging", "baseline-score"]


def test_payer_none_gives_no_coverage_object():
    doc = run(*esi_record(), condition("M17.11", onset=ago(months=6)), payer="none")
    assert doc["options"]
    assert all(o["coverage"] is None for o in doc["options"])


@pytest.mark.parametrize(
    ("code", "pids"),
    [
        ("M17.11", ["joint-injection-knee"]),
        ("M16.11", ["joint-injection-hip"]),
        ("M19.011", ["joint-injection-shoulder"]),
        ("M75.01", ["joint-injection-shoulder"]),
        ("G90.521", ["block-lumbar-sympathetic"]),
        ("G90.511", ["block-stellate-ganglion"]),
    ],
)
def test_procedures_without_a_policy_have_no_policy_coverage(code, pids):
    doc = run(condition(code, onset=ago(months=6)), nsaid(ago(months=5)))
    for pid in pids:
        assert coverage_of(doc, pid) == {
            "policy": None,
            "status": "no-policy",
            "unmet": [],
            "missing": [],
            "criteria": [],
        }


def test_celiac_plexus_block_has_no_policy():
    doc = run(condition("G89.3", onset=ago(days=5)))
    assert coverage_of(doc, "block-celiac-plexus")["status"] == "no-policy"


def test_coverage_never_changes_indicated():
    record = [*esi_record(dx="M51.26")]
    cms = run(*record)
    none = run(*record, payer="none")
    assert coverage_of(cms, TFESI)["status"] == "not-met"
    assert option(cms, TFESI)["indicated"] is True
    assert indicated(cms) == indicated(none)


def test_coverage_not_met_by_frequency_leaves_the_option_indicated():
    sessions = [
        s for i in range(4) for s in session("64483", ago(months=2 * i + 1), 70, id=f"e{i}")
    ]
    doc = run(*esi_record(), *sessions)
    assert criterion(doc, TFESI, "frequency") == "not-met"
    assert option(doc, TFESI)["indicated"] is True


def test_criteria_carry_their_evidence_and_citation():
    doc = run(*esi_record())
    assert criterion_doc(doc, TFESI, "radicular-diagnosis")["evidence"] == ["Condition/dx"]
    assert criterion_doc(doc, TFESI, "imaging")["evidence"] == ["DiagnosticReport/mri"]
    assert criterion_doc(doc, TFESI, "baseline-score")["evidence"] == ["Observation/baseline"]
    assert criterion_doc(doc, TFESI, "frequency")["citation"] == "cms-lcd-l33906"


# ------------------------------------------------------------------------------- ESI


def test_esi_radicular_diagnosis_met_by_lumbar_radicular_code():
    assert criterion(run(*esi_record(dx="M51.16")), TFESI, "radicular-diagnosis") == "met"


@pytest.mark.parametrize("axial", ["M51.26", "M51.27", "M51.362", "M48.061", "M48.07"])
def test_esi_radicular_diagnosis_axial_only_is_not_met(axial):
    doc = run(*esi_record(dx=axial))
    assert criterion(doc, TFESI, "radicular-diagnosis") == "not-met"
    assert (
        "The matching diagnosis is not on the procedure's primary indication list "
        "(payer coverage usually needs a more specific diagnosis)."
        in option(doc, TFESI)["rationale"]
    )


def test_esi_radicular_diagnosis_of_another_region_does_not_count():
    doc = run(*esi_record(dx="M51.26"), condition("M54.12", onset=ago(months=6)))
    assert criterion(doc, TFESI, "radicular-diagnosis") == "not-met"
    assert criterion(doc, "esi-transforaminal-cervical", "radicular-diagnosis") == "met"


def test_esi_pain_for_exactly_28_days_is_met():
    doc = run(*esi_record(onset=ago(days=28)))
    assert criterion(doc, TFESI, "pain-4-weeks") == "met"


def test_esi_pain_for_27_days_is_not_met():
    doc = run(*esi_record(onset=ago(days=27)))
    assert criterion(doc, TFESI, "pain-4-weeks") == "not-met"


def test_esi_pain_duration_without_any_date_is_missing():
    doc = run(
        condition("M54.16", onset=None), nsaid(ago(months=5)), radiology_report(ago(months=1))
    )
    assert criterion(doc, TFESI, "pain-4-weeks") == "missing"


def test_esi_conservative_28_days_met_27_days_not_met():
    base = esi_record(care=False)
    assert criterion(run(*base, care_days(28)), TFESI, "conservative-4-weeks") == "met"
    assert criterion(run(*base, care_days(27)), TFESI, "conservative-4-weeks") == "not-met"


def test_esi_imaging_within_24_months_is_met():
    doc = run(*esi_record(imaging=False), radiology_report(ago(months=24), id="old"))
    assert criterion(doc, TFESI, "imaging") == "met"


def test_esi_imaging_older_than_24_months_is_missing():
    doc = run(*esi_record(imaging=False), radiology_report(ago(months=24, days=1)))
    assert criterion(doc, TFESI, "imaging") == "missing"


def test_esi_no_imaging_is_missing():
    doc = run(*esi_record(imaging=False))
    assert criterion(doc, TFESI, "imaging") == "missing"
    assert criterion_doc(doc, TFESI, "imaging")["detail"] == "no imaging report within 24 months"


def test_esi_imaging_study_counts_as_imaging():
    doc = run(*esi_record(imaging=False), imaging_study(ago(months=5), id="ct"))
    assert criterion(doc, TFESI, "imaging") == "met"
    assert criterion_doc(doc, TFESI, "imaging")["evidence"] == ["ImagingStudy/ct"]


def test_esi_report_without_effective_date_uses_issued():
    doc = run(
        *esi_record(imaging=False), radiology_report(None, issued=f"{ago(months=2)}T10:00:00Z")
    )
    assert criterion(doc, TFESI, "imaging") == "met"


def test_esi_non_radiology_report_is_not_imaging():
    doc = run(*esi_record(imaging=False), radiology_report(ago(months=2), category="LAB"))
    assert criterion(doc, TFESI, "imaging") == "missing"


def test_esi_imaging_after_as_of_does_not_count():
    doc = run(*esi_record(imaging=False), radiology_report(ago(days=-2)))
    assert criterion(doc, TFESI, "imaging") == "missing"


def test_esi_cancelled_imaging_does_not_count():
    doc = run(*esi_record(imaging=False), radiology_report(ago(months=2), status="cancelled"))
    assert criterion(doc, TFESI, "imaging") == "missing"


def test_esi_baseline_score_30_days_old_is_met():
    doc = run(*esi_record(baseline=False), nrs(7, ago(days=30)))
    assert criterion(doc, TFESI, "baseline-score") == "met"


def test_esi_baseline_score_31_days_old_is_missing():
    doc = run(*esi_record(baseline=False), nrs(7, ago(days=31)))
    assert criterion(doc, TFESI, "baseline-score") == "missing"


def test_esi_baseline_score_from_the_intake_nrs_item():
    doc = run(*esi_record(baseline=False), intake(ago(days=3), {"nrs": 7}, id="qr"))
    assert criterion(doc, TFESI, "baseline-score") == "met"
    assert criterion_doc(doc, TFESI, "baseline-score")["evidence"] == ["QuestionnaireResponse/qr"]


def test_fourth_esi_session_in_12_months_still_allowed_fifth_not():
    three = [s for i in range(3) for s in session("64483", ago(months=2 * i + 1), 70, id=f"e{i}")]
    four = [*three, *session("62323", ago(months=9), 70, id="e3")]
    assert criterion(run(*esi_record(), *three), TFESI, "frequency") == "met"
    doc = run(*esi_record(), *four)
    assert criterion(doc, TFESI, "frequency") == "not-met"
    assert criterion_doc(doc, TFESI, "frequency")["detail"] == "4 sessions in 12 months"


def test_esi_session_exactly_12_months_ago_is_outside_the_rolling_window():
    three = [s for i in range(3) for s in session("64483", ago(months=2 * i + 1), 70, id=f"e{i}")]
    edge = session("64483", ago(months=12), 70, id="edge")
    inside = session("64483", ago(months=12, days=-1), 70, id="inside")
    assert criterion(run(*esi_record(), *three, *edge), TFESI, "frequency") == "met"
    assert criterion(run(*esi_record(), *three, *inside), TFESI, "frequency") == "not-met"


def test_esi_procedures_on_the_same_day_are_one_session():
    same_day = [
        *session("64483", ago(months=1), 70, id="l4"),
        procedure("64484", performed=f"{ago(months=1)}T09:10:00Z", id="l5"),
    ]
    three = [
        s for i in range(1, 4) for s in session("64483", ago(months=2 * i + 1), 70, id=f"e{i}")
    ]
    doc = run(*esi_record(), *same_day, *three)
    assert criterion_doc(doc, TFESI, "frequency")["detail"] == "4 sessions in 12 months"
    doc = run(*esi_record(), *same_day, *three[:4])
    assert criterion_doc(doc, TFESI, "frequency")["detail"] == "3 sessions in 12 months"


def test_cervical_esi_sessions_do_not_count_for_the_lumbar_region():
    cervical = [
        s for i in range(4) for s in session("64479", ago(months=2 * i + 1), 70, id=f"c{i}")
    ]
    doc = run(*esi_record(), *cervical)
    assert criterion(doc, TFESI, "frequency") == "met"
    assert criterion(doc, TFESI, "repeat-relief") == "met"


def test_esi_repeat_relief_met_at_50_percent():
    doc = run(*esi_record(), *session("64483", ago(months=2), 50, id="e1"))
    assert criterion(doc, TFESI, "repeat-relief") == "met"


def test_esi_repeat_relief_below_50_percent_is_not_met():
    doc = run(*esi_record(), *session("64483", ago(months=2), 49.9, id="e1"))
    assert criterion(doc, TFESI, "repeat-relief") == "not-met"


def test_esi_repeat_relief_unknown_is_missing():
    doc = run(*esi_record(), *session("64483", ago(months=2), None, id="e1"))
    assert criterion(doc, TFESI, "repeat-relief") == "missing"
    assert criterion_doc(doc, TFESI, "repeat-relief")["evidence"] == ["Procedure/e1"]


def test_esi_repeat_relief_uses_the_most_recent_session():
    doc = run(
        *esi_record(),
        *session("64483", ago(months=5), 90, id="e1"),
        *session("62323", ago(months=2), 20, id="e2"),
    )
    assert criterion(doc, TFESI, "repeat-relief") == "not-met"


def test_esi_repeat_relief_without_a_session_in_12_months_is_met():
    doc = run(*esi_record(), *session("64483", ago(months=12), 10, id="old"))
    assert criterion(doc, TFESI, "repeat-relief") == "met"


# ----------------------------------------------------------------------------- facet

MBB = "facet-mbb-lumbar"
RFA = "facet-rfa-lumbar"
IA = "facet-ia-lumbar"


def facet_record(*, dx="M47.816", onset=None, care=True, baseline=True):
    out = [condition(dx, onset=onset or ago(months=12), id="dx")]
    if care:
        out.append(nsaid(ago(months=10)))
    if baseline:
        out.append(nrs(6, ago(days=5)))
    return out


def test_facet_record_with_everything_documented_is_met():
    cov = coverage_of(run(*facet_record()), MBB)
    assert cov["policy"] == "cms-lcd-facet"
    assert cov["status"] == "met"
    assert [c["id"] for c in cov["criteria"]] == [
        "no-red-flag",
        "facet-diagnosis",
        "pain-3-months",
        "conservative-12-weeks",
        "no-untreated-radicular",
        "baseline-score",
    ]


def test_rfa_and_ia_add_their_own_criteria():
    doc = run(*facet_record())
    assert [c["id"] for c in coverage_of(doc, RFA)["criteria"]][-3:] == [
        "two-positive-blocks",
        "rfa-frequency",
        "repeat-rfa-relief",
    ]
    assert [c["id"] for c in coverage_of(doc, IA)["criteria"]][-2:] == [
        "two-positive-blocks",
        "rfa-not-possible",
    ]


def test_facet_diagnosis_axial_low_back_pain_is_not_met():
    doc = run(*facet_record(dx="M54.50"))
    assert criterion(doc, MBB, "facet-diagnosis") == "not-met"


def test_facet_diagnosis_of_the_other_region_does_not_count():
    doc = run(*facet_record(dx="M54.50"), condition("M47.812", onset=ago(months=12)))
    assert criterion(doc, MBB, "facet-diagnosis") == "not-met"
    assert criterion(doc, "facet-mbb-cervical", "facet-diagnosis") == "met"


def test_facet_pain_3_months_exactly_met_one_day_less_not():
    assert criterion(run(*facet_record(onset=ago(months=3))), MBB, "pain-3-months") == "met"
    short = run(*facet_record(onset=ago(months=3, days=-1)))
    assert criterion(short, MBB, "pain-3-months") == "not-met"


def test_facet_conservative_84_days_met_83_not():
    base = facet_record(care=False)
    assert (
        criterion(run(*base, care_days(84, months_back=5)), MBB, "conservative-12-weeks") == "met"
    )
    assert (
        criterion(run(*base, care_days(83, months_back=5)), MBB, "conservative-12-weeks")
        == "not-met"
    )


def test_facet_untreated_radicular_diagnosis_is_not_met():
    doc = run(*facet_record(), condition("M54.16", onset=ago(months=6), id="radic"))
    assert criterion(doc, MBB, "no-untreated-radicular") == "not-met"
    assert criterion_doc(doc, MBB, "no-untreated-radicular")["evidence"] == ["Condition/radic"]


def test_facet_radicular_diagnosis_treated_by_an_esi_in_12_months_is_met():
    doc = run(
        *facet_record(),
        condition("M54.16", onset=ago(months=6)),
        procedure("64483", performed=ago(months=11)),
    )
    assert criterion(doc, MBB, "no-untreated-radicular") == "met"


def test_facet_radicular_esi_exactly_12_months_ago_no_longer_treats():
    doc = run(
        *facet_record(),
        condition("M54.16", onset=ago(months=16)),
        procedure("64483", performed=ago(months=12)),
    )
    assert criterion(doc, MBB, "no-untreated-radicular") == "not-met"


def test_facet_radicular_diagnosis_of_the_other_region_does_not_matter():
    doc = run(*facet_record(), condition("M54.12", onset=ago(months=6)))
    assert criterion(doc, MBB, "no-untreated-radicular") == "met"


def test_facet_cervical_esi_does_not_treat_lumbar_radicular_pain():
    doc = run(
        *facet_record(),
        condition("M54.16", onset=ago(months=6)),
        procedure("64479", performed=ago(months=2)),
    )
    assert criterion(doc, MBB, "no-untreated-radicular") == "not-met"


def test_facet_baseline_score_missing_without_nrs():
    doc = run(*facet_record(baseline=False))
    assert criterion(doc, MBB, "baseline-score") == "missing"


def test_rfa_two_positive_blocks_met_not_met_and_missing():
    blocks = [*session("64493", ago(months=2), 90, id="b1")]
    met = run(*facet_record(), *blocks, *session("64493", ago(months=1), 85, id="b2"))
    not_met = run(*facet_record(), *blocks, *session("64493", ago(months=1), 60, id="b2"))
    one = run(*facet_record(), *blocks)
    unknown = run(*facet_record(), *blocks, *session("64493", ago(months=1), None, id="b2"))
    assert criterion(met, RFA, "two-positive-blocks") == "met"
    assert criterion(not_met, RFA, "two-positive-blocks") == "not-met"
    assert criterion(one, RFA, "two-positive-blocks") == "not-met"
    assert criterion(unknown, RFA, "two-positive-blocks") == "missing"
    assert coverage_of(met, RFA)["status"] == "met"


def test_rfa_frequency_one_ablation_in_12_months_met_two_not():
    one = session("64635", ago(months=4), 70, id="r1")
    two = [*one, *session("64635", ago(months=2), 70, id="r2")]
    assert criterion(run(*facet_record(), *one), RFA, "rfa-frequency") == "met"
    assert criterion(run(*facet_record(), *two), RFA, "rfa-frequency") == "not-met"


def test_rfa_frequency_ablation_exactly_12_months_ago_is_outside():
    two = [
        *session("64635", ago(months=12), 70, id="r1"),
        *session("64635", ago(months=2), 70, id="r2"),
    ]
    assert criterion(run(*facet_record(), *two), RFA, "rfa-frequency") == "met"


def test_rfa_frequency_counts_only_the_region():
    two = [
        *session("64633", ago(months=4), 70, id="r1"),
        *session("64633", ago(months=2), 70, id="r2"),
    ]
    assert criterion(run(*facet_record(), *two), RFA, "rfa-frequency") == "met"


def test_repeat_rfa_relief():
    assert criterion(run(*facet_record()), RFA, "repeat-rfa-relief") == "met"
    good = session("64635", ago(months=8), 50, id="r1")
    poor = session("64635", ago(months=8), 40, id="r1")
    unknown = session("64635", ago(months=8), None, id="r1")
    assert criterion(run(*facet_record(), *good), RFA, "repeat-rfa-relief") == "met"
    assert criterion(run(*facet_record(), *poor), RFA, "repeat-rfa-relief") == "not-met"
    assert criterion(run(*facet_record(), *unknown), RFA, "repeat-rfa-relief") == "missing"


def test_ia_rfa_not_possible_true_false_and_missing():
    yes = run(*facet_record(), painpath_obs("rfa-not-possible", True))
    no = run(*facet_record(), painpath_obs("rfa-not-possible", False))
    none = run(*facet_record())
    assert criterion(yes, IA, "rfa-not-possible") == "met"
    assert criterion(no, IA, "rfa-not-possible") == "not-met"
    assert criterion(none, IA, "rfa-not-possible") == "missing"


def test_ia_rfa_not_possible_latest_observation_wins():
    doc = run(
        *facet_record(),
        painpath_obs("rfa-not-possible", True, ago(months=3)),
        painpath_obs("rfa-not-possible", False, ago(days=3)),
    )
    assert criterion(doc, IA, "rfa-not-possible") == "not-met"


# ------------------------------------------------------------------------------- SCS


def scs_record(*, care=True, psych=True):
    out = [condition("M96.1", onset=ago(months=24), id="dx")]
    if care:
        out.append(nsaid(ago(months=20)))
    if psych:
        out.append(procedure("90791", performed=ago(months=2), id="psych"))
    return out


def test_scs_trial_with_everything_documented_is_met():
    cov = coverage_of(run(*scs_record()), "scs-trial")
    assert cov["policy"] == "cms-lcd-scs"
    assert cov["status"] == "met"
    assert [c["id"] for c in cov["criteria"]] == [
        "no-red-flag",
        "conservative-26-weeks",
        "psych-evaluation",
        "no-active-sud",
        "trial-limit",
        "no-failed-trial",
    ]


def test_scs_conservative_182_days_met_181_not():
    base = scs_record(care=False)
    assert (
        criterion(run(*base, care_days(182, months_back=8)), "scs-trial", "conservative-26-weeks")
        == "met"
    )
    assert (
        criterion(run(*base, care_days(181, months_back=8)), "scs-trial", "conservative-26-weeks")
        == "not-met"
    )


@pytest.mark.parametrize("cpt", ["90791", "90792", "96130", "96136"])
def test_scs_psych_evaluation_codes(cpt):
    doc = run(*scs_record(psych=False), procedure(cpt, performed=ago(months=3)))
    assert criterion(doc, "scs-trial", "psych-evaluation") == "met"


def test_scs_psych_evaluation_exactly_12_months_ago_met_one_day_older_missing():
    inside = run(*scs_record(psych=False), procedure("90791", performed=ago(months=12)))
    outside = run(*scs_record(psych=False), procedure("90791", performed=ago(months=12, days=1)))
    assert criterion(inside, "scs-trial", "psych-evaluation") == "met"
    assert criterion(outside, "scs-trial", "psych-evaluation") == "missing"


def test_scs_psych_evaluation_absent_is_missing_never_false():
    doc = run(*scs_record(psych=False))
    assert criterion(doc, "scs-trial", "psych-evaluation") == "missing"
    assert coverage_of(doc, "scs-trial")["status"] == "incomplete"


def test_scs_no_active_sud():
    assert criterion(run(*scs_record()), "scs-trial", "no-active-sud") == "met"
    doc = run(*scs_record(), condition("F11.20", onset=ago(months=30), id="oud"))
    assert criterion(doc, "scs-trial", "no-active-sud") == "not-met"
    assert criterion_doc(doc, "scs-trial", "no-active-sud")["evidence"] == ["Condition/oud"]
    remission = run(*scs_record(), condition("F11.21", onset=ago(months=30)))
    assert criterion(remission, "scs-trial", "no-active-sud") == "met"


def test_scs_trial_limit_one_trial_met_two_not():
    one = session("63650", ago(months=6), 60, id="t1")
    two = [*session("63650", ago(months=20), 60, id="t0"), *one]
    assert criterion(run(*scs_record(), *one), "scs-trial", "trial-limit") == "met"
    assert criterion(run(*scs_record(), *two), "scs-trial", "trial-limit") == "not-met"


def test_scs_no_failed_trial():
    good = session("63650", ago(months=6), 50, id="t1")
    failed = session("63650", ago(months=6), 49, id="t1")
    unknown = session("63650", ago(months=6), None, id="t1")
    assert criterion(run(*scs_record()), "scs-trial", "no-failed-trial") == "met"
    assert criterion(run(*scs_record(), *good), "scs-trial", "no-failed-trial") == "met"
    assert criterion(run(*scs_record(), *failed), "scs-trial", "no-failed-trial") == "not-met"
    assert criterion(run(*scs_record(), *unknown), "scs-trial", "no-failed-trial") == "missing"


def test_scs_any_earlier_failed_trial_is_not_met():
    doc = run(
        *scs_record(),
        *session("63650", ago(months=20), 30, id="t0"),
        *session("63650", ago(months=6), 80, id="t1"),
    )
    assert criterion(doc, "scs-trial", "no-failed-trial") == "not-met"


def test_scs_implant_successful_trial():
    none = run(*scs_record())
    good = run(*scs_record(), *session("63650", ago(months=1), 50, id="t1"))
    failed = run(*scs_record(), *session("63650", ago(months=1), 40, id="t1"))
    unknown = run(*scs_record(), *session("63650", ago(months=1), None, id="t1"))
    assert criterion(none, "scs-implant", "successful-trial") == "not-met"
    assert criterion(good, "scs-implant", "successful-trial") == "met"
    assert criterion(failed, "scs-implant", "successful-trial") == "not-met"
    assert criterion(unknown, "scs-implant", "successful-trial") == "missing"
    assert coverage_of(good, "scs-implant")["status"] == "met"
    assert [c["id"] for c in coverage_of(good, "scs-implant")["criteria"]][-1] == "successful-trial"


# -------------------------------------------------------------------------- SI joint

SI = "si-joint-injection"


def si_record(*, dx="M46.1", tests=3):
    out = [condition(dx, onset=ago(months=6)), nsaid(ago(months=5))]
    if tests is not None:
        out.append(painpath_obs("si-provocation-positive-count", tests, id="exam"))
    return out


def test_si_record_with_everything_documented_is_met():
    cov = coverage_of(run(*si_record()), SI)
    assert cov["policy"] == "cms-lcd-si-joint"
    assert cov["status"] == "met"
    assert [c["id"] for c in cov["criteria"]] == [
        "no-red-flag",
        "si-diagnosis",
        "pain-3-months",
        "conservative-4-weeks",
        "provocation-tests",
        "si-frequency",
        "repeat-relief",
    ]


@pytest.mark.parametrize("code", ["M46.1", "M53.3", "M47.818", "M43.28"])
def test_si_diagnosis_on_the_covered_list_is_met(code):
    assert criterion(run(*si_record(dx=code)), SI, "si-diagnosis") == "met"


def test_si_instability_is_an_option_but_not_a_covered_diagnosis():
    doc = run(*si_record(dx="M53.2X8"))
    assert criterion(doc, SI, "si-diagnosis") == "not-met"


def test_si_provocation_tests_three_met_two_not_none_missing():
    assert criterion(run(*si_record(tests=3)), SI, "provocation-tests") == "met"
    assert criterion(run(*si_record(tests=6)), SI, "provocation-tests") == "met"
    assert criterion(run(*si_record(tests=2)), SI, "provocation-tests") == "not-met"
    assert criterion(run(*si_record(tests=None)), SI, "provocation-tests") == "missing"


def test_si_provocation_tests_latest_observation_counts():
    doc = run(
        *si_record(tests=None),
        painpath_obs("si-provocation-positive-count", 4, ago(months=3)),
        painpath_obs("si-provocation-positive-count", 2, ago(days=2)),
    )
    assert criterion(doc, SI, "provocation-tests") == "not-met"


def test_si_frequency_three_sessions_met_four_not():
    codes = ["27096", "G0260", "64451", "27096"]
    sessions = [
        s for i, c in enumerate(codes) for s in session(c, ago(months=2 * i + 1), 80, id=f"s{i}")
    ]
    assert criterion(run(*si_record(), *sessions[:6]), SI, "si-frequency") == "met"
    assert criterion(run(*si_record(), *sessions), SI, "si-frequency") == "not-met"


def test_si_repeat_relief():
    good = session("27096", ago(months=2), 50, id="s1")
    poor = session("27096", ago(months=2), 30, id="s1")
    assert criterion(run(*si_record(), *good), SI, "repeat-relief") == "met"
    assert criterion(run(*si_record(), *poor), SI, "repeat-relief") == "not-met"


# ------------------------------------------------------------------------------- TPI

TPI = "trigger-point-injection"


def tpi_record(*, dx="M79.18", findings=2):
    out = [condition(dx, onset=ago(months=6)), nsaid(ago(months=5))]
    if findings is not None:
        out.append(painpath_obs("trigger-point-findings", findings))
    return out


def test_tpi_record_with_everything_documented_is_met():
    cov = coverage_of(run(*tpi_record()), TPI)
    assert cov["policy"] == "cms-lcd-tpi"
    assert cov["status"] == "met"
    assert [c["id"] for c in cov["criteria"]] == [
        "no-red-flag",
        "tpi-diagnosis",
        "trigger-point-findings",
        "conservative-4-weeks",
        "tpi-frequency",
        "repeat-relief",
    ]


@pytest.mark.parametrize("code", ["M79.10", "M79.18", "G44.209", "G44.221"])
def test_tpi_diagnosis_on_the_covered_list(code):
    assert criterion(run(*tpi_record(dx=code)), TPI, "tpi-diagnosis") == "met"


def test_tpi_trigger_point_findings_two_met_one_not_none_missing():
    assert criterion(run(*tpi_record(findings=2)), TPI, "trigger-point-findings") == "met"
    assert criterion(run(*tpi_record(findings=1)), TPI, "trigger-point-findings") == "not-met"
    assert criterion(run(*tpi_record(findings=None)), TPI, "trigger-point-findings") == "missing"


def test_tpi_frequency_two_sessions_met_three_not():
    sessions = [
        s for i in range(3) for s in session("20552", ago(months=3 * i + 1), 70, id=f"t{i}")
    ]
    assert criterion(run(*tpi_record(), *sessions[:4]), TPI, "tpi-frequency") == "met"
    assert criterion(run(*tpi_record(), *sessions), TPI, "tpi-frequency") == "not-met"


def test_tpi_repeat_relief_unknown_is_missing():
    doc = run(*tpi_record(), *session("20553", ago(months=1), None, id="t1"))
    assert criterion(doc, TPI, "repeat-relief") == "missing"


# ------------------------------------------------------------------ peripheral nerve block


def pnb(dx):
    return run(condition(dx, onset=ago(months=6)), nsaid(ago(months=5)))


def test_occipital_block_for_occipital_neuralgia_is_covered():
    doc = pnb("M54.81")
    assert coverage_of(doc, "block-occipital")["policy"] == "cms-lcd-peripheral-nerve-block"
    assert criterion(doc, "block-occipital", "pnb-indication") == "met"
    assert coverage_of(doc, "block-occipital")["status"] == "met"


def test_occipital_block_for_cervicogenic_headache_is_not_covered():
    doc = pnb("G44.86")
    assert option(doc, "block-occipital")["indicated"] is True
    assert criterion(doc, "block-occipital", "pnb-indication") == "not-met"


@pytest.mark.parametrize("code", ["G58.8", "G58.9", "G90.511", "G90.529", "G56.41", "G57.72"])
def test_peripheral_block_for_mononeuropathy_or_crps_is_covered(code):
    assert criterion(pnb(code), "block-peripheral", "pnb-indication") == "met"


@pytest.mark.parametrize("code", ["B02.29", "G89.3"])
def test_peripheral_block_for_other_indications_is_not_covered(code):
    assert criterion(pnb(code), "block-peripheral", "pnb-indication") == "not-met"
