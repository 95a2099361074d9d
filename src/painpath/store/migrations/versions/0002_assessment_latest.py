"""An index for "a patient's latest assessment".

Revision ID: 0002_assessment_latest
Revises: 0001_initial
Create Date: 2026-12-01

The patient list and a patient's page show the status of the latest stored assessment:
the newest `created_at` (then `id`) among that patient's rows. Every
`GET /patients/{id}/assessment` stores a row, so without an index covering the sort the
lookup reads every row of the patient (on SQLite, past each 9 KB document). The index on
`(patient_id, created_at, id)` answers it with one descent and also serves the lookups the
single-column `ix_assessment_patient_id` did, so that one is dropped.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002_assessment_latest"
down_revision: str | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_assessment_patient_latest",
        "assessment",
        ["patient_id", "created_at", "id"],
        unique=False,
    )
    op.drop_index(op.f("ix_assessment_patient_id"), table_name="assessment")


def downgrade() -> None:
    op.create_index(op.f("ix_assessment_patient_id"), "assessment", ["patient_id"], unique=False)
    op.drop_index("ix_assessment_patient_latest", table_name="assessment")
