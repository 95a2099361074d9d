"""The schema of pathway.yaml: shapes, types and unknown keys."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from painpath.pathway import PathwayDefinition
from painpath.pathway._schema import EventSpec, FieldSpec

from ._support import raw_definition


def test_the_packaged_file_fits_the_schema() -> None:
    definition = PathwayDefinition.model_validate(raw_definition())
    assert definition.initial == "referred"


def test_an_event_reads_its_from_states() -> None:
    event = EventSpec.model_validate({"name": "go", "label": "Go", "from": ["a", "b"], "to": "c"})
    assert event.from_ == ["a", "b"]


def test_unknown_keys_are_refused() -> None:
    with pytest.raises(ValidationError, match="extra"):
        FieldSpec.model_validate({"type": "text", "colour": "red"})


def test_a_number_needs_a_source_and_a_known_tag() -> None:
    raw = raw_definition()
    raw["numbers"]["recovery-min-minutes"]["tag"] = "hearsay"
    del raw["numbers"]["recovery-expected-max-minutes"]["source"]
    with pytest.raises(ValidationError) as info:
        PathwayDefinition.model_validate(raw)
    locations = {tuple(map(str, e["loc"])) for e in info.value.errors()}
    assert ("numbers", "recovery-min-minutes", "tag") in locations
    assert ("numbers", "recovery-expected-max-minutes", "source") in locations


def test_definitions_are_frozen() -> None:
    spec = FieldSpec(type="text")
    with pytest.raises(ValidationError):
        spec.type = "date"  # type: ignore[misc]
