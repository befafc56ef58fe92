"""A message's raw bytes into the database without the driver's copies of them.

pysqlite binds a blob with SQLITE_TRANSIENT (SQLite copies it) and SQLite then builds the whole row record
in a buffer of its own: a 50 MB INSERT holds the message three times. Inserting `zeroblob(n)` and writing
the bytes through the incremental blob API (Python >= 3.11) in chunks holds it once; the bytes have a
table of their own (models.RawMessage), so the later UPDATEs of the message's row never copy them.
PostgreSQL (psycopg 3) takes the bytes as a bytea parameter. Either way the row is written in the caller's
transaction, and the unique sha256 of `messages` still refuses a second copy.
"""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy.orm import Session

from foimail.store.models import RawMessage, StoredMessage

__all__ = ["add_with_raw"]

_CHUNK = 1 << 20


def add_with_raw(session: Session, stored: StoredMessage, raw: bytes) -> None:
    """Add `stored` with `raw` as its bytes and flush: one row, in the session's open transaction."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        stored.raw = raw
        session.add(stored)
        session.flush()
        return
    # `raw` is message_raw's last column, or SQLite would expand the zeroblob in the record it builds.
    stored.raw_row = RawMessage(raw=func.zeroblob(len(raw)))
    session.add(stored)
    session.flush()
    if not raw:
        return
    driver = connection.connection.driver_connection
    assert driver is not None  # a checked-out connection always has one
    view = memoryview(raw)
    # `message_raw.message_id` is INTEGER PRIMARY KEY, so SQLite's rowid.
    with driver.blobopen(RawMessage.__tablename__, "raw", stored.id) as blob:
        for start in range(0, len(view), _CHUNK):
            blob.write(view[start : start + _CHUNK])
