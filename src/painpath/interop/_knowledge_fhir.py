"""The knowledge base as FHIR R4 Clinical Reasoning resources, so other systems can read
exactly what painpath decides and why.

- `ActivityDefinition` per procedure (`procedure-<id>`): CPT numbers, purpose, repeat limit;
- `PlanDefinition` per payer policy (`policy-<id>`, type eca-rule): one action per covered
  procedure (its ActivityDefinition), each criterion a sub-action (id, kind, text, source);
- `PlanDefinition` of the rules: red flags, safety checks, operational numbers, the
  antithrombotic hold table (unverified rows say so) and the MME factors;
- `ValueSet` per code list (condition groups, red flags, named code sets, CPT groups):
  `M54.16` an included concept, `M54.1-` an is-a filter, `C00-C96` a regex over categories;
- `Library` per knowledge file (`knowledge-<file>`), the file itself as its content, with
  the sources it cites as related artifacts; the intake `Questionnaire` as it is.

Every resource carries the knowledge version; canonical URLs live under `BASE`.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from typing import Any

from painpath.knowledge import DATA_DIR, Knowledge
from painpath.knowledge._schema import CodeSet, Criterion, HoldCell

__all__ = ["BASE", "knowledge_resources"]

BASE = "https://painpath.dev/fhir"
_SYSTEMS = {
    "icd-10-cm": "http://hl7.org/fhir/sid/icd-10-cm",
    "cpt": "http://www.ama-assn.org/go/cpt",
    "snomed": "http://snomed.info/sct",
    "rxnorm": "http://www.nlm.nih.gov/research/umls/rxnorm",
    "loinc": "http://loinc.org",
}
_SAFE_ID = re.compile(r"[^A-Za-z0-9\-.]")


def _id(text: str) -> str:
    return _SAFE_ID.sub("-", text)[:64]


def _category_regex(low: str, high: str) -> str:
    cats = [
        f"{chr(letter)}{n:02d}"
        for letter in range(ord(low[0]), ord(high[0]) + 1)
        for n in range(100)
        if low[:3] <= f"{chr(letter)}{n:02d}" <= high[:3]
    ]
    return f"^({'|'.join(cats)})"


def _include(patterns: list[str], system: str) -> list[dict[str, Any]]:
    exact = [p for p in patterns if "-" not in p]
    out: list[dict[str, Any]] = []
    if exact:
        out.append({"system": system, "concept": [{"code": c} for c in exact]})
    for pattern in patterns:
        if pattern.endswith("-"):
            parent = pattern[:-1].rstrip(".")
            out.append(
                {
                    "system": system,
                    "filter": [{"property": "concept", "op": "is-a", "value": parent}],
                }
            )
        elif "-" in pattern:
            low, high = pattern.split("-", 1)
            value = _category_regex(low, high)
            out.append(
                {"system": system, "filter": [{"property": "code", "op": "regex", "value": value}]}
            )
    return out


def _value_set(kb: Knowledge, name: str, title: str, codes: CodeSet) -> dict[str, Any]:
    system = _SYSTEMS[codes.system]
    compose: dict[str, Any] = {"include": _include(codes.codes, system)}
    if codes.exclude:
        compose["exclude"] = _include(codes.exclude, system)
    return {
        "resourceType": "ValueSet",
        "id": _id(f"codes-{name}"),
        "url": f"{BASE}/ValueSet/{_id(name)}",
        "version": kb.version,
        "name": _id(name).replace("-", "_").replace(".", "_"),
        "title": title,
        "status": "active",
        "description": f"Source: {codes.source} ({codes.tag}).",
        "compose": compose,
    }


def _value_sets(kb: Knowledge) -> list[dict[str, Any]]:
    out = [_value_set(kb, f"group-{g.id}", g.name, g.codes) for g in kb.groups.values()]
    out += [_value_set(kb, f"red-flag-{f.id}", f.name, f.codes) for f in kb.red_flags.values()]
    out += [_value_set(kb, f"set-{n}", n, c) for n, c in kb.conditions.code_sets.items()]
    out += [_value_set(kb, f"cpt-{p.id}", f"CPT of {p.id}", p.cpt) for p in kb.procedures.values()]
    return out


def _cite(kb: Knowledge, source_ids: Iterable[str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for sid in dict.fromkeys(source_ids):
        source = kb.sources.get(sid)
        if source is None:
            continue
        item: dict[str, Any] = {"type": "citation", "label": sid, "display": source.title}
        if source.url:
            item["url"] = source.url
        out.append(item)
    return out


def _activity(kb: Knowledge, proc_id: str) -> dict[str, Any]:
    proc = kb.procedures[proc_id]
    extension = []
    if proc.repeat_limit is not None:
        limit = proc.repeat_limit
        extension.append(
            {
                "url": f"{BASE}/StructureDefinition/repeat-limit",
                "valueString": f"{limit.sessions} sessions in {limit.months} months "
                f"({limit.source}, {limit.tag})",
            }
        )
    out: dict[str, Any] = {
        "resourceType": "ActivityDefinition",
        "id": _id(f"procedure-{proc.id}"),
        "url": f"{BASE}/ActivityDefinition/{proc.id}",
        "version": kb.version,
        "name": _id(proc.id).replace("-", "_"),
        "title": proc.name,
        "status": "active",
        "description": proc.treats,
        "purpose": proc.purpose,
        "kind": "ServiceRequest",
        "intent": "proposal",
        "code": {
            "coding": [{"system": _SYSTEMS["cpt"], "code": c} for c in proc.cpt.codes],
            "text": proc.id,
        },
        "relatedArtifact": _cite(kb, [proc.cpt.source, proc.bleeding_risk.source]),
    }
    if extension:
        out["extension"] = extension
    return out


def _criterion_action(criterion: Criterion) -> dict[str, Any]:
    return {
        "id": _id(criterion.id),
        "title": criterion.id,
        "description": criterion.text,
        "code": [
            {"coding": [{"system": f"{BASE}/CodeSystem/criterion-kind", "code": criterion.kind}]}
        ],
        "documentation": [{"type": "citation", "label": criterion.source}],
    }


def _policies(kb: Knowledge) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for policy in kb.policies.values():
        actions = []
        for proc_id in policy.procedures:
            criteria = [*policy.criteria, *policy.extra_criteria.get(proc_id, [])]
            actions.append(
                {
                    "id": _id(proc_id),
                    "title": f"Coverage of {proc_id}",
                    "definitionCanonical": f"{BASE}/ActivityDefinition/{proc_id}",
                    "action": [_criterion_action(c) for c in criteria],
                }
            )
        sources = [policy.source] + [c.source for c in policy.criteria]
        out.append(
            {
                "resourceType": "PlanDefinition",
                "id": _id(f"policy-{policy.id}"),
                "url": f"{BASE}/PlanDefinition/{policy.id}",
                "version": kb.version,
                "name": _id(policy.id).replace("-", "_"),
                "title": policy.title,
                "type": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/plan-definition-type",
                            "code": "eca-rule",
                        }
                    ]
                },
                "status": "active",
                "description": f"Payer criteria of {', '.join(policy.lcd_ids)}: every "
                "sub-action must be met for coverage.",
                "relatedArtifact": _cite(kb, sources),
                "action": actions,
            }
        )
    return out


def _cell(cell: HoldCell) -> str:
    if cell.kind == "number":
        restart = f", restart {cell.restart_hours:g} h after" if cell.restart_hours else ""
        return f"hold {cell.hold_days:g} days before{restart}"
    return cell.words or cell.kind


def _holds(kb: Knowledge) -> list[dict[str, Any]]:
    out = []
    for drug in kb.antithrombotics.values():
        for row in drug.rows:
            text = "; ".join(
                f"{risk} risk: {_cell(getattr(row, risk))}"
                for risk in ("high", "intermediate", "low")
            )
            if row.tag == "unverified":  # what painpath says for it: no number
                text = "Not verified: painpath gives no hold time and says to confirm the hold "
                text += "with the guideline before the procedure."
            out.append(
                {
                    "id": _id(f"hold-{drug.drug}-{row.variant}"),
                    "title": f"{drug.drug} ({row.variant})",
                    "description": text,
                    "documentation": [{"type": "citation", "label": row.source}],
                }
            )
    return out


def _mme(kb: Knowledge) -> list[dict[str, Any]]:
    out = []
    for name, factors in kb.opioid_factors.items():
        for n, factor in enumerate(factors):
            value = (
                f"{factor.factor:g} per {factor.dose_unit}"
                if factor.factor is not None
                else f"no factor: {factor.reason_absent or 'not in the table'}"
            )
            out.append(
                {
                    "id": _id(f"mme-{name}-{n}"),
                    "title": f"{name} ({factor.route})",
                    "description": value,
                    "documentation": [{"type": "citation", "label": factor.source}],
                }
            )
    return out


def _rules(kb: Knowledge) -> dict[str, Any]:
    flags = [
        {
            "id": _id(f"red-flag-{f.id}"),
            "title": f.name,
            "description": f"{f.message} {f.action}",
            "input": [
                {
                    "type": "Condition",
                    "codeFilter": [
                        {"path": "code", "valueSet": f"{BASE}/ValueSet/{_id('red-flag-' + f.id)}"}
                    ],
                }
            ],
        }
        for f in kb.red_flags.values()
    ]
    checks = [
        {
            "id": _id(f"safety-{c.id}"),
            "title": c.id,
            "description": c.message,
            "documentation": [{"type": "citation", "label": c.source}],
        }
        for c in kb.rules.safety_checks
    ]
    numbers = [
        {
            "id": _id(f"number-{key}"),
            "title": key,
            "description": f"{n.value:g} {n.unit or ''}".strip()
            + (f": {n.note}" if n.note else ""),
            "documentation": [{"type": "citation", "label": n.source}],
        }
        for key, n in kb.rules.numbers.items()
    ]
    return {
        "resourceType": "PlanDefinition",
        "id": "rules",
        "url": f"{BASE}/PlanDefinition/rules",
        "version": kb.version,
        "name": "painpath_rules",
        "title": "painpath decision rules: red flags, safety checks, operational numbers",
        "type": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/plan-definition-type",
                    "code": "eca-rule",
                }
            ]
        },
        "status": "active",
        "action": [
            {
                "id": "red-flags",
                "title": "Red flags: urgent evaluation, no elective procedure",
                "action": flags,
            },
            {"id": "safety", "title": "Safety checks of each procedure", "action": checks},
            {"id": "numbers", "title": "Operational numbers", "action": numbers},
            {
                "id": "holds",
                "title": "Antithrombotic holds by bleeding risk of the procedure",
                "action": _holds(kb),
            },
            {"id": "mme", "title": "Opioid conversion factors (MME)", "action": _mme(kb)},
        ],
    }


def _libraries(kb: Knowledge) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for name in kb.files:
        data = (DATA_DIR / name).read_bytes()
        kind = "application/json" if name.endswith(".json") else "application/yaml"
        cited = set(re.findall(rb"source: *([a-z0-9][a-z0-9\-.]*)", data))
        out.append(
            {
                "resourceType": "Library",
                "id": _id(f"knowledge-{name.rsplit('.', 1)[0]}"),
                "url": f"{BASE}/Library/knowledge-{name.rsplit('.', 1)[0]}",
                "version": kb.version,
                "name": _id(name.rsplit(".", 1)[0]).replace("-", "_"),
                "title": f"painpath knowledge file {name}",
                "status": "active",
                "type": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/library-type",
                            "code": "asset-collection",
                        }
                    ]
                },
                "relatedArtifact": _cite(kb, sorted(s.decode() for s in cited)),
                "content": [
                    {
                        "contentType": kind,
                        "title": name,
                        "data": base64.b64encode(data).decode("ascii"),
                    }
                ],
            }
        )
    return out


def knowledge_resources(kb: Knowledge) -> list[dict[str, Any]]:
    """Every resource of the knowledge export (see the module docstring)."""
    activities = [_activity(kb, pid) for pid in kb.procedures]
    return [
        *activities,
        *_policies(kb),
        _rules(kb),
        *_value_sets(kb),
        *_libraries(kb),
        dict(kb.questionnaire),
    ]
