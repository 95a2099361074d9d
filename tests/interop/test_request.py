"""A hook request is read strictly, with the field of each problem."""

from __future__ import annotations

import pytest

from painpath.errors import InputError
from painpath.interop import parse_hook_request


def test_malformed_json_names_line_and_column() -> None:
    with pytest.raises(InputError) as caught:
        parse_hook_request(b'{"hook": "patient-view"}\n}', "patient-view")
    assert caught.value.where == "body"
    assert "line 2 column 1" in caught.value.what


@pytest.mark.parametrize(
    ("body", "where"),
    [
        (b"", "body"),
        (b"[]", "body"),
        (b'{"hook": 3}', "hook"),
        (b'{"hook": "patient-view"}', "hookInstance"),
        (b'{"hook": "patient-view", "hookInstance": "h", "context": []}', "context"),
        (
            b'{"hook": "patient-view", "hookInstance": "h", "context": {"userId": "u"}}',
            "context.patientId",
        ),
        (
            b'{"hook": "patient-view", "hookInstance": "h", "fhirServer": "ftp://x",'
            b' "context": {}}',
            "fhirServer",
        ),
    ],
)
def test_each_problem_names_its_field(body: bytes, where: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_hook_request(body, "patient-view")
    assert caught.value.where == where


def test_order_sign_needs_a_bundle_of_draft_orders() -> None:
    body = (
        b'{"hook": "order-sign", "hookInstance": "h", "context": {"userId": "u",'
        b' "patientId": "p", "draftOrders": {"resourceType": "Patient"}}}'
    )
    with pytest.raises(InputError) as caught:
        parse_hook_request(body, "order-sign")
    assert caught.value.where == "context.draftOrders"


def test_a_good_request_keeps_the_patient_id_without_its_type() -> None:
    body = (
        b'{"hook": "patient-view", "hookInstance": "h", "context": {"userId": "u",'
        b' "patientId": "Patient/p-1"}, "prefetch": {"patient": null}}'
    )
    request = parse_hook_request(body, "patient-view")
    assert (request.patient_id, request.prefetch) == ("p-1", {"patient": None})
