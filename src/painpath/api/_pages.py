"""Shared route helpers: pages as JSON, and the query parameters every list takes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query

from painpath.api._models import ErrorBody
from painpath.clinic import MAX_LIMIT, Page

__all__ = ["Limit", "Offset", "Responses", "Sort", "errors", "page_out"]

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size.")]
Offset = Annotated[int, Query(ge=0, description="Rows to skip (see `next_offset`).")]
Sort = Annotated[str | None, Query(max_length=40, description="A field; `-field` descending.")]
Responses = dict[int | str, dict[str, Any]]


def errors(*codes: int) -> Responses:
    """OpenAPI `responses` for these error statuses, each in the one error shape."""
    return {code: {"model": ErrorBody} for code in codes}


def page_out(page: Page[Any]) -> dict[str, Any]:
    """A page as the API returns it (`PageOut`)."""
    return {
        "items": list(page.items),
        "total": page.total,
        "limit": page.limit,
        "offset": page.offset,
        "next_offset": page.next_offset,
    }
