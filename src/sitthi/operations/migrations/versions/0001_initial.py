"""The first schema: accounts, agreements, the audit chain, notices and review decisions.

Revision ID: 0001
Revises:
Create Date: 2026-10-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

_MOMENT = sa.DateTime(timezone=True)
_DIGEST = sa.String(64)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("areas", sa.JSON, nullable=False),
        sa.Column("created_at", _MOMENT, nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("name", name="uq_users_name"),
    )
    op.create_table(
        "dsas",
        sa.Column("id", sa.String(100), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("yaml", sa.Text, nullable=False),
        sa.Column("sha256", _DIGEST, nullable=False),
        sa.Column("valid_from", sa.Date, nullable=False),
        sa.Column("valid_to", sa.Date, nullable=False),
        sa.Column("loaded_at", _MOMENT, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_dsas"),
    )
    op.create_table(
        "api_clients",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("secret_hash", sa.String(200), nullable=False),
        sa.Column("dsa_id", sa.String(100), nullable=True),
        sa.Column("areas", sa.JSON, nullable=False),
        sa.Column("created_at", _MOMENT, nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_api_clients"),
        sa.UniqueConstraint("client_id", name="uq_api_clients_client_id"),
        sa.ForeignKeyConstraint(
            ["dsa_id"], ["dsas.id"], name="fk_api_clients_dsa_id_dsas", ondelete="RESTRICT"
        ),
    )
    op.create_index("ix_api_clients_name", "api_clients", ["name"])
    op.create_index("ix_api_clients_dsa_id", "api_clients", ["dsa_id"])
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.BigInteger, autoincrement=False, nullable=False),
        sa.Column("at", _MOMENT, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("actor_kind", sa.String(10), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("dsa_id", sa.String(100), nullable=True),
        sa.Column("entry", sa.Text, nullable=False),
        sa.Column("prev_hash", _DIGEST, nullable=False),
        sa.Column("hash", _DIGEST, nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_audit_log"),
        sa.UniqueConstraint("prev_hash", name="uq_audit_log_prev_hash"),
        sa.UniqueConstraint("hash", name="uq_audit_log_hash"),
        sa.CheckConstraint(
            "actor_kind in ('user', 'client', 'system')", name="ck_audit_log_actor_kind"
        ),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_actor", "audit_log", ["actor"])
    op.create_table(
        "audit_anchors",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("hash", _DIGEST, nullable=False),
        sa.Column("at", _MOMENT, nullable=False),
        sa.Column("key_id", sa.String(16), nullable=False),
        sa.Column("signature", _DIGEST, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_anchors"),
    )
    op.create_index("ix_audit_anchors_seq", "audit_anchors", ["seq"])
    op.create_table(
        "notice_deliveries",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("notice_id", sa.String(100), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("updated_at", _MOMENT, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_notice_deliveries"),
        sa.UniqueConstraint("notice_id", "channel", name="uq_notice_deliveries_notice_id"),
    )
    op.create_index("ix_notice_deliveries_status", "notice_deliveries", ["status"])
    op.create_table(
        "review_decisions",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("left_source", sa.String(50), nullable=False),
        sa.Column("left_record_id", sa.String(200), nullable=False),
        sa.Column("right_source", sa.String(50), nullable=False),
        sa.Column("right_record_id", sa.String(200), nullable=False),
        sa.Column("decision", sa.String(10), nullable=False),
        sa.Column("decided_by", sa.String(200), nullable=False),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("decided_at", _MOMENT, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_review_decisions"),
        sa.CheckConstraint("decision in ('accept', 'reject')", name="ck_review_decisions_decision"),
    )
    op.create_index(
        "ix_review_decisions_pair",
        "review_decisions",
        ["left_source", "left_record_id", "right_source", "right_record_id"],
    )


def downgrade() -> None:
    for table in (
        "review_decisions",
        "notice_deliveries",
        "audit_anchors",
        "audit_log",
        "api_clients",
        "dsas",
        "users",
    ):
        op.drop_table(table)
