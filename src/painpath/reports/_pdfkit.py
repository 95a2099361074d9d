"""A small page writer over fpdf2 (pure Python, no system packages), loaded on first use.

Text is set in DejaVu Sans, the font matplotlib ships, so any Unicode the knowledge base holds
(≥, –, é) prints. Documents are reproducible: the creation date is the document's as-of date.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fpdf import FPDF

__all__ = ["Page"]

_GREY = (90, 90, 90)
_ACCENT = (20, 70, 120)


class Page:
    """One document being written: headings, paragraphs, bullet lists, key-value lines, tables."""

    def __init__(self, title: str, subtitle: str, as_of: date) -> None:
        import matplotlib
        from fpdf import FPDF

        fonts = os.path.join(matplotlib.get_data_path(), "fonts", "ttf")
        pdf: FPDF = FPDF(format="Letter")
        pdf.set_creation_date(datetime(as_of.year, as_of.month, as_of.day, tzinfo=UTC))
        pdf.set_title(title)
        pdf.set_creator("painpath")
        pdf.add_font("DejaVu", "", os.path.join(fonts, "DejaVuSans.ttf"))
        pdf.add_font("DejaVu", "B", os.path.join(fonts, "DejaVuSans-Bold.ttf"))
        pdf.set_auto_page_break(auto=True, margin=18)
        pdf.set_margins(18, 16, 18)
        pdf.add_page()
        self.pdf = pdf
        pdf.set_font("DejaVu", "B", 17)
        pdf.set_text_color(*_ACCENT)
        pdf.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 9.5)
        pdf.set_text_color(*_GREY)
        pdf.multi_cell(0, 5, subtitle, new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
        pdf.ln(2)

    def heading(self, text: str) -> None:
        self.pdf.ln(2)
        self.pdf.set_font("DejaVu", "B", 12.5)
        self.pdf.set_text_color(*_ACCENT)
        self.pdf.multi_cell(0, 6.5, text, new_x="LMARGIN", new_y="NEXT")
        self.pdf.set_text_color(0, 0, 0)

    def para(self, text: str, *, bold: bool = False, size: float = 10.5) -> None:
        self.pdf.set_font("DejaVu", "B" if bold else "", size)
        self.pdf.multi_cell(0, 5.2, text, align="L", new_x="LMARGIN", new_y="NEXT")
        self.pdf.ln(0.8)

    def bullets(self, items: list[str]) -> None:
        self.pdf.set_font("DejaVu", "", 10.5)
        for item in items:
            self.pdf.set_x(self.pdf.l_margin + 2)
            self.pdf.multi_cell(0, 5.2, f"•  {item}", align="L", new_x="LMARGIN", new_y="NEXT")
        self.pdf.ln(0.8)

    def fields(self, rows: list[tuple[str, str]]) -> None:
        """Label: value lines (a blank value prints a line to write on)."""
        for label, value in rows:
            self.pdf.set_font("DejaVu", "B", 10.5)
            self.pdf.cell(55, 6, f"{label}:")
            self.pdf.set_font("DejaVu", "", 10.5)
            self.pdf.multi_cell(0, 6, value or "_" * 48, align="L", new_x="LMARGIN", new_y="NEXT")

    def table(
        self, header: tuple[str, ...], rows: list[tuple[str, ...]], widths: tuple[int, ...]
    ) -> None:
        self.pdf.set_font("DejaVu", "", 9)
        with self.pdf.table(col_widths=widths, line_height=4.6, text_align="LEFT") as table:
            head = table.row()
            for cell in header:
                head.cell(cell)
            for values in rows:
                row = table.row()
                for cell in values:
                    row.cell(cell)
        self.pdf.ln(1)

    def image(self, png: bytes, width: float) -> None:
        """Embed a chart rendered as PNG, `width` mm wide."""
        import io

        self.pdf.image(io.BytesIO(png), w=width)
        self.pdf.ln(1)

    def bytes(self) -> bytes:
        return bytes(self.pdf.output())
