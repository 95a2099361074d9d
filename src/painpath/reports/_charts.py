"""Charts as SVG (or PNG) bytes, drawn with matplotlib's Agg backend on the server.

Every chart has a title, labelled axes with units, and stays readable in greyscale and print:
series differ by line style and marker, not colour alone; procedures are marked on the time
axis. Text stays text in the SVG (`svg.fonttype: none`): smaller files, faster to draw, and
searchable by assistive technology.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "block_response_chart",
    "trajectory_chart",
]

_INK = "#1f2933"
_ACCENT = "#145a8c"
_SOFT = "#7b8794"
_STYLE: dict[str, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "painpath",  # the same chart gives the same bytes
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.edgecolor": _SOFT,
    "axes.labelcolor": _INK,
    "axes.titleweight": "bold",
    "axes.titlesize": 10.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.color": _INK,
    "ytick.color": _INK,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": "#e4e7eb",
    "grid.linewidth": 0.6,
}


@contextmanager
def _figure(width: float = 6.4, height: float = 3.2) -> Iterator[tuple[Figure, Axes]]:
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_STYLE):  # type: ignore[arg-type]
        fig = Figure(figsize=(width, height), dpi=100)
        ax = fig.add_subplot()
        yield fig, ax


def _save(fig: Figure, fmt: str) -> bytes:
    buffer = io.BytesIO()
    metadata: dict[str, Any] = {"Date": None} if fmt == "svg" else {}
    fig.savefig(buffer, format=fmt, metadata=metadata, bbox_inches=None)
    return buffer.getvalue()


def _layout(fig: Figure) -> None:
    fig.subplots_adjust(left=0.1, right=0.9, top=0.86, bottom=0.2)


def trajectory_chart(
    title: str,
    pain: Sequence[tuple[date, float]],
    mme: Sequence[tuple[date, float]],
    procedures: Sequence[tuple[date, str]],
    *,
    fmt: str = "svg",
) -> bytes:
    """A patient's pain (NRS 0-10, left axis) and MME/day (right axis) over time, with each
    procedure marked as a labelled vertical line."""
    import matplotlib.dates as mdates

    with _figure() as (fig, ax):
        ax.set_title(title, loc="left")
        if pain:
            xs, ys = zip(*sorted(pain), strict=True)
            ax.plot(
                xs, ys, color=_ACCENT, marker="o", markersize=4, linewidth=1.6, label="Pain (NRS)"
            )
        ax.set_ylim(0, 10.5)
        ax.set_ylabel("Pain, NRS 0-10")
        right = ax.twinx()
        right.grid(False)
        right.spines["right"].set_visible(True)
        if mme:
            xs, ys = zip(*sorted(mme), strict=True)
            right.step(
                xs, ys, where="post", color=_INK, linestyle="--", linewidth=1.2, label="MME/day"
            )
        right.set_ylabel("Opioid dose, MME/day")
        right.set_ylim(0, max([10.0, *(v * 1.15 for _, v in mme)]))
        for day, label in procedures:
            x = float(mdates.date2num(day))  # type: ignore[no-untyped-call]
            ax.axvline(x, color=_SOFT, linestyle=":", linewidth=1.2)
            ax.annotate(
                label, (x, 10.2), fontsize=7.5, rotation=90, ha="right", va="top", color=_INK
            )
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))  # type: ignore[no-untyped-call]
        ax.set_xlabel("Date")
        handles = ax.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
        if handles:
            ax.legend(handles=handles, loc="lower left", frameon=False, fontsize=8)
        _layout(fig)
        return _save(fig, fmt)


def block_response_chart(
    title: str,
    curve: Sequence[tuple[int, float | None]],
    threshold: float,
    peak: tuple[int, float] | None,
    *,
    fmt: str = "svg",
) -> bytes:
    """Percent relief at each diary time after a block, the policy's threshold as a dashed
    line, and the peak marked."""
    with _figure(5.6, 3.0) as (fig, ax):
        ax.set_title(title, loc="left")
        points = [(m, p) for m, p in curve if p is not None]
        if points:
            xs, ys = zip(*points, strict=True)
            ax.plot(xs, ys, color=_ACCENT, marker="o", markersize=5, linewidth=1.6, label="Relief")
        ax.axhline(
            threshold,
            color=_INK,
            linestyle="--",
            linewidth=1.1,
            label=f"Positive at {threshold:g}%",
        )
        if peak is not None:
            ax.plot(
                [peak[0]],
                [peak[1]],
                marker="*",
                markersize=12,
                color=_INK,
                linestyle="none",
                label=f"Peak {peak[1]:.4g}%",
            )
        ax.set_ylim(-5, 105)
        ax.set_xlabel("Minutes after the block")
        ax.set_ylabel("Pain relief, %")
        ax.legend(loc="lower right", frameon=False, fontsize=8)
        _layout(fig)
        return _save(fig, fmt)
