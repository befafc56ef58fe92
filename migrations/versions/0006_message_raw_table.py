"""a message's raw bytes in a table of their own (message_raw), written once, never updated

On SQLite an UPDATE of a messages row (intake sets kind, case and reasons after the INSERT) rebuilt the
whole row, so a 50 MB message was read back and copied twice; and the incremental blob API can only write a
large message without holding a copy when the blob is the row's last column. See docs/PERFORMANCE.md,
"Memory".

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 23:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "message_raw",
        sa.Column("message_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"], name=op.f("fk_message_raw_message_id_messages")),
        sa.PrimaryKeyConstraint("message_id", name=op.f("pk_message_raw")),
    )
    op.execute("INSERT INTO message_raw (message_id, raw) SELECT id, raw FROM messages WHERE raw IS NOT NULL")
    # Not a batch rebuild of messages (other tables reference it): SQLite >= 3.35 drops the column itself.
    op.execute("ALTER TABLE messages DROP COLUMN raw")


def downgrade() -> None:
    op.add_column("messages", sa.Column("raw", sa.LargeBinary(), nullable=True))
    op.execute("UPDATE messages SET raw = (SELECT raw FROM message_raw WHERE message_raw.message_id = messages.id)")
    op.drop_table("message_raw")
