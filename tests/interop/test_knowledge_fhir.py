"""The knowledge base as FHIR: valid R4, canonical links that resolve, code lists that match
what the engine matches, and `painpath knowledge export-fhir` writing one file each."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from painpath.cli import app as cli_app
from painpath.interop import knowledge_resources
from painpath.knowledge import load_knowledge

from ._fhir_r4 import r4_problems

KB = load_knowledge()
RESOURCES = knowledge_resources(KB)


def _by(rtype: str) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in RESOURCES if r["resourceType"] == rtype}


def test_every_resource_is_valid_r4_with_a_unique_id() -> None:
    assert [p for r in RESOURCES for p in r4_problems(r)] == []
    keys = [f"{r['resourceType']}/{r['id']}" for r in RESOURCES]
    assert len(keys) == len(set(keys))


def test_procedures_policies_rules_and_files_are_all_there() -> None:
    activities = _by("ActivityDefinition")
    assert len(activities) == len(KB.procedures)
    rfa = activities["procedure-facet-rfa-lumbar"]
    assert [c["code"] for c in rfa["code"]["coding"]] == KB.procedures["facet-rfa-lumbar"].cpt.codes
    plans = _by("PlanDefinition")
    assert {f"policy-{p}" for p in KB.policies} | {"rules"} == set(plans)
    assert len(_by("Library")) == len(KB.files)  # every file, the questionnaire too
    assert _by("Questionnaire")["intake"]["url"].endswith("/Questionnaire/intake")


def test_policy_actions_point_at_existing_activity_definitions_and_criteria() -> None:
    urls = {r["url"] for r in RESOURCES if "url" in r}
    esi = _by("PlanDefinition")["policy-cms-lcd-esi"]
    for action in esi["action"]:
        assert action["definitionCanonical"] in urls
    criteria = [a["title"] for a in esi["action"][0]["action"]]
    assert criteria == [c.id for c in KB.policies["cms-lcd-esi"].criteria] + [
        c.id for c in KB.policies["cms-lcd-esi"].extra_criteria.get(esi["action"][0]["id"], [])
    ]
    rules = _by("PlanDefinition")["rules"]
    for flag in rules["action"][0]["action"]:
        assert flag["input"][0]["codeFilter"][0]["valueSet"] in urls


def _matches(value_set: dict[str, Any], code: str) -> bool:
    def hit(include: dict[str, Any]) -> bool:
        if any(c["code"] == code for c in include.get("concept", [])):
            return True
        for f in include.get("filter", []):
            if f["op"] == "is-a" and code.startswith(f["value"]):
                return True
            if f["op"] == "regex" and re.match(f["value"], code):
                return True
        return False

    compose = value_set["compose"]
    return any(hit(i) for i in compose["include"]) and not any(
        hit(e) for e in compose.get("exclude", [])
    )


def test_value_sets_match_exactly_what_the_engine_matches() -> None:
    sets = _by("ValueSet")
    probes = [
        "M54.16",
        "M54.5",
        "M54.50",
        "M47.816",
        "C50.911",
        "C96.9",
        "D00.0",
        "G89.3",
        "M48.061",
        "S32.009A",
        "M17.11",
        "G90.511",
        "Z85.3",
        "R32",
        "A41.9",
    ]
    checked = 0
    for group in KB.groups.values():
        vs = sets[f"codes-group-{group.id}"]
        for code in probes:
            assert _matches(vs, code) == KB.matcher.matches(code, group.codes), (group.id, code)
            checked += 1
    for flag in KB.red_flags.values():
        vs = sets[f"codes-red-flag-{flag.id}"]
        for code in probes:
            assert _matches(vs, code) == KB.matcher.matches(code, flag.codes), (flag.id, code)
    assert checked > 100


def test_the_cli_writes_one_json_file_per_resource(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli_app, ["knowledge", "export-fhir", str(tmp_path / "kb")])
    assert result.exit_code == 0, result.output
    files = sorted((tmp_path / "kb").glob("*.json"))
    assert len(files) == len(RESOURCES)
    first = json.loads(files[0].read_text())
    assert first["resourceType"] in {
        "ActivityDefinition",
        "Library",
        "PlanDefinition",
        "Questionnaire",
        "ValueSet",
    }


def test_the_cli_needs_a_folder() -> None:
    result = CliRunner().invoke(cli_app, ["knowledge", "export-fhir"])
    assert result.exit_code == 2
    assert "needs a folder" in result.output


def test_every_hold_row_is_published_and_unverified_ones_say_so() -> None:
    holds = _by("PlanDefinition")["rules"]["action"][3]
    rows = [(d.drug, r) for d in KB.antithrombotics.values() for r in d.rows]
    assert len(holds["action"]) == len(rows)
    for action, (drug, row) in zip(holds["action"], rows, strict=True):
        assert action["title"] == f"{drug} ({row.variant})"
        unverified = row.tag == "unverified"
        assert action["description"].startswith("Not verified") == unverified
        assert ("days" in action["description"]) <= (not unverified)  # never a number
