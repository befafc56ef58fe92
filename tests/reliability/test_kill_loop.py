"""kill -9 again and again while hundreds of requests arrive: nothing lost, nothing twice, numbers gap-free."""

from __future__ import annotations

import signal
import time

from foimail.store.db import upgrade
from tests.reliability.invariants import backend, check, count, record, settled
from tests.support.daemon import USER, burst, free_port, start, wait_until, write_config

STORED = "SELECT count(*) FROM messages WHERE direction = 'in'"
# The full 300 requests under 5 kills on PostgreSQL; SQLite the same kills under fewer (the CI time budget).
REQUESTS = {"sqlite": 150, "postgresql": 300}
KILLS = 5
# A short lease: a confirmation cut off by kill -9 is sent again within seconds, not a minute (the default).
SHORT_LEASE = "[outbox]\nsend_lease_seconds = 10\nbatch_size = 50\n"


def stored(url: str) -> int:
    return count(url, STORED)


def test_kill_9_loop(database_url, mailbox, smtp_server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    upgrade(database_url)
    config = write_config(tmp_path, database_url, mailbox, smtp_server, free_port(), SHORT_LEASE)
    log = tmp_path / "daemon.log"
    requests = REQUESTS[backend(database_url)]
    messages = burst(requests)
    chunk = requests // (KILLS + 1)
    daemon = start(config, log)
    appended = 0
    kills = 0
    try:
        for start_at in range(0, requests, chunk):
            batch = messages[start_at : start_at + chunk]
            appended += len(mailbox.append_many(USER, batch))
            if kills == KILLS:
                continue
            # kill -9 mid-batch: some of it stored, some not, a confirmation perhaps on the wire
            halfway = appended - len(batch) // 2
            assert wait_until(lambda n=halfway: stored(database_url) >= n, 60), log.read_text()[-3000:]
            assert daemon.poll() is None, log.read_text()[-3000:]  # it never exits on its own
            daemon.kill()
            daemon.wait(10)
            kills += 1
            daemon = start(config, log)
        assert settled(database_url, mailbox, appended, 120, daemon), log.read_text()[-3000:]
        assert daemon.poll() is None, log.read_text()[-3000:]
    finally:
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(15) == 0
    tally = check(database_url, mailbox, smtp_server, appended)
    assert appended == requests and kills == KILLS and tally.cases == requests
    # At-least-once sending: at most the confirmation on the wire at each kill goes out twice.
    assert tally.duplicate_confirmations <= KILLS
    record(
        f"kill_loop_{backend(database_url)}",
        started,
        requests=appended,
        kills=kills,
        cases=tally.cases,
        confirmations=tally.confirmations_sent,
        duplicates=tally.duplicate_confirmations,
    )
