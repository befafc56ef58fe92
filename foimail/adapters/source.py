"""What every mail source offers the intake runner: IMAP and Maildir today; POP3 or Microsoft Graph would be one
more module implementing `MailSource`.

The contract that keeps "nothing lost, nothing twice": `pending()` hands out raw bytes without changing the
messages; the runner stores each in its own transaction and only then calls `move()` for the batch's messages,
which must never delete. Batches exist for speed: one IMAP round trip fetches many messages, one moves them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class ArrivedMessage:
    """One message as the source holds it: `key` names it for `move`, `origin` is recorded with the message."""

    key: str
    raw: bytes
    internal_date: datetime | None
    origin: str


ARRIVAL_CHECK_SECONDS = 0.05  # how soon a wait notices `arrived`: 20 local checks a second, no traffic


def wait_for_either(stop: threading.Event, arrived: threading.Event | None, seconds: float) -> None:
    """Sleep up to `seconds`, ending early on `stop` or on `arrived` (which is then cleared)."""
    if arrived is None:
        stop.wait(seconds)
        return
    deadline = time.monotonic() + seconds
    while not stop.is_set() and (left := deadline - time.monotonic()) > 0:
        if arrived.wait(min(ARRIVAL_CHECK_SECONDS, left)):
            arrived.clear()
            return


class MailSource(Protocol):
    @property
    def source_name(self) -> str: ...

    @property
    def uidvalidity(self) -> int | None:
        """IMAP's UIDVALIDITY (RFC 3501 §2.3.1.1), None where keys never change meaning."""
        ...

    def open(self) -> None:
        """Connect if not connected; raise TransientError or PermanentError when that fails."""

    def pending(self) -> Iterator[Sequence[ArrivedMessage]]:
        """Every message waiting now, oldest first, in batches, fetched without marking them read."""
        ...

    def move(self, keys: Sequence[str], folder: str) -> None:
        """Move stored messages to Processed or Quarantine. Never deletes."""

    def wait_for_mail(self, stop: threading.Event, poll_seconds: float, arrived: threading.Event | None = None) -> None:
        """Block until new mail may be there (IMAP IDLE), `poll_seconds` at most, or until `stop`.

        `arrived` is set by the mail server's push notification (`PUT /wake`, adapters/http.py): the wait ends
        (and the event is cleared) within `ARRIVAL_CHECK_SECONDS` of it, sooner than a server's IDLE may speak.
        """

    def close(self) -> None:
        """Drop the connection; the next `open` connects afresh."""
