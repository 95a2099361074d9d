"""Load, validate and index the knowledge files once per process."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from painpath.errors import KnowledgeError
from painpath.knowledge._codes import CodeMatcher
from painpath.knowledge._schema import (
    Antithrombotic,
    CodeSet,
    ConditionGroup,
    ConditionsFile,
    DrugsFile,
    Family,
    Ingredient,
    Instrument,
    InstrumentsFile,
    OpioidFactor,
    PoliciesFile,
    Policy,
    Procedure,
    ProceduresFile,
    Product,
    RedFlag,
    RulesFile,
    SessionFamily,
    SnomedFile,
    Source,
    SourcesFile,
)

__all__ = ["DATA_DIR", "Knowledge", "load_instruments", "load_knowledge"]

DATA_DIR = Path(str(resources.files("painpath.knowledge") / "data"))

M = TypeVar("M", bound=BaseModel)

try:  # the C loader is several times faster; fall back when libyaml is absent
    _YamlLoader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _YamlLoader = yaml.SafeLoader


def _read(name: str, model: type[M], data_dir: Path) -> M:
    path = data_dir / name
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_YamlLoader)
    except (OSError, yaml.YAMLError) as exc:
        raise KnowledgeError([f"{name}: cannot read ({exc.__class__.__name__})"]) from None
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems = [
            f"{name}: {'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        ]
        raise KnowledgeError(problems) from None


@functools.cache
def load_instruments(data_dir: Path = DATA_DIR) -> InstrumentsFile:
    """The scored instruments (NRS, PEG, percent relief, ...) and the intake item ids."""
    return _read("instruments.yaml", InstrumentsFile, data_dir)


@dataclass(frozen=True)
class Knowledge:
    """The whole knowledge base, validated and indexed. Build it with `load_knowledge()`."""

    version: str
    sources: dict[str, Source]
    families: dict[str, Family]
    procedures: dict[str, Procedure]
    procedures_file: ProceduresFile
    session_families: dict[str, SessionFamily]
    groups: dict[str, ConditionGroup]
    red_flags: dict[str, RedFlag]
    conditions: ConditionsFile
    drugs: DrugsFile
    policies: dict[str, Policy]
    policies_file: PoliciesFile
    rules: RulesFile
    instruments: InstrumentsFile
    ingredients_by_rxcui: dict[str, Ingredient]
    ingredients_by_name: dict[str, Ingredient]
    products_by_rxcui: dict[str, Product]
    opioid_factors: dict[str, list[OpioidFactor]]
    antithrombotics: dict[str, Antithrombotic]
    snomed_to_icd: dict[str, str]
    instrument_by_code: dict[tuple[str, str], Instrument]
    matcher: CodeMatcher
    questionnaire: dict[str, Any]
    files: tuple[str, ...]
    # not an __init__ argument: `dataclasses.replace(kb, ...)` starts with empty memo tables
    # instead of sharing (and trusting) the ones derived from the knowledge it replaces
    _caches: dict[str, dict[Any, Any]] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )

    def cache(self, name: str) -> dict[Any, Any]:
        """A named memo table that lives as long as this knowledge base (engine lookups that
        depend only on the knowledge and a code, e.g. which condition groups a code is in, and
        indexes derived from the knowledge once); each Knowledge object has its own."""
        table = self._caches.get(name)
        if table is None:
            table = self._caches[name] = {}
        return table

    def number(self, key: str) -> float:
        """The value of an operational/clinical number of rules.yaml (KeyError when absent)."""
        return self.rules.numbers[key].value

    def codes(self, name: str) -> CodeSet:
        """A named code set of conditions.yaml (pregnancy, systemic-infection, ...)."""
        return self.conditions.code_sets[name]

    def citation(self, source_id: str) -> dict[str, str]:
        """`{"id", "title"}` of a source, for an assessment's citations list."""
        return {"id": source_id, "title": self.sources[source_id].title}


_FILES = (
    "sources.yaml",
    "procedures.yaml",
    "conditions.yaml",
    "snomed.yaml",
    "drugs.yaml",
    "policies.yaml",
    "rules.yaml",
    "instruments.yaml",
    "questionnaire-intake.json",
)


@functools.cache
def load_knowledge(data_dir: Path = DATA_DIR) -> Knowledge:
    """Load every knowledge file, validate it and its cross-references, and index it.

    Raises KnowledgeError listing every problem found (file and path of each).
    """
    problems: list[str] = []

    def attempt(name: str, model: type[M]) -> M | None:
        try:
            return _read(name, model, data_dir)
        except KnowledgeError as exc:
            problems.extend(exc.problems)
            return None

    sources = attempt("sources.yaml", SourcesFile)
    procs = attempt("procedures.yaml", ProceduresFile)
    conds = attempt("conditions.yaml", ConditionsFile)
    snomed = attempt("snomed.yaml", SnomedFile)
    drugs = attempt("drugs.yaml", DrugsFile)
    pols = attempt("policies.yaml", PoliciesFile)
    rules = attempt("rules.yaml", RulesFile)
    instruments = attempt("instruments.yaml", InstrumentsFile)
    try:
        questionnaire = json.loads((data_dir / "questionnaire-intake.json").read_text("utf-8"))
    except (OSError, ValueError) as exc:
        problems.append(f"questionnaire-intake.json: cannot read ({exc.__class__.__name__})")
        questionnaire = {}
    if (
        problems
        or sources is None
        or procs is None
        or conds is None
        or snomed is None
        or drugs is None
        or pols is None
        or rules is None
        or instruments is None
    ):
        raise KnowledgeError(problems)

    from painpath.knowledge._validate import cross_check

    problems.extend(cross_check(sources, procs, conds, snomed, drugs, pols, rules, instruments))
    if problems:
        raise KnowledgeError(problems)

    factors: dict[str, list[OpioidFactor]] = {}
    for f in drugs.opioid_factors:
        factors.setdefault(f.ingredient, []).append(f)
    return Knowledge(
        version=sources.version,
        sources={s.id: s for s in sources.sources},
        families={f.id: f for f in procs.families},
        procedures={p.id: p for p in procs.procedures},
        procedures_file=procs,
        session_families={s.id: s for s in procs.session_families},
        groups={g.id: g for g in conds.groups},
        red_flags={r.id: r for r in conds.red_flags},
        conditions=conds,
        drugs=drugs,
        policies={p.id: p for p in pols.policies},
        policies_file=pols,
        rules=rules,
        instruments=instruments,
        ingredients_by_rxcui={i.rxcui: i for i in drugs.ingredients},
        ingredients_by_name={i.name: i for i in drugs.ingredients},
        products_by_rxcui={p.rxcui: p for p in drugs.products},
        opioid_factors=factors,
        antithrombotics={a.drug: a for a in drugs.antithrombotics},
        snomed_to_icd={m.snomed: m.icd10 for m in snomed.mappings},
        instrument_by_code={(i.system, i.code): i for i in instruments.instruments},
        matcher=CodeMatcher(),
        questionnaire=questionnaire,
        files=_FILES,
    )
