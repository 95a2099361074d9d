"""The lock file: every pin of pyproject.toml, with the same version and sha256 hashes.

`requirements.lock` is made by `make lock` (uv pip compile --generate-hashes) and installs
with `pip install --require-hashes -r requirements.lock`; `make audit` checks it with
pip-audit. A pin changed in pyproject.toml without `make lock` fails here.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)(\[[^\]]*\])?==([^\s;]+)$")


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _locked() -> dict[str, tuple[str, int]]:
    """name -> (version, number of hashes) from requirements.lock."""
    found: dict[str, tuple[str, int]] = {}
    current = ""
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        head = re.match(r"^([A-Za-z0-9_.\-]+)==(\S+)", line)
        if head:
            current = _norm(head.group(1))
            found[current] = (head.group(2), 0)
        elif "--hash=sha256:" in line and current:
            version, hashes = found[current]
            found[current] = (version, hashes + 1)
    return found


def test_every_pin_of_pyproject_is_locked_at_its_version_with_hashes() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    pins = [*project["dependencies"], *extras["test"], *extras["spark"]]
    locked = _locked()
    problems = []
    for pin in pins:
        match = PIN.match(pin)
        assert match, f"{pin}: not pinned with =="
        name, version = _norm(match.group(1)), match.group(3)
        if locked.get(name, ("", 0))[0] != version:
            problems.append(f"{name}: pyproject {version}, lock {locked.get(name)}")
    assert not problems, "run `make lock`:\n" + "\n".join(problems)


def test_every_locked_package_carries_a_sha256_hash() -> None:
    locked = _locked()
    assert len(locked) > 40
    assert not [name for name, (_, hashes) in locked.items() if hashes == 0]
