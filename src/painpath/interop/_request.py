"""A CDS Hooks 2.0 request, read strictly: JSON bytes -> `HookRequest`, or one clear error.

Every problem raises `InputError` naming the field (`context.patientId`,
`prefetch.conditions`) and what was expected; the API answers 400 with it. Malformed JSON
(as several upstream example requests are) gets the parser's line and column.

Rules enforced (CDS Hooks 2.0.1 §Calling a CDS Service): `hook`, `hookInstance` and
`context` are required; `fhirAuthorization` carries `access_token`, `token_type` (Bearer),
`expires_in`, `scope` and `subject`; cds-r-1 (`fhirAuthorization` needs `fhirServer`);
cds-r-2 (patient scopes need `fhirAuthorization.patient`); and each hook's context fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import orjson

from painpath.errors import InputError

__all__ = ["CONTEXT_FIELDS", "FhirAuthorization", "HookRequest", "parse_hook_request"]

CONTEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "patient-view": ("userId", "patientId"),
    "order-select": ("userId", "patientId", "selections", "draftOrders"),
    "order-sign": ("userId", "patientId", "draftOrders"),
}
"""The context fields each hook requires (CDS Hooks hook definitions, 2.0)."""

_MAX_ID = 64


@dataclass(frozen=True, slots=True)
class FhirAuthorization:
    access_token: str
    token_type: str
    scope: str
    patient: str | None


@dataclass(frozen=True, slots=True)
class HookRequest:
    hook: str
    hook_instance: str
    fhir_server: str | None
    authorization: FhirAuthorization | None
    context: dict[str, Any]
    prefetch: dict[str, Any] | None

    @property
    def patient_id(self) -> str:
        """The FHIR id of the patient in context (a `Patient/` prefix removed)."""
        value = str(self.context["patientId"])
        return value.removeprefix("Patient/")


def _need(obj: dict[str, Any], key: str, kind: type, where: str, expected: str) -> Any:
    value = obj.get(key)
    if value is None:
        raise InputError("missing", f"{where}{key}", expected)
    if not isinstance(value, kind) or (isinstance(value, str) and not value.strip()):
        raise InputError(f"wrong type ({type(value).__name__})", f"{where}{key}", expected)
    return value


def _authorization(body: dict[str, Any]) -> FhirAuthorization | None:
    auth = body.get("fhirAuthorization")
    if auth is None:
        return None
    if not isinstance(auth, dict):
        raise InputError("not an object", "fhirAuthorization", "an object")
    where = "fhirAuthorization."
    token = _need(auth, "access_token", str, where, "the bearer token for fhirServer")
    token_type = _need(auth, "token_type", str, where, "Bearer")
    if token_type.lower() != "bearer":
        raise InputError(f"unsupported token_type {token_type!r}", f"{where}token_type", "Bearer")
    expires = auth.get("expires_in")
    if not isinstance(expires, int) or isinstance(expires, bool):
        raise InputError("missing or not an integer", f"{where}expires_in", "seconds")
    scope = _need(auth, "scope", str, where, "the granted SMART scopes")
    _need(auth, "subject", str, where, "the OAuth client id")
    patient = auth.get("patient")
    if patient is not None and not isinstance(patient, str):
        raise InputError("not a string", f"{where}patient", "a Patient id")
    if "patient/" in scope and not patient:  # cds-r-2
        raise InputError(
            "patient scopes granted but no patient given", f"{where}patient", "the Patient id"
        )
    return FhirAuthorization(token, token_type, scope, patient)


def _context(hook: str, context: dict[str, Any]) -> None:
    for key in CONTEXT_FIELDS[hook]:
        if key not in context or context[key] is None:
            raise InputError("missing", f"context.{key}", f"required by the {hook} hook")
    for key in ("userId", "patientId"):
        if not isinstance(context[key], str) or not context[key].strip():
            raise InputError("not a string", f"context.{key}", "a FHIR reference or id")
    patient = context["patientId"].removeprefix("Patient/")
    if not patient or len(patient) > _MAX_ID or "/" in patient:
        raise InputError("not a FHIR id", "context.patientId", "a Patient id")
    if "draftOrders" in CONTEXT_FIELDS[hook]:
        orders = context["draftOrders"]
        if not isinstance(orders, dict) or orders.get("resourceType") != "Bundle":
            raise InputError("not a Bundle", "context.draftOrders", "a FHIR Bundle of orders")
        if not isinstance(orders.get("entry", []), list):
            raise InputError("not an array", "context.draftOrders.entry", "an array")
    if hook == "order-select":
        selections = context["selections"]
        if not isinstance(selections, list) or not all(isinstance(s, str) for s in selections):
            raise InputError("not an array of strings", "context.selections", "Type/id strings")


def parse_hook_request(data: bytes, hook: str) -> HookRequest:
    """Read the JSON body of a call to a service of `hook`; InputError says what is wrong."""
    if not data.strip():
        raise InputError("empty request body", "body", "a CDS Hooks request (JSON object)")
    try:
        body = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise InputError(
            f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
            "body",
            "one JSON object",
        ) from None
    if not isinstance(body, dict):
        raise InputError("not a JSON object", "body", "a CDS Hooks request object")
    name = _need(body, "hook", str, "", hook)
    if name != hook:
        raise InputError(f"hook {name!r} sent to a {hook} service", "hook", hook)
    instance = _need(body, "hookInstance", str, "", "a UUID for this hook call")
    server = body.get("fhirServer")
    if server is not None and (
        not isinstance(server, str) or urlsplit(server).scheme not in ("http", "https")
    ):
        raise InputError("not an http(s) URL", "fhirServer", "the FHIR base URL")
    authorization = _authorization(body)
    if authorization is not None and server is None:  # cds-r-1
        raise InputError("fhirAuthorization without fhirServer", "fhirServer", "the FHIR base URL")
    context = _need(body, "context", dict, "", "an object with the hook's context")
    _context(hook, context)
    prefetch = body.get("prefetch")
    if prefetch is not None and not isinstance(prefetch, dict):
        raise InputError("not an object", "prefetch", "an object of prefetch keys")
    return HookRequest(name, instance, server, authorization, context, prefetch)
