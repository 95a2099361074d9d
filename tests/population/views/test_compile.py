"""ViewDefinition validation and compilation: errors say where; columns get SQL types."""

from __future__ import annotations

from typing import Any

import pytest

from painpath.errors import InputError
from painpath.population.views import REPEAT_DEPTH, compile_view


def _view(**extra: Any) -> dict[str, Any]:
    view: dict[str, Any] = {
        "resource": "Patient",
        "select": [{"column": [{"name": "id", "path": "id", "type": "id"}]}],
    }
    view.update(extra)
    return view


@pytest.mark.parametrize(
    ("view", "where", "fragment"),
    [
        ([], "view", "not a JSON object"),
        ({}, "view.resource", "resource is None"),
        ({"resource": "patient", "select": []}, "view.resource", "resource is 'patient'"),
        ({"resource": "Patient"}, "view.select", "the view has no select"),
        (_view(select=[{"forEach": 1, "column": []}]), "select[0].forEach", "not a FHIRPath"),
        (_view(select=[{"column": [{"name": "1x", "path": "id"}]}]), "select[0].column[0]", "1x"),
        (
            _view(select=[{"column": [{"name": "a", "path": "id", "type": "Quantity"}]}]),
            "select[0].column[0]",
            "type 'Quantity'",
        ),
        (_view(select=[{"forEach": "name"}]), "select[0]", "no column, select or unionAll"),
        (_view(constant=[{"name": "c"}]), "constant[0]", "has 0 values"),
        (
            _view(select=[{"column": [{"name": "a", "path": "%nope"}]}]),
            "select[0].column[0] (a)",
            "%nope is not a constant",
        ),
        (
            _view(select=[{"column": [{"name": "a", "path": "name.lowBoundary()"}]}]),
            "select[0].column[0] (a)",
            "lowBoundary() is not supported",
        ),
        (
            _view(
                select=[
                    {"column": [{"name": "id", "path": "id"}]},
                    {"column": [{"name": "id", "path": "gender"}]},
                ]
            ),
            "view.select",
            "duplicate column names ['id']",
        ),
        (
            _view(
                select=[
                    {
                        "unionAll": [
                            {"column": [{"name": "a", "path": "id"}]},
                            {"column": [{"name": "b", "path": "id"}]},
                        ]
                    }
                ]
            ),
            "select[0].unionAll[1]",
            "unionAll branch 1 has columns ['b']",
        ),
        (
            _view(where=[{"path": "active"}, {"path": "name.count() + 1"}]),
            "where[1].path",
            "gives a int, not a boolean",
        ),
        (_view(where=[{"path": "gender"}]), None, None),
    ],
)
def test_bad_views_are_refused_with_where(
    view: Any, where: str | None, fragment: str | None
) -> None:
    if where is None:  # a path's type is known only from the data: checked at run time
        compile_view(view)
        return
    with pytest.raises(InputError) as info:
        compile_view(view)
    assert info.value.where == where
    assert fragment is not None and fragment in info.value.message


def test_column_kinds_from_type_or_from_the_expression() -> None:
    view = compile_view(
        _view(
            select=[
                {
                    "column": [
                        {"name": "id", "path": "id", "type": "id"},
                        {"name": "active", "path": "active", "type": "boolean"},
                        {"name": "has_name", "path": "name.exists()"},
                        {"name": "n", "path": "name.count()"},
                        {"name": "given", "path": "name.given", "collection": True},
                        {"name": "raw", "path": "birthDate"},
                    ]
                }
            ]
        )
    )
    assert [(c.name, c.kind, c.collection) for c in view.columns] == [
        ("id", "str", False),
        ("active", "bool", False),
        ("has_name", "bool", False),
        ("n", "int", False),
        ("given", "str", True),
        ("raw", "str", False),
    ]


def test_the_sql_is_list_functions_over_json_or_variant_not_python() -> None:
    view = compile_view(
        _view(select=[{"forEach": "name", "column": [{"name": "f", "path": "family"}]}])
    )
    duck = view.sql("duckdb", "src")
    spark = view.sql("spark", "src")
    assert "unnest(" in duck and "list_transform(" in duck and "json_extract(" in duck
    assert "explode(" in spark and "transform(" in spark and "try_variant_get(" in spark
    with pytest.raises(InputError, match="unknown engine 'sqlite'"):
        view.sql("sqlite", "src")


def test_repeat_is_unrolled_to_a_fixed_depth_that_fails_loudly_beyond() -> None:
    view = compile_view(
        {
            "resource": "QuestionnaireResponse",
            "select": [{"repeat": ["item"], "column": [{"name": "l", "path": "linkId"}]}],
        }
    )
    assert f"repeat nests deeper than {REPEAT_DEPTH} levels" in view.sql("duckdb", "src")
