"""_refs: reference keys, Patient ids and the record index."""

from __future__ import annotations

import pytest

from painpath.fhir._refs import Index, literal_key, patient_id_of


@pytest.mark.parametrize(
    ("ref", "key"),
    [
        ("Procedure/p1", "Procedure/p1"),
        ("Procedure/p1/_history/2", "Procedure/p1"),
        ("http://example.org/fhir/Procedure/p1", "Procedure/p1"),
        ("https://x.org/r4/Patient/a-b/_history/7", "Patient/a-b"),
        ("urn:uuid:0b0b", None),
        ("#med1", None),
        ("p1", None),
        ("a/Procedure/p1", None),
        ("procedure/p1", None),
        ("Procedure/", None),
        ("Practitioner?identifier=x|1", None),
    ],
)
def test_literal_references_give_their_type_and_id(ref: str, key: str | None) -> None:
    assert literal_key(ref) == key


@pytest.mark.parametrize(
    ("ref", "pid"),
    [
        ("Patient/p1", "p1"),
        ("urn:uuid:9f1c", "9f1c"),
        ("http://example.org/fhir/Patient/p1", "p1"),
        ("Group/g1", None),
        ("urn:uuid:", None),
    ],
)
def test_subject_references_name_a_patient_id(ref: str, pid: str | None) -> None:
    assert patient_id_of(ref) == pid


def test_full_urls_resolve_before_literal_forms() -> None:
    target = {"resourceType": "Condition", "id": "c1"}
    index = Index({"Condition/c1": target}, {"urn:uuid:c1": "Condition/c1"})
    assert index.key("urn:uuid:c1") == "Condition/c1"
    assert index.resolve("urn:uuid:c1") is target
    assert index.resolve("Condition/c1") is target
    assert index.resolve("http://other.org/Condition/c1") is target


def test_contained_references_resolve_inside_the_container() -> None:
    med = {"resourceType": "Medication", "id": "m1"}
    container = {"contained": [{"resourceType": "Medication", "id": "m0"}, med]}
    index = Index({})
    assert index.resolve("#m1", container) is med
    assert index.resolve("#m9", container) is None
    assert index.resolve("#m1") is None
    assert index.misses == 0  # contained references never wait for later resources


def test_misses_count_unresolved_references() -> None:
    index = Index({}, None, {"Medication/m1": {"resourceType": "Medication"}})
    assert index.resolve("Medication/m1") is not None
    assert index.resolve("Medication/m2") is None
    assert index.resolve("urn:uuid:zz") is None
    assert index.misses == 2
