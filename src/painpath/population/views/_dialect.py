"""The SQL each engine needs for FHIRPath over VARIANT values: DuckDB and Spark SQL.

Spark parses each NDJSON line once into a VARIANT (Spark >= 4.0) and navigates it with cheap
binary look-ups; DuckDB navigates JSON text with its fast JSON functions (see `_DUCKDB`). A
FHIRPath collection is an SQL list of such values; a single value is one of them or a typed
scalar. Only the templates below differ between the engines; `_fhirpath_sql.py` and
`_compile.py` are shared.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

__all__ = ["DIALECTS", "ROOT", "Dialect"]

ERROR_MARKER = "painpath-view:"
ROOT = "res"  # the SQL name of the resource being flattened
# Placeholders for the resource's top-level members; the per-process nonce keeps a string
# literal in a view from ever looking like one.
_NONCE = secrets.token_hex(8)
_ROOT_TOKEN = re.compile(rf"__root_{_NONCE}_([A-Za-z0-9_]+)__")

_NUMERIC_TYPES = (
    "'TINYINT', 'SMALLINT', 'INTEGER', 'INT', 'BIGINT', 'UBIGINT', 'HUGEINT', 'INT8', 'INT16', "
    "'INT32', 'INT64', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'FLOAT', 'DOUBLE'"
)


@dataclass(frozen=True)
class Dialect:
    """SQL builders from per-engine templates; arguments and results are SQL strings.

    Templates are `str.format` patterns: {0}, {1}, ... are the arguments in order.
    """

    name: str
    types: dict[str, str]  # kind (str, bool, int, num, variant) -> SQL type
    list_type: str  # {0}: element type
    t: dict[str, str]  # operation -> template
    backslash_escapes: bool  # string literals escape with backslashes (Spark)
    ident_quote: str
    root_pushdown: bool = False  # read the resource's top-level members in one parse
    error_marker: str = ERROR_MARKER

    def _f(self, op: str, *args: object) -> str:
        return self.t[op].format(*args)

    # --- literals and types -----------------------------------------------------------
    def string(self, text: str) -> str:
        if self.backslash_escapes:
            return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
        return "'" + text.replace("'", "''") + "'"

    def sql_type(self, kind: str, collection: bool = False) -> str:
        base = self.types[kind]
        return self.list_type.format(base) if collection else base

    def null(self, kind: str, collection: bool = False) -> str:
        return f"CAST(NULL AS {self.sql_type(kind, collection)})"

    def null_variant(self) -> str:
        return self.null("variant")

    def quote_ident(self, name: str) -> str:
        q = self.ident_quote
        return q + name.replace(q, q + q) + q

    def error(self, message: str) -> str:
        """An expression that fails the query with `message` (marked for painpath)."""
        return self._f("error", self.string(f"{self.error_marker} {message}"))

    # --- lists ------------------------------------------------------------------------
    def lam(self, var: str, body: str, index: str | None = None) -> str:
        if index is None:
            return self._f("lambda", var, body)
        return self._f("lambda2", var, index, body)

    def index0(self, index: str) -> str:
        """The 0-based position from a lambda's index variable."""
        return self._f("index0", index)

    def transform(self, lst: str, lam: str) -> str:
        return self._f("transform", lst, lam)

    def filter(self, lst: str, lam: str) -> str:
        return self._f("filter", lst, lam)

    def flatten(self, lst: str) -> str:
        return f"flatten({lst})"

    def size(self, lst: str) -> str:
        return self._f("size", lst)

    def concat(self, lists: list[str]) -> str:
        return lists[0] if len(lists) == 1 else self._f("concat", ", ".join(lists))

    def slice(self, lst: str, start0: str, length: str) -> str:
        """Elements from 0-based `start0` (negative counts from the end)."""
        if start0.isdigit() and length.isdigit():
            return self._f("slice", lst, int(start0) + 1, int(length))
        return self._f("slice_any", lst, start0, length)

    def let(self, value: str, var: str, body: str) -> str:
        """`body` with `var` bound to `value`, computed once (a one-element list map)."""
        return self._f("let", value, self.lam(var, body))

    def first(self, lst: str) -> str:
        """The first element or NULL."""
        return self._f("first", lst)

    def array(self, items: list[str]) -> str:
        return self._f("array", ", ".join(items))

    def empty_list(self, kind: str = "variant") -> str:
        return f"CAST({self.array([])} AS {self.sql_type(kind, True)})"

    def join(self, lst: str, sep: str) -> str:
        return self._f("join", lst, sep)

    def struct(self, fields: list[tuple[str, str]]) -> str:
        return self._f("struct", ", ".join(self._f("field", n, e) for n, e in fields))

    # --- VARIANT ----------------------------------------------------------------------
    def member(self, value: str, key: str) -> str:
        """The member `key` of an object (NULL when missing or not an object).

        With `root_pushdown`, a member of the resource itself is a placeholder that
        `root_members` later turns into one element of a single multi-path extraction.
        """
        if self.root_pushdown and value == ROOT:
            return f"__root_{_NONCE}_{key}__"
        return self._f("member", value, self.member_path(key))

    def member_path(self, key: str) -> str:
        return self.string(self.t["member_key"].format(key))

    def root_members(self, sql: str) -> tuple[str, list[str]]:
        """`sql` with root placeholders replaced by `rm[i]`, and the keys in order."""
        keys: list[str] = []

        def slot(match: re.Match[str]) -> str:
            if match.group(1) not in keys:
                keys.append(match.group(1))
            return f"rm[{keys.index(match.group(1)) + 1}]"

        return _ROOT_TOKEN.sub(slot, sql), keys

    def as_list(self, value: str) -> str:
        """A VARIANT (or NULL) as a FHIRPath collection: its elements, itself, or empty."""
        return self._f("as_list", value, self.empty_list())

    def single_member(self, value: str, error: str) -> str:
        """A member's value as one value: itself, its only element, NULL, or `error`."""
        return self._f("single_member", value, error)

    def to_kind(self, value: str, kind: str) -> str:
        """A VARIANT/JSON value as an SQL scalar of a kind (str, bool, int, num)."""
        op = f"to_kind_{kind}" if f"to_kind_{kind}" in self.t else "to_kind"
        return self._f(op, value, self.types[kind], self.types[kind].lower())

    def type_name(self, value: str) -> str:
        """The engine's type name of a VARIANT value, upper case."""
        return self._f("type_name", value)

    def is_number(self, value: str) -> str:
        t = self.type_name(value)
        return f"({t} IN ({_NUMERIC_TYPES}) OR {t} LIKE 'DECIMAL%')"

    def is_string(self, value: str) -> str:
        return f"({self.type_name(value)} IN ('VARCHAR', 'STRING'))"

    def is_bool(self, value: str) -> str:
        return f"({self.type_name(value)} IN ('BOOLEAN', 'BOOL_TRUE', 'BOOL_FALSE'))"

    def is_object(self, value: str) -> str:
        return f"({self.type_name(value)} LIKE 'OBJECT%')"

    def regexp_extract(self, text: str, pattern: str, group: int) -> str:
        return f"nullif(regexp_extract({text}, {self.string(pattern)}, {group}), '')"

    def regexp_replace(self, text: str, pattern: str, replacement: str) -> str:
        return f"regexp_replace({text}, {self.string(pattern)}, {self.string(replacement)})"

    def parse_json(self, text: str) -> str:
        return self._f("parse_json", text)


