"""Rendering pages: one Jinja2 environment (autoescaped) and the headers every page carries.

Pages allow only this site's own stylesheet, script and forms (`Content-Security-Policy`);
no inline script or style, so the charts use SVG presentation attributes.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.responses import HTMLResponse

__all__ = ["CSP", "ENV", "page"]

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
"""The pages' Content-Security-Policy (the API's JSON keeps its stricter `default-src 'none'`)."""


def _day(value: object) -> str:
    """A date or date-time as `2026-06-05` (ISO strings are cut to their date)."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)[:10] if value else ""


def _when(value: object) -> str:
    """A date-time as `2026-06-05 09:30 UTC` (ISO strings accepted)."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return str(value)
    if isinstance(value, datetime):
        text = value.strftime("%Y-%m-%d %H:%M")
        offset = value.utcoffset()
        if offset is None or not offset:
            return f"{text} UTC"
        return value.strftime("%Y-%m-%d %H:%M %z")
    return str(value) if value is not None else ""


def _words(value: object) -> str:
    """An id as words: `refer-interventional` -> `refer interventional`."""
    return str(value).replace("-", " ").replace("_", " ")


def _num(value: object) -> str:
    """A number as people write it: 30.0 -> 30, 2.5 -> 2.5."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


ENV = Environment(
    loader=PackageLoader("painpath.web", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
ENV.filters.update(day=_day, when=_when, words=_words, num=_num)


def page(
    name: str, context: Mapping[str, Any], *, status: int = 200, title: str = ""
) -> HTMLResponse:
    """The template `name` rendered with `context` as an HTML response with the page headers."""
    html = ENV.get_template(name).render(title=title, **context)
    return HTMLResponse(html, status_code=status, headers={"content-security-policy": CSP})
