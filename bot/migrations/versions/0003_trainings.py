"""trainings: agencies, trainings, enrolments, reminder notices, pending prompts

Revision ID: 0003_trainings
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0003_trainings"
down_revision = "0001"
branch_labels = None
depends_on = None

STR = sqlmodel.sql.sqltypes.AutoString
TIME = sqlmodel.sql.sqltypes.UTCDateTime


def _fk(column: str, table: str, source: str) -> sa.ForeignKeyConstraint:
    name = op.f(f"fk_{source}_{column}_{table}")
    return sa.ForeignKeyConstraint([column], [f"{table}.id"], name=name, ondelete="CASCADE")


def _index(table: str, *columns: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in columns:
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


def upgrade() -> None:
    op.create_table(
        "agency",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", STR(), nullable=False),
        sa.Column("province_code", STR(), nullable=True),
        sa.Column("token_hash", STR(), nullable=False),
        sa.Column("created_at", TIME(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_agency_token_hash")),
    )
    op.create_table(
        "training",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("ref", STR(), nullable=True),
        sa.Column("title", STR(), nullable=False),
        sa.Column("description", STR(), nullable=False),
        sa.Column("organiser", STR(), nullable=False),
        sa.Column("category", STR(), nullable=False),
        sa.Column("sectors", sa.JSON(), nullable=False),
        sa.Column("province_code", STR(), nullable=True),
        sa.Column("regency_code", STR(), nullable=True),
        sa.Column("venue", STR(), nullable=True),
        sa.Column("online_url", STR(), nullable=True),
        sa.Column("starts_at", TIME(), nullable=False),
        sa.Column("ends_at", TIME(), nullable=False),
        sa.Column("timezone", STR(), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("registration_deadline", TIME(), nullable=True),
        sa.Column("nib_required", sa.Boolean(), nullable=False),
        sa.Column("restrict_sectors", sa.Boolean(), nullable=False),
        sa.Column("restrict_region", sa.Boolean(), nullable=False),
        sa.Column("requirements", STR(), nullable=False),
        sa.Column("offer_hours", sa.Float(), nullable=False),
        sa.Column("status", STR(), nullable=False),
        sa.Column("next_sequence", sa.Integer(), nullable=False),
        sa.Column("schedule_version", sa.Integer(), nullable=False),
        sa.Column("processed_until", TIME(), nullable=True),
        sa.Column("cancel_reason", STR(), nullable=True),
        sa.Column("created_at", TIME(), nullable=False),
        sa.Column("updated_at", TIME(), nullable=False),
        _fk("agency_id", "agency", "training"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training")),
        sa.UniqueConstraint("agency_id", "ref", name=op.f("uq_training_agency_id")),
    )
    _index("training", "agency_id", "starts_at", "status")
    op.create_table(
        "enrolment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("training_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("status", STR(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("offer_expires_at", TIME(), nullable=True),
        sa.Column("offer_count", sa.Integer(), nullable=False),
        sa.Column("confirmed_at", TIME(), nullable=True),
        sa.Column("cancel_reason", STR(), nullable=True),
        sa.Column("attendance_marked_at", TIME(), nullable=True),
        sa.Column("feedback_score", sa.Integer(), nullable=True),
        sa.Column("feedback_comment", STR(), nullable=True),
        sa.Column("feedback_at", TIME(), nullable=True),
        sa.Column("created_at", TIME(), nullable=False),
        sa.Column("updated_at", TIME(), nullable=False),
        _fk("training_id", "training", "enrolment"),
        _fk("owner_id", "owner", "enrolment"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrolment")),
        sa.UniqueConstraint("training_id", "owner_id", name=op.f("uq_enrolment_training_id")),
    )
    _index("enrolment", "training_id", "owner_id", "status")
    op.create_table(
        "trainingnotice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrolment_id", sa.Integer(), nullable=False),
        sa.Column("kind", STR(), nullable=False),
        sa.Column("sent", sa.Boolean(), nullable=False),
        sa.Column("created_at", TIME(), nullable=False),
        _fk("enrolment_id", "enrolment", "trainingnotice"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trainingnotice")),
        sa.UniqueConstraint("enrolment_id", "kind", name=op.f("uq_trainingnotice_enrolment_id")),
    )
    _index("trainingnotice", "enrolment_id")
    op.create_table(
        "trainingprompt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("enrolment_id", sa.Integer(), nullable=False),
        sa.Column("kind", STR(), nullable=False),
        sa.Column("created_at", TIME(), nullable=False),
        sa.Column("answered_at", TIME(), nullable=True),
        _fk("contact_id", "contact", "trainingprompt"),
        _fk("enrolment_id", "enrolment", "trainingprompt"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trainingprompt")),
    )
    _index("trainingprompt", "contact_id", "enrolment_id")


def downgrade() -> None:
    for table in ("trainingprompt", "trainingnotice", "enrolment", "training", "agency"):
        op.drop_table(table)
