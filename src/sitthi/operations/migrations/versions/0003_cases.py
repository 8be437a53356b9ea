"""Help requests (cases), their status events, aid decisions and rejected import rows.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

_MOMENT = sa.DateTime(timezone=True)


def _fk_case(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["case_id"], ["cases.id"], name=f"fk_{table}_case_id_cases", ondelete="RESTRICT"
    )


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("received_at", _MOMENT, nullable=False),
        sa.Column("received_by", sa.String(200), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("source_system", sa.String(50), nullable=True),
        sa.Column("external_id", sa.String(100), nullable=True),
        sa.Column("help_type", sa.String(40), nullable=False),
        sa.Column("urgency", sa.String(10), nullable=False),
        sa.Column("area_code", sa.String(6), nullable=False),
        sa.Column("province_code", sa.String(2), nullable=False),
        sa.Column("description", sa.Text, nullable=True),
        sa.Column("claimant", sa.JSON, nullable=False),
        sa.Column("pid_hash", sa.String(64), nullable=True),
        sa.Column("person_id", sa.String(20), nullable=True),
        sa.Column("household_id", sa.String(40), nullable=True),
        sa.Column("match", sa.String(20), nullable=False),
        sa.Column("match_confidence", sa.Float, nullable=True),
        sa.Column("candidates", sa.JSON, nullable=False),
        sa.Column("release", sa.Integer, nullable=True),
        sa.Column("department", sa.String(20), nullable=False),
        sa.Column("office", sa.String(300), nullable=False),
        sa.Column("assigned_to", sa.String(200), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("status_at", _MOMENT, nullable=False),
        sa.Column("due_at", _MOMENT, nullable=False),
        sa.Column("duplicate_of", sa.Integer, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_cases"),
        sa.UniqueConstraint("source_system", "external_id", name="uq_cases_source_system"),
        sa.ForeignKeyConstraint(
            ["duplicate_of"], ["cases.id"], name="fk_cases_duplicate_of_cases", ondelete="RESTRICT"
        ),
        sa.CheckConstraint(
            "status in ('received', 'assessed', 'decided', 'paid', 'referred', 'closed')",
            name="ck_cases_status",
        ),
        sa.CheckConstraint(
            "match in ('national_id', 'linkage', 'unmatched', 'confirmed')",
            name="ck_cases_match",
        ),
    )
    for column in ("received_at", "province_code", "pid_hash", "person_id", "department"):
        op.create_index(f"ix_cases_{column}", "cases", [column])
    op.create_index("ix_cases_assigned_to", "cases", ["assigned_to"])
    op.create_index("ix_cases_status", "cases", ["status"])
    op.create_table(
        "case_events",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("case_id", sa.Integer, nullable=False),
        sa.Column("at", _MOMENT, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("from_status", sa.String(20), nullable=True),
        sa.Column("to_status", sa.String(20), nullable=False),
        sa.Column("note", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_case_events"),
        _fk_case("case_events"),
    )
    op.create_index("ix_case_events_case_id", "case_events", ["case_id"])
    op.create_table(
        "aid_decisions",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("case_id", sa.Integer, nullable=False),
        sa.Column("outcome", sa.String(10), nullable=False),
        sa.Column("scheme", sa.String(60), nullable=True),
        sa.Column("department", sa.String(20), nullable=False),
        sa.Column("amount", sa.Integer, nullable=True),
        sa.Column("reasons", sa.JSON, nullable=False),
        sa.Column("person_id", sa.String(20), nullable=True),
        sa.Column("household_id", sa.String(40), nullable=True),
        sa.Column("need", sa.String(40), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("proposed_by", sa.String(200), nullable=False),
        sa.Column("proposed_at", _MOMENT, nullable=False),
        sa.Column("checked_by", sa.String(200), nullable=True),
        sa.Column("checked_at", _MOMENT, nullable=True),
        sa.Column("paid_at", _MOMENT, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_aid_decisions"),
        _fk_case("aid_decisions"),
        sa.CheckConstraint(
            "outcome in ('grant', 'refer', 'refuse')", name="ck_aid_decisions_outcome"
        ),
        sa.CheckConstraint(
            "state in ('proposed', 'approved', 'returned')", name="ck_aid_decisions_state"
        ),
        sa.CheckConstraint("amount is null or amount >= 0", name="ck_aid_decisions_amount"),
    )
    for column in ("case_id", "state", "person_id", "household_id"):
        op.create_index(f"ix_aid_decisions_{column}", "aid_decisions", [column])
    op.create_table(
        "case_rejects",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("file", sa.String(500), nullable=False),
        sa.Column("spec", sa.String(100), nullable=False),
        sa.Column("row", sa.Integer, nullable=False),
        sa.Column("reasons", sa.JSON, nullable=False),
        sa.Column("values", sa.JSON, nullable=False),
        sa.Column("imported_by", sa.String(200), nullable=False),
        sa.Column("imported_at", _MOMENT, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_case_rejects"),
    )
    op.create_index("ix_case_rejects_imported_at", "case_rejects", ["imported_at"])


def downgrade() -> None:
    for table in ("case_rejects", "aid_decisions", "case_events", "cases"):
        op.drop_table(table)
