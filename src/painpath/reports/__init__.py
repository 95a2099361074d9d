"""Outcomes, charts and documents: the pain diary's verdict, outcome measures, SVG charts and
PDF documents. Pure functions over the domain record, the engine's findings and the knowledge
base; matplotlib and the PDF library load only when a chart or a document is made."""

from painpath.reports._diary import (
    BlockResponse,
    DiaryEntry,
    block_response,
    relief_percent,
    session_family_of,
)

__all__ = [
    "BlockResponse",
    "DiaryEntry",
    "block_response",
    "relief_percent",
    "session_family_of",
]
