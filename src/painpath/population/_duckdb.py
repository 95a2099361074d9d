"""Screening on DuckDB: prefilter in SQL, then each kept patient's raw lines, grouped, in order.

DuckDB reads the NDJSON files itself, in parallel:

1. `kept`: the prefilter (`_prefilter`) over painpath's Condition and QuestionnaireResponse
   ViewDefinitions, compiled by `painpath.population.views`;
2. every line of a read type whose owner is kept, as text (each line parsed once, for its
   type, id, owner reference and Observation codings), sorted by patient and fetched in
   Arrow batches. No order within a patient is kept: `_assess.bundle_of` puts the resources
   in its canonical order.
   When the export has Medication or Organization files, the lines first go into a table
   `lines`, to which the Medication and Organization lines they reference are added.

The database lives in a temporary file with a memory limit, so DuckDB spills to disk rather
than growing with the export; Python holds one batch and one patient at a time.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from painpath.errors import FhirInputError
from painpath.knowledge import Knowledge
from painpath.population._assess import group_batches
from painpath.population._export import (
    OWNER_PATHS,
    PATIENT_TYPES,
    TARGET_TYPES,
    Export,
    observation_pattern,
    patient_id_sql,
)
from painpath.population._prefilter import kept_query, register_views

__all__ = ["DuckDbSettings", "duckdb_batches", "duckdb_groups"]

_BATCH_ROWS = 512
"""Rows per Arrow batch. A table of whole patients sent to a worker is cut inside a batch,
and pickling a sliced Arrow table sends its whole buffers: small batches keep that excess
small (on the 200,000-patient export, 224 MB pickled for 179 MB of lines, against 358 MB
with batches of 2,048 rows)."""
_LINE_EXPECTED = "one FHIR resource as a JSON object per line"


class DuckDbSettings:
    """Connection settings: memory limit (DuckDB syntax, e.g. `512MB`) and threads."""

    def __init__(self, memory_limit: str = "512MB", threads: int | None = None) -> None:
        self.memory_limit = memory_limit
        self.threads = threads


def _list(paths: list[Path]) -> str:
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"


def _text(paths: list[Path]) -> str:
    """A scan of NDJSON files as one VARCHAR column `line` (JSON text never holds U+001E)."""
    return (
        f"read_csv({_list(paths)}, columns={{'line': 'VARCHAR'}}, header=false, "
        "delim=chr(30), quote='', escape='', auto_detect=false, strict_mode=false)"
    )


def _create_views(con: Any, export: Export) -> tuple[bool, bool]:
    """The prefilter's ViewDefinitions as DuckDB views; (conditions, answers) present."""
    from painpath.population.views import duckdb_relation

    def register(view: dict[str, Any], files: dict[str, list[Path]], table: str) -> bool:
        relation = duckdb_relation(view, files, con)
        if relation is not None:
            relation.create_view(table)
        return relation is not None

    return register_views(export.of, register)


_WHITESPACE = " || ".join(f"chr({c})" for c in (9, 10, 11, 12, 13, 32))
_NOT_BLANK = f"line IS NOT NULL AND (starts_with(line, '{{') OR trim(line, {_WHITESPACE}) <> '')"
"""A line that is not blank, as `painpath assess` reads an export (`bytes.isspace`); trim
copies the line, so it runs only on the rare lines that do not start with `{`."""

_FIELDS = ("resourceType", "id", "code.coding", "component")
"""What `lines_sql` reads of each line, before the owner references (`x[1]` .. `x[4]`)."""


def _owner_sql(elements: list[str]) -> str:
    """SQL of the owner reference of a line's resource, from `x` (`_FIELDS`, then one
    reference per element of `elements`)."""
    first = len(_FIELDS) + 1
    cases = " ".join(
        f"WHEN '{rtype}' THEN x[{first + elements.index(element)}]"
        for rtype, element in OWNER_PATHS.items()
    )
    return f"(CASE x[1] {cases} END)"


def lines_sql(kb: Knowledge, export: Export) -> str:
    """SELECT of (pid, line) for the kept patients' own resources. Each line is parsed once
    (`json_extract_string` of several paths), for its type, id, owner reference and, for an
    Observation, the JSON text of its codings (kept only when `observation_pattern` is found
    in them: the test runs on a few dozen bytes, not on the whole line)."""
    elements = list(dict.fromkeys(OWNER_PATHS.values()))
    paths = [*_FIELDS, *(f"{element}.reference" for element in elements)]
    listed = ", ".join(f"'$.{path}'" for path in paths)
    extract = f"json_extract_string(line, [{listed}])"
    pattern = observation_pattern(kb).replace("'", "''")
    coded = f"regexp_matches(concat(x[3], x[4]), '{pattern}')"  # concat skips a NULL
    pid = f"(CASE WHEN x[1] = 'Patient' THEN x[2] ELSE {patient_id_sql('ref')} END)"
    return (
        f"SELECT pid, line FROM (SELECT line, {pid} AS pid FROM "
        f"(SELECT line, x, {_owner_sql(elements)} AS ref FROM "
        f"(SELECT line, {extract} AS x FROM {_text(export.of(*PATIENT_TYPES))} "
        f"WHERE {_NOT_BLANK}) "
        f"WHERE x[1] <> 'Observation' OR {coded})) "
        "WHERE pid IN (SELECT pid FROM kept)"
    )


