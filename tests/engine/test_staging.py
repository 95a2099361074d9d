"""Staging (decision-rules §3.1): diagnostic blocks before ablation, trial before implant."""

from __future__ import annotations

import pytest

from builders import ago, condition, med_statement, nrs, percent_relief, procedure

from ._support import indicated, option, rationale, run

FACET = (
    condition("M47.816", onset=ago(months=12), id="facet"),
    med_statement("5640", "ibuprofen", start=ago(months=10), id="ibu"),
)
SCS = (
    condition("M96.1", onset=ago(months=24), id="fbss"),
    med_statement("5640", "ibuprofen", start=ago(months=20), id="ibu"),
)


def block(when, percent=None, *, id, cpt="64493"):
    """A lumbar medial branch block at 09:00 with its same-day percent relief."""
    out = [procedure(cpt, performed=f"{when}T09:00:00Z", id=id)]
    if percent is not None:
        out.append(percent_relief(percent, f"{when}T14:00:00Z", id, id=f"{id}-relief"))
    return out


def ablation(when, percent=None, *, id, cpt="64635"):
    out = [procedure(cpt, performed=f"{when}T09:00:00Z", id=id)]
    if percent is not None:
        out.append(percent_relief(percent, ago(days=5), id, id=f"{id}-relief"))
    return out


def trial(when, percent=None, *, id="trial"):
    out = [procedure("63650", performed=f"{when}T09:00:00Z", id=id)]
    if percent is not None:
        out.append(percent_relief(percent, when, id, id=f"{id}-relief"))
    return out


# --------------------------------------------------------------------------- facet RFA


def test_no_blocks_first_diagnostic_block_is_indicated_ablation_is_not():
    doc = run(*FACET)
    assert indicated(doc) == ["facet-mbb-lumbar"]
    assert "First diagnostic block." in option(doc, "facet-mbb-lumbar")["rationale"]
    assert (
        "Needs two medial branch blocks with at least 80% relief (found 0: none recorded)."
        in option(doc, "facet-rfa-lumbar")["rationale"]
    )


def test_two_blocks_of_at_least_80_percent_indicate_ablation():
    doc = run(*FACET, *block(ago(months=2), 85, id="b1"), *block(ago(months=1), 90, id="b2"))
    assert indicated(doc) == ["facet-ia-lumbar", "facet-rfa-lumbar"]
    rfa = option(doc, "facet-rfa-lumbar")
    assert (
        f"Two medial branch blocks with at least 80% relief ({ago(months=1)}: 90%; "
        f"{ago(months=2)}: 85%)." in rfa["rationale"]
    )
    for ref in ("Procedure/b1", "Procedure/b2", "Observation/b1-relief", "Observation/b2-relief"):
        assert ref in rfa["evidence"]


def test_block_relief_of_exactly_80_percent_counts():
    doc = run(*FACET, *block(ago(months=2), 80, id="b1"), *block(ago(months=1), 80, id="b2"))
    assert option(doc, "facet-rfa-lumbar")["indicated"] is True


def test_block_relief_of_79_9_percent_does_not_count():
    doc = run(*FACET, *block(ago(months=2), 80, id="b1"), *block(ago(months=1), 79.9, id="b2"))
    assert option(doc, "facet-rfa-lumbar")["indicated"] is False
    assert option(doc, "facet-ia-lumbar")["indicated"] is False


def test_one_positive_block_is_not_enough_and_a_confirmatory_block_is_indicated():
    doc = run(*FACET, *block(ago(months=1), 95, id="b1"))
    rfa = option(doc, "facet-rfa-lumbar")
    assert rfa["indicated"] is False
    assert (
        f"Needs two medial branch blocks with at least 80% relief (found 1: {ago(months=1)}: 95%)."
        in rfa["rationale"]
    )
    mbb = option(doc, "facet-mbb-lumbar")
    assert mbb["indicated"] is True
    assert f"Confirmatory block: the block of {ago(months=1)} gave 95% relief." in mbb["rationale"]


def test_two_procedures_on_one_day_are_one_block_session():
    doc = run(
        *FACET,
        *block(ago(months=1), 95, id="b1"),
        procedure("64494", performed=f"{ago(months=1)}T09:05:00Z", id="b1-level2"),
    )
    assert option(doc, "facet-rfa-lumbar")["indicated"] is False
    assert "found 1" in rationale(doc, "facet-rfa-lumbar")


