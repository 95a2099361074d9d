"""The clinic dashboard inside the pages: the clinic service's figures as tables and its
charts as images (`GET /dashboard/charts/{name}.svg?v=KEY`: the charts this view stored).
Clinicians and admins only (the access table's `dashboard.page`, which the service checks
and audits); coordinators and patients get the refusal page, and the navigation offers the
page only to the roles the table allows."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from painpath.api._deps import NowDep, SessionDep
from painpath.api._routes_dashboard import chart_link
from painpath.clinic import dashboard_view
from painpath.errors import PainpathError
from painpath.knowledge import load_outcomes
from painpath.reports import DASHBOARD_CHARTS
from painpath.web._errors import error_page
from painpath.web._render import page
from painpath.web._route import PageRoute
from painpath.web._viewer import ViewerDep

__all__ = ["CHART_TITLES", "router"]

router = APIRouter(include_in_schema=False, route_class=PageRoute)

CHART_TITLES = {
    "responders": "Responders by procedure",
    "relief": "Median weeks of relief by procedure",
    "mme": "Mean opioid dose (MME per day) across the clinic, by month",
    "funnel": "Pathway funnel: referred, consulted, treated, followed up",
    "time-to-procedure": "Days from referral to procedure",
}


@router.get("/clinic/dashboard", name="web.dashboard")
def dashboard(request: Request, viewer: ViewerDep, session: SessionDep, now: NowDep) -> Response:
    """What the clinic achieved: funnel, responders and relief by procedure, MME trend."""
    try:
        principal = viewer.require()
        figures, keys = dashboard_view(session, principal, now=now)
    except PainpathError as exc:
        return error_page(request, viewer, exc)
    return page(
        "dashboard.html",
        {
            **viewer.template(),
            "dash": figures.to_json(),
            "responders": load_outcomes().responders,
            "charts": [(chart_link(n, keys[n]), CHART_TITLES.get(n, n)) for n in DASHBOARD_CHARTS],
        },
        title="Clinic dashboard",
    )
