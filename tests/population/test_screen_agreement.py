"""`painpath screen` and `painpath assess` agree exactly, patient by patient, on both engines.

For every patient of an export, either the prefilter kept it and its screened assessment
equals `painpath.assess` on that patient's Bundle, field for field, or the prefilter dropped it
and `assess` finds it `not-indicated` with no option and no red flag.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from painpath import assess
from painpath.population import Screening, screen_documents
from painpath.population._assess import resource_order_key

from ._exports import SYNTHEA_BULK, ndjson_to_bundles

SYNTHEA_AS_OF = date(2021, 4, 1)  # the sample's records end on 2021-03-31
VIGNETTE_AS_OF = date(2026, 6, 1)  # the as-of date the vignettes are written for
BULK_AS_OF = date(2023, 3, 1)  # the bulk sample's prescriptions end in February 2023


def _patient_id(bundle: dict[str, Any]) -> str:
    return next(
        str(e["resource"]["id"])
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "Patient"
    )


def _screened(folder: Path, engine: str, as_of: date, spark: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for pid, doc, error in screen_documents(folder, Screening(as_of, engine, spark=spark)):
        assert error is None, f"{pid}: {error}"
        assert pid not in found, f"{pid} screened twice"
        found[pid] = doc
    return found


def _check_agreement(expected: dict[str, dict[str, Any]], screened: dict[str, Any]) -> None:
    assert set(screened) <= set(expected), "screened a patient that is not in the export"
    for pid, doc in expected.items():
        if pid in screened:
            assert screened[pid] == doc, f"screen and assess differ for Patient/{pid}"
        else:
            assert doc["status"] == "not-indicated", f"Patient/{pid} dropped by the prefilter"
            assert doc["options"] == [] and doc["red_flags"] == []


def _decisions(doc: dict[str, Any]) -> tuple[Any, ...]:
    """What an assessment decides, without the order of its evidence and words."""
    options = [
        (o["procedure"], o["indicated"], (o["coverage"] or {}).get("status"))
        for o in doc["options"]
    ]
    flags = sorted(f["id"] for f in doc["red_flags"])
    return doc["status"], options, flags, doc["mme_per_day"], doc["conservative_care"]["weeks"]


def _canonical(bundle: dict[str, Any]) -> dict[str, Any]:
    """The same Bundle with its entries in the order `screen` assembles a patient in."""
    entries = sorted(bundle["entry"], key=lambda e: resource_order_key(e["resource"]))
    return {**bundle, "entry": entries}


def _synthea_sample(engine: str, spark: Any, export: Path, bundles: list[dict[str, Any]]) -> None:
    expected = {_patient_id(b): assess(_canonical(b), as_of=SYNTHEA_AS_OF) for b in bundles}
    screened = _screened(export, engine, SYNTHEA_AS_OF, spark)
    _check_agreement(expected, screened)
    for bundle in bundles:  # the Bundle as Synthea wrote it: the same decisions
        original = assess(bundle, as_of=SYNTHEA_AS_OF)
        mine = screened.get(original["patient_id"], expected[original["patient_id"]])
        assert _decisions(mine) == _decisions(original), original["patient_id"]
    statuses = {doc["status"] for doc in screened.values()}
    assert {"urgent-evaluation", "conservative-care-first"} <= statuses


def _synthea_bulk(engine: str, spark: Any) -> None:
    bundles = ndjson_to_bundles(SYNTHEA_BULK)
    expected = {pid: assess(b, as_of=BULK_AS_OF) for pid, b in bundles.items()}
    screened = _screened(SYNTHEA_BULK, engine, BULK_AS_OF, spark)
    _check_agreement(expected, screened)


def _vignettes(engine: str, spark: Any, export: Path, bundles: list[dict[str, Any]]) -> None:
    """Neither a Bulk export nor a parallel scan keeps the order of resources, and the engine
    words its evidence in record order; `screen` assembles each patient in one canonical
    order, so the exact reference is the vignette's resources in that order, and the
    original Bundle agrees on every decision (status, options and their coverage, red flags,
    MME, weeks of care)."""
    in_canonical_order = ndjson_to_bundles(export)
    expected = {pid: assess(b, as_of=VIGNETTE_AS_OF) for pid, b in in_canonical_order.items()}
    screened = _screened(export, engine, VIGNETTE_AS_OF, spark)
    _check_agreement(expected, screened)
    for bundle in bundles:
        original = assess(bundle, as_of=VIGNETTE_AS_OF)
        mine = screened.get(original["patient_id"], expected[original["patient_id"]])
        assert _decisions(mine) == _decisions(original), original["patient_id"]
    assert {doc["status"] for doc in screened.values()} >= {
        "urgent-evaluation",
        "refer-interventional",
        "conservative-care-first",
    }


def test_synthea_sample_screen_equals_assess_on_duckdb(
    synthea_export: Path, synthea_patients: list[dict[str, Any]]
) -> None:
    _synthea_sample("duckdb", None, synthea_export, synthea_patients)


def test_synthea_bulk_export_screen_equals_assess_on_duckdb() -> None:
    _synthea_bulk("duckdb", None)


def test_vignettes_screen_equals_assess_on_duckdb(
    vignette_export: Path, vignette_bundles: list[dict[str, Any]]
) -> None:
    _vignettes("duckdb", None, vignette_export, vignette_bundles)


@pytest.mark.xdist_group("spark")  # with the views' Spark tests: one worker, one JVM
def test_every_data_set_screen_equals_assess_on_spark(
    spark: Any,
    synthea_export: Path,
    synthea_patients: list[dict[str, Any]],
    vignette_export: Path,
    vignette_bundles: list[dict[str, Any]],
) -> None:
    """One test, so that one pytest worker starts Spark for all three data sets."""
    _vignettes("spark", spark, vignette_export, vignette_bundles)
    _synthea_bulk("spark", spark)
    _synthea_sample("spark", spark, synthea_export, synthea_patients)
