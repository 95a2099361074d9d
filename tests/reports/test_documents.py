"""The PDF documents: read back by text extraction, page 1 rendered to PNG for docs/screenshots."""

from __future__ import annotations

import io
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pypdf
import pypdfium2
import pytest

from painpath.engine import assess_record
from painpath.errors import InputError
from painpath.fhir import read_bundle
from painpath.knowledge import load_knowledge
from painpath.reports import care_plan_pdf, prior_auth_pdf, procedure_note_pdf, render_document

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "outcomes"
VIGNETTES = ROOT.parent / "shared" / "vignettes"
SHOTS = ROOT / "docs" / "screenshots"
AS_OF = date(2026, 6, 1)
KB = load_knowledge()


def _case(path: Path) -> tuple[Any, dict[str, Any]]:
    record = read_bundle(json.loads(path.read_text()))
    return record, assess_record(record, KB, AS_OF)


def _text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages))


def _screenshot(pdf: bytes, name: str) -> Path:
    doc = pypdfium2.PdfDocument(pdf)
    image = doc[0].render(scale=1.2).to_pil()
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    image.save(path)
    doc.close()
    return path


def test_the_prior_auth_packet_of_a_fifth_esi_in_a_year_lists_the_frequency_cap_as_not_met() -> (
    None
):
    record, doc = _case(FIXTURES / "esi-fifth-in-year.bundle.json")
    pdf = prior_auth_pdf(record, doc, KB, procedure="esi-transforaminal-lumbar")
    text = _text(pdf)
    frequency = next(
        c
        for o in doc["options"]
        if o["procedure"] == "esi-transforaminal-lumbar"
        for c in o["coverage"]["criteria"]
        if c["id"] == "frequency"
    )
    assert frequency["status"] == "not-met"
    row = text[text.index("NOT MET") :]
    assert row.startswith("NOT MET Fewer than 4 epidural injection sessions")
    assert "cms-lcd-l33906" in text
    assert "procedure CPT 64483 on 2026-04-27" in text  # the evidence, with its date
    assert text.count("NOT MET") == 1
    png = _screenshot(pdf, "prior-auth-esi-fifth-in-year")
    assert png.stat().st_size > 10_000


def test_the_prior_auth_packet_marks_every_criterion_of_a_ready_case_met() -> None:
    record, doc = _case(VIGNETTES / "facet-two-positive-blocks.bundle.json")
    text = _text(prior_auth_pdf(record, doc, KB, procedure="facet-rfa-lumbar"))
    criteria = next(o for o in doc["options"] if o["procedure"] == "facet-rfa-lumbar")["coverage"][
        "criteria"
    ]
    table = text[text.index("Criteria Status") : text.index("Rationale")]
    assert table.count("MET") == len(criteria)
    assert "NOT MET" not in table and "MISSING" not in table
    assert "percent-relief 85 % on 2026-04-02" in text


def test_the_care_plan_gives_the_date_to_stop_warfarin_or_says_to_confirm() -> None:
    record, doc = _case(VIGNETTES / "warfarin-esi.bundle.json")
    option = next(o for o in doc["options"] if o["indicated"])
    pdf = care_plan_pdf(record, doc, KB, procedure=option["procedure"], planned=date(2026, 6, 15))
    text = _text(pdf)
    finding = next(f for f in option["safety"] if f["drug"] == "warfarin")
    if finding["verified"] and finding["hold_days_before"] is not None:
        days = int(finding["hold_days_before"])
        stop = date.fromordinal(date(2026, 6, 15).toordinal() - days).isoformat()
        assert f"take no dose from {stop} on" in text
    else:
        assert "confirm with your clinician" in text
    assert "Aftercare" in text and "Medicines to pause" in text
    _screenshot(pdf, "care-plan-warfarin-esi")


def test_an_unverified_hold_says_confirm_and_prints_no_date() -> None:
    record, doc = _case(VIGNETTES / "warfarin-esi.bundle.json")
    option = next(o for o in doc["options"] if o["indicated"])
    for finding in option["safety"]:
        finding["verified"] = False
    text = _text(
        care_plan_pdf(record, doc, KB, procedure=option["procedure"], planned=date(2026, 6, 15))
    )
    assert "warfarin: whether and when to pause it — confirm with your clinician" in text
    assert "take no dose from" not in text


def test_the_procedure_note_skeleton_has_the_diary_protocol_of_a_block() -> None:
    record, doc = _case(VIGNETTES / "facet-two-positive-blocks.bundle.json")
    pdf = procedure_note_pdf(record, doc, KB, procedure="facet-mbb-lumbar")
    text = _text(pdf)
    assert "Procedure note: Lumbar medial branch block" in text
    assert f"positive at {KB.number('facet-block-positive-percent'):g}% peak relief" in text
    _screenshot(pdf, "procedure-note-mbb")


def test_the_same_input_gives_the_same_bytes() -> None:
    record, doc = _case(VIGNETTES / "radicular-ready.bundle.json")
    first = render_document("care-plan", record, doc, KB)
    assert first == render_document("care-plan", record, doc, KB)


def test_an_unknown_procedure_or_kind_is_refused_with_where() -> None:
    record, doc = _case(VIGNETTES / "radicular-ready.bundle.json")
    with pytest.raises(InputError) as caught:
        render_document("prior-auth", record, doc, KB, procedure="scs-implant")
    assert caught.value.where == "--procedure"
    with pytest.raises(InputError) as caught:
        render_document("letter", record, doc, KB, procedure="scs-implant")
    assert caught.value.where == "kind"


def test_the_care_plan_shows_the_pain_trajectory_when_there_are_scores() -> None:
    from builders import bundle, condition, nrs, procedure

    b = bundle(
        condition("M54.16", onset="2025-06-01"),
        procedure("64483", performed="2026-01-05T09:00:00Z"),
        nrs(8, "2025-12-20T10:00:00Z"),
        nrs(4, "2026-01-20T10:00:00Z"),
    )
    record = read_bundle(b)
    pdf = care_plan_pdf(record, assess_record(record, KB, AS_OF), KB)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert "Your pain and opioid dose so far" in _text(pdf)
    assert sum(len(p.images) for p in reader.pages) == 1
    _screenshot(pdf, "care-plan-trajectory")


def test_the_care_plan_has_no_chart_without_scores() -> None:
    record, doc = _case(VIGNETTES / "warfarin-esi.bundle.json")
    pdf = care_plan_pdf(record, doc, KB)
    assert "Your pain and opioid dose so far" not in _text(pdf)
