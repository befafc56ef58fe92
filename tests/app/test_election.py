"""The intake election: a PostgreSQL advisory lock that dies with its connection; a flock per SQLite file."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, text

from foimail.adapters.election import AdvisoryLock, AlreadyRunning, hold_sqlite_daemon_lock
from tests.support.daemon import wait_until

MAILBOX = "imap://foi@batumi.ge@mail.batumi.ge:993/INBOX"


def test_one_holder_and_a_takeover_when_its_connection_is_cut(postgres_url) -> None:  # type: ignore[no-untyped-def]
    engine = create_engine(postgres_url)
    first, second = AdvisoryLock(engine, MAILBOX), AdvisoryLock(engine, MAILBOX)
    try:
        assert first.acquire() and first.acquire()  # holds, and confirms it still holds
        assert not second.acquire()
        other = AdvisoryLock(engine, "imap://other@batumi.ge@mail.batumi.ge:993/INBOX")
        assert other.acquire()  # one election per mailbox
        other.release()
        assert first.connection is not None
        pid = first.connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
        first.connection.commit()
        with engine.connect() as admin:
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        # The server drops the lock with the connection, once the terminated backend has exited.
        assert wait_until(second.acquire, 10)
        assert not first.acquire()  # the old holder notices and stands by
        second.release()
        assert first.acquire()
    finally:
        first.release()
        second.release()
        engine.dispose()


def test_a_second_daemon_on_one_sqlite_file_is_refused_in_one_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'foimail.db'}"
    held = hold_sqlite_daemon_lock(url)
    assert held is not None
    with pytest.raises(AlreadyRunning) as refused:
        hold_sqlite_daemon_lock(url)
    assert str(refused.value).startswith(f"another foimail daemon (pid {os.getpid()}) already runs on ")
    assert "\n" not in str(refused.value)
    os.close(held)  # what the kernel does when the daemon dies
    again = hold_sqlite_daemon_lock(url)
    assert again is not None
    os.close(again)
    assert hold_sqlite_daemon_lock("postgresql+psycopg://foimail@db/foimail") is None
