"""Thousands of mutated messages APPENDed to Dovecot while `foimail run` watches it: the daemon's own IMAP path.

Each mutant is stored, registered at most once or set aside with its reason, and never stops the daemon.
"""

from __future__ import annotations

import signal
import time

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from foimail.store.db import upgrade
from tests.reliability.invariants import backend, check, record, rows, settled
from tests.reliability.mutations import base_messages, mutant, tagged
from tests.support.daemon import USER, free_port, start, write_config

BATCH = 50  # mutants per hypothesis example, APPENDed on one IMAP connection
# The full 2,000 on SQLite; PostgreSQL runs the same path with fewer (the CI time budget).
MUTANTS = {"sqlite": 2000, "postgresql": 200}


def fuzz_ids(url: str) -> set[int]:
    found = set()
    query = "SELECT r.raw FROM messages m JOIN message_raw r ON r.message_id = m.id WHERE m.direction = 'in'"
    for (raw,) in rows(url, query):
        first = bytes(raw).split(b"\r\n", 1)[0]
        if first.startswith(b"X-Fuzz-Id: "):
            found.add(int(first[11:]))
    return found


def test_mutated_mail_through_the_running_daemon(database_url, mailbox, smtp_server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    kind = backend(database_url)
    wanted = MUTANTS[kind]
    upgrade(database_url)
    config = write_config(tmp_path, database_url, mailbox, smtp_server, free_port(), "[outbox]\nbatch_size = 50\n")
    log = tmp_path / "daemon.log"
    bases = base_messages()
    generated: list[int] = []
    appended: dict[int, bytes] = {}

    @settings(
        max_examples=wanted // BATCH,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(st.lists(mutant(bases), min_size=BATCH, max_size=BATCH))
    def append_batch(batch: list[bytes]) -> None:
        first = len(generated)
        generated.extend(range(first, first + len(batch)))
        tagged_batch = {first + i: tagged(raw, first + i) for i, raw in enumerate(batch)}
        accepted = mailbox.append_many(USER, list(tagged_batch.values()))
        appended.update((i, raw) for i, raw in tagged_batch.items() if raw in accepted)

    daemon = start(config, log)
    try:
        append_batch()
        assert settled(database_url, mailbox, len(appended), 300, daemon), log.read_text()[-3000:]
        assert daemon.poll() is None, log.read_text()[-3000:]  # no daemon exit
    finally:
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(15) == 0, log.read_text()[-3000:]
    assert len(generated) >= wanted
    missing = sorted(set(appended) - fuzz_ids(database_url))
    assert missing == [], [appended[i][:300] for i in missing[:5]]  # nothing lost, each one named
    tally = check(database_url, mailbox, smtp_server, len(appended))
    assert "died" not in log.read_text()
    record(
        f"fuzz_daemon_{kind}",
        started,
        mutants=len(generated),
        appended=len(appended),
        refused_by_dovecot=len(generated) - len(appended),
        cases=tally.cases,
        set_aside=tally.set_aside,
        confirmations=tally.confirmations_sent,
        confirmations_failed=tally.confirmations_failed,
    )
