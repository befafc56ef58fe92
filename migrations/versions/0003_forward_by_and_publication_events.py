"""cases.forward_by (GAC Art. 80(1)) and publication_events (Batumi res. No. 3 annex note 2)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import foimail.store.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("forward_by", sa.Date(), nullable=True))
    op.create_table(
        "publication_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(length=16), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("in_force", sa.Date(), nullable=False),
        sa.Column("recorded_at", foimail.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=320), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publication_events")),
    )
    op.create_index(op.f("ix_publication_events_in_force"), "publication_events", ["in_force"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_publication_events_in_force"), table_name="publication_events")
    op.drop_table("publication_events")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("forward_by")
