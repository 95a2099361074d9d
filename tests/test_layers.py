"""The package's shape: public names listed once, and dependencies pointing inward (DESIGN.md)."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "painpath"

ALLOWED = {
    "knowledge": {"knowledge", "errors"},
    "domain": {"domain"},
    "fhir": {"fhir", "domain", "knowledge", "errors"},
    "engine": {"engine", "domain", "knowledge", "errors"},
    "pathway": {"pathway", "knowledge", "errors"},
    "store": {"store", "errors"},
    "clinic": {
        "clinic",
        "store",
        "fhir",
        "pathway",
        "engine",
        "knowledge",
        "domain",
        "errors",
        "painpath",
        "reports",
    },
    "api": {
        "api",
        "clinic",
        "store",
        "pathway",
        "knowledge",
        "errors",
        "painpath",
        "interop",
        "reports",
    },
    "interop": {
        "interop",
        "clinic",
        "store",
        "fhir",
        "knowledge",
        "domain",
        "errors",
        "painpath",
    },
    "demo": {"demo", "clinic", "store", "knowledge", "errors"},
    "population": {"population", "fhir", "engine", "knowledge", "domain", "errors", "painpath"},
    "reports": {"reports", "engine", "domain", "knowledge", "errors"},
    "web": {
        "web",
        "api",
        "clinic",
        "store",
        "pathway",
        "knowledge",
        "errors",
        "painpath",
        "reports",
    },
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("painpath"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("painpath"))
    return found


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_layer_imports_only_inner_layers(layer: str) -> None:
    for path in (SRC / layer).rglob("*.py"):
        for module in _imports(path):
            parts = module.split(".")
            target = parts[1] if len(parts) > 1 else "painpath"
            assert target in ALLOWED[layer], f"{path.relative_to(SRC)} imports {module}"


def _isort_key(name: str) -> tuple[int, str]:
    """isort's order (ruff RUF022): CONSTANTS, then Classes, then functions."""
    kind = 0 if name.isupper() else 1 if name[:1].isupper() else 2
    return kind, name


@pytest.mark.parametrize(
    "name",
    [
        "painpath",
        "painpath.domain",
        "painpath.engine",
        "painpath.fhir",
        "painpath.interop",
        "painpath.knowledge",
        "painpath.population",
        "painpath.population.views",
    ],
)
def test_all_is_sorted_and_every_name_exists(name: str) -> None:
    module = importlib.import_module(name)
    exported = module.__all__
    assert list(exported) == sorted(exported, key=_isort_key)
    for public in exported:
        assert hasattr(module, public), f"{name}.{public}"
