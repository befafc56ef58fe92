"""What every reliability test asserts once the storm is over, read straight from the database and Dovecot.

Nothing lost, nothing registered twice, numbers gap-free, every confirmable requester confirmed.
"""

from __future__ import annotations

import email
import functools
import json
import os
import time
from collections import Counter
from dataclasses import dataclass
from email.policy import default
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.pool import NullPool

from tests.support.daemon import USER, wait_until

FIGURES_ENV = "FOIMAIL_RELIABILITY_FIGURES"  # a directory: each test writes its figures there as JSON


@dataclass(frozen=True)
class Tally:
    cases: int
    inbound: int
    set_aside: int
    confirmations_failed: int
    confirmations_sent: int  # confirmation mails the SMTP server accepted, copies included
    duplicate_confirmations: int  # copies of a confirmation already accepted (at-least-once after kill -9)


def backend(url: str) -> str:
    """sqlite or postgresql, for test names and figures."""
    return url.partition(":")[0].partition("+")[0]


@functools.cache
def _engine(url: str) -> Engine:
    return create_engine(url, poolclass=NullPool)  # a connection per query: none left to drop the database on


def rows(url: str, sql: str) -> list[Any]:
    with _engine(url).connect() as connection:
        return list(connection.execute(text(sql)))


def count(url: str, sql: str) -> int:
    return int(rows(url, sql)[0][0] or 0)


def settled(url: str, mailbox: Any, expected_inbound: int, timeout: float, daemon: Any = None) -> bool:
    """The daemon has stored every message, emptied the INBOX and sent (or given up on) every confirmation.

    False at once if `daemon` (a Popen) exits meanwhile.
    """

    def done() -> bool:
        if daemon is not None and daemon.poll() is not None:
            raise AssertionError(f"the daemon exited with {daemon.returncode}")
        return (
            count(url, "SELECT count(*) FROM messages WHERE direction = 'in'") >= expected_inbound
            and count(url, "SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')") == 0
            and mailbox.folder_uids(USER, "INBOX") == []
        )

    return wait_until(done, timeout, step=0.5)


def check(url: str, mailbox: Any, smtp_server: Any, expected_inbound: int) -> Tally:
    """Assert the guarantees; return the figures for docs/RELIABILITY.md."""
    inbound = count(url, "SELECT count(*) FROM messages WHERE direction = 'in'")
    assert inbound == expected_inbound, f"stored {inbound} of {expected_inbound} messages"  # nothing lost
    assert mailbox.folder_uids(USER, "INBOX") == []
    cases = count(url, "SELECT count(*) FROM cases")
    assert count(url, "SELECT count(DISTINCT number) FROM cases") == cases
    assert count(url, "SELECT count(DISTINCT request_message_id) FROM cases") == cases  # nothing twice
    for year, seqs, top in rows(url, "SELECT year, count(*), max(seq) FROM cases GROUP BY year"):
        assert seqs == top, f"numbers of {year} have gaps: {seqs} cases, highest {top}"  # gap-free
    requests = count(url, "SELECT count(*) FROM messages WHERE direction = 'in' AND kind = 'request'")
    assert requests == cases
    # Every requester foimail may write to was confirmed (not suppressed by the rules, not refused for good).
    unconfirmed = rows(
        url,
        "SELECT c.number, o.status, o.last_error FROM cases c JOIN outbox o ON o.case_id = c.id "
        "AND o.kind = 'confirmation' WHERE o.status NOT IN ('suppressed', 'failed') AND c.confirmed_at IS NULL",
    )
    assert unconfirmed == [], unconfirmed
    failed = rows(url, "SELECT last_error FROM outbox WHERE kind = 'confirmation' AND status = 'failed'")
    # Only a permanent refusal, or an item foimail cannot compose or send (SMTPUTF8), gives up: reported.
    given_up = (" 5", "could not be composed", "could not be sent", "SMTPUTF8")
    assert all(any(mark in f" {error}" for mark in given_up) for (error,) in failed), failed
    numbers = Counter(
        str(email.message_from_bytes(m.data, policy=default)["Subject"]).split("]")[0]
        for m in list(smtp_server.messages)
        if "Registration confirmed" in str(email.message_from_bytes(m.data, policy=default)["Subject"])
    )
    set_aside = count(url, "SELECT count(*) FROM messages WHERE direction = 'in' AND set_aside")
    return Tally(cases, inbound, set_aside, len(failed), sum(numbers.values()), sum(numbers.values()) - len(numbers))


def record(name: str, started: float, **figures: Any) -> None:
    """Print this run's figures, and write them to $FOIMAIL_RELIABILITY_FIGURES (docs/RELIABILITY.md quotes them)."""
    entry = {"test": name, "seconds": round(time.monotonic() - started, 1), **figures}
    line = json.dumps(entry, ensure_ascii=False, default=str)
    print(line)
    directory = os.environ.get(FIGURES_ENV)
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        (Path(directory) / f"{name}.json").write_text(line + "\n", encoding="utf-8")