def test_unknown_block_relief_is_not_met_and_asks_to_record_it():
    when = ago(months=1)
    doc = run(*FACET, *block(ago(months=2), 90, id="b1"), *block(when, None, id="b2"))
    assert indicated(doc) == []
    assert f"{when}: relief not recorded" in rationale(doc, "facet-rfa-lumbar")
    assert (
        f"Record the relief of the block of {when} before deciding on another block or an "
        "ablation." in doc["next_steps"]
    )


def test_unknown_relief_gives_one_next_step_not_one_per_option():
    when = ago(months=1)
    doc = run(*FACET, *block(ago(months=2), 90, id="b1"), *block(when, None, id="b2"))
    assert [s for s in doc["next_steps"] if s.startswith("Record the relief")] == [
        f"Record the relief of the block of {when} before deciding on another block or an ablation."
    ]


def test_unknown_relief_of_the_older_block_is_asked_for_by_the_ablation():
    older = ago(months=2)
    doc = run(*FACET, *block(older, None, id="b1"), *block(ago(months=1), 90, id="b2"))
    assert option(doc, "facet-mbb-lumbar")["indicated"] is True  # confirmatory block
    assert option(doc, "facet-rfa-lumbar")["indicated"] is False
    assert (
        f"Record the relief of the block of {older} before deciding on another block or an "
        "ablation." in doc["next_steps"]
    )


def test_block_relief_a_day_later_is_ignored_and_falls_back_to_nrs():
    day1, day2 = ago(months=2), ago(months=1)
    doc = run(
        *FACET,
        *block(day1, 90, id="b1"),
        procedure("64493", performed=f"{day2}T09:00:00Z", id="b2"),
        percent_relief(95, ago(months=1, days=-1), "b2"),  # the next day: ignored
        nrs(8, f"{day2}T08:00:00Z", part_of="b2"),
        nrs(1, f"{day2}T10:00:00Z", part_of="b2"),
    )
    assert option(doc, "facet-rfa-lumbar")["indicated"] is True
    assert f"{day2}: 87.5%" in rationale(doc, "facet-rfa-lumbar")


def test_block_relief_a_day_later_without_nrs_is_unknown():
    day2 = ago(months=1)
    doc = run(
        *FACET,
        *block(ago(months=2), 90, id="b1"),
        procedure("64493", performed=f"{day2}T09:00:00Z", id="b2"),
        percent_relief(95, ago(months=1, days=-1), "b2"),
    )
    assert option(doc, "facet-rfa-lumbar")["indicated"] is False
    assert f"{day2}: relief not recorded" in rationale(doc, "facet-rfa-lumbar")


def test_nrs_derived_block_relief_below_80_percent_is_negative():
    day2 = ago(months=1)
    doc = run(
        *FACET,
        *block(ago(months=2), 90, id="b1"),
        procedure("64493", performed=f"{day2}T09:00:00Z", id="b2"),
        nrs(5, f"{day2}T08:00:00Z", part_of="b2"),
        nrs(2, f"{day2}T10:00:00Z", part_of="b2"),
    )
    assert option(doc, "facet-rfa-lumbar")["indicated"] is False
    assert f"{day2}: 60%" in rationale(doc, "facet-rfa-lumbar")


def test_nrs_baseline_zero_leaves_block_relief_unknown():
    day2 = ago(months=1)
    doc = run(
        *FACET,
        *block(ago(months=2), 90, id="b1"),
        procedure("64493", performed=f"{day2}T09:00:00Z", id="b2"),
        nrs(0, f"{day2}T08:00:00Z", part_of="b2"),
        nrs(0, f"{day2}T10:00:00Z", part_of="b2"),
    )
    assert f"{day2}: relief not recorded" in rationale(doc, "facet-rfa-lumbar")


def test_the_two_most_recent_blocks_decide():
    doc = run(
        *FACET,
        *block(ago(months=6), 90, id="b1"),
        *block(ago(months=4), 90, id="b2"),
        *block(ago(months=1), 50, id="b3"),
    )
    assert option(doc, "facet-rfa-lumbar")["indicated"] is False


def test_mbb_not_indicated_after_two_positive_blocks():
    doc = run(*FACET, *block(ago(months=2), 85, id="b1"), *block(ago(months=1), 90, id="b2"))
    mbb = option(doc, "facet-mbb-lumbar")
    assert mbb["indicated"] is False
    assert any(line.startswith("Diagnostic phase complete") for line in mbb["rationale"])


