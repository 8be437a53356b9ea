"""The DCI social-registry API: senders, their Ed25519 keys, and received transactions.

Revision ID: 0002
Revises: 0001
Create Date: 2026-10-15
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

_MOMENT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "dci_senders",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("sender_id", sa.String(200), nullable=False),
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("callback_uris", sa.JSON, nullable=False),
        sa.Column("created_at", _MOMENT, nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_dci_senders"),
        sa.UniqueConstraint("sender_id", name="uq_dci_senders_sender_id"),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["api_clients.client_id"],
            name="fk_dci_senders_client_id_api_clients",
            ondelete="RESTRICT",
        ),
    )
    op.create_index("ix_dci_senders_client_id", "dci_senders", ["client_id"])
    op.create_table(
        "dci_sender_keys",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("sender_id", sa.String(200), nullable=False),
        sa.Column("key_id", sa.String(100), nullable=False),
        sa.Column("public_key", sa.String(43), nullable=False),
        sa.Column("created_at", _MOMENT, nullable=False),
        sa.Column("revoked_at", _MOMENT, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_dci_sender_keys"),
        sa.UniqueConstraint("sender_id", "key_id", name="uq_dci_sender_keys_sender_id"),
        sa.ForeignKeyConstraint(
            ["sender_id"],
            ["dci_senders.sender_id"],
            name="fk_dci_sender_keys_sender_id_dci_senders",
            ondelete="RESTRICT",
        ),
    )
    op.create_index("ix_dci_sender_keys_sender_id", "dci_sender_keys", ["sender_id"])
    op.create_table(
        "dci_transactions",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("correlation_id", sa.String(99), nullable=False),
        sa.Column("sender_id", sa.String(200), nullable=False),
        sa.Column("message_id", sa.String(200), nullable=False),
        sa.Column("transaction_id", sa.String(99), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("mode", sa.String(10), nullable=False),
        sa.Column("status", sa.String(4), nullable=False),
        sa.Column("status_reason_code", sa.String(100), nullable=True),
        sa.Column("total_count", sa.Integer, nullable=False),
        sa.Column("completed_count", sa.Integer, nullable=False),
        sa.Column("items", sa.JSON, nullable=False),
        sa.Column("callback_uri", sa.Text, nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("delivered_at", _MOMENT, nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("created_at", _MOMENT, nullable=False),
        sa.Column("updated_at", _MOMENT, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_dci_transactions"),
        sa.UniqueConstraint("correlation_id", name="uq_dci_transactions_correlation_id"),
        sa.UniqueConstraint("sender_id", "message_id", name="uq_dci_transactions_sender_id"),
        sa.ForeignKeyConstraint(
            ["sender_id"],
            ["dci_senders.sender_id"],
            name="fk_dci_transactions_sender_id_dci_senders",
            ondelete="RESTRICT",
        ),
        sa.CheckConstraint(
            "status in ('rcvd', 'pdng', 'succ', 'rjct')", name="ck_dci_transactions_status"
        ),
        sa.CheckConstraint("mode in ('sync', 'async')", name="ck_dci_transactions_mode"),
    )
    op.create_index("ix_dci_transactions_status", "dci_transactions", ["status"])


def downgrade() -> None:
    for table in ("dci_transactions", "dci_sender_keys", "dci_senders"):
        op.drop_table(table)
