"""Raw message bytes round-trip exactly on both databases, a large message included, one row each."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from foimail.core.vocabulary import Direction
from foimail.store.db import make_engine, make_session_factory, unit_of_work, upgrade
from foimail.store.models import RawMessage, StoredMessage
from foimail.store.raw import add_with_raw

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
# Empty, one byte, every byte value, and 2.5 MiB (more than two of the blob writer's 1 MiB chunks).
SAMPLES = (b"", b"\x00", bytes(range(256)) * 3, os.urandom(5 << 19))


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    upgrade(database_url)
    engine: Engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


def message(digest: str) -> StoredMessage:
    return StoredMessage(
        direction=Direction.IN,
        sha256=digest,
        size=0,
        kind="pending",
        reasons=[],
        defects=[],
        source="test",
        received_at=NOW,
        stored_at=NOW,
    )


def test_bytes_round_trip_exactly_and_survive_updates_of_the_message(sessions: sessionmaker[Session]) -> None:
    ids = []
    with unit_of_work(sessions) as session:
        for index, raw in enumerate(SAMPLES):
            stored = message(f"{index:064x}")
            add_with_raw(session, stored, raw)
            stored.kind = "request"  # intake's later UPDATEs, in the same transaction
            session.flush()
            ids.append(stored.id)
        assert session.get(StoredMessage, ids[-1]).raw == SAMPLES[-1]  # readable before the commit
    with unit_of_work(sessions) as session:
        for stored_id, raw in zip(ids, SAMPLES, strict=True):
            stored = session.get(StoredMessage, stored_id)
            assert (stored.raw, stored.kind) == (raw, "request")


def test_a_second_copy_of_the_same_bytes_leaves_no_row_behind(sessions: sessionmaker[Session]) -> None:
    with unit_of_work(sessions) as session:
        add_with_raw(session, message("a" * 64), SAMPLES[-1])
    with pytest.raises(IntegrityError), unit_of_work(sessions) as session:
        add_with_raw(session, message("a" * 64), SAMPLES[-1])
    with unit_of_work(sessions) as session:
        assert session.execute(select(func.count()).select_from(RawMessage)).scalar_one() == 1


def test_a_rolled_back_message_takes_its_bytes_with_it(sessions: sessionmaker[Session]) -> None:
    with pytest.raises(RuntimeError), unit_of_work(sessions) as session:
        add_with_raw(session, message("b" * 64), SAMPLES[-1])
        raise RuntimeError("routing failed")
    with unit_of_work(sessions) as session:
        assert session.execute(select(func.count()).select_from(RawMessage)).scalar_one() == 0
