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
from painpath.reports._documents import (
    DOCUMENT_KINDS,
    care_plan_pdf,
    option_of,
    prior_auth_pdf,
    procedure_note_pdf,
    render_document,
)
from painpath.reports._export import measures_csv, measures_fhir, measures_parquet
from painpath.reports._measures import (
    EpisodeOutcomes,
    Score,
    WindowMeasure,
    episode_outcomes,
    measure_rows,
)

__all__ = [
    "DOCUMENT_KINDS",
    "BlockResponse",
    "DiaryEntry",
    "EpisodeOutcomes",
    "Score",
    "WindowMeasure",
    "block_response",
    "care_plan_pdf",
    "episode_outcomes",
    "measure_rows",
    "measures_csv",
    "measures_fhir",
    "measures_parquet",
    "option_of",
    "prior_auth_pdf",
    "procedure_note_pdf",
    "relief_percent",
    "render_document",
    "session_family_of",
]
