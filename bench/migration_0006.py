"""Time migration 0006 (raw bytes into message_raw) on a database of a given size, SQLite and PostgreSQL.

python bench/migration_0006.py --messages 20000 --kb 40 [--backends sqlite postgresql]

A mailbox that has run for years holds its raw mail in `messages.raw` before 0006; the upgrade copies it
into `message_raw` and drops the column. This fills a database at revision 0005 with `--messages` rows of
`--kb` kB each (random bytes, so nothing compresses), then times `alembic upgrade head` and reports the
database's size before, at its largest and after, so an admin knows the time and the disk it needs.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from servers import database  # bench/servers.py: puts the checkout on sys.path for tests/support
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool

from foimail.store.db import alembic_config
from tests.support.databases import postgres_server_url

BATCH = 500


def fill(url: str, messages: int, size: int) -> None:
    """Rows shaped like stored inbound mail at revision 0005."""
    engine = create_engine(url)
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    insert = text(
        "INSERT INTO messages (direction, message_id_header, sha256, raw, size, sender, subject, kind, reasons,"
        " defects, set_aside, source, received_at, stored_at, doubtful) VALUES ('in', :mid, :sha, :raw, :size,"
        " 'nino@example.org', 'request', 'request', '[]', '[]', false, 'imap', :now, :now, false)"
    )
    with engine.begin() as connection:
        for start in range(0, messages, BATCH):
            rows = [
                {"mid": f"<{n}@example.org>", "sha": f"{n:064x}", "raw": os.urandom(size), "size": size, "now": now}
                for n in range(start, min(start + BATCH, messages))
            ]
            connection.execute(insert, rows)
    engine.dispose()


class PeakSize:
    """Samples the database's size every 0.2 s while the migration runs."""

    def __init__(self, measure: Callable[[], int]) -> None:
        self.measure, self.peak, self._stop = measure, measure(), threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self.peak = max(self.peak, self.measure())

    def __enter__(self) -> PeakSize:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.measure())


def run(backend: str, url: str, measure: Callable[[], int], messages: int, size: int) -> None:
    config = alembic_config(url)
    command.upgrade(config, "0005")
    fill(url, messages, size)
    before = measure()
    started = time.perf_counter()
    with PeakSize(measure) as peak:
        command.upgrade(config, "head")
    took = time.perf_counter() - started
    mb = 1024 * 1024
    print(
        f"{backend:10} {messages:7,} msgs x {size // 1024} kB: upgrade 0005 -> head {took:6.1f} s; "
        f"size before {before / mb:7.0f} MB, peak {peak.peak / mb:7.0f} MB, after {measure() / mb:7.0f} MB",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--kb", type=int, default=40)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    args = parser.parse_args()
    size = args.kb * 1024
    with tempfile.TemporaryDirectory() as directory:
        for backend in args.backends:
            with database(backend, Path(directory)) as url:
                run(backend, url, size_of(url), args.messages, size)


def size_of(url: str) -> Callable[[], int]:
    """How to read the database's size on disk: the SQLite file and its WAL, or pg_database_size."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database or ""
        return lambda: sum(os.path.getsize(p) for p in (path, path + "-wal") if os.path.exists(p))
    admin = create_engine(postgres_server_url(), poolclass=NullPool)

    def postgres_size() -> int:
        with admin.connect() as connection:
            query = text("SELECT pg_database_size(:name)")
            return int(connection.execute(query, {"name": parsed.database}).scalar_one())

    return postgres_size


if __name__ == "__main__":
    main()
