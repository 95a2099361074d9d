"""Who may call painpath's CDS services: registered EHRs, each proving itself with a JWT.

CDS Hooks 2.0 §Trusting CDS Clients: the EHR signs a short-lived JWT (`iss`, `aud` = the
service URL, `exp`, `iat`, `jti`) and sends it as `Authorization: Bearer`. painpath accepts
a token only from an issuer registered in the clients file (`PAINPATH_CDS_CLIENTS`, a JSON
file), signed with one of that issuer's public keys given inline there (a JWK Set) with an
asymmetric algorithm. It never fetches keys from a URL named in a token (`jku`), refuses
`none` and shared-secret algorithms, and refuses tokens that live longer than five minutes.
Each client names its clinic (whose patients its chart links may open) and the FHIR
servers painpath may call on its behalf: a request cannot send painpath to any other host.

    {"clients": [{"iss": "https://ehr.example.org", "clinic": "main",
                  "jwks": {"keys": [{...public JWK...}]},
                  "fhir_servers": ["https://ehr.example.org/fhir"]}]}
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
import orjson

from painpath.errors import AuthError, InputError

__all__ = [
    "ALGORITHMS",
    "CLIENTS_ENV",
    "MAX_TOKEN_SECONDS",
    "CdsClient",
    "CdsClients",
    "load_clients",
]

CLIENTS_ENV = "PAINPATH_CDS_CLIENTS"
ALGORITHMS = ("ES384", "RS384", "ES256", "RS256", "ES512", "RS512")
"""Asymmetric only (CDS Hooks names ES384 and RS384); never HS* or none."""

MAX_TOKEN_SECONDS = 300
LEEWAY_SECONDS = 30
_EXPECTED = "a JWT signed by a registered CDS client"


@dataclass(frozen=True)
class CdsClient:
    """One registered EHR."""

    iss: str
    clinic: str
    keys: tuple[Any, ...]  # jwt.PyJWK
    fhir_servers: tuple[str, ...]

    def may_fetch(self, base: str) -> bool:
        """Whether painpath may call this FHIR base URL for the client."""
        clean = base.rstrip("/")
        return any(clean == s.rstrip("/") for s in self.fhir_servers)


@dataclass(frozen=True)
class CdsClients:
    """The registered clients by issuer; empty means every hook call is refused."""

    by_iss: dict[str, CdsClient] = field(default_factory=dict)

    def verify(self, authorization: str | None, audiences: Sequence[str]) -> tuple[CdsClient, str]:
        """The client whose valid JWT this is, and the token's `jti`; else AuthError."""
        if not authorization or not authorization.lower().startswith("bearer "):
            raise AuthError("no bearer JWT", "Authorization", _EXPECTED)
        token = authorization[7:].strip()
        try:
            unverified = jwt.api_jwt.decode_complete(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise AuthError("not a JWT", "Authorization", _EXPECTED) from None
        header, claims = unverified["header"], unverified["payload"]
        alg = header.get("alg")
        if alg not in ALGORITHMS:
            raise AuthError(f"algorithm {alg!r} refused", "Authorization", ", ".join(ALGORITHMS))
        client = self.by_iss.get(str(claims.get("iss")))
        if client is None:
            raise AuthError("unknown issuer", "Authorization", _EXPECTED)
        kid = header.get("kid")
        keys = [k for k in client.keys if kid is None or k.key_id in (None, kid)]
        for key in keys:
            try:
                verified = jwt.decode(
                    token,
                    key.key,
                    algorithms=[alg],
                    audience=list(audiences),
                    issuer=client.iss,
                    leeway=LEEWAY_SECONDS,
                    options={"require": ["iss", "aud", "exp", "iat", "jti"]},
                )
            except jwt.InvalidSignatureError:
                continue
            except jwt.PyJWTError as exc:
                raise AuthError(f"token refused ({type(exc).__name__})", "Authorization") from None
            if int(verified["exp"]) - int(verified["iat"]) > MAX_TOKEN_SECONDS:
                raise AuthError("token lives longer than 5 minutes", "Authorization", _EXPECTED)
            return client, str(verified["jti"])
        raise AuthError("bad signature", "Authorization", _EXPECTED)


def _client(item: Any, where: str) -> CdsClient:
    if not isinstance(item, dict):
        raise InputError("not an object", where, "a client object")
    iss, clinic = item.get("iss"), item.get("clinic", "main")
    if not isinstance(iss, str) or not iss or not isinstance(clinic, str):
        raise InputError("missing iss or clinic", where, "iss and clinic strings")
    try:
        keys = tuple(jwt.PyJWKSet.from_dict(item.get("jwks") or {}).keys)
    except jwt.PyJWTError as exc:
        raise InputError(f"unusable jwks ({exc})", f"{where}.jwks", "a JWK Set") from None
    if any(k.key_type == "oct" for k in keys):
        raise InputError("shared-secret key", f"{where}.jwks", "public keys (EC or RSA)")
    servers = item.get("fhir_servers") or []
    if not isinstance(servers, list) or not all(isinstance(s, str) for s in servers):
        raise InputError("not a list of URLs", f"{where}.fhir_servers", "FHIR base URLs")
    return CdsClient(iss, clinic, keys, tuple(servers))


def load_clients(path: str | Path | None = None) -> CdsClients:
    """The clients file at `path` (default `$PAINPATH_CDS_CLIENTS`; none: no clients)."""
    name = path if path is not None else os.environ.get(CLIENTS_ENV, "").strip()
    if not name:
        return CdsClients()
    try:
        data = orjson.loads(Path(name).read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        raise InputError(f"cannot read ({type(exc).__name__})", str(name), "a JSON file") from None
    items = data.get("clients") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise InputError("no clients list", str(name), '{"clients": [...]}')
    clients = [_client(item, f"{name}: clients[{i}]") for i, item in enumerate(items)]
    return CdsClients({c.iss: c for c in clients})