# DuckDB keeps values as JSON text: its yyjson functions are fast, while JSON -> VARIANT
# conversion (DuckDB 2.0.1) runs at ~50 MB/s. The resource's top-level members come from one
# multi-path json_extract per line (root_pushdown); deeper look-ups parse small values only.
_DUCKDB = Dialect(
    name="duckdb",
    types={"str": "VARCHAR", "bool": "BOOLEAN", "int": "BIGINT", "num": "DOUBLE"}
    | {"variant": "JSON"},
    list_type="{0}[]",
    backslash_escapes=False,
    ident_quote='"',
    root_pushdown=True,
    t={
        "error": "error({0})",
        "lambda": "lambda {0}: {1}",
        "lambda2": "lambda {0}, {1}: {2}",
        "index0": "({0} - 1)",
        "transform": "list_transform({0}, {1})",
        "filter": "list_filter({0}, {1})",
        "size": "len({0})",
        "concat": "list_concat({0})",
        "slice": "list_slice({0}, {1}, {1} + {2} - 1)",
        "slice_any": (
            "(CASE WHEN ({1}) < 0 THEN list_slice({0}, len({0}) + ({1}) + 1, "
            "len({0}) + ({1}) + ({2})) ELSE list_slice({0}, ({1}) + 1, ({1}) + ({2})) END)"
        ),
        "let": "list_transform([{0}], {1})[1]",
        "first": "({0})[1]",
        "array": "[{0}]",
        "join": "array_to_string({0}, {1})",
        "struct": "struct_pack({0})",
        "field": "{0} := {1}",
        "member": "json_extract({0}, {1})",
        "member_key": '$."{0}"',
        "as_list": (
            "(CASE WHEN {0} IS NULL THEN {1} WHEN json_type({0}) = 'ARRAY' "
            "THEN json_extract({0}, '$[*]') WHEN json_type({0}) = 'NULL' THEN {1} ELSE [{0}] END)"
        ),
        "single_member": (
            "(CASE WHEN json_type({0}) = 'ARRAY' THEN (CASE WHEN json_array_length({0}) > 1 "
            "THEN {1} ELSE json_extract({0}, '$[0]') END) WHEN json_type({0}) = 'NULL' THEN NULL "
            "ELSE {0} END)"
        ),
        "to_kind": "CAST({0} AS {1})",
        "to_kind_str": "json_extract_string({0}, '$')",
        "type_name": "json_type({0})",
        "parse_json": "{0}",
    },
)

