"""Clinic dashboards: figures over every episode of a clinic, then their charts.

Input is one `EpisodeFlow` per pathway episode and one `OutcomeSummary` per outcome report
(built from the store by the clinic layer, or by the generator of a synthetic clinic);
`clinic_dashboard` aggregates them in one pass each and `dashboard_chart` draws one chart.
Rates count only reports whose outcome is known at the responder window: unknown outcomes
are left out and counted, never imputed.
"""

from __future__ import annotations

import itertools
import json
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from painpath.errors import InputError
from painpath.knowledge import OutcomesFile
from painpath.reports._charts import bar_chart, funnel_chart, histogram_chart, line_chart

__all__ = [
    "DASHBOARD_CHARTS",
    "Dashboard",
    "EpisodeFlow",
    "OutcomeSummary",
    "clinic_dashboard",
    "dashboard_chart",
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


def dashboard_chart(dash: Dashboard, name: str, *, fmt: str = "svg") -> bytes:
    """One of `DASHBOARD_CHARTS` as SVG (or PNG) bytes.

    A chart depends only on the figures it shows, so the bytes are kept for the last few
    distinct figures (`_CACHE`): a dashboard opened again before its figures change is not
    drawn again. The figures themselves are recomputed on every call.
    """
    if name not in DASHBOARD_CHARTS:
        raise InputError(f"unknown chart {name!r}", "name", ", ".join(DASHBOARD_CHARTS))
    key = (name, fmt, json.dumps(dash.to_json(), sort_keys=True, default=str))
    found = _CACHE.get(key)
    if found is None:
        found = _draw(dash, name, fmt)
        _CACHE[key] = found
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
    return found


_CACHE: dict[tuple[str, str, str], bytes] = {}
_CACHE_SIZE = 32


def _draw(dash: Dashboard, name: str, fmt: str) -> bytes:
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
        return bar_chart(
            "Responders by procedure",
            procs,
            series,
            xlabel="Responders, % of episodes with a known outcome",
            counts=counts,
            fmt=fmt,
        )
    if name == "relief":
        values = [dash.by_procedure[p]["relief_weeks"]["median"] for p in procs]
        return bar_chart(
            "Median duration of relief by procedure",
            procs,
            [("median weeks", values)],
            xlabel="Weeks of relief at or above the outcomes level (median)",
            counts=counts,
            fmt=fmt,
        )
    if name == "mme":
        return line_chart(
            "Opioid dose across the clinic",
            [(m, v) for m, v, _ in dash.mme_by_month],
            ylabel="Mean MME/day",
            xlabel="Month",
            fmt=fmt,
        )
    if name == "funnel":
        return funnel_chart(
            "Pathway: referred to followed up", [(label, n) for _, label, n in dash.funnel], fmt=fmt
        )
    if name == "time-to-procedure":
        days = dash.days_to_procedure
        median = f"median {statistics.median(days):g} days" if days else "no procedures yet"
        return histogram_chart(
            "Time from referral to procedure",
            _bins(days),
            xlabel="Days from referral to the procedure day",
            note=f"{median} (n={len(days)})",
            fmt=fmt,
        )
    raise InputError(f"unknown chart {name!r}", "name", ", ".join(DASHBOARD_CHARTS))
