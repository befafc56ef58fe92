"""The inbound message as a value: what `mail.parse` produces and the rules in `core` look at."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


@dataclass(frozen=True)
class Attachment:
    """One attachment of a message; `filename` is already made safe for storage and display."""

    filename: str
    content_type: str
    data: bytes
    content_id: str = ""  # Content-ID without <>, how an HTML body shows it inline (<img src="cid:...">)


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
