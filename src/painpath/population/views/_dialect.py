"""The SQL each engine needs for FHIRPath over VARIANT values: DuckDB and Spark SQL.

Both engines parse each NDJSON line once into a VARIANT (DuckDB >= 1.5, Spark >= 4.0) and
navigate it with cheap binary look-ups. A FHIRPath collection is an SQL list of VARIANT; a
single value is a VARIANT or a typed scalar. Only the templates below differ between the
engines; `_fhirpath_sql.py` and `_compile.py` are shared.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DIALECTS", "Dialect"]

ERROR_MARKER = "painpath-view:"

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
        """The VARIANT member `key` of an object (NULL when missing or not an object)."""
        return self._f("member", value, self.string(self.t["member_key"].format(key)))

    def as_list(self, value: str) -> str:
        """A VARIANT (or NULL) as a FHIRPath collection: its elements, itself, or empty."""
        return self._f("as_list", value, self.empty_list())

    def to_kind(self, value: str, kind: str) -> str:
        """A VARIANT as an SQL scalar of a kind (str, bool, int, num)."""
        return self._f("to_kind", value, self.types[kind], self.types[kind].lower())

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


_DUCKDB = Dialect(
    name="duckdb",
    types={"str": "VARCHAR", "bool": "BOOLEAN", "int": "BIGINT", "num": "DOUBLE"}
    | {"variant": "VARIANT"},
    list_type="{0}[]",
    backslash_escapes=False,
    ident_quote='"',
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
        "member": "variant_extract({0}, {1})",
        "member_key": "{0}",
        "as_list": (
            "(CASE WHEN {0} IS NULL THEN {1} ELSE coalesce(TRY_CAST({0} AS VARIANT[]), [{0}]) END)"
        ),
        "to_kind": "CAST({0} AS {1})",
        "type_name": "variant_typeof({0})",
        "parse_json": "CAST(CAST({0} AS JSON) AS VARIANT)",
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
        "to_kind": "variant_get({0}, '$', '{2}')",
        "type_name": "upper(schema_of_variant({0}))",
        "parse_json": "parse_json({0})",
    },
)

DIALECTS: dict[str, Dialect] = {"duckdb": _DUCKDB, "spark": _SPARK}
