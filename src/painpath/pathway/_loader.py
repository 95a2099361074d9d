"""Load `pathway.yaml` once per process: parse, check against the schema, validate, index."""

from __future__ import annotations

import functools
from collections.abc import Collection
from importlib import resources
from pathlib import Path

import yaml
from pydantic import ValidationError

from painpath.errors import KnowledgeError
from painpath.pathway._pathway import Pathway, build_pathway
from painpath.pathway._schema import PathwayDefinition
from painpath.pathway._validate import validate_pathway

__all__ = ["PATHWAY_FILE", "load_pathway", "parse_pathway"]

PATHWAY_FILE = Path(str(resources.files("painpath.pathway") / "pathway.yaml"))


def parse_pathway(
    raw: object, *, name: str = "pathway.yaml", source_ids: Collection[str] | None = None
) -> Pathway:
    """Check a pathway given as plain data (what the YAML file holds) and index it.

    Raises KnowledgeError listing every problem, each prefixed with `name` and its path.
    """
    try:
        definition = PathwayDefinition.model_validate(raw)
    except ValidationError as exc:
        raise KnowledgeError(
            [f"{name}: {'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        ) from None
    problems = validate_pathway(definition, source_ids=source_ids)
    if problems:
        raise KnowledgeError([f"{name}: {problem}" for problem in problems])
    return build_pathway(definition)


@functools.cache
def load_pathway(path: Path = PATHWAY_FILE) -> Pathway:
    """The care pathway, validated (source ids checked against the knowledge base) and indexed.

    Raises KnowledgeError listing every problem found; the packaged file has none (a test
    loads it).
    """
    from painpath.knowledge import load_knowledge

    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise KnowledgeError([f"{path.name}: cannot read ({exc.__class__.__name__})"]) from None
    return parse_pathway(raw, name=path.name, source_ids=set(load_knowledge().sources))
