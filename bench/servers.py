"""The real servers a benchmark needs, outside pytest: a private Dovecot, an aiosmtpd that notes when each
message was accepted, and a throwaway PostgreSQL database. They reuse tests/support, so a benchmark runs
against exactly what the integration tests run against.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `python bench/x.py` from a fresh clone: tests/support is importable
    sys.path.insert(0, str(ROOT))

from aiosmtpd.smtp import SMTP, Envelope, Session  # noqa: E402
from sqlalchemy import create_engine  # noqa: E402

from foimail.config import OutboxSettings, Settings  # noqa: E402
from tests.support import dovecot as dovecot_support  # noqa: E402
from tests.support import smtp as smtp_support  # noqa: E402
from tests.support.app import imap_settings_for, make_settings, smtp_settings_for  # noqa: E402
from tests.support.databases import new_postgres_database, postgres_server_url  # noqa: E402
from tests.support.dovecot import DovecotServer  # noqa: E402

USER = "foi@batumi.ge"


class TimedSmtpServer(smtp_support.SmtpServer):
    """The tests' aiosmtpd handler, plus the monotonic time each recipient's message was accepted."""

    def __init__(self) -> None:
        super().__init__(cert_path=None)
        self.accepted_at: dict[str, float] = {}
        self.count = 0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        reply = await super().handle_DATA(server, session, envelope)
        if reply.startswith("250"):
            now = time.monotonic()
            with self._changed:
                for rcpt in envelope.rcpt_tos:
                    self.accepted_at.setdefault(rcpt.lower(), now)
                self.count += 1
                self.messages.clear()  # keep memory flat over thousands of messages
        return reply

    def wait_count(self, n: int, timeout: float) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: self.count >= n, timeout)

    def reset(self) -> None:
        with self._changed:
            self.accepted_at.clear()
            self.count = 0
            self.messages.clear()


@contextmanager
def dovecot(extra_config: str = "") -> Iterator[DovecotServer]:
    binary = dovecot_support._dovecot_binary()
    root = Path(tempfile.mkdtemp(prefix="foimail-bench-dovecot-"))
    try:
        settings = dovecot_support._prepare(root, extra_config=extra_config)
        server, process = dovecot_support._start(binary, root, settings)
        try:
            yield server
        finally:
            dovecot_support._stop(process)
    finally:
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def smtp_server() -> Iterator[TimedSmtpServer]:
    server = TimedSmtpServer()
    controller = smtp_support._start(server, tls=None)
    try:
        yield server
    finally:
        controller.stop()


@contextmanager
def database(backend: str, directory: Path) -> Iterator[str]:
    """An empty database URL: a new SQLite file, or a new PostgreSQL database dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{directory / f'bench-{uuid.uuid4().hex[:8]}.sqlite3'}"
        return
    admin = create_engine(postgres_server_url(), isolation_level="AUTOCOMMIT")
    try:
        with new_postgres_database(admin, prefix="foimail_bench_") as url:
            yield url
    finally:
        admin.dispose()


def bench_settings(url: str, server: DovecotServer, smtp: TimedSmtpServer, directory: Path) -> Settings:
    """The tests' settings for these servers; IDLE, a poll of 60 s, and no per-sender limit in the way."""
    return make_settings(
        url,
        directory,
        imap=imap_settings_for(server, poll_seconds=60),
        smtp=smtp_settings_for(smtp),
        outbox=OutboxSettings(max_confirmations_per_sender_per_hour=1000),
    )


def fill_inbox(server: DovecotServer, messages: list[bytes]) -> None:
    """APPEND every message to the INBOX over one connection (the mailbox is emptied first)."""
    server.reset(USER)
    with server.client(USER) as imap:
        for raw in messages:
            imap.append("INBOX", raw)
