"""The knowledge base loads, validates each file against its schema, checks cross-references."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from painpath.errors import KnowledgeError
from painpath.knowledge import CANONICAL_PROCEDURES, DATA_DIR, load_knowledge
from painpath.knowledge._validate import iter_sources


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def _edit(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def test_packaged_knowledge_loads_with_one_version() -> None:
    kb = load_knowledge()
    assert kb.version
    assert set(CANONICAL_PROCEDURES) <= set(kb.procedures)


def test_every_source_id_in_every_file_resolves() -> None:
    kb = load_knowledge()
    files = [kb.procedures_file, kb.conditions, kb.drugs, kb.policies_file, kb.rules]
    seen = 0
    for model in files:
        for path, source in iter_sources(model, ""):
            seen += 1
            assert source in kb.sources, f"{path}: {source}"
    assert seen > 200


def test_every_number_carries_a_source_and_a_tag() -> None:
    kb = load_knowledge()
    for key, number in kb.rules.numbers.items():
        assert number.source in kb.sources, key
        assert number.tag in ("primary", "secondary", "unverified", "operational"), key


def test_unknown_source_is_reported_with_file_and_path(tmp_path: Path) -> None:
    data = _copy(tmp_path)
    _edit(
        data / "rules.yaml",
        lambda d: d["numbers"]["chronic-months"].update(source="no-such-paper"),
    )
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(data)
    assert any(
        "rules.yaml" in p and "numbers.chronic-months" in p and "no-such-paper" in p
        for p in info.value.problems
    )


def test_schema_violation_names_the_field(tmp_path: Path) -> None:
    data = _copy(tmp_path)
    _edit(data / "drugs.yaml", lambda d: d["opioid_factors"][0].update(factor="lots"))
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(data)
    assert any("drugs.yaml: opioid_factors.0.factor" in p for p in info.value.problems)


def test_every_problem_is_reported_together(tmp_path: Path) -> None:
    data = _copy(tmp_path)
    _edit(data / "procedures.yaml", lambda d: d["procedures"][0].update(family="no-family"))
    _edit(data / "policies.yaml", lambda d: d["policies"][0]["procedures"].append("no-proc"))
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(data)
    text = "\n".join(info.value.problems)
    assert "unknown family 'no-family'" in text
    assert "unknown procedure 'no-proc'" in text


def test_missing_canonical_procedure_is_an_error(tmp_path: Path) -> None:
    data = _copy(tmp_path)
    _edit(
        data / "procedures.yaml",
        lambda d: d.update(procedures=[p for p in d["procedures"] if p["id"] != "scs-trial"]),
    )
    with pytest.raises(KnowledgeError, match="canonical procedures missing"):
        load_knowledge(data)


def test_files_must_share_one_version(tmp_path: Path) -> None:
    data = _copy(tmp_path)
    _edit(data / "rules.yaml", lambda d: d.update(version="1999.1"))
    with pytest.raises(KnowledgeError, match="disagree on version"):
        load_knowledge(data)


def test_unknown_red_flag_screen_item_is_an_error(tmp_path: Path) -> None:
    data = _copy(tmp_path)
    _edit(data / "conditions.yaml", lambda d: d["red_flags"][0]["screen_items"].append("rf-x"))
    with pytest.raises(KnowledgeError, match="unknown item 'rf-x'"):
        load_knowledge(data)


def test_unverified_antithrombotic_rows_carry_no_number() -> None:
    kb = load_knowledge()
    for entry in kb.drugs.antithrombotics:
        for row in entry.rows:
            if row.tag == "unverified":
                for cell in (row.high, row.intermediate, row.low):
                    assert cell.kind == "none" and cell.hold_days is None, entry.drug


def test_buprenorphine_has_no_mme_factor_and_table_version_is_recorded() -> None:
    kb = load_knowledge()
    assert [f.factor for f in kb.opioid_factors["buprenorphine"]] == [None]
    assert "2022" in kb.drugs.mme_table_version
    assert kb.opioid_factors["oxycodone"][0].factor == 1.5


def test_criterion_params_and_kinds_are_known_to_the_engine() -> None:
    from painpath.engine.coverage import EVALUATORS
    from painpath.engine.staging import PREREQUISITES

    kb = load_knowledge()
    for policy in kb.policies.values():
        criteria = [*policy.criteria, *(c for cs in policy.extra_criteria.values() for c in cs)]
        for criterion in criteria:
            assert criterion.kind in EVALUATORS, f"{policy.id}.{criterion.id}"
        assert "no-red-flag" in {c.id for c in policy.criteria}
    for proc in kb.procedures.values():
        if proc.prerequisite is not None:
            assert proc.prerequisite in PREREQUISITES, proc.id


def test_loading_twice_returns_the_cached_knowledge() -> None:
    assert load_knowledge() is load_knowledge()


def test_a_replaced_knowledge_base_has_its_own_memo_tables() -> None:
    from dataclasses import replace

    kb = load_knowledge()
    kb.cache("test-memo")["key"] = "derived from the packaged knowledge"
    changed = replace(kb, version="changed")
    assert changed.cache("test-memo") == {}
    assert kb.cache("test-memo") == {"key": "derived from the packaged knowledge"}
    del kb.cache("test-memo")["key"]
