"""CDS Hooks feedback: what clinicians did with painpath's cards in their EHR.

Revision ID: 0005_cds_feedback
Revises: 0004_outcomes
Create Date: 2026-12-01

One row per feedback entry the EHR posts to `/cds-services/{id}/feedback`: the card,
accepted (with the suggestions taken) or overridden (with the reason and comment), when,
and which EHR (JWT issuer) reported it. The matching audit rows go to `audit_event`.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_cds_feedback"
down_revision: str | None = "0004_outcomes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cds_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("client", sa.String(length=200), nullable=False),
        sa.Column("service_id", sa.String(length=64), nullable=False),
        sa.Column("card_uuid", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("outcome_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_suggestions", sa.JSON(), nullable=False),
        sa.Column("reason_system", sa.String(length=200), nullable=True),
        sa.Column("reason_code", sa.String(length=100), nullable=True),
        sa.Column("reason_display", sa.String(length=200), nullable=True),
        sa.Column("user_comment", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cds_feedback")),
    )
    op.create_index("ix_cds_feedback_card", "cds_feedback", ["card_uuid"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_cds_feedback_card", table_name="cds_feedback")
    op.drop_table("cds_feedback")
