"""Outcome measures on a hand-computed episode, missing follow-ups reported as missing."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import pyarrow.parquet as pq
import pytest

from builders import bundle, condition, med_statement, nrs, painpath_obs, procedure
from painpath.errors import InputError
from painpath.fhir import read_bundle
from painpath.knowledge import load_knowledge, load_outcomes
from painpath.reports import (
    EpisodeOutcomes,
    episode_outcomes,
    measures_csv,
    measures_fhir,
    measures_parquet,
)

KB = load_knowledge()
OUT = load_outcomes()
AS_OF = date(2026, 6, 1)
LOINC = "http://loinc.org"


def _peg(value: float, when: str, id: str) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": id,
        "status": "final",
        "code": {"coding": [{"system": LOINC, "code": "91147-9"}]},
        "effectiveDateTime": when,
        "valueDecimal": value,
    }


def _episode(*extra: dict[str, Any]) -> EpisodeOutcomes:
    """ESI on 2026-01-05; baseline NRS 8 and PEG 7 on 2025-12-20; oxycodone 10 mg every 6 h
    (60 MME/day) until 2026-03-01; NRS 4 / PEG 5 on 2026-01-20 (2 weeks); nothing at 6 weeks;
    NRS 6 on 2026-04-01 (3 months); a repeat ESI on 2026-05-01 and an interlaminar one."""
    b = bundle(
        condition("M54.16", onset="2025-06-01"),
        med_statement(
            "7804",
            "oxycodone",
            start="2025-10-01",
            end="2026-03-01",
            dose=10,
            frequency=1,
            period=6,
            period_unit="h",
        ),
        procedure("64483", performed="2026-01-05T09:00:00Z", id="esi-1"),
        nrs(8, "2025-12-20T10:00:00Z", id="nrs-base"),
        _peg(7, "2025-12-20T10:00:00Z", "peg-base"),
        nrs(4, "2026-01-20T10:00:00Z", id="nrs-2w"),
        _peg(5, "2026-01-20T10:00:00Z", "peg-2w"),
        nrs(6, "2026-04-01T10:00:00Z", id="nrs-3m"),
        procedure("64483", performed="2026-05-01T09:00:00Z", id="esi-2"),
        procedure("62323", performed="2026-05-10T09:00:00Z", id="esi-il"),
        *extra,
    )
    return episode_outcomes(read_bundle(b), KB, OUT, AS_OF)


def _window(ep: EpisodeOutcomes, window: str) -> Any:
    return next(w for w in ep.windows if w.window == window)


def test_the_baseline_and_the_index_are_found() -> None:
    ep = _episode()
    assert ep.index_procedure == "Procedure/esi-1"
    assert ep.procedure == "esi-transforaminal-lumbar"
    assert ep.baseline_nrs is not None and ep.baseline_nrs.value == 8
    assert ep.baseline_peg is not None and ep.baseline_peg.value == 7
    assert ep.baseline_mme == pytest.approx(60.0)  # 10 mg x 4 a day x 1.5


def test_two_weeks_is_computed_by_hand() -> None:
    w = _window(_episode(), "2w")
    assert w.status == "recorded"
    assert w.nrs.value == 4 and w.nrs_change == -4
    assert w.nrs_improvement_percent == pytest.approx(50.0)
    assert w.responders == {"responder-30": True, "responder-50": True}
    assert w.peg_change == -2
    assert w.mme_change == 0


def test_a_missed_follow_up_is_missing_with_no_numbers() -> None:
    w = _window(_episode(), "6w")
    assert w.status == "missing"
    assert w.nrs is None and w.nrs_change is None and w.nrs_improvement_percent is None
    assert w.responders == {"responder-30": None, "responder-50": None}


def test_three_months_is_a_partial_response_and_off_opioids() -> None:
    w = _window(_episode(), "3m")
    assert w.nrs_improvement_percent == pytest.approx(25.0)
    assert w.responders == {"responder-30": False, "responder-50": False}
    assert w.mme == 0 and w.mme_change == pytest.approx(-60.0)


def test_a_score_after_as_of_is_not_used_but_an_earlier_one_in_the_window_is() -> None:
    # 3 months: target 2026-04-06 +/- 21 days; the 2026-04-05 score is nearer but after as_of
    b = bundle(
        condition("M54.16", onset="2025-06-01"),
        procedure("64483", performed="2026-01-05T09:00:00Z", id="esi-1"),
        nrs(8, "2025-12-20T10:00:00Z"),
        nrs(6, "2026-03-20T10:00:00Z", id="early"),
        nrs(2, "2026-04-05T10:00:00Z", id="late"),
    )
    ep = episode_outcomes(read_bundle(b), KB, OUT, date(2026, 4, 1))
    three = _window(ep, "3m")
    assert three.nrs is not None and three.nrs.ref == "Observation/early"


def test_windows_after_as_of_are_not_due() -> None:
    ep = _episode()
    assert [_window(ep, w).status for w in ("6m", "12m")] == ["not-due", "not-due"]
    assert _window(ep, "6m").mme is None


def test_relief_duration_from_follow_ups_ends_at_the_first_score_below_the_level() -> None:
    ep = _episode()
    assert ep.relief_source == "follow-up"
    assert ep.relief_weeks == pytest.approx(round(15 / 7, 1))  # 2026-01-05 -> 2026-01-20
    assert ep.relief_censored is False


def test_a_recorded_relief_duration_wins_over_follow_ups() -> None:
    weeks = painpath_obs("relief-duration-weeks", 10, "2026-04-01", id="dur")
    weeks["partOf"] = [{"reference": "Procedure/esi-1"}]
    ep = _episode(weeks)
    assert (ep.relief_weeks, ep.relief_source) == (10, "recorded")


def test_repeat_procedures_and_complications_are_counted() -> None:
    comp = painpath_obs("procedure-complication", True, "2026-01-05", id="comp")
    comp["partOf"] = [{"reference": "Procedure/esi-1"}]
    ep = _episode(comp)
    assert ep.repeat_procedures == 1  # the second transforaminal ESI, not the interlaminar one
    assert ep.complications == ("Observation/comp",)


def test_no_baseline_says_so_and_computes_no_change() -> None:
    b = bundle(
        condition("M54.16", onset="2025-06-01"),
        procedure("64483", performed="2026-01-05T09:00:00Z", id="esi-1"),
        nrs(4, "2026-01-20T10:00:00Z"),
    )
    ep = episode_outcomes(read_bundle(b), KB, OUT, AS_OF)
    assert ep.baseline_nrs is None
    assert "No pain score in the 30 days before the procedure" in ep.messages[0]
    w = _window(ep, "2w")
    assert w.status == "recorded" and w.nrs_change is None and w.responders["responder-30"] is None


def test_a_record_without_an_interventional_procedure_is_refused() -> None:
    with pytest.raises(InputError, match="no interventional procedure"):
        episode_outcomes(read_bundle(bundle(condition("M54.16"))), KB, OUT, AS_OF)


def test_csv_keeps_missing_values_empty() -> None:
    rows = list(csv.DictReader(io.StringIO(measures_csv([_episode().to_json()], OUT).decode())))
    assert [r["window"] for r in rows] == ["2w", "6w", "3m", "6m", "12m"]
    six = rows[1]
    assert six["status"] == "missing" and six["nrs"] == "" and six["responder-50"] == ""
    assert rows[0]["nrs_change"] == "-4.0"


def test_parquet_has_typed_columns_and_nulls() -> None:
    table = pq.read_table(io.BytesIO(measures_parquet([_episode().to_json()], OUT)))
    assert table.num_rows == 5
    assert table.column("nrs").to_pylist() == [4.0, None, 6.0, None, None]
    assert table.schema.field("responder-30").type == "bool"


def test_fhir_observations_mark_missing_values_absent() -> None:
    obs = measures_fhir(_episode().to_json(), KB.instruments.painpath_system)
    six = [o for o in obs if "-6w-" in o["id"] and "mme" not in o["id"]]
    assert len(six) == 4
    assert all("dataAbsentReason" in o and "valueQuantity" not in o for o in six)
    # MME comes from the medication list, not a follow-up visit: known at 6 weeks
    mme = next(o for o in obs if o["id"].endswith("-6w-mme-change"))
    assert mme["valueQuantity"]["value"] == 0
    two = next(o for o in obs if o["id"].endswith("-2w-nrs-change"))
    assert two["valueQuantity"]["value"] == -4
