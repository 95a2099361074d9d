"""The library API: one call from a FHIR Bundle to a `painpath.assessment/v1` document."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from painpath.engine import assess_record
from painpath.errors import InputError
from painpath.fhir import read_bundle
from painpath.fhir._gcpause import paused_gc
from painpath.knowledge import Knowledge, load_knowledge

__all__ = ["PAYERS", "assess"]

PAYERS = ("cms", "none")


def assess(
    bundle: Mapping[str, Any],
    *,
    as_of: date | None = None,
    payer: str = "cms",
    knowledge: Knowledge | None = None,
) -> dict[str, Any]:
    """Assess one patient's FHIR R4 Bundle.

    Args:
        bundle: the parsed Bundle (a dict, as `orjson.loads` gives it).
        as_of: the date the assessment is made for; resources dated later are ignored.
            Defaults to today's date (pass it explicitly for a reproducible result).
        payer: `cms` (the Medicare policies, the default set) or `none` (no coverage).
        knowledge: the knowledge base; defaults to the packaged one.

    Returns:
        The `painpath.assessment/v1` document as plain JSON-ready data.

    Raises:
        InputError (FhirInputError): the bundle cannot be read; the message names where.
    """
    if payer not in PAYERS:
        raise InputError(f"unknown payer {payer!r}", "payer", " or ".join(PAYERS))
    kb = knowledge if knowledge is not None else load_knowledge()
    day = as_of if as_of is not None else date.today()
    with paused_gc():  # the record and its assessment are hundreds of small acyclic objects
        record = read_bundle(bundle)
        return assess_record(record, kb, day, None if payer == "none" else payer)
