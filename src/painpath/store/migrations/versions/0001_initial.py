"""The clinic's tables, and append-only protection of the audit log.

Revision ID: 0001_initial
Revises:
Create Date: 2026-06-01

Every table of `painpath.store._models` (a test compares this schema with the models on
SQLite and PostgreSQL). `audit_event` refuses UPDATE and DELETE through triggers:
`RAISE(ABORT, ...)` on SQLite, a plpgsql function on PostgreSQL. INSERT is untouched, so a
restore can refill the table.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0001_initial"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = "audit_event is append-only: UPDATE and DELETE are refused"


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer(), nullable=False)


def _at(name: str) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def _fk(column: str, table: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def _index(table: str, *columns: str) -> None:
    op.create_index(op.f(f"ix_{table}_{columns[0]}"), table, list(columns), unique=False)


def upgrade() -> None:
    op.create_table(
        "clinic",
        _id(),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clinic")),
        sa.UniqueConstraint("name", name=op.f("uq_clinic_name")),
    )
    op.create_table(
        "login_attempt",
        _id(),
        sa.Column("key", sa.String(length=400), nullable=False),
        _at("at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempt")),
    )
    _index("login_attempt", "at")
    _index("login_attempt", "key")
    op.create_table(
        "patient",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("gender", sa.String(length=20), nullable=True),
        _at("created_at"),
        _at("updated_at"),
        sa.Column("version", sa.Integer(), nullable=False),
        _fk("clinic_id", "patient", "clinic"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient")),
    )
    _index("patient", "clinic_id")
    op.create_table(
        "user_account",
        _id(),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.String(length=64), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        _at("created_at"),
        _fk("clinic_id", "user_account", "clinic"),
        _fk("patient_id", "user_account", "patient"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_account")),
        sa.UniqueConstraint("email", name=op.f("uq_user_account_email")),
    )
    op.create_table(
        "auth_token",
        _id(),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=True),
        _at("created_at"),
        _at("expires_at"),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        _fk("user_id", "auth_token", "user_account"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_auth_token_token_hash")),
    )
    _index("auth_token", "user_id")
    op.create_table(
        "fhir_resource",
        _id(),
        sa.Column("patient_id", sa.String(length=64), nullable=False),
        sa.Column("resource_type", sa.String(length=64), nullable=False),
        sa.Column("resource_id", sa.String(length=64), nullable=False),
        sa.Column("resource", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        _at("created_at"),
        _fk("patient_id", "fhir_resource", "patient"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fhir_resource")),
        sa.UniqueConstraint(
            "patient_id",
            "resource_type",
            "resource_id",
            name=op.f("uq_fhir_resource_patient_id_resource_type_resource_id"),
        ),
    )
    _index("fhir_resource", "patient_id")
    op.create_table(
        "episode",
        _id(),
        sa.Column("patient_id", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=40), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        _at("opened_at"),
        _at("updated_at"),
        sa.Column("version", sa.Integer(), nullable=False),
        _fk("patient_id", "episode", "patient"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_episode")),
    )
    _index("episode", "patient_id")
    _index("episode", "state")
    op.create_table(
        "episode_event",
        _id(),
        sa.Column("episode_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("from_state", sa.String(length=40), nullable=False),
        sa.Column("to_state", sa.String(length=40), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        _at("at"),
        _fk("episode_id", "episode_event", "episode"),
        _fk("user_id", "episode_event", "user_account"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_episode_event")),
    )
    _index("episode_event", "episode_id")
    op.create_table(
        "assessment",
        _id(),
        sa.Column("patient_id", sa.String(length=64), nullable=False),
        sa.Column("episode_id", sa.Integer(), nullable=True),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("knowledge_version", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        _at("created_at"),
        _fk("episode_id", "assessment", "episode"),
        _fk("patient_id", "assessment", "patient"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment")),
    )
    _index("assessment", "patient_id")
    op.create_table(
        "document",
        _id(),
        sa.Column("patient_id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        _at("created_at"),
        sa.Column("created_by", sa.Integer(), nullable=True),
        _fk("created_by", "document", "user_account"),
        _fk("patient_id", "document", "patient"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document")),
    )
    _index("document", "patient_id")
    op.create_table(
        "audit_event",
        _id(),
        _at("at"),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=20), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("resource", sa.String(length=200), nullable=False),
        sa.Column("patient_id", sa.String(length=64), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("source_ip", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    op.create_index("ix_audit_event_patient_at", "audit_event", ["patient_id", "at"], unique=False)
    _audit_append_only()


def _audit_append_only() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{APPEND_ONLY}' USING ERRCODE = 'restrict_violation'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
            "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()"
        )
        return
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER audit_event_no_{verb.lower()} BEFORE {verb} ON audit_event "
            f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
        )


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_event_append_only ON audit_event")
        op.execute("DROP FUNCTION audit_event_append_only()")
    else:
        op.execute("DROP TRIGGER audit_event_no_update")
        op.execute("DROP TRIGGER audit_event_no_delete")
    for table in (
        "audit_event",
        "document",
        "assessment",
        "episode_event",
        "episode",
        "fhir_resource",
        "auth_token",
        "user_account",
        "patient",
        "login_attempt",
        "clinic",
    ):
        op.drop_table(table)
