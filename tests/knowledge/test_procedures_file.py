"""procedures.yaml: schema, the canonical procedure ids, and its references to other files.

CPT/HCPCS are stored as code numbers only: AMA descriptors are copyrighted (clinical-facts §7.2).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from painpath.knowledge._schema import ProceduresFile

DATA_DIR = Path(__file__).resolve().parents[2] / "src" / "painpath" / "knowledge" / "data"

CANONICAL = [
    "esi-interlaminar-cervical",
    "esi-interlaminar-lumbar",
    "esi-transforaminal-cervical",
    "esi-transforaminal-lumbar",
    "esi-caudal",
    "facet-mbb-lumbar",
    "facet-mbb-cervical",
    "facet-ia-lumbar",
    "facet-rfa-lumbar",
    "facet-rfa-cervical",
    "si-joint-injection",
    "scs-trial",
    "scs-implant",
    "block-stellate-ganglion",
    "block-lumbar-sympathetic",
    "block-occipital",
    "block-peripheral",
    "block-celiac-plexus",
    "joint-injection-knee",
    "joint-injection-hip",
    "joint-injection-shoulder",
    "trigger-point-injection",
]
FAMILIES = [
    "epidural-steroid-injection",
    "facet-interventions",
    "nerve-blocks",
    "spinal-cord-stimulation",
    "joint-injections",
    "trigger-point-injections",
]
POLICIES = {
    "cms-lcd-esi",
    "cms-lcd-facet",
    "cms-lcd-scs",
    "cms-lcd-si-joint",
    "cms-lcd-tpi",
    "cms-lcd-peripheral-nerve-block",
}
# CPT Category I (5 digits), Category III (4 digits + T), HCPCS Level II (letter + 4 digits).
CPT_CODE = re.compile(r"^(\d{5}|\d{4}T|[A-V]\d{4})$")
# Telltales of AMA descriptor text: "substance(s)", "level(s)", "includes imaging guidance".
AMA_PHRASING = re.compile(
    r"\w\(s\)|includ(es|ing) imaging guidance|needle or catheter|diagnostic or therapeutic",
    re.IGNORECASE,
)
SPINE_REGIONS = {
    "esi": {
        "cervical-thoracic": ["62320", "62321", "62324", "62325", "64479", "64480"],
        "lumbar-sacral": ["62322", "62323", "62326", "62327", "64483", "64484"],
    },
    "facet-block": {
        "cervical-thoracic": ["64490", "64491", "64492"],
        "lumbar-sacral": ["64493", "64494", "64495"],
    },
    "facet-rfa": {
        "cervical-thoracic": ["64633", "64634"],
        "lumbar-sacral": ["64635", "64636"],
    },
}


def _load(name: str) -> Any:
    return yaml.safe_load((DATA_DIR / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    data: dict[str, Any] = _load("procedures.yaml")
    return data


@pytest.fixture(scope="module")
def procedures(raw: dict[str, Any]) -> ProceduresFile:
    return ProceduresFile.model_validate(raw)


def sources_in(node: Any, path: str) -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "source":
                yield path, value
            else:
                yield from sources_in(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from sources_in(value, f"{path}[{index}]")


def cpt_sets(raw: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for index, proc in enumerate(raw["procedures"]):
        yield f"procedures[{index}] ({proc['id']}).cpt", proc["cpt"]
    for index, family in enumerate(raw["session_families"]):
        yield f"session_families[{index}] ({family['id']}).cpt", family["cpt"]
    for index, code_set in enumerate(raw["physical_therapy"]):
        if code_set.get("system") == "cpt":
            yield f"physical_therapy[{index}]", code_set
    yield "psych_evaluation", raw["psych_evaluation"]


def test_matches_the_schema(procedures: ProceduresFile) -> None:
    assert procedures.version == "2026.12.1"


def test_exactly_the_canonical_procedures_in_order(procedures: ProceduresFile) -> None:
    assert [p.id for p in procedures.procedures] == CANONICAL


def test_the_six_families(procedures: ProceduresFile) -> None:
    assert [f.id for f in procedures.families] == FAMILIES
    used = {p.family for p in procedures.procedures}
    unknown = sorted(used - set(FAMILIES))
    assert not unknown, f"unknown families: {unknown}"
    unused = sorted(set(FAMILIES) - used)
    assert not unused, f"families no procedure uses: {unused}"


def test_indications_are_condition_groups(procedures: ProceduresFile) -> None:
    groups = {g["id"] for g in _load("conditions.yaml")["groups"]}
    problems = [
        f"{p.id}: unknown condition group {group!r}"
        for p in procedures.procedures
        for group in [*p.indications, *p.also_indications]
        if group not in groups
    ]
    assert not problems, "\n".join(problems)


def test_every_source_is_cited_in_sources_yaml(raw: dict[str, Any]) -> None:
    known = {s["id"] for s in _load("sources.yaml")["sources"]}
    problems = [
        f"procedures.yaml: {path.lstrip('.')}: unknown source {source!r}"
        for path, source in sources_in(raw, "")
        if source not in known
    ]
    assert not problems, "\n".join(problems)


def test_policies_prerequisites_and_session_families(procedures: ProceduresFile) -> None:
    sessions = {s.id for s in procedures.session_families}
    policies_file = DATA_DIR / "policies.yaml"
    policies = (
        {p["id"] for p in _load("policies.yaml")["policies"]}
        if policies_file.exists()
        else POLICIES
    )
    problems = []
    for p in procedures.procedures:
        if p.policy is not None and (p.policy not in policies or p.policy not in POLICIES):
            problems.append(f"{p.id}: unknown policy {p.policy!r}")
        if p.session_family is not None and p.session_family not in sessions:
            problems.append(f"{p.id}: unknown session family {p.session_family!r}")
    assert not problems, "\n".join(problems)
    no_policy = {p.id for p in procedures.procedures if p.policy is None}
    assert no_policy == {
        "block-stellate-ganglion",
        "block-lumbar-sympathetic",
        "block-celiac-plexus",
        "joint-injection-knee",
        "joint-injection-hip",
        "joint-injection-shoulder",
    }


def test_cpt_codes_are_numbers_only(raw: dict[str, Any]) -> None:
    problems = []
    for where, code_set in cpt_sets(raw):
        if code_set.get("system") != "cpt":
            problems.append(f"{where}: system {code_set.get('system')!r}, expected cpt")
        for code in code_set["codes"]:
            if not isinstance(code, str) or len(code) > 5 or not CPT_CODE.match(code):
                problems.append(f"{where}: {code!r} is not a CPT/HCPCS code number")
        if AMA_PHRASING.search(code_set.get("note") or ""):
            problems.append(f"{where}: note reads like an AMA descriptor")
    assert not problems, "\n".join(problems)


def test_procedure_cpt_sets_carry_no_text(raw: dict[str, Any]) -> None:
    problems = [
        f"procedures[{index}] ({proc['id']}).cpt: text field(s) {sorted(extra)}"
        for index, proc in enumerate(raw["procedures"])
        if (extra := set(proc["cpt"]) - {"system", "codes", "source", "tag"})
    ]
    assert not problems, "\n".join(problems)


def test_no_prose_quotes_descriptors(raw: dict[str, Any]) -> None:
    prose = [
        "treats",
        "how_it_works",
        "what_to_expect",
        "recovery",
        "relief_onset",
        "relief_duration",
        "limits",
    ]
    problems = [
        f"{proc['id']}.{field}: reads like an AMA descriptor"
        for proc in raw["procedures"]
        for field in prose
        if AMA_PHRASING.search(proc[field])
    ] + [
        f"{proc['id']}.risks: reads like an AMA descriptor"
        for proc in raw["procedures"]
        if any(AMA_PHRASING.search(risk) for risk in proc["risks"])
    ]
    assert not problems, "\n".join(problems)


def test_session_families_and_regions(procedures: ProceduresFile) -> None:
    families = {s.id: s for s in procedures.session_families}
    assert {"esi", "facet-block", "facet-rfa", "scs-trial", "scs-implant", "si", "tpi"} <= set(
        families
    )
    for family_id, regions in SPINE_REGIONS.items():
        family = families[family_id]
        expected = {code: region for region, codes in regions.items() for code in codes}
        assert family.regions == expected, family_id
        assert sorted(family.cpt.codes) == sorted(expected), family_id
    assert families["scs-trial"].cpt.codes == ["63650"]
    assert sorted(families["scs-implant"].cpt.codes) == ["63655", "63685"]
    assert sorted(families["si"].cpt.codes) == ["27096", "64451", "G0260"]
    assert sorted(families["tpi"].cpt.codes) == ["20552", "20553"]


def test_bleeding_risk_classes(procedures: ProceduresFile) -> None:
    risk = {p.id: p.bleeding_risk.value for p in procedures.procedures}
    assert all(value in {"high", "intermediate", "low", "unverified"} for value in risk.values())
    assert risk["scs-trial"] == risk["scs-implant"] == "high"
    assert risk["facet-mbb-lumbar"] == risk["facet-rfa-lumbar"] == risk["facet-ia-lumbar"] == "low"
    assert risk["facet-mbb-cervical"] == risk["facet-rfa-cervical"] == "intermediate"
    assert {risk[p] for p in CANONICAL if p.startswith("esi-")} == {"intermediate"}


def test_ultrasound_possible_matches_decision_rules(procedures: ProceduresFile) -> None:
    # decision-rules §5: joint, trigger point, peripheral, occipital, stellate ganglion, SI joint.
    possible = {p.id for p in procedures.procedures if p.ultrasound_possible}
    assert possible == {
        "joint-injection-knee",
        "joint-injection-hip",
        "joint-injection-shoulder",
        "trigger-point-injection",
        "block-peripheral",
        "block-occipital",
        "block-stellate-ganglion",
        "si-joint-injection",
    }


def test_physical_therapy_code_sets(procedures: ProceduresFile) -> None:
    by_system = {c.system: c.codes for c in procedures.physical_therapy}
    assert sorted(by_system["cpt"]) == [
        "97110",
        "97112",
        "97140",
        "97161",
        "97162",
        "97163",
        "97164",
        "97530",
    ]
    assert "91251008" in by_system["snomed"]
    assert sorted(procedures.psych_evaluation.codes) == ["90791", "90792", "96130", "96136"]
