"""The dashboard's SVG charts: accessible images (title, description of the figures), round
ticks, missing values said, text escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from painpath.reports._svgcharts import bar_svg, funnel_svg, histogram_svg, line_svg, nice_ticks

NS = "{http://www.w3.org/2000/svg}"


def _parse(svg: bytes) -> ET.Element:
    assert svg.startswith(b"<?xml")
    return ET.fromstring(svg)


@pytest.mark.parametrize(
    ("top", "ticks"),
    [
        (100, [0, 20, 40, 60, 80, 100]),
        (12.5, [0, 2.5, 5, 7.5, 10, 12.5]),
        (10_000, [0, 2000, 4000, 6000, 8000, 10_000]),
        (0, [0, 0.2, 0.4, 0.6, 0.8, 1]),
    ],
)
def test_ticks_are_round_and_reach_the_top(top: float, ticks: list[float]) -> None:
    assert nice_ticks(top) == ticks


def test_a_bar_chart_is_an_image_titled_and_described_by_its_figures() -> None:
    root = _parse(
        bar_svg(
            "Responders <by> procedure",
            ["esi-caudal", "facet-rfa-lumbar"],
            [("≥30% better", [62.5, None]), ("≥50% better", [40.0, None])],
            xlabel="Responders, %",
            counts=[12, 3],
        )
    )
    assert root.get("role") == "img" and root.get("aria-labelledby") == "t d"
    assert root.findtext(f"{NS}title") == "Responders <by> procedure"
    desc = root.findtext(f"{NS}desc") or ""
    assert "esi-caudal (n=12): ≥30% better 62.5, ≥50% better 40" in desc
    assert "facet-rfa-lumbar (n=3): ≥30% better no data" in desc
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert texts.count("no data") == 2 and "Responders, %" in texts


def test_the_line_chart_leaves_a_gap_for_a_missing_month() -> None:
    root = _parse(
        line_svg(
            "MME",
            [("2026-01", 40.0), ("2026-02", 42.0), ("2026-03", None), ("2026-04", 30.0)],
            ylabel="Mean MME/day",
            xlabel="Month",
        )
    )
    lines = root.findall(f"{NS}polyline")
    assert len(lines) == 1 and len((lines[0].get("points") or "").split()) == 2
    assert len(root.findall(f"{NS}circle")) == 3
    assert "2026-03 no data" in (root.findtext(f"{NS}desc") or "")


def test_the_funnel_gives_each_stage_its_share_of_the_first() -> None:
    root = _parse(funnel_svg("Funnel", [("Referred", 200), ("Treated", 50)]))
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert "200 (100%)" in texts and "50 (25%)" in texts


def test_the_histogram_has_a_bar_per_bin_and_its_note() -> None:
    root = _parse(
        histogram_svg("Days", [("0-13 d", 3), ("14-29 d", 0)], xlabel="Days", note="median 9")
    )
    bars = [r for r in root.findall(f"{NS}rect") if r.get("stroke")]
    assert len(bars) == 2 and bars[1].get("height") == "0"
    assert "median 9" in [t.text for t in root.iter(f"{NS}text")]
