"""Alembic environment: the URL comes from the foimail config (or alembic.ini / -x url=...)."""

from __future__ import annotations

import sqlite3

from alembic import context
from sqlalchemy import Connection

from foimail.store.db import make_engine
from foimail.store.models import Base, in_dialect

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    if not url:
        from foimail.config import load_settings

        url = load_settings().database.url
    return url


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def _journal_mode(connection: Connection, mode: str) -> None:
    """Outside SQLAlchemy's transaction (its BEGIN IMMEDIATE forbids the change), on the driver's connection.
    Leaving WAL needs the only connection to the file: with another open (a daemon still running), it stays
    WAL at once rather than waiting for the busy timeout."""
    driver = connection.connection.driver_connection
    assert driver is not None
    timeout = driver.execute("PRAGMA busy_timeout").fetchone()[0]
    driver.execute("PRAGMA busy_timeout=0")
    try:
        driver.execute(f"PRAGMA journal_mode={mode}")
    except sqlite3.OperationalError:
        pass
    finally:
        driver.execute(f"PRAGMA busy_timeout={int(timeout)}")


def run_migrations_online() -> None:
    engine = make_engine(_url())
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        if sqlite:
            # A migration may copy the whole database (0006 moves the stored mail): in WAL mode every new page
            # is written twice, to the log and then to the file, so the disk needed peaks at about four times
            # the database. A rollback journal keeps only the pages changed in place: about twice. (Nothing
            # changes while another connection is open: the mode then stays WAL.)
            _journal_mode(connection, "DELETE")
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,
            include_object=in_dialect(connection.dialect.name),
        )
        with context.begin_transaction():
            context.run_migrations()
        if sqlite:
            _journal_mode(connection, "WAL")
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
