"""A small pain trend chart as inline SVG: scores over time, procedures marked on the time axis.

Readable in greyscale and print: dots and a line for scores, dashed vertical lines with
labels for procedures, a title, and both axes labelled with their units. No colour carries
meaning alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape

__all__ = ["Point", "trend_svg"]

W, H = 480, 300
LEFT, RIGHT, TOP, BOTTOM = 52, 16, 40, 52


@dataclass(frozen=True)
class Point:
    """One score at one time."""

    at: datetime
    value: float


def _x(at: datetime, lo: datetime, hi: datetime) -> float:
    span = (hi - lo).total_seconds() or 1.0
    return LEFT + (at - lo).total_seconds() / span * (W - LEFT - RIGHT)


def _y(value: float, top: float) -> float:
    return TOP + (1 - value / top) * (H - TOP - BOTTOM)


def trend_svg(
    points: Sequence[Point],
    marks: Sequence[tuple[datetime, str]],
    *,
    title: str,
    top: float = 10,
) -> str:
    """The chart as an `<svg>` element (role img, titled), or "" when there is nothing to draw."""
    if not points:
        return ""
    times = [p.at for p in points] + [m[0] for m in marks]
    lo, hi = min(times), max(times)
    if lo == hi:
        lo = lo.replace(hour=0, minute=0, second=0, microsecond=0)
        hi = lo.replace(hour=23, minute=59)
    ordered = sorted(points, key=lambda p: p.at)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" role="img" '
        f'aria-labelledby="trend-title trend-desc" class="trend">',
        f'<title id="trend-title">{escape(title)}</title>',
        f'<desc id="trend-desc">{len(points)} scores from {lo.date()} to {hi.date()}; '
        f"{len(marks)} procedure(s) marked.</desc>",
        f'<text x="{W / 2}" y="22" text-anchor="middle" font-size="16" font-weight="600" '
        f'fill="#1b1f24">{escape(title)}</text>',
    ]
    for tick in range(0, int(top) + 1, 2):
        y = _y(tick, top)
        parts.append(
            f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d5dbe3"/>'
            f'<text x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end" font-size="14" '
            f'fill="#1b1f24">{tick}</text>'
        )
    parts.append(
        f'<text x="16" y="{(TOP + H - BOTTOM) / 2:.0f}" font-size="14" fill="#1b1f24" '
        f'transform="rotate(-90 16 {(TOP + H - BOTTOM) / 2:.0f})" text-anchor="middle">'
        "Pain score (0-10)</text>"
    )
    for at in (lo, hi):
        parts.append(
            f'<text x="{_x(at, lo, hi):.1f}" y="{H - BOTTOM + 18}" font-size="14" '
            f'text-anchor="{"start" if at == lo else "end"}" fill="#1b1f24">{at.date()}</text>'
        )
    parts.append(
        f'<text x="{(LEFT + W - RIGHT) / 2:.0f}" y="{H - 8}" font-size="14" text-anchor="middle" '
        'fill="#1b1f24">Date (UTC)</text>'
    )
    for at, label in marks:
        x = _x(at, lo, hi)
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{TOP}" y2="{H - BOTTOM}" stroke="#1b1f24" '
            f'stroke-dasharray="5 4"/><text x="{x + 4:.1f}" y="{TOP + 12}" font-size="14" '
            f'fill="#1b1f24">{escape(label)}</text>'
        )
    path = " ".join(
        f"{'M' if i == 0 else 'L'}{_x(p.at, lo, hi):.1f},{_y(p.value, top):.1f}"
        for i, p in enumerate(ordered)
    )
    parts.append(f'<path d="{path}" fill="none" stroke="#0b5cad" stroke-width="2"/>')
    for p in ordered:
        parts.append(
            f'<circle cx="{_x(p.at, lo, hi):.1f}" cy="{_y(p.value, top):.1f}" r="4" '
            f'fill="#0b5cad" stroke="#ffffff" stroke-width="1"/>'
        )
    parts.append(
        f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{H - BOTTOM}" stroke="#1b1f24"/>'
        f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{H - BOTTOM}" y2="{H - BOTTOM}" stroke="#1b1f24"/>'
        "</svg>"
    )
    return "".join(parts)
