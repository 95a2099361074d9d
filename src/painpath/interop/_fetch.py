"""Fetching what the EHR did not prefetch, from its `fhirServer` (CDS Hooks 2.0 §FHIR
Resource Access): GET each filled template with `Authorization: Bearer <access_token>`.

Only servers the CDS client is registered with are called (no request can point painpath
at another host); each call has connect/read timeouts and a size limit, and searches follow
at most `MAX_PAGES` `next` links. Any failure raises `FetchError`, which the API answers
with 412 and no cards (the CDS Hooks status for "could not obtain the data").
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import orjson

from painpath.errors import PainpathError

__all__ = ["MAX_PAGES", "MAX_RESPONSE_BYTES", "TIMEOUT", "FetchError", "FhirSource", "fetch_all"]

TIMEOUT = httpx.Timeout(connect=2.0, read=5.0, write=5.0, pool=2.0)
"""Per request: an EHR waits for the hook's answer, so a slow server fails fast."""

MAX_PAGES = 20
MAX_RESPONSE_BYTES = 20 * 1024 * 1024


class FetchError(PainpathError):
    """The data could not be fetched from the EHR's FHIR server (answered with 412)."""


@dataclass(frozen=True, slots=True)
class FhirSource:
    """Where to fetch from: the base URL and the bearer token (None: no Authorization)."""

    base: str
    token: str | None


def _allowed(url: str, base: str) -> bool:
    return url == base or url.startswith(base.rstrip("/") + "/")


async def _get(client: httpx.AsyncClient, url: str, source: FhirSource, key: str) -> Any:
    headers = {"Accept": "application/fhir+json"}
    if source.token:
        headers["Authorization"] = f"Bearer {source.token}"
    try:
        response = await client.get(url, headers=headers)
    except httpx.TimeoutException:
        raise FetchError("the FHIR server did not answer in time", f"prefetch.{key}") from None
    except httpx.HTTPError as exc:
        raise FetchError(
            f"the FHIR server could not be reached ({type(exc).__name__})", f"prefetch.{key}"
        ) from None
    if response.status_code == 404 and "?" not in url:
        return None  # a read of a resource that is not there: no data
    if response.status_code != 200:
        raise FetchError(
            f"the FHIR server answered {response.status_code}", f"prefetch.{key}", "200"
        )
    if len(response.content) > MAX_RESPONSE_BYTES:
        raise FetchError("the FHIR server's answer is too large", f"prefetch.{key}")
    try:
        return orjson.loads(response.content)
    except orjson.JSONDecodeError:
        raise FetchError("the FHIR server's answer is not JSON", f"prefetch.{key}") from None


async def _search(client: httpx.AsyncClient, url: str, source: FhirSource, key: str) -> Any:
    first = await _get(client, url, source, key)
    if not isinstance(first, dict) or first.get("resourceType") != "Bundle":
        return first
    entries = list(first.get("entry") or [])
    page, pages = first, 1
    while pages < MAX_PAGES:
        links = page.get("link") or []
        nxt = next((link.get("url") for link in links if link.get("relation") == "next"), None)
        if not isinstance(nxt, str):
            break
        if not _allowed(nxt, source.base):
            raise FetchError("a next link leaves the FHIR server", f"prefetch.{key}")
        page = await _get(client, nxt, source, key)
        if not isinstance(page, dict):
            break
        entries.extend(page.get("entry") or [])
        pages += 1
    return {"resourceType": "Bundle", "type": "searchset", "entry": entries}


async def fetch_all(
    source: FhirSource,
    queries: Mapping[str, str],
    *,
    transport: httpx.AsyncBaseTransport | None = None,
) -> dict[str, Any]:
    """Run each `key -> relative query` against the server (at once); results by key."""
    base = source.base.rstrip("/")
    out: dict[str, Any] = {}
    async with httpx.AsyncClient(
        timeout=TIMEOUT, transport=transport, follow_redirects=False
    ) as client:
        keys = list(queries)
        found = await asyncio.gather(
            *(_search(client, f"{base}/{queries[key]}", source, key) for key in keys)
        )
    out.update(zip(keys, found, strict=True))
    return out
