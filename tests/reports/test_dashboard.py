"""Clinic dashboards: hand-computed figures, the generated clinic, the charts."""

from __future__ import annotations

from datetime import date

import pytest

from painpath.errors import InputError
from painpath.knowledge import load_knowledge, load_outcomes
from painpath.pathway import load_pathway
from painpath.reports import (
    DASHBOARD_CHARTS,
    EpisodeFlow,
    OutcomeSummary,
    clinic_dashboard,
    dashboard_chart,
    generated_clinic,
    outcome_summary,
    summary_from_json,
    summary_json,
)

KB = load_knowledge()
OUT = load_outcomes()
AS_OF = date(2026, 6, 1)


def _small() -> dict:  # type: ignore[type-arg]
    flows = [
        EpisodeFlow(frozenset({"referred"}), date(2026, 5, 1)),
        EpisodeFlow(
            frozenset({"referred", "consulted", "treated"}), date(2026, 1, 1), date(2026, 1, 31)
        ),
        EpisodeFlow(
            frozenset({"referred", "consulted", "treated", "followed-up"}),
            date(2026, 2, 1),
            date(2026, 2, 11),
        ),
    ]
    yes = {"responder-30": True, "responder-50": True}
    part = {"responder-30": True, "responder-50": False}
    unknown = {"responder-30": None, "responder-50": None}
    reports = [
        OutcomeSummary(
            "esi-caudal", yes, 12.0, ((date(2026, 1, 31), 60.0), (date(2026, 5, 1), 30.0))
        ),
        OutcomeSummary("esi-caudal", part, 4.0, ((date(2026, 5, 20), 20.0),)),
        OutcomeSummary("esi-caudal", unknown, None),
        OutcomeSummary("scs-trial", unknown, None),
    ]
    return clinic_dashboard(flows, reports, OUT, as_of=AS_OF).to_json()


def test_the_funnel_counts_episodes_reaching_each_stage() -> None:
    funnel = {s["stage"]: s["episodes"] for s in _small()["funnel"]}
    assert funnel == {"referred": 3, "consulted": 2, "treated": 2, "followed-up": 1}


def test_rates_leave_unknown_outcomes_out_and_say_how_many() -> None:
    esi = _small()["by_procedure"]["esi-caudal"]
    assert esi["episodes"] == 3
    assert esi["responder-30"] == {"known": 2, "unknown": 1, "rate_percent": 100.0}
    assert esi["responder-50"] == {"known": 2, "unknown": 1, "rate_percent": 50.0}
    assert esi["relief_weeks"] == {"known": 2, "median": 8.0}
    scs = _small()["by_procedure"]["scs-trial"]
    assert scs["responder-50"]["rate_percent"] is None  # no data, not 0%


def test_the_mme_trend_is_the_monthly_mean_of_measurements() -> None:
    trend = {m["month"]: m for m in _small()["mme_by_month"]}
    assert len(trend) == 12 and "2026-06" in trend and "2025-07" in trend
    assert trend["2026-05"]["mean_mme_per_day"] == 25.0 and trend["2026-05"]["measurements"] == 2
    assert trend["2026-03"]["mean_mme_per_day"] is None


def test_days_from_referral_to_procedure() -> None:
    assert _small()["days_referral_to_procedure"] == {"episodes": 2, "median": 20.0}


def test_the_funnel_names_events_of_the_pathway() -> None:
    pathway = load_pathway()
    names = {*pathway.event_names, pathway.definition.opening.name}
    for stage in OUT.dashboard.funnel:
        assert stage.event in names
    assert OUT.dashboard.procedure_event in names


def test_the_generated_clinic_is_deterministic_and_has_10000_episodes() -> None:
    first = generated_clinic(KB, OUT, 10_000, as_of=AS_OF)
    again = generated_clinic(KB, OUT, 10_000, as_of=AS_OF)
    assert first == again
    flows, reports = first
    assert len(flows) == 10_000
    treated = sum(1 for f in flows if f.procedure_day is not None)
    assert treated == len(reports) and 0 < treated < 10_000
    dash = clinic_dashboard(flows, reports, OUT, as_of=AS_OF)
    assert dash.funnel[0][2] == 10_000
    counts = [n for _, _, n in dash.funnel]
    assert counts == sorted(counts, reverse=True)


@pytest.mark.parametrize("name", DASHBOARD_CHARTS)
def test_each_chart_is_an_svg_with_its_title(name: str) -> None:
    flows, reports = generated_clinic(KB, OUT, 300, as_of=AS_OF, seed=1)
    svg = dashboard_chart(clinic_dashboard(flows, reports, OUT, as_of=AS_OF), name)
    assert svg.startswith(b"<?xml") and b"<svg" in svg
    titles = {
        "responders": b"Responders by procedure",
        "relief": b"Median duration of relief",
        "mme": b"Opioid dose across the clinic",
        "funnel": b"Pathway: referred to followed up",
        "time-to-procedure": b"Time from referral to procedure",
    }
    assert titles[name] in svg


def test_an_unknown_chart_is_refused() -> None:
    flows, reports = generated_clinic(KB, OUT, 10, as_of=AS_OF)
    with pytest.raises(InputError):
        dashboard_chart(clinic_dashboard(flows, reports, OUT, as_of=AS_OF), "pie")


def test_a_summary_survives_its_json() -> None:
    summary = OutcomeSummary("esi-caudal", {"responder-30": True}, 3.5, ((date(2026, 1, 1), 5.0),))
    assert summary_from_json(summary_json(summary)) == summary


def test_the_summary_of_a_report_reads_the_dashboard_window() -> None:
    body = {
        "procedure": "esi-caudal",
        "index_day": "2026-01-05",
        "baseline": {"mme_per_day": 60.0},
        "relief_weeks": 2.1,
        "windows": [
            {
                "window": "2w",
                "target_day": "2026-01-19",
                "mme_per_day": 60.0,
                "responders": {"responder-30": True},
            },
            {
                "window": "3m",
                "target_day": "2026-04-06",
                "mme_per_day": None,
                "responders": {"responder-30": False},
            },
        ],
    }
    summary = outcome_summary(body, OUT)
    assert OUT.dashboard.responder_window == "3m"
    assert summary.responders == {"responder-30": False}
    assert summary.mme == ((date(2026, 1, 5), 60.0), (date(2026, 1, 19), 60.0))
