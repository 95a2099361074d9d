"""Stored charts: drawn charts kept under the digest of what they show.

Revision ID: 0006_stored_chart
Revises: 0005_cds_feedback
Create Date: 2026-12-02

The first view of a clinic dashboard stores its charts under keys that digest each chart's
inputs (`painpath.reports.dashboard_chart_key`); the page links each chart by its key, so
every worker serves the same bytes and none draws the chart again. Patients' trajectory
charts are kept the same way. A cache: rows can be deleted at any time.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_stored_chart"
down_revision: str | None = "0005_cds_feedback"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stored_chart",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.String(length=64), nullable=True),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinic.id"], name=op.f("fk_stored_chart_clinic_id_clinic")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_stored_chart_patient_id_patient")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stored_chart")),
        sa.UniqueConstraint("clinic_id", "key", name=op.f("uq_stored_chart_clinic_id_key")),
    )
    op.create_index(
        "ix_stored_chart_clinic_name", "stored_chart", ["clinic_id", "name"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_stored_chart_clinic_name", table_name="stored_chart")
    op.drop_table("stored_chart")
