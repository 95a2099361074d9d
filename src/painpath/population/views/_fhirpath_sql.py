"""FHIRPath (the ViewDefinition subset) compiled to an SQL expression for one engine.

Values are `Expr`s: `kind` says what the SQL holds.

- `item`: one VARIANT (the resource, a forEach element, `$this` in `where(...)`);
- `coll`: an SQL list of VARIANT, a FHIRPath collection (possibly empty);
- `str`, `bool`, `int`, `num`: an SQL scalar, NULL standing for the empty collection;
- `strs`: an SQL list of strings (e.g. `getReferenceKey()` over several references).

Navigation on an `item` is one member look-up; on a `coll` it maps and flattens. Operators
take single values: a collection of two or more fails the query with a clear message, as
FHIRPath requires.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from painpath.errors import InputError
from painpath.population.views._dialect import Dialect
from painpath.population.views._fhirpath import Node

__all__ = ["Context", "Expr", "FhirPathCompiler", "constant_expr"]

_STRINGISH = [
    "string",
    "code",
    "id",
    "uri",
    "url",
    "canonical",
    "oid",
    "uuid",
    "markdown",
    "base64Binary",
    "date",
    "dateTime",
    "instant",
    "time",
]
_INTEGERS = ("integer", "positiveInt", "unsignedInt", "integer64")
FHIR_KIND: dict[str, str] = {t: "str" for t in _STRINGISH}
FHIR_KIND.update({t: "int" for t in _INTEGERS})
FHIR_KIND.update({"boolean": "bool", "decimal": "num"})

_SIMPLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_COMPARE = {"=": "=", "!=": "<>", "<": "<", ">": ">", "<=": "<=", ">=": ">="}
_ARITH = {"+": "+", "-": "-", "*": "*", "/": "/"}
# A reference's type and key: `Patient/123`, `https://x/fhir/Patient/123/_history/2`; or
# a key without a type: `urn:uuid:123`.
_REF_TYPED = r"([A-Za-z]+)/([^/]+)(?:/_history/[^/]+)?$"
_REF_URN = r"^urn:(?:uuid|oid):(.+)$"


@dataclass(frozen=True)
class Expr:
    sql: str
    kind: str
    member: str | None = None  # for a `coll` read from one member: that member's value


@dataclass(frozen=True)
class Context:
    """Where an expression is evaluated: `$this`, the resource, `%rowIndex`, constants."""

    this: str
    root: str
    row_index: str
    constants: dict[str, Expr]
    resource_type: str
    where: str
    at_root: bool = True
    counter: itertools.count[int] = field(default_factory=itertools.count)


def constant_expr(dialect: Dialect, constant: dict[str, Any], where: str) -> tuple[str, Expr]:
    """A ViewDefinition `constant` entry as a typed SQL literal."""
    name = constant.get("name")
    if not isinstance(name, str) or not name:
        raise InputError("a constant has no name", where, "a `name` string")
    values = [(k, v) for k, v in constant.items() if k.startswith("value")]
    if len(values) != 1:
        raise InputError(
            f"constant {name!r} has {len(values)} values", where, "exactly one value[x]"
        )
    key, value = values[0]
    fhir_type = key[5:6].lower() + key[6:]
    kind = FHIR_KIND.get(fhir_type)
    if kind is None:
        raise InputError(f"constant {name!r} has unsupported type {key}", where, "a primitive")
    if kind == "bool" and isinstance(value, bool):
        return name, Expr("TRUE" if value else "FALSE", "bool")
    if kind == "int" and isinstance(value, int) and not isinstance(value, bool):
        return name, Expr(f"CAST({value} AS BIGINT)", "int")
    if kind == "num" and isinstance(value, int | float) and not isinstance(value, bool):
        return name, Expr(f"CAST({value!r} AS DOUBLE)", "num")
    if kind == "str" and isinstance(value, str):
        return name, Expr(dialect.string(value), "str")
    raise InputError(f"constant {name!r}: {key} is {value!r}", where, f"a FHIR {fhir_type}")


class FhirPathCompiler:
    """Compiles parsed FHIRPath for one dialect."""

    def __init__(self, dialect: Dialect) -> None:
        self.d = dialect

    # --- helpers ----------------------------------------------------------------------------
    def fail(self, ctx: Context, what: str) -> InputError:
        return InputError(what, ctx.where, "the SQL on FHIR FHIRPath subset")

    def var(self, ctx: Context) -> str:
        return f"v{next(ctx.counter)}"

    def bind(self, value: str, ctx: Context, body: Callable[[str], str]) -> str:
        """`body(v)` with `v` standing for `value`, which the SQL then computes once."""
        if _SIMPLE.match(value):
            return body(value)
        v = self.var(ctx)
        return self.d.let(value, v, body(v))

    def to_coll(self, e: Expr, ctx: Context) -> Expr:
        d = self.d
        if e.kind == "coll":
            return e
        if e.kind == "item":
            return Expr(d.array([e.sql]), "coll")
        raise self.fail(ctx, f"a {e.kind} value has no elements to navigate")

    def single(self, e: Expr, ctx: Context, what: str) -> Expr:
        """A collection as one VARIANT (NULL when empty; the query fails when more)."""
        d = self.d
        if e.kind != "coll":
            return e
        msg = d.error(f"{ctx.where}: {what} has more than one value")
        if e.member is not None:  # one member's value: no list needed
            return Expr(d.single_member(e.member, msg), "item")
        sql = self.bind(
            e.sql, ctx, lambda c: f"(CASE WHEN {d.size(c)} > 1 THEN {msg} ELSE {d.first(c)} END)"
        )
        return Expr(sql, "item")

    def as_kind(self, e: Expr, kind: str, ctx: Context, what: str = "the expression") -> str:
        """`e` as an SQL scalar of `kind`."""
        d = self.d
        if e.kind == "strs":
            msg = d.error(f"{ctx.where}: {what} has more than one value")
            sql = self.bind(
                e.sql,
                ctx,
                lambda c: f"(CASE WHEN {d.size(c)} > 1 THEN {msg} ELSE {d.first(c)} END)",
            )
            e = Expr(sql, "str")
        e = self.single(e, ctx, what)
        if e.kind == "item":
            return d.to_kind(e.sql, kind)
        if e.kind == kind or (e.kind == "int" and kind == "num"):
            return e.sql
        if kind == "str":
            return f"CAST({e.sql} AS {d.sql_type('str')})"
        if kind == "num" and e.kind in ("int", "num"):
            return e.sql
        raise self.fail(ctx, f"a {e.kind} value where a {kind} is expected")

    def as_list_of(self, e: Expr, kind: str, ctx: Context) -> str:
        """`e` as an SQL list of `kind` (for `collection: true` columns)."""
        d = self.d
        if e.kind == "item":
            e = Expr(d.array([e.sql]), "coll")
        if e.kind == "coll":
            v = self.var(ctx)
            return d.transform(e.sql, d.lam(v, d.to_kind(v, kind)))
        if e.kind == "strs" and kind == "str":
            return e.sql
        scalar = self.as_kind(e, kind, ctx)
        return (
            f"(CASE WHEN {scalar} IS NULL THEN {d.empty_list(kind)} ELSE {d.array([scalar])} END)"
        )

    def truth(self, e: Expr, ctx: Context, what: str) -> str:
        """A boolean for `where`: a non-boolean value fails the query."""
        d = self.d
        if e.kind == "bool":
            return e.sql
        if e.kind in ("item", "coll"):
            msg = d.error(f"{ctx.where}: {what} is not a boolean")
            return self.bind(
                self.single(e, ctx, what).sql,
                ctx,
                lambda one: (
                    f"(CASE WHEN {one} IS NULL THEN NULL WHEN {d.is_bool(one)} "
                    f"THEN {d.to_kind(one, 'bool')} ELSE {msg} END)"
                ),
            )
        raise InputError(f"{what} gives a {e.kind}, not a boolean", ctx.where, "a boolean path")

    # --- compile ----------------------------------------------------------------------------
    def compile(self, node: Node, ctx: Context) -> Expr:
        kind = node.kind
        if kind == "ident":
            return self.ident(node, ctx)
        if kind == "this":
            return Expr(ctx.this, "item")
        if kind == "const":
            if node.value == "rowIndex":
                return Expr(ctx.row_index, "int")
            if node.value in ("resource", "rootResource"):
                return Expr(ctx.root, "item")
            if node.value not in ctx.constants:
                raise InputError(
                    f"%{node.value} is not a constant of this view", ctx.where, "a defined constant"
                )
            return ctx.constants[node.value]
        if kind == "str":
            return Expr(self.d.string(node.value), "str")
        if kind == "num":
            if "." in node.value:
                return Expr(f"CAST({node.value} AS DOUBLE)", "num")
            return Expr(f"CAST({node.value} AS BIGINT)", "int")
        if kind == "bool":
            return Expr("TRUE" if node.value == "true" else "FALSE", "bool")
        if kind == "empty":
            return Expr(self.d.empty_list(), "coll")
        if kind == "index":
            assert node.base is not None
            base = self.to_coll(self.compile(node.base, ctx), ctx)
            index = self.as_kind(self.compile(node.args[0], ctx), "int", ctx, "an index")
            return Expr(self.d.slice(base.sql, index, "1"), "coll")
        if kind == "neg":
            operand = self.compile(node.args[0], ctx)
            target = "int" if operand.kind == "int" else "num"
            return Expr(f"(-{self.as_kind(operand, target, ctx)})", target)
        if kind == "op":
            return self.operator(node, ctx)
        if kind == "call":
            return self.call(node, ctx)
        raise self.fail(ctx, f"unsupported expression {kind}")  # pragma: no cover

    def navigate(self, base: Expr, name: str, ctx: Context) -> Expr:
        d = self.d
        if base.kind == "item":
            if _SIMPLE.match(base.sql):
                value = d.member(base.sql, name)
                return Expr(d.as_list(value), "coll", member=value)
            return Expr(self.bind(base.sql, ctx, lambda x: d.as_list(d.member(x, name))), "coll")
        if base.kind == "coll":
            v = self.var(ctx)
            return Expr(
                d.flatten(d.transform(base.sql, d.lam(v, d.as_list(d.member(v, name))))), "coll"
            )
        raise self.fail(ctx, f"cannot read {name!r} from a {base.kind} value")

    def ident(self, node: Node, ctx: Context) -> Expr:
        if node.base is None:
            if ctx.at_root and node.value == ctx.resource_type:
                return Expr(ctx.this, "item")
            return self.navigate(Expr(ctx.this, "item"), node.value, ctx)
        return self.navigate(self.compile(node.base, ctx), node.value, ctx)

    def base(self, node: Node, ctx: Context) -> Expr:
        return Expr(ctx.this, "item") if node.base is None else self.compile(node.base, ctx)

    def lambda_over(self, coll: Expr, node: Node, ctx: Context) -> tuple[str, Expr]:
        """A lambda variable and `node` compiled with `$this` bound to it."""
        v = self.var(ctx)
        inner = replace(ctx, this=v, at_root=False)
        return v, self.compile(node, inner)

    def call(self, node: Node, ctx: Context) -> Expr:
        name, args = node.value, node.args
        handler = getattr(self, f"fn_{name}", None)
        if handler is None:
            raise self.fail(ctx, f"function {name}() is not supported")
        result: Expr = handler(node, self.base(node, ctx), args, ctx)
        return result

    # --- functions (`fn_<name>`) -------------------------------------------------------------
    def _arity(self, node: Node, ctx: Context, low: int, high: int) -> None:
        if not low <= len(node.args) <= high:
            raise self.fail(ctx, f"{node.value}() takes {low}..{high} arguments")

    def fn_first(self, node: Node, base: Expr, args: tuple[Node, ...], ctx: Context) -> Expr:
        self._arity(node, ctx, 0, 0)
        if base.kind == "coll":
            return Expr(self.d.slice(base.sql, "0", "1"), "coll")
        if base.kind == "strs":
            return Expr(self.d.first(base.sql), "str")
        return base

    def fn_last(self, node: Node, base: Expr, args: tuple[Node, ...], ctx: Context) -> Expr:
        self._arity(node, ctx, 0, 0)
        if base.kind == "coll":
            return Expr(self.d.slice(base.sql, "-1", "1"), "coll")
        return base

    def fn_exists(self, node: Node, base: Expr, args: tuple[Node, ...], ctx: Context) -> Expr:
        self._arity(node, ctx, 0, 1)
        if args:
            base = self.fn_where(node, base, args, ctx)
        if base.kind in ("coll", "strs"):
            return Expr(f"({self.d.size(base.sql)} > 0)", "bool")
        return Expr(f"({base.sql} IS NOT NULL)", "bool")

    def fn_empty(self, node: Node, base: Expr, args: tuple[Node, ...], ctx: Context) -> Expr:
        self._arity(node, ctx, 0, 0)
        if base.kind in ("coll", "strs"):
            return Expr(f"({self.d.size(base.sql)} = 0)", "bool")
        return Expr(f"({base.sql} IS NULL)", "bool")

    def fn_count(self, node: Node, base: Expr, args: tuple[Node, ...], ctx: Context) -> Expr:
        self._arity(node, ctx, 0, 0)
        if base.kind in ("coll", "strs"):
            return Expr(f"CAST({self.d.size(base.sql)} AS BIGINT)", "int")
        return Expr(f"(CASE WHEN {base.sql} IS NULL THEN 0 ELSE 1 END)", "int")

    def fn_not(self, node: Node, base: Expr, args: tuple[Node, ...], ctx: Context) -> Expr:
        self._arity(node, ctx, 0, 0)
        return Expr(f"(NOT {self.as_kind(base, 'bool', ctx, 'not()')})", "bool")

    def fn_where(self, node: Node, base: Expr, args: tuple[Node, ...], ctx: Context) -> Expr:
        if len(args) != 1:
            raise self.fail(ctx, f"{node.value}() takes one criterion")
        coll = self.to_coll(base, ctx)
        v, crit = self.lambda_over(coll, args[0], ctx)
        test = f"coalesce({self.truth(crit, replace(ctx, this=v), 'a where() criterion')}, FALSE)"
        return Expr(self.d.filter(coll.sql, self.d.lam(v, test)), "coll")

    def fn_select(self, node: Node, base: Expr, args: tuple[Node, ...], ctx: Context) -> Expr:
        if len(args) != 1:
            raise self.fail(ctx, "select() takes one expression")
        coll = self.to_coll(base, ctx)
        v, inner = self.lambda_over(coll, args[0], ctx)
        projected = self.to_coll(inner, ctx)
        return Expr(
            self.d.flatten(self.d.transform(coll.sql, self.d.lam(v, projected.sql))), "coll"
        )

    def fn_ofType(self, node: Node, base: Expr, args: tuple[Node, ...], ctx: Context) -> Expr:
        if len(args) != 1 or args[0].kind != "ident" or args[0].base is not None:
            raise self.fail(ctx, "ofType() takes one type name")
        type_name = args[0].value.split(".")[-1]
        target = node.base
        if target is not None and target.kind == "ident":
            # A choice element: value.ofType(Quantity) is the member valueQuantity.
            member = target.value + type_name[:1].upper() + type_name[1:]
            return self.ident(Node("ident", member, target.base), ctx)
        coll = self.to_coll(base, ctx)
        v = self.var(ctx)
        if type_name in FHIR_KIND:
            kind = FHIR_KIND[type_name]
            check = {
                "str": self.d.is_string(v),
                "bool": self.d.is_bool(v),
            }.get(kind, self.d.is_number(v))
        else:
            check = self.d.is_object(v)
        return Expr(self.d.filter(coll.sql, self.d.lam(v, check)), "coll")

    def fn_extension(self, node: Node, base: Expr, args: tuple[Node, ...], ctx: Context) -> Expr:
        if len(args) != 1 or args[0].kind != "str":
            raise self.fail(ctx, "extension() takes one url string")
        extensions = self.navigate(base, "extension", ctx)
        v = self.var(ctx)
        url = self.d.to_kind(self.d.member(v, "url"), "str")
        test = f"coalesce({url} = {self.d.string(args[0].value)}, FALSE)"
        return Expr(self.d.filter(extensions.sql, self.d.lam(v, test)), "coll")

    def _strings(self, base: Expr, ctx: Context) -> str:
        if base.kind == "strs":
            return base.sql
        if base.kind in ("coll", "item"):
            coll = self.to_coll(base, ctx)
            v = self.var(ctx)
            return self.d.transform(coll.sql, self.d.lam(v, self.d.to_kind(v, "str")))
        return self.as_list_of(base, "str", ctx)

    def fn_join(self, node: Node, base: Expr, args: tuple[Node, ...], ctx: Context) -> Expr:
        self._arity(node, ctx, 0, 1)
        sep = self.as_kind(self.compile(args[0], ctx), "str", ctx) if args else "''"
        return Expr(self.d.join(self._strings(base, ctx), sep), "str")

    def fn_getResourceKey(
        self, node: Node, base: Expr, args: tuple[Node, ...], ctx: Context
    ) -> Expr:
        self._arity(node, ctx, 0, 0)
        one = self.single(base, ctx, "getResourceKey()")
        return Expr(self.d.to_kind(self.d.member(one.sql, "id"), "str"), "str")

    def fn_getReferenceKey(
        self, node: Node, base: Expr, args: tuple[Node, ...], ctx: Context
    ) -> Expr:
        self._arity(node, ctx, 0, 1)
        d = self.d
        refs = self.to_coll(base, ctx)
        v, k = self.var(ctx), self.var(ctx)
        text = d.to_kind(d.member(v, "reference"), "str")
        rtype = d.regexp_extract(text, _REF_TYPED, 1)
        key = d.regexp_extract(text, _REF_TYPED, 2)
        if args:
            if args[0].kind != "ident" or args[0].base is not None:
                raise self.fail(ctx, "getReferenceKey() takes a resource type name")
            value = f"(CASE WHEN {rtype} = {d.string(args[0].value)} THEN {key} END)"
        else:
            value = f"coalesce({key}, {d.regexp_extract(text, _REF_URN, 1)})"
        keys = d.transform(refs.sql, d.lam(v, value))
        return Expr(d.filter(keys, d.lam(k, f"({k} IS NOT NULL)")), "strs")

    def _string_fn(self, base: Expr, ctx: Context, what: str) -> str:
        return self.as_kind(base, "str", ctx, what)

    def fn_lower(self, node: Node, base: Expr, args: tuple[Node, ...], ctx: Context) -> Expr:
        self._arity(node, ctx, 0, 0)
        return Expr(f"lower({self._string_fn(base, ctx, 'lower()')})", "str")

    def fn_upper(self, node: Node, base: Expr, args: tuple[Node, ...], ctx: Context) -> Expr:
        self._arity(node, ctx, 0, 0)
        return Expr(f"upper({self._string_fn(base, ctx, 'upper()')})", "str")

    def fn_length(self, node: Node, base: Expr, args: tuple[Node, ...], ctx: Context) -> Expr:
        self._arity(node, ctx, 0, 0)
        return Expr(f"CAST(length({self._string_fn(base, ctx, 'length()')}) AS BIGINT)", "int")

    def fn_toString(self, node: Node, base: Expr, args: tuple[Node, ...], ctx: Context) -> Expr:
        self._arity(node, ctx, 0, 0)
        return Expr(self._string_fn(base, ctx, "toString()"), "str")

    def _string_test(self, node: Node, base: Expr, ctx: Context, template: str) -> Expr:
        self._arity(node, ctx, 1, 1)
        text = self._string_fn(base, ctx, f"{node.value}()")
        arg = self.as_kind(self.compile(node.args[0], ctx), "str", ctx)
        return Expr(template.format(text=text, arg=arg), "bool")

    def fn_startsWith(self, node: Node, base: Expr, args: tuple[Node, ...], ctx: Context) -> Expr:
        return self._string_test(node, base, ctx, "starts_with({text}, {arg})")

    def fn_endsWith(self, node: Node, base: Expr, args: tuple[Node, ...], ctx: Context) -> Expr:
        return self._string_test(node, base, ctx, "ends_with({text}, {arg})")

    def fn_contains(self, node: Node, base: Expr, args: tuple[Node, ...], ctx: Context) -> Expr:
        return self._string_test(node, base, ctx, "(strpos({text}, {arg}) > 0)")

    # --- operators --------------------------------------------------------------------------
    def operator(self, node: Node, ctx: Context) -> Expr:
        op = node.value
        left = self.compile(node.args[0], ctx)
        right = self.compile(node.args[1], ctx)
        if op in ("and", "or", "xor", "implies"):
            a = self.as_kind(left, "bool", ctx, f"the left side of {op}")
            b = self.as_kind(right, "bool", ctx, f"the right side of {op}")
            sql = {
                "and": f"({a} AND {b})",
                "or": f"({a} OR {b})",
                "xor": f"({a} <> {b})",
                "implies": f"((NOT {a}) OR {b})",
            }[op]
            return Expr(sql, "bool")
        if op in _COMPARE:
            return self.compare(_COMPARE[op], left, right, ctx)
        if op in ("~", "!~"):
            eq = self.compare("=", left, right, ctx)
            return Expr(f"(coalesce({eq.sql}, FALSE) {'=' if op == '~' else '<>'} TRUE)", "bool")
        if op == "&":
            a = self.as_kind(left, "str", ctx)
            b = self.as_kind(right, "str", ctx)
            return Expr(f"(coalesce({a}, '') || coalesce({b}, ''))", "str")
        if op == "+" and "str" in (left.kind, right.kind):
            a = self.as_kind(left, "str", ctx)
            b = self.as_kind(right, "str", ctx)
            return Expr(f"({a} || {b})", "str")
        if op in _ARITH or op in ("div", "mod"):
            both_int = left.kind == "int" and right.kind == "int"
            a = self.as_kind(left, "int" if both_int else "num", ctx)
            b = self.as_kind(right, "int" if both_int else "num", ctx)
            if op == "/":
                return Expr(f"(CAST({a} AS DOUBLE) / nullif(CAST({b} AS DOUBLE), 0))", "num")
            if op == "div":
                return Expr(f"CAST(floor({a} / nullif({b}, 0)) AS BIGINT)", "int")
            if op == "mod":
                return Expr(f"({a} - {b} * floor({a} / nullif({b}, 0)))", "num")
            return Expr(f"({a} {op} {b})", "int" if both_int else "num")
        raise self.fail(ctx, f"operator {op!r} is not supported")

    def compare(self, op: str, left: Expr, right: Expr, ctx: Context) -> Expr:
        typed = [e.kind for e in (left, right) if e.kind in ("str", "bool", "int", "num")]
        if "strs" in (left.kind, right.kind):
            typed.append("str")
        if typed:
            kind = "num" if set(typed) <= {"int", "num"} else typed[0]
            a = self.as_kind(left, kind, ctx, "the left operand")
            b = self.as_kind(right, kind, ctx, "the right operand")
            return Expr(f"({a} {op} {b})", "bool")
        d = self.d

        def both(a: str, b: str) -> str:
            return (
                f"(CASE WHEN {d.is_number(a)} AND {d.is_number(b)} "
                f"THEN {d.to_kind(a, 'num')} {op} {d.to_kind(b, 'num')} "
                f"ELSE {d.to_kind(a, 'str')} {op} {d.to_kind(b, 'str')} END)"
            )

        left_sql = self.single(left, ctx, "the left operand").sql
        right_sql = self.single(right, ctx, "the right operand").sql
        sql = self.bind(left_sql, ctx, lambda a: self.bind(right_sql, ctx, lambda b: both(a, b)))
        return Expr(sql, "bool")
