"""The clinic dashboard over HTTP: its figures (JSON), its charts (SVG), and a small
server-rendered HTML page of its own (figures as tables, charts as images) until the web
pages take it over. Clinicians and admins of the clinic; aggregates only."""

from __future__ import annotations

import base64
import hashlib
import html
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import HTMLResponse, Response

from painpath.api._deps import CallerDep, NowDep, SessionDep
from painpath.api._pages import errors, page_errors
from painpath.api._routes_outcomes import SVG_RESPONSE, AsOf, svg_response
from painpath.clinic import dashboard_chart_bytes, dashboard_figures, dashboard_view
from painpath.knowledge import load_outcomes
from painpath.reports import DASHBOARD_CHARTS

__all__ = ["chart_link", "router"]

router = APIRouter(tags=["dashboard"])

_READ = errors(401, 403, 404)

ChartKey = Annotated[
    str | None,
    Query(
        pattern="^[0-9a-f]{64}$",
        description="The chart's key as the dashboard page links it: the stored chart of the "
        "figures that page showed. Without it, the chart of the current figures.",
    ),
]


def chart_link(name: str, key: str) -> str:
    """The link of a dashboard chart stored under `key` (see `dashboard_view`)."""
    return f"/dashboard/charts/{name}.svg?v={key}"


@router.get("/dashboard/data", name="dashboard.data", responses=_READ)
def dashboard_data(
    caller: CallerDep, session: SessionDep, now: NowDep, as_of: AsOf = None
) -> dict[str, Any]:
    """The clinic's figures: funnel, responders and relief by procedure, MME trend, days from
    referral to procedure."""
    return dashboard_figures(session, caller.principal, as_of=as_of, now=now).to_json()


@router.get(
    "/dashboard/charts/{name}.svg", name="dashboard.chart", responses={200: SVG_RESPONSE, **_READ}
)
def dashboard_chart(
    name: Annotated[str, Path(max_length=40, description=", ".join(DASHBOARD_CHARTS))],
    caller: CallerDep,
    session: SessionDep,
    now: NowDep,
    as_of: AsOf = None,
    v: ChartKey = None,
) -> Response:
    """One clinic dashboard chart as SVG."""
    return svg_response(
        dashboard_chart_bytes(session, caller.principal, name, key=v, as_of=as_of, now=now)
    )


_STYLE = (
    "body{font-family:system-ui,sans-serif;margin:1.5rem auto;max-width:62rem;"
    "color:#1f2933;line-height:1.5}h1{font-size:1.5rem}table{border-collapse:collapse}"
    "td,th{border:1px solid #cbd2d9;padding:.25rem .5rem;text-align:left}"
    "img{max-width:100%;height:auto;display:block;margin:1rem 0}"
)
_PAGE_CSP = (
    "default-src 'none'; img-src 'self'; frame-ancestors 'none'; style-src 'sha256-"
    + base64.b64encode(hashlib.sha256(_STYLE.encode()).digest()).decode()
    + "'"
)
_ALT = {
    "responders": "Responders by procedure",
    "relief": "Median duration of relief by procedure",
    "mme": "Mean opioid dose (MME/day) across the clinic by month",
    "funnel": "Pathway funnel from referral to follow-up",
    "time-to-procedure": "Days from referral to procedure",
}


@router.get(
    "/dashboard",
    name="dashboard.page",
    response_class=HTMLResponse,
    responses={200: {"content": {"text/html": {}}}, **page_errors(401, 403, 404)},
)
def dashboard_page(
    caller: CallerDep, session: SessionDep, now: NowDep, as_of: AsOf = None
) -> HTMLResponse:
    """The clinic dashboard as a page: the figures as tables, the charts as images."""
    figures, keys = dashboard_view(session, caller.principal, as_of=as_of, now=now)
    dash = figures.to_json()
    esc = html.escape
    funnel = "".join(
        f"<tr><td>{esc(s['label'])}</td><td>{s['episodes']}</td></tr>" for s in dash["funnel"]
    )
    rows = []
    for proc, fig in dash["by_procedure"].items():
        rates = [
            "no data" if v["rate_percent"] is None else f"{v['rate_percent']}% of {v['known']}"
            for k, v in fig.items()
            if k.startswith("responder")
        ]
        median = fig["relief_weeks"]["median"]
        rows.append(
            f"<tr><td>{esc(proc)}</td><td>{fig['episodes']}</td>"
            + "".join(f"<td>{esc(r)}</td>" for r in rates)
            + f"<td>{'no data' if median is None else median}</td></tr>"
        )
    charts = "".join(
        f'<img src="{esc(chart_link(n, keys[n]))}" alt="{esc(_ALT[n])}">' for n in DASHBOARD_CHARTS
    )
    days = dash["days_referral_to_procedure"]
    body = (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width=device-width,initial-scale=1'>"
        f"<title>Clinic dashboard · painpath</title><style>{_STYLE}</style></head><body>"
        f"<h1>Clinic dashboard</h1><p>{dash['episodes']} episodes. Median days from referral "
        f"to procedure: {days['median'] if days['median'] is not None else 'no data'} "
        f"({days['episodes']} procedures).</p>"
        f"<h2>Pathway</h2><table><tr><th>Stage</th><th>Episodes</th></tr>{funnel}</table>"
        f"<h2>By procedure</h2><table><tr><th>Procedure</th><th>Episodes</th>"
        + "".join(f"<th>≥{r.value:g}% better</th>" for r in load_outcomes().responders)
        + "<th>Median weeks of relief</th></tr>"
        + f"{''.join(rows)}</table><h2>Charts</h2>{charts}</body></html>"
    )
    return HTMLResponse(body, headers={"content-security-policy": _PAGE_CSP})
