"""A ViewDefinition validated and compiled to one SQL query per engine.

Each resource becomes one SQL list of row structs, built by list functions only (no
per-resource Python): a select's own columns make one row; sibling selects are combined by
a cross product; `forEach`/`forEachOrNull`/`repeat` map over a collection and flatten;
`unionAll` concatenates its branches. The query then unnests that list, so the engine
streams rows (DuckDB vectorised, Spark per partition) and memory stays flat.

Columns get internal slot names (c0, c1, ...) and are renamed at the end; `unionAll`
branches share slots by position (their names must match, in order).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from painpath.errors import InputError
from painpath.population.views._dialect import DIALECTS, ROOT, Dialect
from painpath.population.views._fhirpath import Node, parse_fhirpath
from painpath.population.views._fhirpath_sql import (
    FHIR_KIND,
    Context,
    Expr,
    FhirPathCompiler,
    constant_expr,
)

__all__ = ["REPEAT_DEPTH", "CompiledView", "ViewColumn", "compile_view"]

# How deep `repeat` follows its paths; a deeper resource fails the query with a message
# (no silent truncation). Questionnaire items nest a handful of levels in practice.
REPEAT_DEPTH = 12

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_RESOURCE = re.compile(r"^[A-Z][A-Za-z]+$")
_ITERATORS = ("forEach", "forEachOrNull", "repeat")


@dataclass(frozen=True)
class ViewColumn:
    """One output column: its name, FHIR type (if given), SQL kind and collection flag.

    `kind` is str, bool, int or num (VARCHAR/BOOLEAN/BIGINT/DOUBLE); dates and times stay
    strings in their FHIR form; decimals are doubles.
    """

    name: str
    fhir_type: str | None
    kind: str
    collection: bool


@dataclass
class _Column:
    name: str
    path: Node
    fhir_type: str | None
    collection: bool
    where: str
    slot: str = ""
    kind: str = ""


@dataclass
class _Select:
    where: str
    columns: list[_Column] = field(default_factory=list)
    selects: list[_Select] = field(default_factory=list)
    union: list[_Select] = field(default_factory=list)
    iterator: str | None = None
    paths: list[Node] = field(default_factory=list)

    def _ordered(self) -> list[_Column]:
        """The columns in output order (a unionAll contributes its first branch's)."""
        out = list(self.columns)
        for child in self.selects:
            out += child._ordered()
        if self.union:
            out += self.union[0]._ordered()
        return out

    def names(self) -> list[str]:
        return [c.name for c in self._ordered()]

    def slots(self) -> list[str]:
        return [c.slot for c in self._ordered()]

    def all_columns(self) -> Iterator[_Column]:
        yield from self.columns
        for child in self.selects:
            yield from child.all_columns()
        for branch in self.union:
            yield from branch.all_columns()


def _parse_select(raw: Any, where: str) -> _Select:
    if not isinstance(raw, dict):
        raise InputError(f"{raw!r} is not an object", where, "a select object")
    sel = _Select(where=where)
    iterators = [k for k in _ITERATORS if k in raw]
    if len(iterators) > 1:
        raise InputError(f"both {iterators[0]} and {iterators[1]}", where, "at most one")
    if iterators:
        key = iterators[0]
        sel.iterator = key
        value = raw[key]
        if key == "repeat":
            if not isinstance(value, list) or not value:
                raise InputError(f"repeat is {value!r}", f"{where}.repeat", "a list of paths")
            sel.paths = [parse_fhirpath(p, f"{where}.repeat[{i}]") for i, p in enumerate(value)]
        else:
            sel.paths = [parse_fhirpath(value, f"{where}.{key}")]
    columns = raw.get("column", [])
    if not isinstance(columns, list):
        raise InputError(f"column is {columns!r}", f"{where}.column", "a list")
    for i, col in enumerate(columns):
        cw = f"{where}.column[{i}]"
        if not isinstance(col, dict):
            raise InputError(f"{col!r} is not an object", cw, "a column object")
        name, path = col.get("name"), col.get("path")
        if not isinstance(name, str) or not _NAME.match(name):
            raise InputError(f"column name {name!r}", cw, "a name like [A-Za-z][A-Za-z0-9_]*")
        fhir_type = col.get("type")
        if fhir_type is not None and fhir_type not in FHIR_KIND:
            raise InputError(f"column {name!r} has type {fhir_type!r}", cw, "a FHIR primitive")
        collection = col.get("collection", False)
        if not isinstance(collection, bool):
            raise InputError(f"collection is {collection!r}", cw, "true or false")
        node = parse_fhirpath(path, f"{cw}.path")
        sel.columns.append(_Column(name, node, fhir_type, collection, f"{cw} ({name})"))
    for key in ("select", "unionAll"):
        items = raw.get(key, [])
        if not isinstance(items, list):
            raise InputError(f"{key} is {items!r}", f"{where}.{key}", "a list")
        parsed = [_parse_select(item, f"{where}.{key}[{i}]") for i, item in enumerate(items)]
        (sel.selects if key == "select" else sel.union).extend(parsed)
    if not sel.columns and not sel.selects and not sel.union:
        raise InputError("a select has no column, select or unionAll", where, "at least one")
    first = sel.union[0].names() if sel.union else []
    for i, branch in enumerate(sel.union[1:], start=1):
        if branch.names() != first:
            raise InputError(
                f"unionAll branch {i} has columns {branch.names()}, branch 0 has {first}",
                f"{where}.unionAll[{i}]",
                "the same column names in the same order",
            )
    return sel


def _assign_slots(sel: _Select, counter: Iterator[int], shared: Iterator[str] | None) -> None:
    for col in sel.columns:
        col.slot = next(shared) if shared is not None else f"c{next(counter)}"
    for child in sel.selects:
        _assign_slots(child, counter, shared)
    if sel.union:
        _assign_slots(sel.union[0], counter, shared)
        first = sel.union[0].slots()
        for branch in sel.union[1:]:
            _assign_slots(branch, counter, iter(first))


class _SqlBuilder:
    """The SQL of one compiled view for one dialect."""

    def __init__(self, view: CompiledView, dialect: Dialect) -> None:
        self.view = view
        self.d = dialect
        self.fp = FhirPathCompiler(dialect)
        self.constants = {
            name: expr
            for name, expr in (
                constant_expr(dialect, c, f"constant[{i}]") for i, c in enumerate(view.constants)
            )
        }
        self.counter = itertools.count()

    def context(self, this: str, row_index: str, where: str, at_root: bool = False) -> Context:
        return Context(
            this=this,
            root=ROOT,
            row_index=row_index,
            constants=self.constants,
            resource_type=self.view.resource,
            where=where,
            at_root=at_root,
            counter=self.counter,
        )

    def column_sql(self, col: _Column, this: str, row_index: str) -> str:
        ctx = self.context(this, row_index, col.where, at_root=this == ROOT)
        expr = self.fp.compile(col.path, ctx)
        kind = self.view.slot_kinds[col.slot]
        if col.collection:
            return self.fp.as_list_of(expr, kind, ctx)
        return self.fp.as_kind(expr, kind, ctx, f"column {col.name!r} (not a collection)")

    def null_fields(self, sel: _Select) -> list[tuple[str, str]]:
        kinds, colls = self.view.slot_kinds, self.view.slot_collection
        return [(s, self.d.null(kinds[s], colls[s])) for s in sel.slots()]

    def product(self, parts: list[tuple[str, list[str]]]) -> str:
        d = self.d
        sql, fields = parts[0]
        for other_sql, other_fields in parts[1:]:
            a, b = f"a{next(self.counter)}", f"b{next(self.counter)}"
            merged = [(f, f"{a}.{f}") for f in fields] + [(f, f"{b}.{f}") for f in other_fields]
            inner = d.transform(other_sql, d.lam(b, d.struct(merged)))
            sql = d.flatten(d.transform(sql, d.lam(a, inner)))
            fields = fields + other_fields
        return sql

    def body(self, sel: _Select, this: str, row_index: str) -> str:
        d = self.d
        parts: list[tuple[str, list[str]]] = []
        if sel.columns:
            row = d.struct([(c.slot, self.column_sql(c, this, row_index)) for c in sel.columns])
            parts.append((d.array([row]), [c.slot for c in sel.columns]))
        for child in sel.selects:
            parts.append((self.rows(child, this, row_index), child.slots()))
        if sel.union:
            branches = [self.rows(b, this, row_index) for b in sel.union]
            parts.append((d.concat(branches), sel.union[0].slots()))
        return self.product(parts)

    def collection(self, sel: _Select, this: str, row_index: str) -> str:
        ctx = self.context(this, row_index, sel.where, at_root=this == ROOT)
        if sel.iterator == "repeat":
            return self.descendants(sel, this, row_index, 1)
        expr = self.fp.compile(sel.paths[0], ctx)
        return self.fp.to_coll(expr, ctx).sql

    def descendants(self, sel: _Select, this: str, row_index: str, depth: int) -> str:
        """`this`'s nodes reached by the repeat paths, depth first, in document order."""
        d = self.d
        ctx = self.context(this, row_index, sel.where)
        children = d.concat([self.fp.to_coll(self.fp.compile(p, ctx), ctx).sql for p in sel.paths])
        if depth > REPEAT_DEPTH:
            msg = d.error(f"{sel.where}: repeat nests deeper than {REPEAT_DEPTH} levels")
            return f"(CASE WHEN {d.size(children)} > 0 THEN {msg} ELSE {d.empty_list()} END)"
        v = f"r{next(self.counter)}"
        below = self.descendants(sel, v, row_index, depth + 1)
        return d.flatten(d.transform(children, d.lam(v, d.concat([d.array([v]), below]))))

    def rows(self, sel: _Select, this: str, row_index: str) -> str:
        d = self.d
        if sel.iterator is None:
            return self.body(sel, this, row_index)
        coll = self.collection(sel, this, row_index)
        v, i = f"e{next(self.counter)}", f"i{next(self.counter)}"
        mapped = d.flatten(d.transform(coll, d.lam(v, self.body(sel, v, d.index0(i)), i)))
        if sel.iterator != "forEachOrNull":
            return mapped
        own = {c.slot: self.column_sql(c, d.null_variant(), "0") for c in sel.columns}
        null_row = d.struct([(s, own.get(s, null)) for s, null in self.null_fields(sel)])
        return f"(CASE WHEN {d.size(coll)} = 0 THEN {d.array([null_row])} ELSE {mapped} END)"

    def query(self, source: str, resource_filter: bool) -> str:
        """SELECT the view's rows from `source`, a relation with the resource as `res`.

        Columns outside any forEach/forEachOrNull/repeat/unionAll have one value per
        resource: they are plain SELECT expressions next to the unnested rows of the rest
        (no lists at all when nothing iterates).
        """
        d = self.d
        flat = [s for s in self.view.tree if _is_flat(s)]
        nested = [s for s in self.view.tree if not _is_flat(s)]
        selected = [
            f"{self.column_sql(col, ROOT, '0')} AS {col.slot}"
            for sel in flat
            for col in sel._ordered()
        ]
        if nested:
            rows = self.body(_Select(where="view", selects=nested), ROOT, "0")
            explode = "unnest" if d.name == "duckdb" else "explode"
            selected.append(f"{explode}({rows}) AS vr")
        flat_slots = {col.slot for sel in flat for col in sel._ordered()}
        conditions = []
        if resource_filter:
            rt = d.to_kind(d.member(ROOT, "resourceType"), "str")
            conditions.append(f"{rt} = {d.string(self.view.resource)}")
        for i, node in enumerate(self.view.where):
            ctx = self.context(ROOT, "0", f"where[{i}].path", at_root=True)
            expr = self.fp.compile(node, ctx)
            conditions.append(f"coalesce({self.fp.truth(expr, ctx, 'a where path')}, FALSE)")
        inner = ", ".join(selected)
        cond = " AND ".join(conditions) if conditions else "TRUE"
        if d.root_pushdown:
            both, keys = d.root_members(f"{inner}\x00{cond}")
            inner, cond = both.split("\x00")
            paths = ", ".join(d.member_path(k) for k in keys)
            member_list = f"json_extract({ROOT}, [{paths}])" if keys else "NULL"
            source = f"(SELECT {ROOT}, {member_list} AS rm FROM {source} AS raw)"
        names = ", ".join(
            f"{'' if slot in flat_slots else 'vr.'}{slot} AS {d.quote_ident(col.name)}"
            for slot, col in zip(self.view.output_slots, self.view.columns, strict=True)
        )
        return f"SELECT {names} FROM (SELECT {inner} FROM {source} AS src WHERE {cond}) AS flat"


def _is_flat(sel: _Select) -> bool:
    """True when a select gives exactly one row per resource (nothing iterates in it)."""
    return sel.iterator is None and not sel.union and all(_is_flat(c) for c in sel.selects)


@dataclass
class CompiledView:
    """A validated ViewDefinition; `sql(engine, source)` gives its query for an engine."""

    resource: str
    columns: tuple[ViewColumn, ...]
    constants: list[dict[str, Any]]
    where: list[Node]
    tree: list[_Select]
    output_slots: list[str]
    slot_kinds: dict[str, str]
    slot_collection: dict[str, bool]
    name: str | None = None
    _cache: dict[tuple[str, str, bool], str] = field(default_factory=dict, repr=False)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def sql(self, engine: str, source: str, *, resource_filter: bool = False) -> str:
        """The query over `source` (a table or subquery with one VARIANT column `res`).

        `resource_filter` keeps only resources of the view's type (for mixed files).
        """
        if engine not in DIALECTS:
            raise InputError(f"unknown engine {engine!r}", "engine", "duckdb or spark")
        key = (engine, source, resource_filter)
        if key not in self._cache:
            self._cache[key] = _SqlBuilder(self, DIALECTS[engine]).query(source, resource_filter)
        return self._cache[key]


def _kind_of(col: _Column, builder: _SqlBuilder) -> str:
    if col.fhir_type is not None:
        return FHIR_KIND[col.fhir_type]
    ctx = builder.context(ROOT, "0", col.where, at_root=True)
    expr: Expr = builder.fp.compile(col.path, ctx)
    return expr.kind if expr.kind in ("bool", "int", "num") else "str"


def compile_view(view: Any) -> CompiledView:
    """Validate a ViewDefinition (a parsed JSON object) and prepare its SQL.

    Raises InputError naming the offending element (e.g. `select[0].column[1].path`).
    """
    if not isinstance(view, dict):
        raise InputError("the ViewDefinition is not a JSON object", "view", "an object")
    resource = view.get("resource")
    if not isinstance(resource, str) or not _RESOURCE.match(resource):
        raise InputError(f"resource is {resource!r}", "view.resource", "a FHIR resource type")
    selects = view.get("select")
    if not isinstance(selects, list) or not selects:
        raise InputError("the view has no select", "view.select", "a non-empty list")
    tree = [_parse_select(s, f"select[{i}]") for i, s in enumerate(selects)]
    constants = view.get("constant", [])
    if not isinstance(constants, list):
        raise InputError(f"constant is {constants!r}", "view.constant", "a list")
    wheres = view.get("where", [])
    if not isinstance(wheres, list):
        raise InputError(f"where is {wheres!r}", "view.where", "a list")
    where_nodes = []
    for i, w in enumerate(wheres):
        if not isinstance(w, dict):
            raise InputError(f"{w!r} is not an object", f"where[{i}]", "an object with path")
        where_nodes.append(parse_fhirpath(w.get("path"), f"where[{i}].path"))
    top = _Select(where="view", selects=tree)
    names = top.names()
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise InputError(f"duplicate column names {duplicates}", "view.select", "unique names")
    _assign_slots(top, itertools.count(), None)
    compiled = CompiledView(
        resource=resource,
        columns=(),
        constants=constants,
        where=where_nodes,
        tree=tree,
        output_slots=top.slots(),
        slot_kinds={},
        slot_collection={},
        name=view.get("name") if isinstance(view.get("name"), str) else None,
    )
    builder = _SqlBuilder(compiled, DIALECTS["duckdb"])
    firsts: dict[str, _Column] = {}
    for col in top.all_columns():
        first = firsts.setdefault(col.slot, col)
        if first is col:
            compiled.slot_kinds[col.slot] = _kind_of(col, builder)
            compiled.slot_collection[col.slot] = col.collection
        elif first.collection != col.collection:
            raise InputError(
                f"column {col.name!r} is a collection in one unionAll branch only",
                col.where,
                "the same collection flag in every branch",
            )
    by_slot = {c.slot: c for c in top.all_columns()}
    compiled.columns = tuple(
        ViewColumn(
            by_slot[s].name,
            firsts[s].fhir_type,
            compiled.slot_kinds[s],
            compiled.slot_collection[s],
        )
        for s in compiled.output_slots
    )
    # Compile once now so that a bad path, function or constant fails here, not at run time.
    for engine in DIALECTS:
        compiled.sql(engine, "src_table")
    return compiled
