"""Clinic dashboards: figures over every episode of a clinic, then their charts.

Input is one `EpisodeFlow` per pathway episode and one `OutcomeSummary` per outcome report
(built from the store by the clinic layer, or by the generator of a synthetic clinic);
`clinic_dashboard` aggregates them in one pass each and `dashboard_chart` draws one chart
(`dashboard_chart_key` names its inputs, for the clinic layer's chart store).
Rates count only reports whose outcome is known at the responder window: unknown outcomes
are left out and counted, never imputed.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from painpath.errors import InputError
from painpath.knowledge import OutcomesFile
from painpath.reports._svgcharts import bar_svg, funnel_svg, histogram_svg, line_svg

__all__ = [
    "CHART_REVISION",
    "DASHBOARD_CHARTS",
    "Dashboard",
    "EpisodeFlow",
    "OutcomeSummary",
    "clinic_dashboard",
    "dashboard_chart",
    "dashboard_chart_key",
    "dashboard_from_counts",
]

DASHBOARD_CHARTS = ("responders", "relief", "mme", "funnel", "time-to-procedure")
"""The clinic dashboard's charts, by name."""

_DAY_BINS = (14, 30, 60, 90, 180)


@dataclass(frozen=True, slots=True)
class EpisodeFlow:
    """One pathway episode: the funnel stages it reached and its dates (no name, no record)."""

    stages: frozenset[str]
    referred: date
    procedure_day: date | None = None


@dataclass(frozen=True, slots=True)
class OutcomeSummary:
    """One outcome report: procedure, responders at the dashboard's window, relief duration,
    and the MME/day measurements it holds."""

    procedure: str
    responders: dict[str, bool | None] = field(default_factory=dict)
    relief_weeks: float | None = None
    mme: tuple[tuple[date, float], ...] = ()


@dataclass(frozen=True, slots=True)
class Dashboard:
    episodes: int
    funnel: list[tuple[str, str, int]]  # (stage id, label, episodes)
    by_procedure: dict[str, dict[str, Any]]
    mme_by_month: list[tuple[str, float | None, int]]  # (YYYY-MM, mean MME/day, measurements)
    days_to_procedure: list[int]
    responder_ids: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        days = self.days_to_procedure
        return {
            "episodes": self.episodes,
            "funnel": [{"stage": s, "label": lab, "episodes": n} for s, lab, n in self.funnel],
            "by_procedure": self.by_procedure,
            "mme_by_month": [
                {"month": m, "mean_mme_per_day": v, "measurements": n}
                for m, v, n in self.mme_by_month
            ],
            "days_referral_to_procedure": {
                "episodes": len(days),
                "median": statistics.median(days) if days else None,
            },
        }


def _last_months(as_of: date, count: int) -> list[str]:
    """The `count` months up to and including as_of's month, oldest first (YYYY-MM)."""
    out: list[str] = []
    y, m = as_of.year, as_of.month
    for _ in range(count):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return out[::-1]


def clinic_dashboard(
    flows: Iterable[EpisodeFlow],
    reports: Iterable[OutcomeSummary],
    outcomes: OutcomesFile,
    *,
    as_of: date,
    months: int = 12,
) -> Dashboard:
    """Aggregate the clinic's episodes: funnel, responder rates and median relief duration by
    procedure, mean MME/day per month (the last `months` months), days referral -> procedure."""
    reached: dict[str, int] = dict.fromkeys((s.id for s in outcomes.dashboard.funnel), 0)
    days: list[int] = []
    total = 0
    for flow in flows:
        total += 1
        for stage in flow.stages:
            if stage in reached:
                reached[stage] += 1
        if flow.procedure_day is not None:
            days.append((flow.procedure_day - flow.referred).days)
    return dashboard_from_counts(
        total, reached, days, reports, outcomes, as_of=as_of, months=months
    )


