"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, make_url, select, text

from foimail.store.case_tallies import refresh_values
from foimail.store.db import alembic_config, make_engine, upgrade
from foimail.store.models import Base, Case, in_dialect


def test_migrations_match_models(database_url: str) -> None:
    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            # An index the models create on one database only (ddl_if) is compared on that one.
            only_this_dialect = {"include_object": in_dialect(connection.dialect.name)}
            differences = compare_metadata(
                MigrationContext.configure(connection, opts=only_this_dialect), Base.metadata
            )
            assert differences == []
            assert MigrationContext.configure(connection).get_current_revision() is not None
    finally:
        engine.dispose()


def test_upgrade_twice_is_harmless_and_sqlite_uses_wal(database_url: str) -> None:
    upgrade(database_url)
    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        assert {"cases", "messages", "outbox", "events", "mailbox_state"} <= set(inspect(engine).get_table_names())
        if database_url.startswith("sqlite"):
            with engine.connect() as connection:
                assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
                assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()


def test_sqlite_upgrade_leaves_the_file_itself_in_wal_mode(sqlite_url: str) -> None:
    """The migrations run with a rollback journal (half the disk for a copying migration), then give WAL back
    to the file, not only to foimail's connections, which set it themselves."""
    upgrade(sqlite_url)
    with sqlite3.connect(make_url(sqlite_url).database or "") as plain:
        assert plain.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_sqlite_upgrade_beside_an_open_connection_keeps_wal_and_succeeds(sqlite_url: str) -> None:
    upgrade(sqlite_url)
    engine = make_engine(sqlite_url)
    try:
        with engine.connect() as connection:  # a daemon still running: the journal cannot leave WAL
            assert connection.exec_driver_sql("SELECT count(*) FROM cases").scalar() == 0
            connection.commit()  # open and idle, as a daemon's pooled connection between transactions
            command.downgrade(alembic_config(sqlite_url), "0005")
            upgrade(sqlite_url)
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        engine.dispose()
    assert {"message_raw"} <= set(inspect(make_engine(sqlite_url)).get_table_names())


def test_0007_adds_the_statistics_values_empty_and_the_refresh_stores_the_decided_ones(database_url: str) -> None:
    """The migration stores nothing (the daemon's start-up refresh does, in the office's zone: +4 here)."""
    command.upgrade(alembic_config(database_url), "0006")
    engine = make_engine(database_url)
    registered = datetime(2026, 3, 16, 20, 30, tzinfo=UTC)  # Tue 17 March 00:30 Tbilisi
    try:
        with engine.begin() as connection:
            for seq, status in ((1, "closed"), (2, "open")):
                connection.execute(
                    text(
                        "INSERT INTO cases (number, year, seq, requester_address, requester_name, subject, "
                        "received_at, registered_at, due_date, status, outcome, answered_at) VALUES "
                        "(:number, 2026, :seq, 'a@b.ge', '', '', :at, :at, :due, :status, 'refused', :answered)"
                    ),
                    {"number": f"FOI-2026-{seq}", "seq": seq, "at": registered, "due": date(2026, 3, 27),
                     "status": status, "answered": datetime(2026, 3, 27, 20, 0, tzinfo=UTC)},
                )  # fmt: skip
        upgrade(database_url)
        with engine.begin() as connection:
            columns = select(Case.stats_utc_offset, Case.stats_registered_day, Case.stats_days, Case.stats_late)
            assert connection.execute(columns).all() == [(None,) * 4] * 2
            assert refresh_values(connection, 4 * 3600) == 1
            stored = connection.execute(columns.order_by(Case.seq)).all()
            assert stored == [(4 * 3600, (date(2026, 3, 17) - date(1970, 1, 1)).days, 11, True), (None,) * 4]
            assert refresh_values(connection, 4 * 3600) == 0
    finally:
        engine.dispose()
