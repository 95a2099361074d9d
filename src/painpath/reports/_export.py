"""Outcome measures out: CSV, Parquet (pyarrow) and FHIR R4 Observations.

Missing values stay empty (CSV), null (Parquet) or an Observation with `dataAbsentReason`
(FHIR): a missing follow-up is reported as missing, never filled in.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from painpath.knowledge import OutcomesFile

__all__ = ["measure_rows", "measures_csv", "measures_fhir", "measures_parquet"]

_ABSENT = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
_UCUM = "http://unitsofmeasure.org"


_COLUMNS = (
    "patient_id",
    "index_procedure",
    "procedure",
    "index_day",
    "window",
    "target_day",
    "status",
    "nrs_baseline",
    "nrs",
    "nrs_day",
    "nrs_change",
    "nrs_improvement_percent",
    "peg_baseline",
    "peg",
    "peg_change",
    "function_baseline",
    "function",
    "function_change",
    "mme_baseline",
    "mme",
    "mme_change",
    "relief_weeks",
    "relief_censored",
    "repeat_procedures",
    "complications",
)


def measure_rows(
    items: Iterable[dict[str, Any]], outcomes: OutcomesFile
) -> tuple[list[str], list[list[Any]]]:
    """One row per episode and window from `EpisodeOutcomes.to_json()` documents (stored
    reports read the same); missing stays empty, never filled. The responder columns come
    from outcomes.yaml."""
    responder_ids = [r.id for r in outcomes.responders]
    columns = [*_COLUMNS, *responder_ids]
    rows: list[list[Any]] = []

    def value(score: dict[str, Any] | None) -> Any:
        return None if score is None else score["value"]

    for ep in items:
        base = ep["baseline"]
        for w in ep["windows"]:
            rows.append(
                [
                    ep["patient_id"],
                    ep["index_procedure"],
                    ep["procedure"],
                    ep["index_day"],
                    w["window"],
                    w["target_day"],
                    w["status"],
                    value(base["nrs"]),
                    value(w["nrs"]),
                    None if w["nrs"] is None else w["nrs"]["day"],
                    w["nrs_change"],
                    w["nrs_improvement_percent"],
                    value(base["peg"]),
                    value(w["peg"]),
                    w["peg_change"],
                    value(base["function"]),
                    value(w["function"]),
                    w["function_change"],
                    base["mme_per_day"],
                    w["mme_per_day"],
                    w["mme_change"],
                    ep["relief_weeks"],
                    ep["relief_censored"],
                    ep["repeat_procedures"],
                    len(ep["complications"]),
                    *[w["responders"].get(r) for r in responder_ids],
                ]
            )
    return columns, rows


def measures_csv(items: Iterable[dict[str, Any]], outcomes: OutcomesFile) -> bytes:
    """One row per episode and window (from `EpisodeOutcomes.to_json()`), with a header row."""
    columns, rows = measure_rows(items, outcomes)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue().encode()


def measures_parquet(items: Iterable[dict[str, Any]], outcomes: OutcomesFile) -> bytes:
    """The same table as Parquet (typed columns; missing values are null)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns, rows = measure_rows(items, outcomes)
    data = {name: [row[i] for row in rows] for i, name in enumerate(columns)}
    floats = {
        "nrs",
        "nrs_baseline",
        "nrs_change",
        "nrs_improvement_percent",
        "peg",
        "peg_baseline",
        "peg_change",
        "function",
        "function_baseline",
        "function_change",
        "mme",
        "mme_baseline",
        "mme_change",
        "relief_weeks",
    }
    arrays = {}
    for name, values in data.items():
        if name in floats:
            arrays[name] = pa.array(values, type=pa.float64())
        elif name == "repeat_procedures" or name == "complications":
            arrays[name] = pa.array(values, type=pa.int32())
        elif name == "relief_censored" or name.startswith("responder"):
            arrays[name] = pa.array(values, type=pa.bool_())
        else:
            arrays[name] = pa.array(values, type=pa.string())
    sink = io.BytesIO()
    pq.write_table(pa.table(arrays), sink)
    return sink.getvalue()


def _quantity(value: float | None, unit: str, code: str) -> dict[str, Any]:
    if value is None:
        return {"dataAbsentReason": {"coding": [{"system": _ABSENT, "code": "unknown"}]}}
    return {"valueQuantity": {"value": value, "unit": unit, "system": _UCUM, "code": code}}


def measures_fhir(ep: dict[str, Any], system: str) -> list[dict[str, Any]]:
    """Each window's measures as FHIR R4 Observations in painpath's code system, `partOf` the
    index procedure; a missing or not-yet-due window gives `dataAbsentReason` instead of a value."""
    out: list[dict[str, Any]] = []
    measures = (
        ("outcome-nrs-change", "nrs_change", "{score}", "{score}"),
        ("outcome-nrs-improvement", "nrs_improvement_percent", "%", "%"),
        ("outcome-peg-change", "peg_change", "{score}", "{score}"),
        ("outcome-function-change", "function_change", "{score}", "{score}"),
        ("outcome-mme-change", "mme_change", "mg/d", "mg/d"),
    )
    key = ep["index_procedure"].split("/", 1)[1]
    for w in ep["windows"]:
        score = w["nrs"]
        for code, attr, unit, ucum in measures:
            value = w[attr]
            obs: dict[str, Any] = {
                "resourceType": "Observation",
                "id": f"outcome-{key}-{w['window']}-{code.removeprefix('outcome-')}",
                "status": "final" if w["status"] == "recorded" else "registered",
                "code": {
                    "coding": [{"system": system, "code": code}],
                    "text": f"{code} at {w['label']}",
                },
                "subject": {"reference": f"Patient/{ep['patient_id']}"},
                "partOf": [{"reference": ep["index_procedure"]}],
                "effectiveDateTime": score["day"] if score else w["target_day"],
                "component": [
                    {
                        "code": {"coding": [{"system": system, "code": "follow-up-window"}]},
                        "valueString": w["window"],
                    }
                ],
                **_quantity(value, unit, ucum),
            }
            out.append(obs)
    return out
