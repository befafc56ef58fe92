"""Several daemons, one database: one consumes the mailbox, the others stand by and take over within seconds.

PostgreSQL elects the consumer with an advisory lock; a second daemon on one SQLite file refuses to start.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from foimail.store.db import upgrade
from tests.reliability.invariants import check, record, settled
from tests.support.daemon import USER, burst, free_port, start, wait_until, write_config

CONSUMES = "this daemon consumes the mailbox"
STANDS_BY = "standing by; another daemon consumes the mailbox"
TAKEOVER_LIMIT_SECONDS = 15.0


def daemon_in(folder: Path, database_url: str, mailbox, smtp_server) -> tuple[subprocess.Popen[bytes], Path]:  # type: ignore[no-untyped-def]
    folder.mkdir()
    config = write_config(
        folder, database_url, mailbox, smtp_server, free_port(), "[outbox]\nsend_lease_seconds = 10\n"
    )
    log = folder / "daemon.log"
    return start(config, log), log


def says(log: Path, text: str) -> bool:
    return log.exists() and text in log.read_text()


def test_two_daemons_on_postgresql_one_consumer_and_a_takeover(postgres_url, mailbox, smtp_server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    upgrade(postgres_url)
    first, first_log = daemon_in(tmp_path / "a", postgres_url, mailbox, smtp_server)
    assert wait_until(lambda: says(first_log, CONSUMES), 30), first_log.read_text()
    second, second_log = daemon_in(tmp_path / "b", postgres_url, mailbox, smtp_server)
    daemons = [first, second]
    try:
        assert wait_until(lambda: says(second_log, STANDS_BY) and says(second_log, "foimail running"), 30), (
            second_log.read_text()
        )
        messages = burst(80)
        mailbox.append_many(USER, messages[:60])
        assert settled(postgres_url, mailbox, 60, 90, first), first_log.read_text()[-3000:]
        processed = mailbox.folder_uids(USER, "FOI.Processed") or mailbox.folder_uids(USER, "FOI/Processed")
        assert len(processed) == 60  # one consumer: each message moved once
        assert not says(second_log, "registered case=")

        first.kill()  # kill -9 the consumer: its connection ends, the advisory lock with it
        first.wait(10)
        killed_at = time.monotonic()
        mailbox.append_many(USER, messages[60:])
        assert wait_until(lambda: says(second_log, CONSUMES), TAKEOVER_LIMIT_SECONDS), second_log.read_text()
        takeover = time.monotonic() - killed_at
        assert settled(postgres_url, mailbox, 80, 90, second), second_log.read_text()[-3000:]
        assert second.poll() is None
    finally:
        for daemon in daemons:
            if daemon.poll() is None:
                daemon.send_signal(signal.SIGTERM)
                assert daemon.wait(15) == 0
    tally = check(postgres_url, mailbox, smtp_server, 80)
    assert tally.cases == 80 and tally.duplicate_confirmations <= 1
    for log in (first_log, second_log):
        text = log.read_text()
        assert "duplicate key" not in text and "Traceback" not in text, text[-3000:]
    record("two_daemons_postgresql", started, requests=80, takeover_seconds=round(takeover, 1), cases=tally.cases)


def test_a_second_daemon_on_one_sqlite_file_refuses_in_one_line(sqlite_url, mailbox, smtp_server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    upgrade(sqlite_url)
    first, first_log = daemon_in(tmp_path / "a", sqlite_url, mailbox, smtp_server)
    try:
        assert wait_until(lambda: says(first_log, "foimail running"), 30), first_log.read_text()
        config = write_config(tmp_path, sqlite_url, mailbox, smtp_server, free_port())
        env = {**os.environ, "FOIMAIL_CONFIG": str(config)}
        second = subprocess.run(
            [sys.executable, "-m", "foimail.cli", "run"], env=env, capture_output=True, text=True, timeout=60
        )
        assert second.returncode != 0
        lines = second.stderr.strip().splitlines()
        assert len(lines) == 1, second.stderr
        assert f"another foimail daemon (pid {first.pid}) already runs on" in lines[0]
        first.kill()  # the kernel releases the flock of a killed process
        first.wait(10)
        third = start(config, tmp_path / "third.log")
        assert wait_until(lambda: says(tmp_path / "third.log", "foimail running"), 30), (
            tmp_path / "third.log"
        ).read_text()
        third.send_signal(signal.SIGTERM)
        assert third.wait(15) == 0
    finally:
        if first.poll() is None:
            first.kill()
