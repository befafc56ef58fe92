"""A message's raw bytes into the database without the driver's copies of them.

pysqlite binds a blob with SQLITE_TRANSIENT (SQLite copies it) and SQLite then builds the whole row record
in a buffer of its own: a 50 MB INSERT holds the message three times. Inserting `zeroblob(n)` and writing
the bytes through the incremental blob API (Python >= 3.11) in chunks holds it once; the bytes have a
table of their own (models.RawMessage), so the later UPDATEs of the message's row never copy them.
On PostgreSQL a bytea parameter is copied into libpq's send buffer whole; a binary COPY streams bytes
over `SMALL` in chunks instead (smaller ones go in as a parameter: one round trip, where COPY takes two).
A new inbound message's row and bytes of up to `SMALL` are one statement on PostgreSQL (store/combined.py).
Either way the row is written in the caller's transaction, after the `messages` row whose unique sha256
refuses a second copy.
"""

from __future__ import annotations

import struct
from typing import Any

from sqlalchemy.orm import Session, make_transient_to_detached

from foimail.store import combined, statements
from foimail.store.models import RawMessage, StoredMessage

__all__ = ["add_with_raw", "write_raw"]

_CHUNK = 1 << 20
# On PostgreSQL bytes up to this size go in as an INSERT parameter: one round trip, where COPY takes two.
SMALL = 1 << 20
# PostgreSQL's binary COPY format: signature, flags, header extension length; a tuple is its field count
# and each field's length and bytes; -1 ends the data.
_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0)
_COPY_END = struct.pack("!h", -1)


def add_with_raw(session: Session, stored: StoredMessage, raw: bytes) -> None:
    """Insert `stored` (a new row; its id is set) with `raw` as its bytes, in the session's open transaction.

    By Core statements, then `stored` joins the session as a persistent row as written: the ORM's unit of
    work for the two rows cost more than the rest of storing them. Later changes to `stored` flush as usual.
    """
    values = _column_values(stored)
    connection = session.connection()
    if connection.dialect.name == "postgresql" and len(raw) <= SMALL:
        # The row and its bytes in one statement: one round trip (store/combined.py).
        with_raw = {"p_raw": raw, **{f"m_{key}": value for key, value in values.items()}}
        stored.id = int(connection.execute(combined.MESSAGE_WITH_RAW, with_raw).scalar_one())
    else:
        stored.id = int(connection.execute(statements.INSERT_MESSAGE, values).scalar_one())
        write_raw(session, stored.id, raw)
    make_transient_to_detached(stored)
    session.add(stored)


def _column_values(stored: StoredMessage) -> dict[str, Any]:
    """Every column of the new row but `id`: what was set on `stored`, else the column's default (set on
    `stored` too, so that no attribute is left to be loaded back)."""
    values: dict[str, Any] = {}
    for column in statements.MESSAGES.c:
        if column.key == "id":
            continue
        if column.key in stored.__dict__:
            values[column.key] = stored.__dict__[column.key]
            continue
        default = column.default
        value = None if default is None else default.arg(None) if default.is_callable else default.arg  # type: ignore[attr-defined]
        setattr(stored, column.key, value)
        values[column.key] = value
    return values


def write_raw(session: Session, message_id: int, raw: bytes) -> None:
    """Give the `messages` row `message_id`, inserted in this transaction without them, its bytes."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        if len(raw) <= SMALL:
            connection.execute(statements.INSERT_RAW, {"message_id": message_id, "raw": raw})
            return
        _copy_raw(session, message_id, raw)
        return
    connection.execute(statements.INSERT_ZEROBLOB, {"p_message_id": message_id, "p_size": len(raw)})
    _write_blob(session, message_id, raw)


def _copy_raw(session: Session, message_id: int, raw: bytes) -> None:
    driver = session.connection().connection.driver_connection
    assert driver is not None  # a checked-out connection always has one
    view = memoryview(raw)
    fields = struct.pack("!hii", 2, 4, message_id) + struct.pack("!i", len(raw))
    with driver.cursor() as cursor:
        with cursor.copy(f"COPY {RawMessage.__tablename__} (message_id, raw) FROM STDIN (FORMAT BINARY)") as copy:
            copy.write(_COPY_HEADER + fields)
            for start in range(0, len(view), _CHUNK):
                copy.write(view[start : start + _CHUNK])
            copy.write(_COPY_END)


def _write_blob(session: Session, message_id: int, raw: bytes) -> None:
    if not raw:
        return
    driver = session.connection().connection.driver_connection
    assert driver is not None
    view = memoryview(raw)
    # `message_raw.message_id` is INTEGER PRIMARY KEY, so SQLite's rowid.
    with driver.blobopen(RawMessage.__tablename__, "raw", message_id) as blob:
        for start in range(0, len(view), _CHUNK):
            blob.write(view[start : start + _CHUNK])
