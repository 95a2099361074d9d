"""Interoperability: CDS Hooks 2.0 services, FHIR export, and the knowledge base as FHIR.

Nothing here decides anything clinical: hook cards map the engine's
`painpath.assessment/v1` document; exports write what the store holds.

    load_catalog, discovery           the services (cds-services.yaml) and discovery
    parse_hook_request                a hook call's JSON -> HookRequest (or InputError)
    missing_keys, render_template,    prefetch: what the EHR sent, what to fetch
      collect_resources
    fetch_all, FhirSource, FetchError fetch from the EHR's FHIR server (httpx)
    run_hook                          the EHR's data -> engine -> cards
    load_clients, CdsClients          registered EHRs and their JWTs
    parse_feedback, store_feedback    the feedback endpoint's data
    export_patient, export_ndjson     a patient's painpath data as FHIR R4; the whole store
    import_export, read_export_dir    an export back into a store (the record, exactly)
    knowledge_resources               the knowledge base as FHIR Clinical Reasoning
"""

from painpath.interop._audit import cds_audit, patient_in_clinic, write_audit
from painpath.interop._cards import patient_view_cards
from painpath.interop._clients import CLIENTS_ENV, CdsClient, CdsClients, load_clients
from painpath.interop._export import (
    OWNER_SYSTEM,
    SOURCE_SYSTEM,
    bundle_of,
    export_ndjson,
    export_patient,
    get_patient_export,
    patient_ids,
    patient_resources,
)
from painpath.interop._feedback import OUTCOMES, parse_feedback, store_feedback
from painpath.interop._fetch import FetchError, FhirSource, fetch_all
from painpath.interop._hooks import ASSESSMENTS, assess_bundle, gather_resources, run_hook
from painpath.interop._import import import_export, read_export_dir, untag
from painpath.interop._knowledge_fhir import knowledge_resources
from painpath.interop._orders import Order, draft_orders, order_cards
from painpath.interop._prefetch import (
    collect_resources,
    missing_keys,
    record_bundle,
    render_template,
)
from painpath.interop._request import HookRequest, parse_hook_request
from painpath.interop._services import CdsCatalog, discovery, load_catalog

__all__ = [
    "ASSESSMENTS",
    "CLIENTS_ENV",
    "OUTCOMES",
    "OWNER_SYSTEM",
    "SOURCE_SYSTEM",
    "CdsCatalog",
    "CdsClient",
    "CdsClients",
    "FetchError",
    "FhirSource",
    "HookRequest",
    "Order",
    "assess_bundle",
    "bundle_of",
    "cds_audit",
    "collect_resources",
    "discovery",
    "draft_orders",
    "export_ndjson",
    "export_patient",
    "fetch_all",
    "gather_resources",
    "get_patient_export",
    "import_export",
    "knowledge_resources",
    "load_catalog",
    "load_clients",
    "missing_keys",
    "order_cards",
    "parse_feedback",
    "parse_hook_request",
    "patient_ids",
    "patient_in_clinic",
    "patient_resources",
    "patient_view_cards",
    "read_export_dir",
    "record_bundle",
    "render_template",
    "run_hook",
    "store_feedback",
    "untag",
    "write_audit",
]
