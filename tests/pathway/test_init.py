"""The package's public face: a sorted `__all__` of existing names, and inward imports only."""

from __future__ import annotations

import ast
from pathlib import Path

import painpath.pathway as pathway

SOURCE = Path(pathway.__file__).parent
ALLOWED = {"pathway", "knowledge", "errors"}


def _isort_key(name: str) -> tuple[int, str]:
    kind = 0 if name.isupper() else 1 if name[:1].isupper() else 2
    return kind, name


def test_all_is_sorted_and_every_name_exists() -> None:
    assert list(pathway.__all__) == sorted(pathway.__all__, key=_isort_key)
    for name in pathway.__all__:
        assert hasattr(pathway, name), name


def test_public_names_are_exactly_all() -> None:
    public = {n for n in vars(pathway) if not n.startswith("_")}
    assert public == set(pathway.__all__)


def test_the_pathway_imports_only_knowledge_and_errors() -> None:
    for path in SOURCE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("painpath"):
                layer = (node.module or "").split(".")[1]
                assert layer in ALLOWED, f"{path.name} imports {node.module}"


def test_every_module_stays_small() -> None:
    for path in SOURCE.glob("*.py"):
        assert len(path.read_text(encoding="utf-8").splitlines()) < 300, path.name


def test_no_module_reads_the_clock() -> None:
    for path in SOURCE.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert ".now(" not in text and ".today(" not in text and "time.time" not in text, path.name
