"""cases.requester_source (where the requester's address was read); messages.doubtful (set aside on wording)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("requester_source", sa.String(length=16), nullable=True))
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("doubtful", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("doubtful")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("requester_source")