def targets_sql(export: Export) -> str | None:
    """INSERT of the Medication/Organization lines each kept patient's lines reference."""
    targets = export.of(*TARGET_TYPES)
    if not targets:
        return None
    names = "|".join(TARGET_TYPES)
    pattern = f'"reference"\\s*:\\s*"(?:[^"]*/)?((?:{names})/[^"/]+)"'
    return (
        "INSERT INTO lines SELECT DISTINCT r.pid, t.line FROM "
        f"(SELECT pid, unnest(regexp_extract_all(line, '{pattern}', 1)) AS key FROM lines) r "
        "JOIN (SELECT json_extract_string(line, '$.resourceType') || '/' || "
        f"json_extract_string(line, '$.id') AS key, line FROM {_text(targets)} "
        f"WHERE {_NOT_BLANK}) t ON r.key = t.key"
    )


def duckdb_groups(
    kb: Knowledge,
    export: Export,
    settings: DuckDbSettings | None = None,
    on_stage: Callable[[str, int], None] | None = None,
) -> Iterator[tuple[str, list[str]]]:
    """(patient id, lines) for each kept patient, ordered by patient id."""
    return group_batches(duckdb_batches(kb, export, settings, on_stage))


def duckdb_batches(
    kb: Knowledge,
    export: Export,
    settings: DuckDbSettings | None = None,
    on_stage: Callable[[str, int], None] | None = None,
) -> Iterator[pa.RecordBatch]:
    """Arrow batches of (pid, line) for the kept patients, sorted by patient id (a patient's
    lines are consecutive, possibly across batches). `on_stage("kept", n)` is called once the
    prefilter is done, `on_stage("lines", n)` once the lines are sorted (n: -1 if not
    counted)."""
    import duckdb

    settings = settings or DuckDbSettings()
    with tempfile.TemporaryDirectory(prefix="painpath-screen-") as tmp:
        con = duckdb.connect(str(Path(tmp) / "screen.duckdb"))
        try:
            con.execute(f"SET memory_limit = '{settings.memory_limit}'").fetchall()
            con.execute("SET enable_progress_bar = false").fetchall()  # stdout is ours
            con.execute(f"SET temp_directory = '{tmp}'").fetchall()
            if settings.threads:
                con.execute(f"SET threads = {int(settings.threads)}").fetchall()
            conditions, answers = _create_views(con, export)
            query = kept_query(kb, conditions, answers, patient_id_sql("{ref}"))
            con.execute(f"CREATE TABLE kept AS {query}").fetchall()
            kept = _scalar(con, "SELECT count(*) FROM kept")
            if on_stage is not None:
                on_stage("kept", kept)
            insert = targets_sql(export)
            if insert is None:  # one query: scan, keep and sort, streamed
                source = f"({lines_sql(kb, export)})"
            else:
                con.execute(f"CREATE TABLE lines AS {lines_sql(kb, export)}").fetchall()
                con.execute(insert).fetchall()
                source = "lines"
            reader = con.sql(f"SELECT pid, line FROM {source} ORDER BY pid")
            batches = reader.to_arrow_reader(_BATCH_ROWS)
            first = _first(batches)  # the scan and the sort happen here
            if on_stage is not None:
                on_stage("lines", -1)
            if first is not None:
                yield first
                yield from batches
        except duckdb.Error as exc:
            raise _input_error(exc, export) from None
        finally:
            con.close()


_MALFORMED = re.compile(r'Malformed JSON in file "([^"]*)", at byte \d+ in line (\d+)')


def _first_bad_line(path: Path) -> int | None:
    """The number of the first non-blank line that is not a JSON object (DuckDB's own count
    can run past a line cut short, reading the next line as the rest of the object)."""
    import orjson

    try:
        with path.open("rb") as handle:
            for number, line in enumerate(handle, 1):
                if line.strip() and not isinstance(_loads(orjson, line), dict):
                    return number
    except OSError:
        return None
    return None


def _loads(orjson: Any, line: bytes) -> object:
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError:
        return None


def _input_error(exc: Exception, export: Export) -> FhirInputError:
    """A one-line error naming the file and line (never the line's content)."""
    found = _MALFORMED.search(str(exc))
    if found is not None:
        path = Path(found.group(1))
        line = _first_bad_line(path) or int(found.group(2))
        return FhirInputError("not valid JSON", f"{path.name} line {line}", _LINE_EXPECTED)
    if "JSON" in str(exc):
        return FhirInputError("a line is not valid JSON", str(export.folder), _LINE_EXPECTED)
    return FhirInputError(f"cannot read the export ({type(exc).__name__})", str(export.folder))


def _first(batches: pa.RecordBatchReader) -> pa.RecordBatch | None:
    try:
        return batches.read_next_batch()
    except StopIteration:
        return None


def _scalar(con: Any, sql: str) -> int:
    row = con.execute(sql).fetchall()[0]
    return int(row[0]) if row else 0
