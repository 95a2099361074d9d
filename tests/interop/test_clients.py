"""The clients file: public keys only, every problem named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from painpath.errors import InputError
from painpath.interop import load_clients

from ._ehr import Ehr


def test_a_clients_file_registers_issuer_clinic_keys_and_servers(tmp_path: Path) -> None:
    ehr = Ehr()
    jwk = ehr.clients().by_iss["https://ehr.example.org"].keys[0]
    path = tmp_path / "clients.json"
    entry = {
        "iss": "https://ehr.example.org",
        "clinic": "main",
        "jwks": {"keys": [jwk._jwk_data]},
        "fhir_servers": ["https://ehr.example.org/fhir/"],
    }
    path.write_text(json.dumps({"clients": [entry]}))
    client = load_clients(path).by_iss["https://ehr.example.org"]
    assert client.clinic == "main"
    assert client.may_fetch("https://ehr.example.org/fhir")
    assert not client.may_fetch("https://ehr.example.org/fhir-other")
    aud = "https://x/cds-services/s"
    assert load_clients(path).verify(f"Bearer {ehr.token(aud)}", [aud])[0].iss == client.iss


def test_no_file_means_no_clients(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PAINPATH_CDS_CLIENTS", raising=False)
    assert load_clients().by_iss == {}


def test_a_shared_secret_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "clients.json"
    secret = {"kty": "oct", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0", "alg": "HS256"}
    path.write_text(json.dumps({"clients": [{"iss": "i", "jwks": {"keys": [secret]}}]}))
    with pytest.raises(InputError) as caught:
        load_clients(path)
    assert caught.value.where.endswith("clients[0].jwks")
