"""`painpath knowledge`: list the knowledge base and explain one entry with its sources."""

from __future__ import annotations

from typing import Any

import orjson
from pydantic import BaseModel

from painpath.errors import InputError
from painpath.knowledge import Knowledge, load_knowledge
from painpath.knowledge._validate import iter_sources

__all__ = ["KINDS", "list_kind", "show_entry"]

KINDS = ("procedures", "conditions", "policies", "drugs", "sources")


def _rows(kb: Knowledge, kind: str) -> list[tuple[str, str]]:
    if kind == "procedures":
        return [(p.id, f"{p.name} [{p.family}, {p.purpose}]") for p in kb.procedures.values()]
    if kind == "conditions":
        rows = [(g.id, g.name) for g in kb.groups.values()]
        rows += [(r.id, f"red flag: {r.name}") for r in kb.red_flags.values()]
        return rows
    if kind == "policies":
        return [(p.id, f"{p.title} ({', '.join(p.lcd_ids)})") for p in kb.policies.values()]
    if kind == "drugs":
        return [(i.name, f"RxNorm {i.rxcui}: {', '.join(i.classes)}") for i in kb.drugs.ingredients]
    return [(s.id, s.title) for s in kb.sources.values()]


def list_kind(kind: str | None, as_json: bool) -> str:
    kb = load_knowledge()
    if kind is None:
        counts = {k: len(_rows(kb, k)) for k in KINDS}
        if as_json:
            return orjson.dumps({"version": kb.version, "counts": counts}).decode() + "\n"
        lines = [f"painpath knowledge {kb.version}"]
        lines += [f"  {k}: {n}" for k, n in counts.items()]
        lines.append(
            "List one kind: painpath knowledge procedures; explain one: painpath knowledge show ID"
        )
        return "\n".join(lines) + "\n"
    if kind not in KINDS:
        raise InputError(f"unknown kind {kind!r}", "knowledge", ", ".join(KINDS) + " or show ID")
    rows = _rows(kb, kind)
    if as_json:
        return orjson.dumps([{"id": i, "summary": s} for i, s in rows]).decode() + "\n"
    width = max((len(i) for i, _ in rows), default=0)
    return "".join(f"{i.ljust(width)}  {s}\n" for i, s in rows)


def _find(kb: Knowledge, entry: str) -> BaseModel | None:
    for table in (
        kb.procedures,
        kb.groups,
        kb.red_flags,
        kb.policies,
        kb.antithrombotics,
        kb.sources,
        kb.families,
    ):
        found = table.get(entry)
        if found is not None:
            return found
    ingredient = kb.ingredients_by_name.get(entry)
    return ingredient


def show_entry(entry: str, as_json: bool) -> str:
    kb = load_knowledge()
    found = _find(kb, entry)
    if found is None:
        raise InputError(
            f"no knowledge entry {entry!r}",
            "knowledge show",
            "a procedure, condition group, red flag, policy, drug or source id",
        )
    data: dict[str, Any] = found.model_dump(mode="json")
    sources = list(dict.fromkeys(s for _, s in iter_sources(found, "")))
    extra: list[BaseModel] = []
    factors = kb.opioid_factors.get(entry, [])
    extra.extend(factors)
    for factor in factors:
        sources.append(factor.source)
    cited = [kb.citation(s) for s in dict.fromkeys(sources) if s in kb.sources]
    if as_json:
        payload = {
            "entry": data,
            "opioid_factors": [f.model_dump(mode="json") for f in factors],
            "sources": cited,
        }
        return orjson.dumps(payload, option=orjson.OPT_INDENT_2).decode() + "\n"
    lines = [f"{entry}", ""]
    lines += _render(data, "  ")
    for factor in factors:
        lines.append(
            f"  MME factor: {factor.factor} ({factor.route}, {factor.tag}; source {factor.source})"
        )
    lines += ["", "Sources:"]
    lines += [f"  [{c['id']}] {c['title']}" for c in cited]
    return "\n".join(lines) + "\n"


def _render(data: Any, indent: str) -> list[str]:
    lines: list[str] = []
    if isinstance(data, dict):
        for key, value in data.items():
            if value in (None, [], {}):
                continue
            if isinstance(value, dict | list):
                lines.append(f"{indent}{key}:")
                lines += _render(value, indent + "  ")
            else:
                lines.append(f"{indent}{key}: {value}")
    elif isinstance(data, list):
        if all(not isinstance(v, dict | list) for v in data):
            lines.append(f"{indent}{', '.join(str(v) for v in data)}")
        else:
            for value in data:
                lines += _render(value, indent + "- ")
    return lines