def test_negative_most_recent_block_stops_both_block_and_ablation():
    when = ago(months=1)
    doc = run(*FACET, *block(when, 40, id="b1"))
    assert indicated(doc) == []
    assert (
        f"The most recent block ({when}) gave 40% relief, below 80%: the facet joints are not "
        "shown to be the pain source." in option(doc, "facet-mbb-lumbar")["rationale"]
    )
    assert option(doc, "facet-rfa-lumbar")["indicated"] is False


def test_block_exactly_24_months_ago_counts_one_day_older_does_not():
    inside = run(*FACET, *block(ago(months=24), 90, id="b1"), *block(ago(months=1), 90, id="b2"))
    outside = run(
        *FACET, *block(ago(months=24, days=1), 90, id="b1"), *block(ago(months=1), 90, id="b2")
    )
    assert option(inside, "facet-rfa-lumbar")["indicated"] is True
    assert option(outside, "facet-rfa-lumbar")["indicated"] is False
    assert "found 1" in rationale(outside, "facet-rfa-lumbar")


def test_cervical_blocks_do_not_count_for_the_lumbar_ablation():
    doc = run(
        *FACET,
        *block(ago(months=2), 90, id="b1", cpt="64490"),
        *block(ago(months=1), 90, id="b2", cpt="64490"),
    )
    assert option(doc, "facet-rfa-lumbar")["indicated"] is False


def test_cervical_ablation_uses_cervical_blocks():
    doc = run(
        condition("M47.812", onset=ago(months=12)),
        med_statement("5640", "ibuprofen", start=ago(months=10)),
        *block(ago(months=2), 90, id="b1", cpt="64490"),
        *block(ago(months=1), 90, id="b2", cpt="64491"),
    )
    assert indicated(doc) == ["facet-rfa-cervical"]


def test_facet_ia_needs_the_same_two_positive_blocks():
    one = run(*FACET, *block(ago(months=1), 90, id="b1"))
    ia = option(one, "facet-ia-lumbar")
    assert ia["indicated"] is False
    assert any(
        line.startswith("Needs two diagnostic blocks with at least 80% relief")
        for line in ia["rationale"]
    )


# ------------------------------------------------------------------------- repeat RFA


def test_repeat_ablation_within_24_months_needs_its_relief_at_least_50_percent():
    doc = run(*FACET, *ablation(ago(months=10), 60, id="rfa1"))
    rfa = option(doc, "facet-rfa-lumbar")
    assert rfa["indicated"] is True
    assert (
        f"Repeat ablation: the ablation of {ago(months=10)} gave 60% relief (at least 50%)."
        in rfa["rationale"]
    )


def test_repeat_ablation_with_exactly_50_percent_relief_is_indicated():
    doc = run(*FACET, *ablation(ago(months=10), 50, id="rfa1"))
    assert option(doc, "facet-rfa-lumbar")["indicated"] is True


def test_repeat_ablation_after_poor_relief_is_not_indicated_even_with_new_blocks():
    doc = run(
        *FACET,
        *ablation(ago(months=10), 49, id="rfa1"),
        *block(ago(months=3), 90, id="b1"),
        *block(ago(months=2), 90, id="b2"),
    )
    rfa = option(doc, "facet-rfa-lumbar")
    assert rfa["indicated"] is False
    assert (
        f"Repeat ablation: the ablation of {ago(months=10)} gave 49% relief (below 50%)."
        in rfa["rationale"]
    )


def test_repeat_ablation_with_unknown_relief_asks_to_record_it():
    when = ago(months=10)
    doc = run(*FACET, *ablation(when, None, id="rfa1"))
    assert option(doc, "facet-rfa-lumbar")["indicated"] is False
    assert f"Record the relief after the ablation of {when}." in doc["next_steps"]


def test_ablation_older_than_24_months_needs_new_blocks():
    doc = run(*FACET, *ablation(ago(months=24, days=1), 90, id="rfa1"))
    rfa = option(doc, "facet-rfa-lumbar")
    assert rfa["indicated"] is False
    assert "found 0" in rationale(doc, "facet-rfa-lumbar")


def test_ablation_exactly_24_months_ago_is_a_repeat():
    doc = run(*FACET, *ablation(ago(months=24), 90, id="rfa1"))
    assert option(doc, "facet-rfa-lumbar")["indicated"] is True


