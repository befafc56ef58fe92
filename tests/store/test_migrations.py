"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

import sqlite3

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, make_url

from foimail.store.db import alembic_config, make_engine, upgrade
from foimail.store.models import Base


def test_migrations_match_models(database_url: str) -> None:
    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
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
