"""Cross-reference checks over the loaded knowledge files; each problem comes with its path."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from painpath.knowledge._schema import (
    ConditionsFile,
    DrugsFile,
    InstrumentsFile,
    PoliciesFile,
    ProceduresFile,
    RulesFile,
    SnomedFile,
    SourcesFile,
)

__all__ = ["CANONICAL_PROCEDURES", "cross_check", "iter_sources"]

CANONICAL_PROCEDURES = (
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
)


def iter_sources(node: Any, path: str) -> Iterator[tuple[str, str]]:
    """Yield (path, source id) for every `source` field found anywhere below `node`."""
    if isinstance(node, BaseModel):
        for name in type(node).model_fields:
            value = getattr(node, name)
            if name == "source" and isinstance(value, str):
                yield path, value
            else:
                yield from iter_sources(value, f"{path}.{name}")
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from iter_sources(value, f"{path}.{key}")
    elif isinstance(node, list | tuple):
        for index, value in enumerate(node):
            yield from iter_sources(value, f"{path}[{index}]")


def cross_check(
    sources: SourcesFile,
    procs: ProceduresFile,
    conds: ConditionsFile,
    snomed: SnomedFile,
    drugs: DrugsFile,
    pols: PoliciesFile,
    rules: RulesFile,
    instruments: InstrumentsFile,
) -> list[str]:
    """Every broken cross-reference between the files, as `file: path: problem` lines."""
    problems: list[str] = []
    files: dict[str, BaseModel] = {
        "sources.yaml": sources,
        "procedures.yaml": procs,
        "conditions.yaml": conds,
        "snomed.yaml": snomed,
        "drugs.yaml": drugs,
        "policies.yaml": pols,
        "rules.yaml": rules,
        "instruments.yaml": instruments,
    }
    versions = {name: getattr(model, "version", None) for name, model in files.items()}
    if len(set(versions.values())) != 1:
        problems.append(f"knowledge files disagree on version: {versions}")

    source_ids = {s.id for s in sources.sources}
    for name, model in files.items():
        for path, source in iter_sources(model, ""):
            if source not in source_ids:
                problems.append(f"{name}: {path.lstrip('.')}: unknown source {source!r}")

    proc_ids = [p.id for p in procs.procedures]
    missing = [p for p in CANONICAL_PROCEDURES if p not in proc_ids]
    if missing:
        problems.append(f"procedures.yaml: canonical procedures missing: {missing}")
    family_ids = {f.id for f in procs.families}
    group_ids = {g.id for g in conds.groups}
    policy_ids = {p.id for p in pols.policies}
    session_ids = {s.id for s in procs.session_families}
    for i, proc in enumerate(procs.procedures):
        where = f"procedures.yaml: procedures[{i}] ({proc.id})"
        if proc.family not in family_ids:
            problems.append(f"{where}: unknown family {proc.family!r}")
        for group in [*proc.indications, *proc.also_indications]:
            if group not in group_ids:
                problems.append(f"{where}: unknown condition group {group!r}")
        if proc.policy is not None and proc.policy not in policy_ids:
            problems.append(f"{where}: unknown policy {proc.policy!r}")
        if proc.session_family is not None and proc.session_family not in session_ids:
            problems.append(f"{where}: unknown session family {proc.session_family!r}")

    for i, pol in enumerate(pols.policies):
        where = f"policies.yaml: policies[{i}] ({pol.id})"
        for proc_id in [*pol.procedures, *pol.extra_criteria]:
            if proc_id not in proc_ids:
                problems.append(f"{where}: unknown procedure {proc_id!r}")
        for crit in [*pol.criteria, *(c for cs in pol.extra_criteria.values() for c in cs)]:
            for key, value in crit.params.items():
                names = [
                    v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str)
                ]
                for name in names:
                    if key in ("groups", "cervical-thoracic", "lumbar-sacral", *proc_ids) and (
                        name not in group_ids
                    ):
                        problems.append(f"{where}: {crit.id}.{key}: unknown group {name!r}")
                    if key == "family" and name not in session_ids:
                        problems.append(f"{where}: {crit.id}.family: unknown {name!r}")

    screen_items = set(instruments.red_flag_items)
    for flag in conds.red_flags:
        for item in flag.screen_items:
            if item not in screen_items:
                problems.append(f"conditions.yaml: red_flags ({flag.id}): unknown item {item!r}")

    ingredient_names = {i.name for i in drugs.ingredients}
    for where, name in [
        *((f"opioid_factors ({f.ingredient})", f.ingredient) for f in drugs.opioid_factors),
        *((f"steroids ({s.ingredient})", s.ingredient) for s in drugs.steroids),
        *((f"products ({p.rxcui})", i) for p in drugs.products for i in p.ingredients),
        *(
            (f"antithrombotics ({a.drug})", a.drug)
            for a in drugs.antithrombotics
            if a.drug != a.drug_class
        ),
    ]:
        if name not in ingredient_names:
            problems.append(f"drugs.yaml: {where}: unknown ingredient {name!r}")
    for check in rules.safety_checks:
        if check.code_set is not None and check.code_set not in conds.code_sets:
            problems.append(f"rules.yaml: safety_checks ({check.id}): unknown code set")
    return problems