_SPARK = Dialect(
    name="spark",
    types={"str": "STRING", "bool": "BOOLEAN", "int": "BIGINT", "num": "DOUBLE"}
    | {"variant": "VARIANT"},
    list_type="ARRAY<{0}>",
    backslash_escapes=True,
    ident_quote="`",
    t={
        "error": "raise_error({0})",
        "lambda": "{0} -> {1}",
        "lambda2": "({0}, {1}) -> {2}",
        "index0": "{0}",
        "transform": "transform({0}, {1})",
        "filter": "filter({0}, {1})",
        "size": "size({0})",
        "concat": "concat({0})",
        "slice": "slice({0}, {1}, {2})",
        "slice_any": (
            "(CASE WHEN ({1}) < 0 AND size({0}) + ({1}) < 0 THEN slice({0}, 1, 0) "
            "WHEN ({1}) < 0 THEN slice({0}, {1}, {2}) ELSE slice({0}, ({1}) + 1, {2}) END)"
        ),
        "let": "transform(array({0}), {1})[0]",
        "first": "try_element_at({0}, 1)",
        "array": "array({0})",
        "join": "array_join({0}, {1})",
        "struct": "named_struct({0})",
        "field": "'{0}', {1}",
        "member": "try_variant_get({0}, {1})",
        "member_key": "$.{0}",
        "as_list": (
            "(CASE WHEN {0} IS NULL OR is_variant_null({0}) THEN {1} "
            "ELSE coalesce(try_variant_get({0}, '$', 'array<variant>'), array({0})) END)"
        ),
        "single_member": (
            "(CASE WHEN {0} IS NULL OR is_variant_null({0}) THEN NULL "
            "WHEN try_variant_get({0}, '$', 'array<variant>') IS NULL THEN {0} "
            "WHEN size(try_variant_get({0}, '$', 'array<variant>')) > 1 THEN {1} "
            "ELSE try_variant_get({0}, '$[0]') END)"
        ),
        "to_kind": "variant_get({0}, '$', '{2}')",
        "type_name": "upper(schema_of_variant({0}))",
        "parse_json": "parse_json({0})",
    },
)

DIALECTS: dict[str, Dialect] = {"duckdb": _DUCKDB, "spark": _SPARK}
