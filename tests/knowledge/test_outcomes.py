"""outcomes.yaml: schema and cross-references are checked, every problem reported."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from painpath.errors import KnowledgeError
from painpath.knowledge import DATA_DIR, load_knowledge, load_outcomes


def _copy(tmp_path: Path, change: dict[str, object]) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    data = yaml.safe_load((target / "outcomes.yaml").read_text())
    data["diaries"][0].update(change)
    (target / "outcomes.yaml").write_text(yaml.safe_dump(data))
    return target


def test_the_packaged_file_loads_and_names_policy_numbers() -> None:
    outcomes = load_outcomes()
    kb = load_knowledge()
    for diary in outcomes.diaries:
        assert diary.threshold in kb.rules.numbers
        assert diary.anesthetic(None) is not None


def test_a_threshold_that_is_not_a_rules_number_is_reported(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError) as caught:
        load_outcomes(_copy(tmp_path, {"threshold": "eighty"}))
    assert any("threshold 'eighty'" in p for p in caught.value.problems)


def test_an_unknown_source_and_family_are_both_reported(tmp_path: Path) -> None:
    bad = {
        "session_family": "nope",
        "anesthetics": [
            {
                "id": "bupivacaine",
                "duration_hours": {"value": 8, "source": "nobody", "tag": "unverified"},
                "timepoints_minutes": {
                    "values": [30],
                    "source": "painpath-decision-rules-v1",
                    "tag": "operational",
                },
            }
        ],
    }
    with pytest.raises(KnowledgeError) as caught:
        load_outcomes(_copy(tmp_path, bad))
    text = "\n".join(caught.value.problems)
    assert "unknown session family 'nope'" in text
    assert "unknown source 'nobody'" in text


def test_a_timepoint_after_the_window_is_reported(tmp_path: Path) -> None:
    late = {
        "anesthetics": [
            {
                "id": "bupivacaine",
                "duration_hours": {
                    "value": 1,
                    "source": "painpath-decision-rules-v1",
                    "tag": "operational",
                },
                "timepoints_minutes": {
                    "values": [30, 120],
                    "source": "painpath-decision-rules-v1",
                    "tag": "operational",
                },
            }
        ]
    }
    with pytest.raises(KnowledgeError) as caught:
        load_outcomes(_copy(tmp_path, late))
    assert any("after the window" in p for p in caught.value.problems)
