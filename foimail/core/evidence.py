"""Small readings of a message that several rules share: addresses, our msg-ids, quoted header evidence."""

from __future__ import annotations

import re

from foimail.core.message import InboundMessage
from foimail.core.vocabulary import MESSAGE_ID_PREFIX

__all__ = [
    "ADDRESS",
    "is_own_message_id",
    "is_usable_address",
    "quote",
    "related_message_ids",
    "report_type",
    "token",
]

ADDRESS = re.compile(r"[^\s@<>()\[\],;:\"]+@[^\s@<>()\[\],;:\"]+\.[^\s@<>()\[\],;:\"]+")
# RFC 5321 §4.1.2 local part (dot-atom; UTF-8 allowed by RFC 6531) and a domain of letter-digit-hyphen labels
# (IDNA labels in any script, RFC 5890) under a non-numeric top-level label: `'nino@example.ge'` is not one.
# U+FFFD stands for bytes that could not be decoded (a windows-1258 "é" in dkimpy's rfc6376.w1258.msg): the
# address is not known, and answering the guess would write to nobody, or to a stranger.
_LABEL = r"[^\W_](?:[\w-]{0,61}[^\W_])?"
_USABLE_ADDRESS = re.compile(rf"[^\s@<>()\[\]\\,;:\"\ufffd]+@(?:{_LABEL}\.)+(?!\d+$){_LABEL}")
_MAX_QUOTE = 160


def is_usable_address(address: str) -> bool:
    """True for something shaped like ``local@domain.tld`` that mail could be sent to (RFC 5322 §3.4.1)."""
    return _USABLE_ADDRESS.fullmatch(address.strip()) is not None


def quote(name: str, value: str) -> str:
    """``Name: value`` for a reason, folded to one line and cut short."""
    value = " ".join(value.split())
    if len(value) > _MAX_QUOTE:
        value = value[: _MAX_QUOTE - 1] + "…"
    return f"{name}: {value}"


def token(value: str) -> str:
    """The leading keyword of a structured header value, without parameters or comments (RFC 3834 §5)."""
    return re.split(r"[;(\s]", value.strip(), maxsplit=1)[0].lower()


def _own_id_regex(office_domain: str) -> str:
    return rf"{re.escape(MESSAGE_ID_PREFIX)}[0-9a-f]+@{re.escape(office_domain.strip())}"


def is_own_message_id(message_id: str, office_domain: str) -> bool:
    """True for the Message-IDs foimail gives its own mail: ``<foimail.{hex}@{domain}>``."""
    pattern = f"<?{_own_id_regex(office_domain)}>?"
    return re.fullmatch(pattern, message_id.strip(), re.IGNORECASE) is not None


def report_type(message: InboundMessage) -> str | None:
    """The report-type of a multipart/report message (RFC 6522 §3), "" when missing, None for other types."""
    if message.content_type.lower() != "multipart/report":
        return None
    found = re.search(r"report-type\s*=\s*\"?([\w.-]+)", message.header("content-type") or "", re.IGNORECASE)
    return found.group(1).lower() if found else ""


def related_message_ids(message: InboundMessage, office_domain: str) -> tuple[str, ...]:
    """Message-IDs (``<...>``) of our mail: embedded headers, In-Reply-To, References, quoted text."""
    candidates = [
        *(value for headers in message.embedded_headers for value in headers.get("message-id", ())),
        *message.in_reply_to,
        *message.references,
        *re.findall(f"<{_own_id_regex(office_domain)}>", message.text, re.IGNORECASE),
    ]
    found: list[str] = []
    for candidate in candidates:
        message_id = "<" + candidate.strip().strip("<>") + ">"
        if is_own_message_id(message_id, office_domain) and message_id not in found:
            found.append(message_id)
    return tuple(found)
