"""The FHIRPath parser: precedence, literals, invocations, and errors that say where."""

from __future__ import annotations

import pytest

from painpath.errors import InputError
from painpath.population.views._fhirpath import Node, parse_fhirpath


def _shape(node: Node | None) -> object:
    """A compact nested tuple of the tree, for readable assertions."""
    if node is None:
        return None
    parts: list[object] = [node.kind]
    if node.value:
        parts.append(node.value)
    if node.base is not None:
        parts.append(_shape(node.base))
    parts += [_shape(a) for a in node.args]
    return tuple(parts)


def test_member_chain_and_function_call() -> None:
    node = parse_fhirpath("name.where(use = 'official').family.first()", "p")
    assert _shape(node) == (
        "call",
        "first",
        (
            "ident",
            "family",
            (
                "call",
                "where",
                ("ident", "name"),
                ("op", "=", ("ident", "use"), ("str", "official")),
            ),
        ),
    )


def test_precedence_and_binds_tighter_than_or_and_comparison_tighter_than_and() -> None:
    node = parse_fhirpath("a = 1 or b = 2 and c > 3", "p")
    assert _shape(node) == (
        "op",
        "or",
        ("op", "=", ("ident", "a"), ("num", "1")),
        (
            "op",
            "and",
            ("op", "=", ("ident", "b"), ("num", "2")),
            ("op", ">", ("ident", "c"), ("num", "3")),
        ),
    )


def test_multiplication_before_addition_and_unary_minus() -> None:
    node = parse_fhirpath("-x + y * 2", "p")
    assert _shape(node) == (
        "op",
        "+",
        ("neg", ("ident", "x")),
        ("op", "*", ("ident", "y"), ("num", "2")),
    )


def test_literals_constants_this_index_and_backticks() -> None:
    assert _shape(parse_fhirpath("%name_use", "p")) == ("const", "name_use")
    assert _shape(parse_fhirpath("$this", "p")) == ("this",)
    assert _shape(parse_fhirpath("name[0]", "p")) == ("index", ("ident", "name"), ("num", "0"))
    assert _shape(parse_fhirpath("`div`.x", "p")) == ("ident", "x", ("ident", "div"))
    assert _shape(parse_fhirpath("'it\\'s'", "p")) == ("str", "it's")
    assert _shape(parse_fhirpath("{}", "p")) == ("empty",)
    assert _shape(parse_fhirpath("true and false", "p")) == (
        "op",
        "and",
        ("bool", "true"),
        ("bool", "false"),
    )


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("@@", "cannot read the FHIRPath '@@' at character 1"),
        ("name.", "expected a name after '.'"),
        ("name.where(use = 'x'", "expected ')'"),
        ("a b", "unexpected 'b'"),
        ("", "empty expression"),
        ("$index", "$index is not supported"),
    ],
)
def test_errors_name_the_place(text: str, fragment: str) -> None:
    with pytest.raises(InputError) as info:
        parse_fhirpath(text, "select[0].forEach")
    assert info.value.where == "select[0].forEach"
    assert fragment in info.value.message


def test_a_non_string_path_is_refused() -> None:
    with pytest.raises(InputError, match="is not a FHIRPath string"):
        parse_fhirpath(1, "select[0].forEach")