def dashboard_from_counts(
    episodes: int,
    reached: dict[str, int],
    days: list[int],
    reports: Iterable[OutcomeSummary],
    outcomes: OutcomesFile,
    *,
    as_of: date,
    months: int = 12,
) -> Dashboard:
    """The dashboard from episode counts already made (by the database): `reached` episodes
    per funnel stage id, `days` from referral to procedure per treated episode."""
    spec = outcomes.dashboard
    responder_ids = tuple(r.id for r in outcomes.responders)
    per: dict[str, dict[str, Any]] = {}
    mme_sum: dict[str, float] = defaultdict(float)
    mme_n: dict[str, int] = defaultdict(int)
    total = episodes
    for ep in reports:
        for day, value in ep.mme:
            key = f"{day.year:04d}-{day.month:02d}"
            mme_sum[key] += value
            mme_n[key] += 1
        row = per.setdefault(
            ep.procedure,
            {
                "episodes": 0,
                "relief": [],
                **{f"{r}_known": 0 for r in responder_ids},
                **{f"{r}_yes": 0 for r in responder_ids},
            },
        )
        row["episodes"] += 1
        for r in responder_ids:
            answer = ep.responders.get(r)
            if answer is not None:
                row[f"{r}_known"] += 1
                row[f"{r}_yes"] += int(answer)
        if ep.relief_weeks is not None:
            row["relief"].append(ep.relief_weeks)
    by_procedure: dict[str, dict[str, Any]] = {}
    for proc, row in sorted(per.items()):
        out: dict[str, Any] = {"episodes": row["episodes"]}
        for r in responder_ids:
            known = row[f"{r}_known"]
            out[r] = {
                "known": known,
                "unknown": row["episodes"] - known,
                "rate_percent": None if not known else round(100 * row[f"{r}_yes"] / known, 1),
            }
        relief: list[float] = row["relief"]
        out["relief_weeks"] = {
            "known": len(relief),
            "median": statistics.median(relief) if relief else None,
        }
        by_procedure[proc] = out
    keys = _last_months(as_of, months)
    trend = [
        (k, round(mme_sum[k] / mme_n[k], 1) if mme_n.get(k) else None, mme_n.get(k, 0))
        for k in keys
    ]
    return Dashboard(
        episodes=total,
        funnel=[(s.id, s.label, reached.get(s.id, 0)) for s in spec.funnel],
        by_procedure=by_procedure,
        mme_by_month=trend,
        days_to_procedure=sorted(days),
        responder_ids=responder_ids,
    )


def _bins(days: list[int]) -> list[tuple[str, int]]:
    edges = (0, *_DAY_BINS)
    out = []
    for low, high in itertools.pairwise(edges):
        out.append((f"{low}-{high - 1} d", sum(1 for d in days if low <= d < high)))
    out.append((f"{edges[-1]}+ d", sum(1 for d in days if d >= edges[-1])))
    return out


def dashboard_chart(dash: Dashboard, name: str) -> bytes:
    """One of `DASHBOARD_CHARTS` as SVG bytes (written directly, about a millisecond)."""
    draw, args = _spec(dash, name)
    return draw(*args)


def dashboard_chart_key(dash: Dashboard, name: str) -> str:
    """A digest of exactly what the chart shows (its drawing inputs) and of the renderer
    revision: two dashboards with the same key draw the same bytes, so a stored chart can be
    found by its key, and a chart of other figures never is."""
    _, args = _spec(dash, name)
    text = json.dumps([CHART_REVISION, name, args], default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


CHART_REVISION = "svg-1"
"""Part of every chart key: change it when the drawing changes, so stored charts drawn by the
old code are not served again."""

_Draw = Callable[..., bytes]


def _spec(dash: Dashboard, name: str) -> tuple[_Draw, tuple[Any, ...]]:
    """The drawing function of chart `name` and its arguments (all of its inputs)."""
    procs = list(dash.by_procedure)
    counts = [dash.by_procedure[p]["episodes"] for p in procs]
    if name == "responders":
        series = [
            (
                f"≥{r.split('-')[-1]}% better",
                [dash.by_procedure[p][r]["rate_percent"] for p in procs],
            )
            for r in dash.responder_ids
        ]
        return _bars, (
            "Responders by procedure",
            procs,
            series,
            "Responders, % of episodes with a known outcome",
            counts,
        )
    if name == "relief":
        values = [dash.by_procedure[p]["relief_weeks"]["median"] for p in procs]
        return _bars, (
            "Median duration of relief by procedure",
            procs,
            [("median weeks", values)],
            "Weeks of relief at or above the outcomes level (median)",
            counts,
        )
    if name == "mme":
        return _line, (
            "Opioid dose across the clinic",
            [(m, v) for m, v, _ in dash.mme_by_month],
            "Mean MME/day",
            "Month",
        )
    if name == "funnel":
        return funnel_svg, (
            "Pathway: referred to followed up",
            [(label, n) for _, label, n in dash.funnel],
        )
    if name == "time-to-procedure":
        days = dash.days_to_procedure
        median = f"median {statistics.median(days):g} days" if days else "no procedures yet"
        return _histogram, (
            "Time from referral to procedure",
            _bins(days),
            "Days from referral to the procedure day",
            f"{median} (n={len(days)})",
        )
    raise InputError(f"unknown chart {name!r}", "name", ", ".join(DASHBOARD_CHARTS))


def _bars(title: str, labels: list[str], series: Any, xlabel: str, counts: list[int]) -> bytes:
    return bar_svg(title, labels, series, xlabel=xlabel, counts=counts)


def _line(title: str, points: Any, ylabel: str, xlabel: str) -> bytes:
    return line_svg(title, points, ylabel=ylabel, xlabel=xlabel)


def _histogram(title: str, bins: Any, xlabel: str, note: str) -> bytes:
    return histogram_svg(title, bins, xlabel=xlabel, note=note)
