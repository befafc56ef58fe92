"""Engine and transactions. SQLite: WAL, foreign keys, immediate transactions. PostgreSQL: psycopg 3."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError, ProgrammingError
from sqlalchemy.orm import Session, sessionmaker

from foimail.errors import FoimailError, SchemaMissing, TransientError
from foimail.resources import migrations_dir

_READ_ONLY = "foimail_read_only"
T = TypeVar("T")
log = logging.getLogger("foimail.db")


def make_engine(url: str) -> Engine:
    """An engine with the settings foimail relies on for either backend."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        # No statement cache: a cached INSERT would keep its copy of a large raw message bound in memory.
        engine = create_engine(url, connect_args={"timeout": 30, "cached_statements": 0})
        _configure_sqlite(engine)
        return engine
    engine = create_engine(url, pool_size=5, max_overflow=5)
    _ping_after_idle(engine)
    return engine


IDLE_PING_SECONDS = 1.0


def _ping_after_idle(engine: Engine) -> None:
    """pool_pre_ping, but only for a connection that waited in the pool longer than IDLE_PING_SECONDS.

    A connection that a server restart or an idle timeout ended is noticed before use, as with
    pool_pre_ping; one used a moment ago (a backlog: a transaction every few milliseconds) goes without the
    SELECT 1 round trip, which was one of a dozen per message. A connection lost in that moment fails its
    transaction; the runners' transactions are tried again once (`retried`).
    """

    @event.listens_for(engine, "connect")
    def _on_connect(_dbapi_connection: Any, record: Any) -> None:
        record.info[_RETURNED_AT] = time.monotonic()

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            record.info[_RETURNED_AT] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if time.monotonic() - record.info.get(_RETURNED_AT, 0.0) <= IDLE_PING_SECONDS:
            return
        try:
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            dbapi_connection.rollback()
        except Exception as exc:  # any failure: the pool replaces the connection (SQLAlchemy's own recipe)
            raise DisconnectionError(str(exc)) from exc


_RETURNED_AT = "foimail_returned_at"


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when a transaction begins (pysqlite's own BEGIN is deferred).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # IMMEDIATE takes the write lock at once: two writers never interleave a number hand-out.
        # A read-only transaction (`reading`) begins deferred: in WAL mode it neither waits for nor holds it.
        read_only = connection.get_execution_options().get(_READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any error. A lost database is a TransientError."""
    session = factory()
    try:
        yield session
        session.commit()
    except (OperationalError, ProgrammingError) as exc:
        session.rollback()
        raise database_error(exc) from exc
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def retried(factory: sessionmaker[Session], work: Callable[[Session], T]) -> T:
    """`work(session)` in one transaction (`unit_of_work`), run once more on a fresh connection when the
    first attempt found its connection gone (a server restart, a terminated backend): the transaction was
    rolled back whole, so `work` must only touch the database."""
    try:
        with unit_of_work(factory) as session:
            return work(session)
    except TransientError as exc:
        if not (isinstance(exc.__cause__, DBAPIError) and exc.__cause__.connection_invalidated):
            raise
        log.warning("database connection lost (%s); trying the transaction once more", exc)
    with unit_of_work(factory) as session:
        return work(session)


@contextmanager
def reading(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A transaction that only reads (e.g. which outbox items are due): on SQLite it does not queue behind
    intake's write transaction. Writing in it fails on SQLite only when another writer holds the lock."""
    with unit_of_work(factory) as session:
        session.connection(execution_options={_READ_ONLY: True})
        yield session


def ping(engine: Engine) -> None:
    """Raise TransientError if the database cannot be reached."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except (OperationalError, ProgrammingError) as exc:
        raise database_error(exc) from exc


def database_error(exc: OperationalError | ProgrammingError) -> FoimailError | DBAPIError:
    """One line for an admin: a missing schema says what to run; an unreachable server is transient."""
    text = " ".join(str(exc.orig).split())
    if "no such table" in text or ("relation" in text and "does not exist" in text):
        first_line = str(exc.orig).strip().splitlines()[0]
        return SchemaMissing(f"the database has no foimail schema ({first_line}): run `foimail db upgrade`")
    if "unable to open database file" in text:
        return TransientError(f"cannot open the SQLite database ({text}): does its directory exist and is it writable?")
    if isinstance(exc, OperationalError):
        return TransientError(f"database unavailable: {text}")
    return exc


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str) -> None:
    """Create or upgrade the schema to the newest migration."""
    try:
        command.upgrade(alembic_config(url), "head")
    except (OperationalError, ProgrammingError) as exc:
        raise database_error(exc) from exc
