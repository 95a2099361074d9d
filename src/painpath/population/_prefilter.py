"""The screening prefilter as SQL: which patients could get any status but `not-indicated`.

A patient is kept when a Condition is coded with an ICD-10-CM code in a condition group some
procedure names as an indication, or on a red flag's lists (combination codes included), or
with a SNOMED CT concept the knowledge base maps to such a code; or when the patient has any
QuestionnaireResponse (a "yes" on the intake red-flag screen raises a flag on its own). The
code lists come from the knowledge base. The filter is deliberately a superset: it ignores
exclusions, clinical status, dates and 7th characters, all of which the engine applies
itself, so a patient it drops has no option and no red flag, and is `not-indicated` in
`painpath assess` too.

The SQL is plain enough for DuckDB and Spark SQL alike (`upper`, `trim`, `substr`, `replace`,
`LIKE`, `IN`, `BETWEEN`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from painpath.knowledge import Knowledge
from painpath.knowledge._codes import compile_patterns
from painpath.knowledge._schema import CodeSet
from painpath.population._viewdefs import viewdef

__all__ = [
    "ANSWER_VIEW",
    "CONDITION_VIEW",
    "ICD10_SYSTEM",
    "SNOMED_SYSTEM",
    "condition_predicate",
    "indication_groups",
    "kept_query",
    "normalized_code",
    "register_views",
    "screened_code_sets",
]

ICD10_SYSTEM = "http://hl7.org/fhir/sid/icd-10-cm"
SNOMED_SYSTEM = "http://snomed.info/sct"


def indication_groups(kb: Knowledge) -> list[str]:
    """The condition groups some procedure names as an indication, in knowledge order."""
    named = {g for p in kb.procedures.values() for g in (*p.indications, *p.also_indications)}
    return [gid for gid in kb.groups if gid in named]


def screened_code_sets(kb: Knowledge) -> list[CodeSet]:
    """Every code set whose match can make an option or a red flag."""
    sets = [kb.groups[gid].codes for gid in indication_groups(kb)]
    for flag in kb.red_flags.values():
        sets.append(flag.codes)
        sets.extend(flag.combination)
    return sets


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def normalized_code(column: str) -> str:
    """SQL for `normalize_icd`: upper-case, trimmed, a dot after the third character."""
    bare = f"upper(trim({column}))"
    return (
        f"(CASE WHEN length({bare}) > 3 AND {bare} NOT LIKE '%.%' "
        f"THEN substr({bare}, 1, 3) || '.' || substr({bare}, 4) ELSE {bare} END)"
    )


def condition_predicate(kb: Knowledge, system: str, code: str, norm: str) -> str:
    """A SQL boolean over a coding's `system` and `code` columns and `norm`, the code as
    `normalized_code(code)` gives it (projected once, so that no engine evaluates it per term):
    true for every coding the engine could match to an option or a red flag (a superset; see
    the module docstring)."""
    sets = screened_code_sets(kb)
    exact: set[str] = set()
    prefixes: set[str] = set()
    ranges: set[tuple[str, str]] = set()
    for codes in sets:
        compiled = compile_patterns(codes.codes)
        exact |= compiled.exact
        prefixes |= set(compiled.prefixes)
        ranges |= set(compiled.ranges)
    retired = {
        old
        for old, new in kb.conditions.retired_codes.items()
        if any(_hit(kb, new, s) for s in sets)
    }
    snomed = sorted(
        concept for concept, icd in kb.snomed_to_icd.items() if any(_hit(kb, icd, s) for s in sets)
    )
    icd_terms = [f"{norm} IN ({', '.join(_quote(c) for c in sorted(exact | retired))})"]
    by_length: dict[int, set[str]] = {}
    for prefix in prefixes:  # one IN list per prefix length: a hash lookup, not a LIKE per code
        by_length.setdefault(len(prefix), set()).add(prefix)
    icd_terms += [
        f"substr({norm}, 1, {n}) IN ({', '.join(_quote(p) for p in sorted(group))})"
        for n, group in sorted(by_length.items())
    ]
    icd_terms += [
        f"substr({norm}, 1, 3) BETWEEN {_quote(low)} AND {_quote(high)}"
        for low, high in sorted(ranges)
    ]
    icd = " OR ".join(icd_terms)
    snomed_sql = ", ".join(_quote(c) for c in snomed) or "''"
    return (
        f"(({system} = {_quote(ICD10_SYSTEM)} AND ({icd})) OR "
        f"({system} = {_quote(SNOMED_SYSTEM)} AND trim({code}) IN ({snomed_sql})))"
    )


CONDITION_VIEW = "painpath_condition_coding"
ANSWER_VIEW = "painpath_questionnaire_response"
_VIEWS = (
    ("condition", CONDITION_VIEW, "Condition"),
    ("questionnaire_response", ANSWER_VIEW, "QuestionnaireResponse"),
)

Register = Callable[[dict[str, Any], dict[str, list[Path]], str], bool]
"""(ViewDefinition, {resource type: files}, table name) -> whether the engine made the table."""


def register_views(files: Callable[[str], list[Path]], register: Register) -> tuple[bool, bool]:
    """Make the prefilter's tables (`CONDITION_VIEW`, `ANSWER_VIEW`) from painpath's own
    ViewDefinitions with an engine's `register`; `files(type)` lists an export's files.
    Returns which of the two exist (a type with no files has no table)."""
    made = [register(viewdef(name), {rtype: files(rtype)}, table) for name, table, rtype in _VIEWS]
    return made[0], made[1]


def kept_query(kb: Knowledge, conditions: bool, answers: bool, patient_id: str) -> str:
    """SELECT of the kept patient ids (`pid`) over the Condition view (`CONDITION_VIEW`:
    patient_ref, system, code) and the QuestionnaireResponse view (`ANSWER_VIEW`), where
    present; `patient_id` is the SQL template (with `{ref}`) that reads a Patient id from a
    reference."""
    parts = []
    if conditions:
        norm = normalized_code("code")
        match = condition_predicate(kb, "system", "code", "norm")
        pid = patient_id.format(ref="patient_ref")
        parts.append(
            f"SELECT pid FROM (SELECT {pid} AS pid, system, code, {norm} AS norm "
            f"FROM {CONDITION_VIEW}) WHERE {match}"
        )
    if answers:
        parts.append(f"SELECT {patient_id.format(ref='patient_ref')} AS pid FROM {ANSWER_VIEW}")
    if not parts:
        return "SELECT pid FROM (SELECT CAST(NULL AS STRING) AS pid) WHERE pid IS NOT NULL"
    union = " UNION ALL ".join(f"({part})" for part in parts)
    return f"SELECT DISTINCT pid FROM ({union}) WHERE pid IS NOT NULL"


def _hit(kb: Knowledge, code: str, codes: CodeSet) -> bool:
    return compile_patterns(codes.codes).matches(code)
