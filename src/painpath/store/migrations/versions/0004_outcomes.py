"""Outcome reports: versioned outcome measures of an episode.

Revision ID: 0004_outcomes
Revises: 0002_assessment_latest
Create Date: 2026-12-01

Each computation of an episode's outcome measures (change from baseline at each follow-up
window, responders, relief duration, repeats, complications) is stored as a new version for
its patient and index procedure; the dashboards read the latest version of each, through its
small `summary` (procedure, responders, relief weeks, MME points) rather than the whole body.
An index on `episode_event (episode_id, event, at)` lets the dashboard's funnel and
time-to-procedure queries read the index alone, not every event row with its JSON.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_outcomes"
down_revision: str | None = "0002_assessment_latest"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outcome_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.String(length=64), nullable=False),
        sa.Column("episode_id", sa.Integer(), nullable=True),
        sa.Column("index_procedure", sa.String(length=100), nullable=False),
        sa.Column("procedure", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("knowledge_version", sa.String(length=40), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["user_account.id"],
            name=op.f("fk_outcome_report_created_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"], ["episode.id"], name=op.f("fk_outcome_report_episode_id_episode")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_outcome_report_patient_id_patient")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcome_report")),
        sa.UniqueConstraint(
            "patient_id",
            "index_procedure",
            "version",
            name=op.f("uq_outcome_report_patient_id_index_procedure_version"),
        ),
    )
    op.create_index("ix_outcome_report_procedure", "outcome_report", ["procedure"], unique=False)
    op.create_index(
        "ix_episode_event_episode_event_at",
        "episode_event",
        ["episode_id", "event", "at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_episode_event_episode_event_at", table_name="episode_event")
    op.drop_index("ix_outcome_report_procedure", table_name="outcome_report")
    op.drop_table("outcome_report")
