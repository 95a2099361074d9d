"""A patient's charts: pain and MME over time with procedures marked; the diary curve."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from builders import bundle, condition, med_statement, nrs, procedure
from painpath.fhir import read_bundle
from painpath.knowledge import load_knowledge, load_outcomes
from painpath.reports import block_response_chart, diary_chart, trajectory_svg

KB = load_knowledge()
OUT = load_outcomes()
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _record():  # type: ignore[no-untyped-def]
    return read_bundle(
        bundle(
            condition("M54.16", onset="2025-06-01"),
            med_statement(
                "7804",
                "oxycodone",
                start="2025-10-01",
                end="2026-03-01",
                dose=10,
                frequency=1,
                period=6,
                period_unit="h",
            ),
            procedure("64483", performed="2026-01-05T09:00:00Z", id="esi-1"),
            nrs(8, "2025-12-20T10:00:00Z"),
            nrs(4, "2026-01-20T10:00:00Z"),
            nrs(6, "2026-04-01T10:00:00Z"),
        )
    )


def test_the_trajectory_has_both_axes_and_the_procedure_marked() -> None:
    svg = trajectory_svg(_record(), KB, OUT, date(2026, 6, 1))
    for text in (b"Pain, NRS 0-10", b"Opioid dose, MME/day", b"esi-transforaminal-lumbar"):
        assert text in svg
    png = trajectory_svg(_record(), KB, OUT, date(2026, 6, 1), fmt="png")
    assert png.startswith(b"\x89PNG")
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "chart-trajectory.png").write_bytes(png)


def test_the_same_chart_gives_the_same_svg() -> None:
    first = trajectory_svg(_record(), KB, OUT, date(2026, 6, 1))
    assert first == trajectory_svg(_record(), KB, OUT, date(2026, 6, 1))


def test_the_diary_curve_reads_nrs_and_reported_relief_components() -> None:
    minutes = "https://painpath.dev/fhir/StructureDefinition/minutes-after-procedure"

    def comp(m: int, **value: object) -> dict[str, object]:
        return {"extension": [{"url": minutes, "valueInteger": m}], **value}

    resource = {
        "valueQuantity": {"value": 87.5},
        "component": [
            comp(0, valueInteger=8),
            comp(30, valueInteger=4),
            comp(120, valueInteger=1),
            comp(240, valueQuantity={"value": 40}),
        ],
    }
    svg = diary_chart(resource, 80, title="Block response")
    assert b"Peak 87.5%" in svg and b"Positive at 80%" in svg
    png = block_response_chart(
        "Block response", [(30, 50.0), (120, 87.5)], 80, (120, 87.5), fmt="png"
    )
    (SHOTS / "chart-block-response.png").write_bytes(png)