# ------------------------------------------------------------------------------- SCS


def test_scs_without_trial_trial_indicated_implant_not():
    doc = run(*SCS)
    assert option(doc, "scs-trial")["indicated"] is True
    implant = option(doc, "scs-implant")
    assert implant["indicated"] is False
    assert "Needs a successful stimulator trial first." in implant["rationale"]


@pytest.mark.parametrize("percent", [50, 75])
def test_successful_trial_indicates_the_implant_not_another_trial(percent):
    when = ago(months=1)
    doc = run(*SCS, *trial(when, percent))
    assert option(doc, "scs-implant")["indicated"] is True
    scs_trial = option(doc, "scs-trial")
    assert scs_trial["indicated"] is False
    assert (
        f"The trial of {when} succeeded ({percent}%): the next step is the permanent implant."
        in scs_trial["rationale"]
    )


def test_failed_trial_indicates_neither():
    when = ago(months=1)
    doc = run(*SCS, *trial(when, 49.9))
    assert option(doc, "scs-trial")["indicated"] is False
    assert option(doc, "scs-implant")["indicated"] is False
    assert (
        f"The trial of {when} failed (49.9%, below 50%); a failed trial is not repeated."
        in option(doc, "scs-trial")["rationale"]
    )


def test_trial_with_unknown_relief_indicates_neither_and_asks_to_record_it():
    when = ago(months=1)
    doc = run(*SCS, *trial(when, None))
    assert option(doc, "scs-trial")["indicated"] is False
    assert option(doc, "scs-implant")["indicated"] is False
    assert f"Record the relief of the stimulator trial of {when}." in doc["next_steps"]


def test_most_recent_trial_decides_the_implant():
    doc = run(*SCS, *trial(ago(months=6), 30, id="t1"), *trial(ago(months=1), 70, id="t2"))
    assert option(doc, "scs-implant")["indicated"] is True
    doc = run(*SCS, *trial(ago(months=6), 70, id="t1"), *trial(ago(months=1), 30, id="t2"))
    assert option(doc, "scs-implant")["indicated"] is False


@pytest.mark.parametrize("cpt", ["63685", "63655"])
def test_after_a_permanent_implant_neither_is_indicated(cpt):
    when = ago(months=2)
    doc = run(*SCS, *trial(ago(months=3), 80), procedure(cpt, performed=f"{when}T10:00:00Z"))
    for pid in ("scs-trial", "scs-implant"):
        opt = option(doc, pid)
        assert opt["indicated"] is False
        assert f"A stimulator was implanted on {when}." in opt["rationale"]


def test_63650_with_63685_on_the_same_day_is_an_implant_not_a_trial():
    when = ago(months=2)
    doc = run(
        *SCS,
        procedure("63650", performed=f"{when}T09:00:00Z"),
        procedure("63685", performed=f"{when}T10:00:00Z"),
    )
    assert f"A stimulator was implanted on {when}." in option(doc, "scs-trial")["rationale"]
    assert option(doc, "scs-trial")["coverage"]["criteria"][4]["detail"] == "0 trials so far"


@pytest.mark.parametrize("code", ["F11.20", "F10.20", "F14.10", "F19.20"])
def test_active_substance_use_disorder_stops_both_scs_options(code):
    doc = run(*SCS, *trial(ago(months=1), 80), condition(code, onset=ago(months=30)))
    for pid in ("scs-trial", "scs-implant"):
        opt = option(doc, pid)
        assert opt["indicated"] is False
        assert (
            "Active substance use disorder: a contraindication to spinal cord stimulation."
            in opt["rationale"]
        )


def test_snomed_opioid_abuse_is_an_active_substance_use_disorder():
    doc = run(*SCS, condition(None, snomed="5602001", onset=ago(months=30)))
    assert option(doc, "scs-trial")["indicated"] is False


@pytest.mark.parametrize("code", ["F11.21", "F11.11", "F10.21", "F11.90", "F17.210"])
def test_remission_use_and_nicotine_codes_do_not_stop_scs(code):
    doc = run(*SCS, condition(code, onset=ago(months=30)))
    assert option(doc, "scs-trial")["indicated"] is True


def test_resolved_substance_use_disorder_does_not_stop_scs():
    doc = run(*SCS, condition("F11.20", onset=ago(months=30), status="resolved"))
    assert option(doc, "scs-trial")["indicated"] is True
