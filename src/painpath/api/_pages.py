"""Shared route helpers: pages as JSON, and the query parameters every list takes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Query

from painpath.api._models import ErrorBody
from painpath.clinic import MAX_LIMIT, Page

__all__ = [
    "MAX_ROW_ID",
    "Limit",
    "Offset",
    "Responses",
    "RowId",
    "Sort",
    "errors",
    "page_errors",
    "page_out",
]

MAX_ROW_ID = 2**31 - 1
"""The largest row id or offset a request may name: PostgreSQL's `integer` (SQLite's 64-bit
integers would overflow a few digits later); beyond it the request is refused with 422
instead of failing in the database driver."""

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size.")]
Offset = Annotated[int, Query(ge=0, le=MAX_ROW_ID, description="Rows to skip (see `next_offset`).")]
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="The row id.")]
Sort = Annotated[str | None, Query(max_length=40, description="A field; `-field` descending.")]
Responses = dict[int | str, dict[str, Any]]


def errors(*codes: int) -> Responses:
    """OpenAPI `responses` for these error statuses, each in the one error shape."""
    return {code: {"model": ErrorBody} for code in codes}


def page_errors(*codes: int) -> Responses:
    """`errors` for a route that answers HTML: its errors stay JSON in the one error shape,
    and are documented so (FastAPI would put a model under the route's own media type)."""
    ref = {"$ref": f"#/components/schemas/{ErrorBody.__name__}"}
    return {
        code: {"description": "An error", "content": {"application/json": {"schema": ref}}}
        for code in codes
    }


def page_out(page: Page[Any]) -> dict[str, Any]:
    """A page as the API returns it (`PageOut`)."""
    return {
        "items": list(page.items),
        "total": page.total,
        "limit": page.limit,
        "offset": page.offset,
        "next_offset": page.next_offset,
    }
