"""A PostgreSQL connection that died in the pool: pinged before use after a pause, else the runners'
transactions are tried once more (store.db: no SELECT 1 before every transaction of a backlog)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from foimail.errors import TransientError
from foimail.store import db
from foimail.store.db import make_engine, make_session_factory, retried, unit_of_work


@pytest.fixture
def sessions(postgres_url: str, _postgres_admin: Engine) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(postgres_url)
    yield make_session_factory(engine)
    engine.dispose()


def pooled_backend(sessions: sessionmaker[Session]) -> int:
    """The server process of the connection the pool holds now (pool of one in use: the last one back)."""
    with unit_of_work(sessions) as session:
        return int(session.execute(text("SELECT pg_backend_pid()")).scalar_one())


def terminate(admin: Engine, pid: int) -> None:
    with admin.connect() as connection:
        assert connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()


def test_a_transaction_that_meets_a_terminated_connection_is_tried_once_more(
    sessions: sessionmaker[Session], _postgres_admin: Engine
) -> None:
    terminate(_postgres_admin, pooled_backend(sessions))  # used a moment ago: not pinged before use
    calls: list[int] = []

    def work(session: Session) -> int:
        calls.append(int(session.execute(text("SELECT pg_backend_pid()")).scalar_one()))
        return len(calls)

    assert retried(sessions, work) == 1  # the first attempt failed before it could append
    assert len(calls) == 1
    with pytest.raises(TransientError):  # without the retry the same loss fails the transaction
        terminate(_postgres_admin, pooled_backend(sessions))
        with unit_of_work(sessions) as session:
            session.execute(text("SELECT 1"))


def test_a_connection_idle_longer_than_the_bound_is_pinged_and_replaced(
    sessions: sessionmaker[Session], _postgres_admin: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "IDLE_PING_SECONDS", 0.0)  # every connection counts as idle
    before = pooled_backend(sessions)
    terminate(_postgres_admin, before)
    assert pooled_backend(sessions) != before  # no error: the pool noticed and opened another
