"""The service layers' shape: public names listed once, and no HTTP below the API."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "painpath"


def _isort_key(name: str) -> tuple[int, str]:
    kind = 0 if name.isupper() else 1 if name[:1].isupper() else 2
    return kind, name


@pytest.mark.parametrize("name", ["painpath.clinic", "painpath.api"])
def test_all_is_sorted_and_every_name_exists(name: str) -> None:
    module = importlib.import_module(name)
    assert list(module.__all__) == sorted(module.__all__, key=_isort_key)
    for public in module.__all__:
        assert hasattr(module, public), f"{name}.{public}"


def test_the_clinic_services_know_nothing_of_http() -> None:
    for path in (SRC / "clinic").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                top = name.split(".")[0]
                assert top not in {"fastapi", "starlette", "httpx", "uvicorn"}, path.name
                inner = name.split(".")[1] if name.startswith("painpath.") else ""
                assert inner not in ("api", "web", "cli") and not inner.startswith("cli_"), (
                    path.name
                )


@pytest.mark.parametrize("package", ["clinic", "api"])
def test_every_module_is_under_300_lines(package: str) -> None:
    for path in (SRC / package).glob("*.py"):
        assert len(path.read_text().splitlines()) < 300, path.name
