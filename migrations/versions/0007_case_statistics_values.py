"""each decided case's statistics values on its row (stats_*), with the indexes the reports read them by

The Art. 49 report over a year of a million cases took 4-11 s working out each case's local dates and
sorting them (docs/PERFORMANCE.md, "Statistics on a million cases"). A decided case's values are stored now
(foimail/store/case_tallies.py) and the report counts only the other cases live.

The migration adds the columns empty: the daemon fills them at its next start (`refresh_statistics_values`,
in the office's own zone, which a migration does not know) or `foimail deadline --recompute` does; until then
the reports count those cases live, as before, and are right. (No backfill here: it would have to import the
application's statement, and a later change to the models would then break this migration on old databases.)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 02:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from foimail.store.types import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

COLUMNS = ("stats_utc_offset", "stats_registered_day", "stats_days", "stats_late", "stats_as_of")


def upgrade() -> None:
    op.add_column("cases", sa.Column("stats_utc_offset", sa.Integer(), nullable=True))
    op.add_column("cases", sa.Column("stats_registered_day", sa.Integer(), nullable=True))
    op.add_column("cases", sa.Column("stats_days", sa.Integer(), nullable=True))
    op.add_column("cases", sa.Column("stats_late", sa.Boolean(), nullable=True))
    op.add_column("cases", sa.Column("stats_as_of", UTCDateTime(), nullable=True))
    op.create_index(
        "ix_cases_stats_open",
        "cases",
        ["registered_at"],
        sqlite_where=sa.text("stats_utc_offset IS NULL"),
        postgresql_where=sa.text("stats_utc_offset IS NULL"),
    )
    op.create_index(
        "ix_cases_stats_as_of",
        "cases",
        ["stats_utc_offset", "stats_as_of"],
        sqlite_where=sa.text("stats_utc_offset IS NOT NULL"),
        postgresql_where=sa.text("stats_utc_offset IS NOT NULL"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.create_index(
            "ix_cases_stats_day",
            "cases",
            ["stats_utc_offset", "stats_registered_day"],
            postgresql_where=sa.text("stats_utc_offset IS NOT NULL"),
        )
    if op.get_bind().dialect.name == "sqlite":
        op.create_index(
            "ix_cases_stats_groups",
            "cases",
            ["stats_utc_offset", "outcome", "refusal_ground", "deciding_official", "refusal_act", "stats_days",
             "stats_late", "stats_registered_day", "stats_as_of"],
            sqlite_where=sa.text("stats_utc_offset IS NOT NULL"),
        )  # fmt: skip


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.drop_index("ix_cases_stats_groups", table_name="cases")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_cases_stats_day", table_name="cases")
    op.drop_index("ix_cases_stats_as_of", table_name="cases")
    op.drop_index("ix_cases_stats_open", table_name="cases")
    for column in reversed(COLUMNS):
        op.drop_column("cases", column)
