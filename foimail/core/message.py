"""The inbound message as a value: what `mail.parse` produces and the rules in `core` look at."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


@dataclass(frozen=True)
class DeferredBytes:
    """A large attachment's bytes, decoded only when asked for: its size and sha256 were counted while the
    message was parsed, so storing its facts never holds a decoded copy (docs/PERFORMANCE.md, "Memory")."""

    size: int
    sha256: str
    decode: Callable[[], bytes] = field(repr=False, compare=False)


@dataclass(frozen=True)
class Attachment:
    """One attachment of a message; `filename` is already made safe for storage and display."""

    filename: str
    content_type: str
    content: bytes | DeferredBytes
    content_id: str = ""  # Content-ID without <>, how an HTML body shows it inline (<img src="cid:...">)

    @property
    def data(self) -> bytes:
        """The decoded bytes (decoded now, for a large attachment: only relaying it needs them)."""
        return self.content if isinstance(self.content, bytes) else self.content.decode()

    @property
    def size(self) -> int:
        return len(self.content) if isinstance(self.content, bytes) else self.content.size

    @property
    def sha256(self) -> str:
        """Hex digest of the decoded bytes."""
        if isinstance(self.content, bytes):
            return hashlib.sha256(self.content).hexdigest()
        return self.content.sha256


@dataclass(frozen=True)
class Address:
    """A mailbox: `address` is lower-cased and stripped; `name` is the decoded display name."""

    address: str
    name: str = ""


class SenderSource(StrEnum):
    """Where the sender's address was read: a clean From, or the fallback that found it."""

    FROM = "from"
    FROM_REPAIRED = "from-repaired"  # encoded as a whole (RFC 2047 misuse), or a missing <, >, stray quotes
    REPLY_TO = "reply-to"
    SENDER = "sender"
    RETURN_PATH = "return-path"


@dataclass(frozen=True)
class InboundMessage:
    """A parsed message. Header names in `headers` are lower-case; values are decoded text.

    Parsing never raises: whatever could not be understood is listed in `defects`.
    """

    message_id: str | None
    sender: Address | None  # From:, else the first address of Reply-To, Sender, Return-Path (see sender_source)
    return_path: str | None  # Return-Path: "" for the null sender <>, None when absent
    to: tuple[Address, ...] = ()
    cc: tuple[Address, ...] = ()
    reply_to: tuple[Address, ...] = ()
    subject: str = ""
    date: datetime | None = None
    in_reply_to: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    headers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    content_type: str = "text/plain"
    text: str = ""
    html: str | None = None
    attachments: tuple[Attachment, ...] = ()
    defects: tuple[str, ...] = ()
    # Headers of message/rfc822 and text/rfc822-headers parts (what a bounce or a forward carries).
    embedded_headers: tuple[dict[str, tuple[str, ...]], ...] = ()
    # Per-recipient fields of message/delivery-status parts (RFC 3464), lower-case keys: action, status, ...
    delivery_status: tuple[dict[str, str], ...] = ()
    sender_source: SenderSource | None = None  # None when there is no sender
    # Addresses a bounce reports as failed, as GNU Mailman's detectors read them (`mail.bounces`).
    failed_recipients: tuple[str, ...] = ()

    def header(self, name: str) -> str | None:
        """The first value of header `name` (any case), or None."""
        values = self.headers.get(name.lower())
        return values[0] if values else None

    def header_values(self, name: str) -> tuple[str, ...]:
        """Every value of header `name` (any case), in message order."""
        return self.headers.get(name.lower(), ())
