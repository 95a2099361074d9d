"""The clinic dashboard's charts written directly as SVG: horizontal bars, a line over
periods, the pathway funnel and a histogram.

A dashboard chart is a few dozen rectangles, lines and labels: written as SVG text it takes
about a millisecond, where matplotlib needs 40-150 ms (a Tick object per tick, a laid-out
Text per label). The look follows the patient charts (`_charts.py`: same ink, accent and
grid colours, DejaVu Sans, title top left in bold). Each chart is an accessible image: `role="img"`
labelled by its `<title>` and described by a `<desc>` that lists the figures it shows; series
differ by shade and end marker, so they read in greyscale and print. Text stays text.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

__all__ = ["bar_svg", "funnel_svg", "histogram_svg", "line_svg", "nice_ticks"]

_INK = "#1f2933"
_ACCENT = "#145a8c"
_SOFT = "#7b8794"
_PALE = "#c2ccd6"
_GRID = "#e4e7eb"
_FONT = "DejaVu Sans, Verdana, sans-serif"
_CHAR = 0.58  # mean advance of a DejaVu Sans character, in font sizes (layout estimate)


def _n(v: float) -> str:
    """A coordinate, short: at most two decimals, no trailing zeros."""
    return f"{v:.2f}".rstrip("0").rstrip(".")


def _value(v: float) -> str:
    """A figure as the charts print it (three significant digits)."""
    return f"{v:.3g}"


def nice_ticks(top: float) -> list[float]:
    """Round tick values from 0 to at least `top` (4 to 8 of them): steps of 1, 2, 2.5 or 5
    times a power of ten."""
    top = top if top > 0 else 1.0
    raw = top / 5
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    count = math.ceil(top / step - 1e-9)
    return [round(i * step, 10) for i in range(count + 1)]


class _Svg:
    """An SVG document under construction: elements appended as text."""

    def __init__(self, width: float, height: float, title: str, desc: str) -> None:
        self.width, self.height = width, height
        self.parts: list[str] = [
            f'<title id="t">{escape(title)}</title><desc id="d">{escape(desc)}</desc>',
            '<rect width="100%" height="100%" fill="#ffffff"/>',
            f'<text x="8" y="18" font-size="13" font-weight="bold" fill="{_INK}">'
            f"{escape(title)}</text>",
        ]

    def text(
        self,
        x: float,
        y: float,
        content: str,
        *,
        size: float = 11,
        anchor: str = "start",
        rotate: float | None = None,
        fill: str = _INK,
    ) -> None:
        turn = f' transform="rotate({_n(rotate)} {_n(x)} {_n(y)})"' if rotate else ""
        middle = "" if anchor == "start" else f' text-anchor="{anchor}"'
        self.parts.append(
            f'<text x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}"{middle} fill="{fill}"{turn}>'
            f"{escape(content)}</text>"
        )

    def line(self, x1: float, y1: float, x2: float, y2: float, stroke: str, width: float) -> None:
        self.parts.append(
            f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" '
            f'stroke="{stroke}" stroke-width="{_n(width)}"/>'
        )

    def rect(self, x: float, y: float, w: float, h: float, fill: str, edge: bool = False) -> None:
        stroke = f' stroke="{_INK}" stroke-width="0.6"' if edge else ""
        self.parts.append(
            f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(max(w, 0.0))}" height="{_n(max(h, 0.0))}" '
            f'fill="{fill}"{stroke}/>'
        )

    def marker(self, kind: int, x: float, y: float, r: float = 3.2) -> None:
        """Square, circle or triangle (series 1, 2, 3), in ink."""
        if kind % 3 == 0:
            self.rect(x - r, y - r, 2 * r, 2 * r, _INK)
        elif kind % 3 == 1:
            self.parts.append(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(r)}" fill="{_INK}"/>')
        else:
            points = f"{_n(x)},{_n(y - r)} {_n(x + r)},{_n(y + r)} {_n(x - r)},{_n(y + r)}"
            self.parts.append(f'<polygon points="{points}" fill="{_INK}"/>')

    def bytes(self) -> bytes:
        head = (
            '<?xml version="1.0" encoding="utf-8" standalone="no"?>\n'
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(self.width)}" '
            f'height="{_n(self.height)}" viewBox="0 0 {_n(self.width)} {_n(self.height)}" '
            f'role="img" aria-labelledby="t d" font-family="{_FONT}">'
        )
        return (head + "".join(self.parts) + "</svg>\n").encode()


@dataclass(frozen=True, slots=True)
class _Plot:
    """The plot area: x from `left` to `right`, y from `top` down to `bottom` (SVG pixels)."""

    left: float
    right: float
    top: float
    bottom: float


def _value_axis(svg: _Svg, plot: _Plot, ticks: list[float], label: str, *, along_x: bool) -> None:
    """The value axis with its grid lines and label: along the bottom for horizontal bars
    (`along_x`), else along the left side; the two spines drawn either way."""
    left, right, top, bottom = plot.left, plot.right, plot.top, plot.bottom
    span = (right - left) if along_x else (bottom - top)
    scale = span / (ticks[-1] or 1.0)
    for t in ticks:
        if along_x:
            x = left + t * scale
            svg.line(x, top, x, bottom, _GRID, 0.8)
            svg.line(x, bottom, x, bottom + 4, _SOFT, 0.8)
            svg.text(x, bottom + 15, f"{t:g}", size=10, anchor="middle")
        else:
            y = bottom - t * scale
            svg.line(left, y, right, y, _GRID, 0.8)
            svg.line(left - 4, y, left, y, _SOFT, 0.8)
            svg.text(left - 7, y + 3.5, f"{t:g}", size=10, anchor="end")
    svg.line(left, bottom, right, bottom, _SOFT, 1)
    svg.line(left, top, left, bottom, _SOFT, 1)
    if along_x:
        svg.text((left + right) / 2, bottom + 31, label, size=10.5, anchor="middle")
    else:
        svg.text(16, (top + bottom) / 2, label, size=10.5, anchor="middle", rotate=-90)


def _category_labels(svg: _Svg, xs: Sequence[float], labels: Sequence[str], bottom: float) -> None:
    """Slanted category labels under a vertical chart, ending at their tick."""
    for x, label in zip(xs, labels, strict=True):
        svg.line(x, bottom, x, bottom + 4, _SOFT, 0.8)
        svg.text(x + 3, bottom + 13, label, size=10, anchor="end", rotate=-30)


def bar_svg(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    xlabel: str,
    counts: Sequence[int] | None = None,
) -> bytes:
    """Horizontal bars per label, one to three series told apart by shade and end marker; a
    None draws no bar and says "no data"."""
    shades = (_ACCENT, _SOFT, _PALE)
    n = max(1, len(series))
    names = (
        [f"{label} (n={c})" for label, c in zip(labels, counts, strict=True)]
        if counts is not None
        else list(labels)
    )
    band = 11.0 * n + 6  # the bars of one label
    row = max(band, 120.0 / max(1, len(labels)))  # a few labels still get a readable chart
    legend = 20.0 if len(series) > 1 else 0.0
    plot_top = 34 + legend
    plot_bottom = plot_top + max(row * len(labels), 40.0)
    width, height = 720.0, plot_bottom + 46
    left = min(300.0, max(80.0, 12 + _CHAR * 10 * max((len(s) for s in names), default=4)))
    right = width - 30
    top = max([v for _, vs in series for v in vs if v is not None] or [1.0])
    ticks = nice_ticks(top * 1.12)
    scale = (right - left) / ticks[-1]
    desc = "; ".join(
        f"{name}: "
        + ", ".join(
            f"{s} {'no data' if vs[i] is None else _value(vs[i] or 0.0)}" for s, vs in series
        )
        for i, name in enumerate(names)
    )
    svg = _Svg(width, height, title, desc or "no data")
    _value_axis(svg, _Plot(left, right, plot_top, plot_bottom), ticks, xlabel, along_x=True)
    for k, (name, _) in enumerate(series if len(series) > 1 else ()):
        x = left + k * 150
        svg.rect(x, 32, 18, 7, shades[k % 3])
        svg.marker(k, x + 18, 35.5, 2.6)
        svg.text(x + 25, 39, name, size=10)
    for j, name in enumerate(names):
        y0 = plot_top + j * row + (row - band) / 2 + 3
        svg.text(left - 6, y0 + 5.5 * n + 3.5, name, size=10, anchor="end")
        for i, (_, values) in enumerate(series):
            v = values[j]
            y = y0 + 11 * i + 5.5
            end = left + (0.0 if v is None else v) * scale
            svg.rect(left, y - 3.5, end - left, 7, shades[i % 3])
            svg.marker(i, end, y)
            svg.text(end + 5, y + 3.5, "no data" if v is None else _value(v), size=9)
    return svg.bytes()


def line_svg(
    title: str, points: Sequence[tuple[str, float | None]], *, ylabel: str, xlabel: str
) -> bytes:
    """One series over labelled periods (e.g. months); a None leaves a gap."""
    width, height = 640.0, 300.0
    left, right, plot_top, bottom = 64.0, width - 20, 34.0, height - 84
    known = [v for _, v in points if v is not None]
    ticks = nice_ticks(max(known or [1.0]) * 1.05)
    step = (right - left - 20) / max(1, len(points) - 1)
    xs = [left + 10 + i * step for i in range(len(points))]
    yscale = (bottom - plot_top) / ticks[-1]
    desc = ", ".join(f"{label} {'no data' if v is None else _value(v)}" for label, v in points)
    svg = _Svg(width, height, title, desc or "no data")
    _value_axis(svg, _Plot(left, right, plot_top, bottom), ticks, ylabel, along_x=False)
    every = max(1, len(points) // 8)
    _category_labels(svg, xs[::every], [label for label, _ in points][::every], bottom)
    svg.text((left + right) / 2, bottom + 62, xlabel, size=10.5, anchor="middle")
    run: list[str] = []
    for x, (_, v) in [*zip(xs, points, strict=True), (0.0, ("", None))]:
        if v is None:
            if len(run) > 1:
                svg.parts.append(
                    f'<polyline points="{" ".join(run)}" fill="none" stroke="{_ACCENT}" '
                    'stroke-width="2"/>'
                )
            run = []
            continue
        y = bottom - v * yscale
        run.append(f"{_n(x)},{_n(y)}")
        svg.parts.append(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="3" fill="{_ACCENT}"/>')
    return svg.bytes()


def funnel_svg(title: str, stages: Sequence[tuple[str, int]]) -> bytes:
    """The pathway funnel: episodes reaching each stage, with the share of the first stage."""
    width, height = 640.0, 280.0
    left = min(220.0, max(80.0, 14 + _CHAR * 11 * max((len(s) for s, _ in stages), default=4)))
    right, plot_top, bottom = width - 30, 34.0, height - 46
    first = max([c for _, c in stages] or [1]) or 1
    ticks = nice_ticks(first * 1.2)
    scale = (right - left) / ticks[-1]
    row = (bottom - plot_top) / max(1, len(stages))
    desc = ", ".join(f"{label} {c} ({100 * c / first:.0f}%)" for label, c in stages)
    svg = _Svg(width, height, title, desc or "no data")
    _value_axis(svg, _Plot(left, right, plot_top, bottom), ticks, "Episodes", along_x=True)
    for j, (label, c) in enumerate(stages):
        y = plot_top + j * row
        svg.rect(left, y + row * 0.1, c * scale, row * 0.8, _ACCENT, edge=True)
        svg.text(left - 6, y + row / 2 + 4, label, size=11, anchor="end")
        svg.text(left + c * scale + 5, y + row / 2 + 4, f"{c} ({100 * c / first:.0f}%)", size=10)
    return svg.bytes()


def histogram_svg(title: str, bins: Sequence[tuple[str, int]], *, xlabel: str, note: str) -> bytes:
    """Counts per bin (already binned), with a note line (e.g. the median)."""
    width, height = 640.0, 300.0
    left, right, plot_top, bottom = 64.0, width - 20, 34.0, height - 84
    ticks = nice_ticks(max([c for _, c in bins] or [1]) * 1.05)
    slot = (right - left) / max(1, len(bins))
    yscale = (bottom - plot_top) / ticks[-1]
    desc = ", ".join(f"{label}: {c}" for label, c in bins) + f"; {note}"
    svg = _Svg(width, height, title, desc)
    _value_axis(svg, _Plot(left, right, plot_top, bottom), ticks, "Episodes", along_x=False)
    xs = [left + (i + 0.5) * slot for i in range(len(bins))]
    for x, (_, c) in zip(xs, bins, strict=True):
        svg.rect(x - slot * 0.4, bottom - c * yscale, slot * 0.8, c * yscale, _ACCENT, edge=True)
    _category_labels(svg, xs, [label for label, _ in bins], bottom)
    svg.text((left + right) / 2, bottom + 62, xlabel, size=10.5, anchor="middle")
    svg.text(right - 6, plot_top + 14, note, size=10.5, anchor="end")
    return svg.bytes()
