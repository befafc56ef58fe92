"""drop mailbox_state.last_uid: written, never read (duplicates are caught by content, not by UID)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 19:55:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("mailbox_state") as batch:
        batch.drop_column("last_uid")


def downgrade() -> None:
    with op.batch_alter_table("mailbox_state") as batch:
        batch.add_column(sa.Column("last_uid", sa.BigInteger(), nullable=False, server_default="0"))
