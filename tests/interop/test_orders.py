"""Order cards map the engine's option exactly: holds only from verified facts."""

from __future__ import annotations

from typing import Any

from interop.cds_spec import response_problems
from painpath.interop import Order, draft_orders, load_catalog, order_cards, patient_view_cards
from painpath.knowledge import load_knowledge

KB = load_knowledge()
CATALOG = load_catalog()
ORDER = [Order("ServiceRequest/sr-1", "64483", ["esi-transforaminal-lumbar"])]


def _doc(**option: Any) -> dict[str, Any]:
    base = {
        "procedure": "esi-transforaminal-lumbar",
        "family": "epidural-steroid-injection",
        "purpose": "therapeutic",
        "indicated": True,
        "rationale": [],
        "coverage": {"policy": "cms-lcd-esi", "status": "met", "criteria": []},
        "safety": [],
    }
    return {
        "knowledge_version": KB.version,
        "status": "refer-interventional",
        "red_flags": [],
        "options": [{**base, **option}],
        "next_steps": [],
    }


def _cards(doc: dict[str, Any]) -> list[dict[str, Any]]:
    cards = order_cards(doc, ORDER, KB, CATALOG, "hook-1", "p1")
    assert response_problems({"cards": cards}) == []
    return cards


def test_an_unverified_hold_gives_no_days_and_says_confirm_with_the_guideline() -> None:
    finding = {
        "id": "antithrombotic-unverified",
        "severity": "warning",
        "drug": "prasugrel",
        "hold_days_before": 7,
        "verified": False,
        "message": "Prasugrel is taken: confirm the hold with the guideline.",
        "citation": "x",
    }
    (card,) = _cards(_doc(safety=[finding]))
    assert "confirm with the guideline" in card["summary"]
    assert "7" not in card["summary"]


def test_a_stop_finding_is_critical() -> None:
    finding = {
        "id": "infection",
        "severity": "stop",
        "message": "Active infection.",
        "citation": "x",
    }
    (card,) = _cards(_doc(safety=[finding]))
    assert card["indicator"] == "critical"
    assert card["summary"] == "esi-transforaminal-lumbar: Active infection."


def test_frequency_caps_get_their_own_card_and_other_criteria_another() -> None:
    criteria = [
        {"id": "frequency", "status": "not-met", "text": "Fewer than 4", "detail": "4 sessions"},
        {"id": "imaging", "status": "missing", "text": "Imaging", "detail": "none found"},
        {"id": "pain-4-weeks", "status": "met", "text": "Pain", "detail": "ok"},
    ]
    coverage = {"policy": "cms-lcd-esi", "status": "not-met", "criteria": criteria}
    cards = _cards(_doc(coverage=coverage))
    assert [c["summary"] for c in cards] == [
        "Payer criteria for esi-transforaminal-lumbar: missing: imaging",
        "Frequency cap reached for esi-transforaminal-lumbar: frequency",
    ]
    assert "none found" in cards[0]["detail"] and "pain-4-weeks" not in cards[0]["detail"]


def test_red_flags_come_first_and_critical() -> None:
    doc = _doc(indicated=False)
    doc["status"] = "urgent-evaluation"
    doc["red_flags"] = [{"id": "cauda-equina", "message": "Suspected cauda equina."}]
    cards = _cards(doc)
    assert cards[0]["indicator"] == "critical"
    assert cards[0]["detail"] == "- Suspected cauda equina."
    assert all("not indicated" not in c["summary"] for c in cards)


def test_an_order_the_engine_has_no_option_for_says_so() -> None:
    doc = _doc()
    doc["options"] = []
    (card,) = _cards(doc)
    assert (
        card["summary"] == "esi-transforaminal-lumbar (CPT 64483): no matching diagnosis on record"
    )


def test_a_fully_met_indicated_order_gets_no_card() -> None:
    assert _cards(_doc()) == []


def test_draft_orders_reads_cpt_service_requests_only() -> None:
    orders = {
        "resourceType": "Bundle",
        "entry": [
            {"resource": {"resourceType": "MedicationRequest", "id": "m"}},
            {
                "resource": {
                    "resourceType": "ServiceRequest",
                    "id": "a",
                    "code": {
                        "coding": [
                            {"system": "http://snomed.info/sct", "code": "1"},
                            {"system": "http://www.ama-assn.org/go/cpt", "code": "62323"},
                        ]
                    },
                }
            },
            {
                "resource": {
                    "resourceType": "ServiceRequest",
                    "id": "b",
                    "code": {
                        "coding": [{"system": "http://www.ama-assn.org/go/cpt", "code": "99213"}]
                    },
                }
            },
        ],
    }
    found = draft_orders({"draftOrders": orders}, KB, CATALOG, "order-sign")
    assert found == [Order("ServiceRequest/a", "62323", ["esi-interlaminar-lumbar", "esi-caudal"])]


def test_patient_view_warns_when_a_top_option_has_a_safety_warning() -> None:
    finding = {"id": "x", "severity": "warning", "message": "Diabetes: check glucose."}
    (card,) = patient_view_cards(_doc(safety=[finding]), KB, CATALOG, "h", None)
    assert card["indicator"] == "warning"
    assert "Diabetes: check glucose." in card["detail"]
    assert response_problems({"cards": [card]}) == []


def test_patient_view_shows_the_engines_pain_care_and_opioid_dose() -> None:
    doc = _doc()
    doc.update(
        pain={"chronic": True, "duration_months": 7.5, "latest_nrs": 7},
        conservative_care={"weeks": 12, "modalities": ["physical-therapy", "nsaid"]},
        mme_per_day=60.0,
        mme_incomplete=False,
    )
    (card,) = patient_view_cards(doc, KB, CATALOG, "h", None)
    assert "- Pain: chronic, 7.5 months, latest NRS 7" in card["detail"]
    assert "- Conservative care: 12 weeks (physical-therapy, nsaid)" in card["detail"]
    assert "- Opioids: 60 MME per day" in card["detail"]
    doc["mme_incomplete"] = True
    (card,) = patient_view_cards(doc, KB, CATALOG, "h", None)
    assert "MME per day incomplete" in card["detail"] and "60 MME" not in card["detail"]
