"""One hook call, without HTTP: the EHR's data -> the engine -> cards.

`run_hook` is the whole decision path of a CDS Hooks call once the data is at hand: the
resources become one collection Bundle, the engine (`painpath.assess`, the same call the
CLI and the API make) assesses it, and `_cards` / `_orders` word the result as cards.
Assessments are kept in a small per-process cache keyed by a SHA-256 of the Bundle, the
as-of date and the knowledge base, so the same chart opened twice is assessed once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date
from typing import Any

import orjson

from painpath import assess
from painpath.clinic import DocumentCache
from painpath.errors import FhirInputError
from painpath.interop._cards import patient_view_cards
from painpath.interop._clients import CdsClient
from painpath.interop._fetch import FetchError, FhirSource, fetch_all
from painpath.interop._orders import draft_orders, order_cards
from painpath.interop._prefetch import (
    collect_resources,
    missing_keys,
    prefetch_where,
    record_bundle,
    render_template,
)
from painpath.interop._request import HookRequest
from painpath.interop._services import CdsCatalog
from painpath.knowledge import Knowledge

__all__ = ["ASSESSMENTS", "assess_bundle", "gather_resources", "run_hook"]

ASSESSMENTS = DocumentCache(256)
"""Assessments of EHR data this process has made (by Bundle hash, as-of and payer)."""

PAYER = "cms"


def assess_bundle(bundle: dict[str, Any], as_of: date, knowledge: Knowledge) -> dict[str, Any]:
    """The engine's `painpath.assessment/v1` document for the Bundle (cached)."""
    digest = hashlib.sha256(orjson.dumps(bundle, option=orjson.OPT_SORT_KEYS)).digest()
    key = ("cds", digest, as_of, PAYER)
    document = ASSESSMENTS.get(key, knowledge)
    if document is None:
        document = assess(bundle, as_of=as_of, payer=PAYER, knowledge=knowledge)
        ASSESSMENTS.put(key, knowledge, document)
    return document


def run_hook(
    request: HookRequest,
    resources: Sequence[tuple[str, dict[str, Any]]],
    *,
    knowledge: Knowledge,
    catalog: CdsCatalog,
    as_of: date,
    chart_url: str | None = None,
) -> dict[str, Any]:
    """The CDS Hooks response (`{"cards": [...]}`) for one call; InputError for bad data
    (a FHIR error names the prefetch key and resource it came from)."""
    try:
        return _run(request, resources, knowledge, catalog, as_of, chart_url)
    except FhirInputError as exc:
        raise FhirInputError(exc.what, prefetch_where(exc, resources), exc.expected) from None


def _run(
    request: HookRequest,
    resources: Sequence[tuple[str, dict[str, Any]]],
    knowledge: Knowledge,
    catalog: CdsCatalog,
    as_of: date,
    chart_url: str | None,
) -> dict[str, Any]:
    bundle = record_bundle(resources, request.patient_id)
    if request.hook != "patient-view":
        orders = draft_orders(request.context, knowledge, catalog, request.hook)
        if not orders:  # nothing painpath knows is being ordered: no engine run, no cards
            return {"cards": []}
        document = assess_bundle(bundle, as_of, knowledge)
        cards = order_cards(
            document, orders, knowledge, catalog, request.hook_instance, request.patient_id
        )
        return {"cards": cards}
    document = assess_bundle(bundle, as_of, knowledge)
    cards = patient_view_cards(document, knowledge, catalog, request.hook_instance, chart_url)
    return {"cards": cards}


async def gather_resources(
    hook: HookRequest, client: CdsClient, catalog: CdsCatalog
) -> list[tuple[str, dict[str, Any]]]:
    """The resources the EHR sent, completed from its FHIR server for the template keys it
    left out. InputError for bad prefetch (before anything is fetched); FetchError when
    the data cannot be had: no `fhirServer`, one not registered for the client, or a failed
    fetch."""
    items: dict[str, Any] = dict(hook.prefetch or {})
    sent = collect_resources(items)
    missing = missing_keys(catalog.prefetch, hook.prefetch)
    if not missing:
        return sent
    if hook.fhir_server is None:
        raise FetchError(
            f"prefetch lacks {', '.join(missing)} and no fhirServer was given",
            "prefetch",
            "every prefetch key, or fhirServer and fhirAuthorization",
        )
    if not client.may_fetch(hook.fhir_server):
        raise FetchError(
            "fhirServer is not registered for this CDS client",
            "fhirServer",
            "one of the client's fhir_servers",
        )
    queries = {key: render_template(catalog.prefetch[key], hook.context) for key in missing}
    token = hook.authorization.access_token if hook.authorization else None
    items.update(await fetch_all(FhirSource(hook.fhir_server, token), queries))
    return collect_resources(items)
