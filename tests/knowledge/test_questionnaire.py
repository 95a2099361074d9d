"""painpath's intake Questionnaire carries the contract linkIds of decision-rules §8.

Checked against instruments.yaml: every readiness, red-flag and numeric item exists with the
right type, numeric items carry their LOINC code and 0-10 bounds, linkIds are unique, and no
licensed instrument (ODI, STarT Back, PROMIS, BPI) is named or quoted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

DATA_DIR = Path(__file__).resolve().parents[2] / "src" / "painpath" / "knowledge" / "data"
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"

# Names and stock phrases of instruments whose text painpath must not embed (clinical-facts §6).
FORBIDDEN = [
    r"\boswestry\b",
    r"\bodi\b",
    r"\bstart\s*back\b",
    r"\bstart\s*msk\b",
    r"\bkeele\b",
    r"\bpromis\b",
    r"\bhealthmeasures\b",
    r"\bbrief pain inventory\b",
    r"\bbpi\b",
    r"what number best describes",
    r"pain as bad as you can imagine",
    r"does not interfere",
    r"completely interferes",
]


@pytest.fixture(scope="module")
def questionnaire() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA_DIR / "questionnaire-intake.json").read_text("utf-8"))
    return data


@pytest.fixture(scope="module")
def instruments() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((DATA_DIR / "instruments.yaml").read_text("utf-8"))
    return data


def walk(
    items: list[dict[str, Any]], group: str | None = None
) -> Iterator[tuple[str | None, dict[str, Any]]]:
    """Yield (enclosing group linkId, item) for every item, depth first, in document order."""
    for item in items:
        yield group, item
        children = item.get("item", [])
        yield from walk(children, item["linkId"] if item.get("type") == "group" else group)


def by_link(questionnaire: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["linkId"]: item for _, item in walk(questionnaire["item"])}


def extension_value(item: dict[str, Any], url: str) -> Any:
    for ext in item.get("extension", []):
        if ext.get("url") == url:
            return ext.get("valueInteger", ext.get("valueDecimal"))
    return None


def test_is_the_active_intake_questionnaire(
    questionnaire: dict[str, Any], instruments: dict[str, Any]
) -> None:
    assert questionnaire["resourceType"] == "Questionnaire"
    assert questionnaire["url"] == instruments["intake_questionnaire"]
    assert questionnaire["url"] == "https://painpath.dev/fhir/Questionnaire/intake"
    assert questionnaire["status"] == "active"


def test_link_ids_are_unique(questionnaire: dict[str, Any]) -> None:
    seen: set[str] = set()
    repeated = []
    for _, item in walk(questionnaire["item"]):
        if item["linkId"] in seen:
            repeated.append(item["linkId"])
        seen.add(item["linkId"])
    assert not repeated, f"repeated linkIds: {repeated}"


def test_groups(questionnaire: dict[str, Any], instruments: dict[str, Any]) -> None:
    groups = [item["linkId"] for item in questionnaire["item"]]
    assert groups == ["readiness", "red-flags", "pain", "history"]
    assert all(item["type"] == "group" for item in questionnaire["item"])
    where = {item["linkId"]: group for group, item in walk(questionnaire["item"])}
    problems = [
        f"{link} is in {where.get(link)!r}, expected {group!r}"
        for group, links in [
            ("readiness", instruments["readiness_items"]),
            ("red-flags", instruments["red_flag_items"]),
            ("pain", list(instruments["numeric_items"])),
        ]
        for link in links
        if where.get(link) != group
    ]
    assert not problems, "\n".join(problems)


def test_readiness_and_red_flag_items_are_yes_no(
    questionnaire: dict[str, Any], instruments: dict[str, Any]
) -> None:
    items = by_link(questionnaire)
    problems = []
    for link in [*instruments["readiness_items"], *instruments["red_flag_items"]]:
        if link not in items:
            problems.append(f"{link}: missing")
        elif items[link]["type"] != "boolean":
            problems.append(f"{link}: type {items[link]['type']}, expected boolean")
        elif not items[link].get("text"):
            problems.append(f"{link}: no question text")
    assert not problems, "\n".join(problems)


def test_readiness_items_keep_the_seed_order(
    questionnaire: dict[str, Any], instruments: dict[str, Any]
) -> None:
    order = [item["linkId"] for _, item in walk(questionnaire["item"])]
    readiness = [link for link in order if link in instruments["readiness_items"]]
    assert readiness == instruments["readiness_items"] == [f"readiness-{n}" for n in range(1, 7)]


def test_numeric_items_are_scored_0_to_10_with_their_code(
    questionnaire: dict[str, Any], instruments: dict[str, Any]
) -> None:
    items = by_link(questionnaire)
    by_id = {i["id"]: i for i in instruments["instruments"]}
    problems = []
    for link, instrument_id in instruments["numeric_items"].items():
        item = items.get(link)
        instrument = by_id[instrument_id]
        if item is None:
            problems.append(f"{link}: missing")
            continue
        if item["type"] != "integer":
            problems.append(f"{link}: type {item['type']}, expected integer")
        codes = {(c.get("system"), c.get("code")) for c in item.get("code", [])}
        if (instrument["system"], instrument["code"]) not in codes:
            problems.append(f"{link}: no code {instrument['system']}|{instrument['code']}")
        low, high = extension_value(item, MIN_VALUE), extension_value(item, MAX_VALUE)
        if (low, high) != (instrument["minimum"], instrument["maximum"]):
            expected = f"{instrument['minimum']}..{instrument['maximum']}"
            problems.append(f"{link}: bounds {low}..{high}, expected {expected}")
    assert not problems, "\n".join(problems)


def test_contract_codes(questionnaire: dict[str, Any]) -> None:
    items = by_link(questionnaire)
    expected = {
        "nrs": "72514-3",
        "peg-pain": "75893-8",
        "peg-enjoyment": "91145-3",
        "peg-activity": "91146-1",
    }
    found = {link: items[link]["code"][0]["code"] for link in expected}
    assert found == expected


def test_every_scored_item_has_bounds(questionnaire: dict[str, Any]) -> None:
    problems = [
        item["linkId"]
        for _, item in walk(questionnaire["item"])
        if item["type"] in ("integer", "decimal")
        and (extension_value(item, MIN_VALUE) is None or extension_value(item, MAX_VALUE) is None)
    ]
    assert not problems, f"numeric items without minValue/maxValue: {problems}"


def test_clinic_items(questionnaire: dict[str, Any]) -> None:
    items = by_link(questionnaire)
    assert items["pain-duration-months"]["type"] == "integer"
    tried = items["treatments-tried"]
    assert tried["type"] == "choice" and tried["repeats"] is True
    codes = [option["valueCoding"]["code"] for option in tried["answerOption"]]
    assert codes == [
        "physical-therapy",
        "nsaid",
        "acetaminophen",
        "muscle-relaxant",
        "neuropathic-agent",
        "opioid",
        "injections",
        "surgery",
        "other",
    ]
    assert items["current-medications"]["type"] in ("string", "text")
    assert items["goals"]["type"] in ("string", "text")


def test_enable_when_refers_to_existing_items(questionnaire: dict[str, Any]) -> None:
    items = by_link(questionnaire)
    problems = [
        f"{item['linkId']}: enableWhen on unknown item {condition['question']!r}"
        for _, item in walk(questionnaire["item"])
        for condition in item.get("enableWhen", [])
        if condition["question"] not in items
    ]
    assert not problems, "\n".join(problems)


def test_no_licensed_instrument_text(questionnaire: dict[str, Any]) -> None:
    text = json.dumps(questionnaire, ensure_ascii=False).lower()
    found = [pattern for pattern in FORBIDDEN if re.search(pattern, text)]
    assert not found, f"licensed instrument names or wording found: {found}"
