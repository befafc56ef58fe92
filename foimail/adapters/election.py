"""Who consumes a mailbox when several daemons share one database.

PostgreSQL: a session advisory lock on a connection of its own. The server drops it the moment the
holder's connection ends (exit, kill -9, a terminated backend), so a standing-by daemon takes over at its
next try. SQLite: one daemon per database file, enforced by an flock beside the file; the kernel releases
it when the process dies, however it dies.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
from pathlib import Path
from typing import Protocol

from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from foimail.errors import FoimailError, TransientError

log = logging.getLogger("foimail.election")

KEEPALIVES = ("SET tcp_keepalives_idle = 10", "SET tcp_keepalives_interval = 5", "SET tcp_keepalives_count = 3")


class AlreadyRunning(FoimailError):
    """Another daemon holds the SQLite database: one daemon per SQLite file."""


class ConsumerLock(Protocol):
    """Held by the one daemon that consumes a mailbox."""

    def acquire(self) -> bool:
        """Try to hold (or confirm still holding) the lock; never blocks. TransientError: no database."""
        ...

    def release(self) -> None: ...


class SoleConsumer:
    """No election needed: SQLite (one daemon per file, see `hold_sqlite_daemon_lock`)."""

    def acquire(self) -> bool:
        return True

    def release(self) -> None:
        pass


class AdvisoryLock:
    """pg_try_advisory_lock on a dedicated connection; the lock lives exactly as long as that connection."""

    def __init__(self, engine: Engine, name: str) -> None:
        self.engine = engine
        self.name = name
        self.key = lock_key(name)
        self.connection: Connection | None = None

    def acquire(self) -> bool:
        if self.connection is not None:
            if self._alive(self.connection):
                return True
            self._drop()
        try:
            connection = self.engine.connect()
        except DBAPIError as exc:
            raise _unavailable(exc) from exc
        try:
            # A holder whose host vanishes sends no FIN: the server's keepalives notice it in about 25 s.
            for setting in KEEPALIVES:
                connection.execute(text(setting))
            held = bool(connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}).scalar())
            connection.commit()  # the lock is the session's, not the transaction's: end the transaction
        except DBAPIError as exc:
            connection.invalidate()
            connection.close()
            raise _unavailable(exc) from exc
        if not held:
            connection.close()
            return False
        self.connection = connection
        return True

    def _alive(self, connection: Connection) -> bool:
        try:
            connection.execute(text("SELECT 1"))
            connection.commit()
            return True
        except DBAPIError:
            log.warning("election: the lock connection for %s was lost", self.name)
            return False

    def _drop(self) -> None:
        """Forget a dead lock connection: invalidated, so the pool never hands it out again."""
        if self.connection is not None:
            connection, self.connection = self.connection, None
            with contextlib.suppress(Exception):
                connection.invalidate()
                connection.close()

    def release(self) -> None:
        if self.connection is None:
            return
        try:
            # Closing returns the connection to the pool: unlock first, or the pool would keep the lock.
            self.connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
            self.connection.commit()
            self.connection.close()
            self.connection = None
        except DBAPIError:
            self._drop()


def _unavailable(exc: DBAPIError) -> TransientError:
    return TransientError(f"database unavailable for the intake election: {' '.join(str(exc.orig).split())}")


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for pg_advisory_lock from a mailbox's name."""
    digest = hashlib.sha256(f"foimail-intake:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def consumer_lock(engine: Engine, name: str) -> ConsumerLock:
    """The election that fits the database: an advisory lock on PostgreSQL; none needed on SQLite."""
    if engine.dialect.name == "postgresql":
        return AdvisoryLock(engine, name)
    return SoleConsumer()


def hold_sqlite_daemon_lock(url: str) -> int | None:
    """Take `<database>.daemon.lock` for this process's life; AlreadyRunning if another daemon holds it.

    Returns the open descriptor (None when the URL is not a SQLite file): closing it releases the lock.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    path = Path(f"{parsed.database}.daemon.lock")
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise AlreadyRunning(f"cannot open the daemon lock file {path}: {exc.strerror or exc}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
        os.close(fd)
        raise AlreadyRunning(
            f"another foimail daemon (pid {holder}) already runs on {parsed.database}: one daemon per SQLite "
            "database (use PostgreSQL to run several)"
        ) from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return fd
