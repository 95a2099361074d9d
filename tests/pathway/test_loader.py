"""Loading pathway.yaml: the packaged file loads once; a broken file reports every problem."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from painpath.errors import KnowledgeError
from painpath.pathway import GUARDS, PATHWAY_FILE, load_pathway, parse_pathway

from ._support import raw_definition


def test_the_packaged_pathway_loads_and_is_cached() -> None:
    assert PATHWAY_FILE.is_file()
    first = load_pathway()
    assert load_pathway() is first
    assert first.initial == "referred"


def test_every_number_cites_a_known_source_with_a_tag() -> None:
    from painpath.knowledge import load_knowledge

    sources = load_knowledge().sources
    for key, number in load_pathway().definition.numbers.items():
        assert number.source in sources, key
        assert number.tag in ("primary", "secondary", "unverified", "operational"), key


def _write(tmp_path: Path, raw: object) -> Path:
    path = tmp_path / "pathway.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def test_a_broken_file_reports_every_problem_with_the_file_name(tmp_path: Path) -> None:
    raw = raw_definition()
    raw["events"][0]["guards"] = ["patient-smiles"]
    raw["numbers"]["recovery-min-minutes"]["source"] = "a-blog-post"
    with pytest.raises(KnowledgeError) as info:
        load_pathway(_write(tmp_path, raw))
    assert info.value.problems == [
        "pathway.yaml: events[0] (consult): unknown guard 'patient-smiles' (known: "
        + ", ".join(sorted(GUARDS))
        + ")",
        "pathway.yaml: numbers.recovery-min-minutes: unknown source 'a-blog-post'",
    ]


def test_a_schema_error_names_its_path(tmp_path: Path) -> None:
    raw = raw_definition()
    raw["states"]["referred"]["terminal"] = "perhaps"
    with pytest.raises(KnowledgeError) as info:
        load_pathway(_write(tmp_path, raw))
    assert info.value.problems[0].startswith("pathway.yaml: states.referred.terminal: ")


def test_an_unreadable_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError, match=r"missing\.yaml: cannot read"):
        load_pathway(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("states: [unclosed", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"bad\.yaml: cannot read"):
        load_pathway(bad)


def test_a_pathway_given_as_data_is_checked_the_same_way() -> None:
    raw = raw_definition()
    raw["events"][0]["guards"] = ["patient-smiles"]
    with pytest.raises(KnowledgeError, match="custom: events\\[0\\] \\(consult\\): unknown guard"):
        parse_pathway(raw, name="custom")
    assert parse_pathway(raw_definition()).initial == "referred"
