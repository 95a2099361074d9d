"""A parser for the FHIRPath subset that SQL on FHIR v2 ViewDefinitions use.

The parser turns an expression into a small tree (`Node`); `_compile.py` turns the tree into
SQL. Supported: member access (backtick-quoted too), `$this`, `%constant`, `%rowIndex`,
string/number/boolean literals and `{}`, indexers, function calls, unary minus and the
operators `* / div mod + - & < > <= >= = != and or xor implies` (with FHIRPath precedence).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from painpath.errors import InputError

__all__ = ["Node", "parse_fhirpath"]


@dataclass(frozen=True)
class Node:
    """One node: `kind` is ident, this, const, str, num, bool, empty, index, call, op or neg.

    ident: value=name, args=(base,) or () at the root; call: value=function name,
    args=(base or None-less: base first when `has_base`), children the call arguments.
    """

    kind: str
    value: str = ""
    base: Node | None = None
    args: tuple[Node, ...] = ()


_TOKEN = re.compile(
    r"""\s*(?:
      (?P<str>'(?:[^'\\]|\\.)*')
    | (?P<num>\d+(?:\.\d+)?)
    | (?P<delim>`[^`]*`)
    | (?P<var>%[A-Za-z_][A-Za-z0-9_]*|%`[^`]*`)
    | (?P<this>\$this|\$index|\$total)
    | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<op><=|>=|!=|!~|[-+*/&|<>=~().,\[\]{}])
    )""",
    re.VERBOSE,
)

_ESCAPES = {"'": "'", '"': '"', "`": "`", "\\": "\\", "/": "/", "f": "\f", "n": "\n"}
_ESCAPES.update({"r": "\r", "t": "\t"})

# Binary operators by precedence, loosest first (FHIRPath §"Operator precedence").
_LEVELS: tuple[tuple[str, ...], ...] = (
    ("implies",),
    ("or", "xor"),
    ("and",),
    ("in", "contains"),
    ("=", "~", "!=", "!~"),
    ("<=", "<", ">", ">="),
    ("|",),
    ("+", "-", "&"),
    ("*", "/", "div", "mod"),
)


def _unescape(text: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt == "u" and i + 5 < len(text):
                out.append(chr(int(text[i + 2 : i + 6], 16)))
                i += 6
                continue
            out.append(_ESCAPES.get(nxt, nxt))
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _tokenize(text: str, where: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise InputError(
                f"cannot read the FHIRPath {text!r} at character {pos + 1}",
                where,
                "a FHIRPath expression",
            )
        kind = match.lastgroup or ""
        value = match.group(kind)
        if kind == "delim":
            kind, value = "ident", value[1:-1]
        elif kind == "str":
            value = _unescape(value[1:-1])
        elif kind == "var":
            value = value[1:].strip("`")
        tokens.append((kind, value))
        pos = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str, where: str) -> None:
        self.text = text
        self.where = where
        self.tokens = _tokenize(text, where)
        self.pos = 0

    def fail(self, what: str) -> InputError:
        return InputError(f"{what} in the FHIRPath {self.text!r}", self.where, "valid FHIRPath")

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, value: str) -> bool:
        tok = self.peek()
        if tok is not None and tok[1] == value and tok[0] in ("op", "ident"):
            self.pos += 1
            return True
        return False

    def expect(self, value: str) -> None:
        if not self.take(value):
            raise self.fail(f"expected {value!r}")

    def parse(self) -> Node:
        if not self.tokens:
            raise self.fail("empty expression")
        node = self.binary(0)
        if self.peek() is not None:
            raise self.fail(f"unexpected {self.peek()[1]!r}")  # type: ignore[index]
        return node

    def binary(self, level: int) -> Node:
        if level == len(_LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        while True:
            tok = self.peek()
            if tok is None or tok[0] not in ("op", "ident") or tok[1] not in _LEVELS[level]:
                return left
            self.pos += 1
            right = self.binary(level + 1)
            left = Node("op", tok[1], None, (left, right))

    def unary(self) -> Node:
        if self.take("-"):
            return Node("neg", "", None, (self.unary(),))
        if self.take("+"):
            return self.unary()
        return self.postfix(self.term())

    def term(self) -> Node:
        tok = self.peek()
        if tok is None:
            raise self.fail("unexpected end")
        kind, value = tok
        self.pos += 1
        if kind == "str":
            return Node("str", value)
        if kind == "num":
            return Node("num", value)
        if kind == "var":
            return Node("const", value)
        if kind == "this":
            if value != "$this":
                raise self.fail(f"{value} is not supported")
            return Node("this")
        if kind == "ident":
            if value in ("true", "false"):
                return Node("bool", value)
            return self.member(None, value)
        if value == "(":
            node = self.binary(0)
            self.expect(")")
            return node
        if value == "{":
            self.expect("}")
            return Node("empty")
        raise self.fail(f"unexpected {value!r}")

    def member(self, base: Node | None, name: str) -> Node:
        if self.take("("):
            args: list[Node] = []
            if not self.take(")"):
                args.append(self.binary(0))
                while self.take(","):
                    args.append(self.binary(0))
                self.expect(")")
            return Node("call", name, base, tuple(args))
        return Node("ident", name, base)

    def postfix(self, node: Node) -> Node:
        while True:
            if self.take("."):
                tok = self.peek()
                if tok is None or tok[0] != "ident":
                    raise self.fail("expected a name after '.'")
                self.pos += 1
                node = self.member(node, tok[1])
            elif self.take("["):
                index = self.binary(0)
                self.expect("]")
                node = Node("index", "", node, (index,))
            else:
                return node


def parse_fhirpath(text: object, where: str) -> Node:
    """Parse `text`; an InputError names `where` (e.g. `select[0].column[1].path`)."""
    if not isinstance(text, str):
        raise InputError(f"{text!r} is not a FHIRPath string", where, "a string")
    return _Parser(text, where).parse()
