"""The hot path's look-ups stay index look-ups on SQLite: a plan that reads the table makes each message cost
more as the mailbox grows (bench/hot_path.py --messages 500 and 8000 show it)."""

from __future__ import annotations

from sqlalchemy import create_engine

from foimail.store import statements
from foimail.store.db import upgrade


def test_the_earlier_copy_look_up_uses_an_index_for_each_alternative(sqlite_url: str) -> None:
    upgrade(sqlite_url)
    engine = create_engine(sqlite_url)
    try:
        sql = str(statements.TWINS_BY_SHA256_OR_MESSAGE_ID.compile(engine))
        with engine.connect() as connection:
            plan = [row[3] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", ("in", "x", "<y>"))]
    finally:
        engine.dispose()
    searches = [step for step in plan if step.startswith(("SEARCH", "SCAN"))]
    assert searches == [
        "SEARCH messages USING INDEX sqlite_autoindex_messages_1 (direction=? AND sha256=?)",
        "SEARCH messages USING INDEX ix_messages_message_id_header (message_id_header=?)",
    ], plan
