"""What every mail source offers the intake runner: IMAP and Maildir today; POP3 or Microsoft Graph would be one
more module implementing `MailSource`.

The contract that keeps "nothing lost, nothing twice": `pending()` hands out raw bytes without changing the
message; the runner stores it in one transaction and only then calls `move()`, which must never delete.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
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


class MailSource(Protocol):
    @property
    def source_name(self) -> str: ...

    @property
    def uidvalidity(self) -> int | None:
        """IMAP's UIDVALIDITY (RFC 3501 §2.3.1.1), None where keys never change meaning."""
        ...

    def open(self) -> None:
        """Connect if not connected; raise TransientError or PermanentError when that fails."""

    def pending(self) -> Iterator[ArrivedMessage]:
        """Every message waiting now, oldest first, fetched without marking it read."""
        ...

    def move(self, key: str, folder: str) -> None:
        """Move a stored message to Processed or Quarantine. Never deletes."""

    def wait_for_mail(self, stop: threading.Event, poll_seconds: float) -> None:
        """Block until new mail may be there (IMAP IDLE), `poll_seconds` at most, or until `stop`."""

    def close(self) -> None:
        """Drop the connection; the next `open` connects afresh."""
