"""Outcomes, charts and documents: the pain diary's verdict, outcome measures, SVG charts and
PDF documents. Pure functions over the domain record, the engine's findings and the knowledge
base; matplotlib and the PDF library load only when a chart or a document is made."""

from painpath.reports._charts import block_response_chart, trajectory_chart
from painpath.reports._dashboard import (
    CHART_REVISION,
    DASHBOARD_CHARTS,
    Dashboard,
    EpisodeFlow,
    OutcomeSummary,
    clinic_dashboard,
    dashboard_chart,
    dashboard_chart_key,
    dashboard_from_counts,
)
from painpath.reports._diary import (
    MINUTES_URL,
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
from painpath.reports._export import measure_rows, measures_csv, measures_fhir, measures_parquet
from painpath.reports._generator import generated_clinic
from painpath.reports._measures import (
    EpisodeOutcomes,
    Score,
    WindowMeasure,
    episode_outcomes,
)
from painpath.reports._patient_charts import (
    TRAJECTORY_TITLE,
    diary_chart,
    trajectory_key,
    trajectory_series,
    trajectory_svg,
)
from painpath.reports._summary import outcome_summary, summary_from_json, summary_json

__all__ = [
    "CHART_REVISION",
    "DASHBOARD_CHARTS",
    "DOCUMENT_KINDS",
    "MINUTES_URL",
    "TRAJECTORY_TITLE",
    "BlockResponse",
    "Dashboard",
    "DiaryEntry",
    "EpisodeFlow",
    "EpisodeOutcomes",
    "OutcomeSummary",
    "Score",
    "WindowMeasure",
    "block_response",
    "block_response_chart",
    "care_plan_pdf",
    "clinic_dashboard",
    "dashboard_chart",
    "dashboard_chart_key",
    "dashboard_from_counts",
    "diary_chart",
    "episode_outcomes",
    "generated_clinic",
    "measure_rows",
    "measures_csv",
    "measures_fhir",
    "measures_parquet",
    "option_of",
    "outcome_summary",
    "prior_auth_pdf",
    "procedure_note_pdf",
    "relief_percent",
    "render_document",
    "session_family_of",
    "summary_from_json",
    "summary_json",
    "trajectory_chart",
    "trajectory_key",
    "trajectory_series",
    "trajectory_svg",
]
