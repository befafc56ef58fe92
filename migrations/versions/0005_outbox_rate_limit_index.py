"""index the per-sender rate-limit check: confirmations by recipient and time

The check counts a sender's confirmations of the last hour for every new case; without this index it read
every outbox row of that hour. Partial (confirmations only): they have one recipient, so the indexed text
stays short, and other mail never pays for the index.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 20:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

CONFIRMATIONS = sa.text("kind = 'confirmation'")


def upgrade() -> None:
    op.create_index(
        "ix_outbox_confirmation_rate",
        "outbox",
        ["recipients", "created_at"],
        unique=False,
        sqlite_where=CONFIRMATIONS,
        postgresql_where=CONFIRMATIONS,
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_confirmation_rate", table_name="outbox")
