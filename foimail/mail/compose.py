"""Outgoing mail as bytes: RFC 5322 headers, MIME structure, RFC 2047/2231 encodings, RFC 3834 markers.

Everything on the wire is ASCII (no SMTPUTF8): Georgian subjects and names become RFC 2047 encoded
words, Georgian filenames RFC 2231 parameters, bodies quoted-printable or base64, lines CRLF-terminated.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import datetime
from email import headerregistry, policy
from email.message import EmailMessage
from typing import Final

from foimail.core.message import Address, Attachment
from foimail.mail.headers import parse_msg_ids

MESSAGE_ID_PREFIX: Final = "foimail."
LOOP_HEADER: Final = "X-Foimail-Loop"
# An empty value stands for the sender's address: the office address in every message we send.
DEFAULT_LOOP_HEADER: Final = (LOOP_HEADER, "")
# RFC 3834 §5 keywords, plus auto-notified from RFC 5436 §2.7.
AUTO_SUBMITTED_KEYWORDS: Final = frozenset({"no", "auto-generated", "auto-replied", "auto-notified"})

# 7bit: bodies are never sent as raw 8-bit; CRLF line ends and 78-character folding come from SMTP.
_POLICY = policy.SMTP.clone(cte_type="7bit")
# Message-ID, In-Reply-To and References are folded by us, one msg-id per line: the stdlib would wrap a
# long Outlook msg-id in an encoded word, and no client threads on that.
_GENERATE = _POLICY.clone(refold_source="none")
_HEADER_NAME = re.compile(r"[!-9;-~]+")  # RFC 5322 §3.6.8 ftext


def make_message_id(domain: str) -> str:
    """A new msg-id `<foimail.{uuid4 hex}@{domain}>`: the prefix lets us recognise our mail coming back."""
    return f"<{MESSAGE_ID_PREFIX}{uuid.uuid4().hex}@{domain}>"


def is_own_message_id(message_id: str) -> bool:
    """True for a msg-id that make_message_id produced (any domain)."""
    return message_id.strip().lstrip("<").startswith(MESSAGE_ID_PREFIX)


def thread_references(references: Sequence[str], in_reply_to: str | None) -> tuple[str, ...]:
    """The References of a reply (RFC 5322 §3.6.4): the parent's References, then the parent's msg-id."""
    ids = [i for value in references for i in parse_msg_ids(value)]
    if in_reply_to:
        ids += parse_msg_ids(in_reply_to)
    return tuple(dict.fromkeys(ids))


def compose_message(
    *,
    sender: Address,
    to: Sequence[Address],
    subject: str,
    text: str,
    html: str | None = None,
    attachments: Sequence[Attachment] = (),
    in_reply_to: str | None = None,
    references: Sequence[str] = (),
    message_id: str,
    date: datetime,
    auto_submitted: str | None = "auto-replied",
    loop_header: tuple[str, str] | None = DEFAULT_LOOP_HEADER,
    extra_headers: Sequence[tuple[str, str]] = (),
) -> bytes:
    """One outgoing message as CRLF bytes, ready for SMTP DATA or IMAP APPEND.

    `text` becomes text/plain (always present, ends with a newline); `html`, when given, its
    multipart/alternative twin; `attachments` wrap both in multipart/mixed. `auto_submitted` other
    than None and "no" also asks Exchange not to answer (X-Auto-Response-Suppress: All).
    Raises ValueError for a naive `date`, a malformed msg-id or header, or a non-ASCII local part.
    """
    if date.tzinfo is None or date.utcoffset() is None:
        raise ValueError("date must be timezone-aware")
    msg = EmailMessage(policy=_POLICY)
    msg["From"] = _mailbox(sender)
    msg["To"] = [_mailbox(address) for address in to]
    msg["Subject"] = " ".join(subject.split())
    msg["Date"] = date
    msg.set_raw("Message-ID", _single_msg_id(message_id))
    if in_reply_to is not None:
        msg.set_raw("In-Reply-To", _single_msg_id(in_reply_to))
    thread = thread_references(references, in_reply_to)
    if thread:
        msg.set_raw("References", "\n ".join(thread))
    if auto_submitted is not None:
        _add_auto_submitted(msg, auto_submitted)
    if loop_header is not None:
        name, value = loop_header
        _add_header(msg, name, value or sender.address)
    for name, value in extra_headers:
        _add_header(msg, name, value)
    _add_body(msg, text, html, attachments)
    return msg.as_bytes(policy=_GENERATE)


def _mailbox(address: Address) -> headerregistry.Address:
    local, at, domain = address.address.strip().rpartition("@")
    if not at or not local or not local.isascii():
        raise ValueError(f"cannot send to {address.address!r} without SMTPUTF8")
    ascii_domain = domain.encode("idna").decode("ascii")  # IDNA 2003: ბათუმი.ge -> xn--...
    display_name = " ".join(address.name.split())
    return headerregistry.Address(display_name=display_name, addr_spec=f"{local}@{ascii_domain}")


def _single_msg_id(value: str) -> str:
    ids = parse_msg_ids(value)
    if len(ids) != 1 or "@" not in ids[0]:
        raise ValueError(f"not a single msg-id: {value!r}")
    return ids[0]


def _add_auto_submitted(msg: EmailMessage, keyword: str) -> None:
    """RFC 3834 §5 Auto-Submitted; Microsoft's X-Auto-Response-Suppress stops Exchange out-of-office."""
    if keyword.partition(";")[0].strip().lower() not in AUTO_SUBMITTED_KEYWORDS:
        raise ValueError(f"not an RFC 3834 Auto-Submitted value: {keyword!r}")
    msg["Auto-Submitted"] = keyword
    if keyword != "no":
        msg["X-Auto-Response-Suppress"] = "All"


def _add_header(msg: EmailMessage, name: str, value: str) -> None:
    if not _HEADER_NAME.fullmatch(name) or "\r" in value or "\n" in value:
        raise ValueError(f"refusing header {name!r}: {value!r}")
    msg[name] = value


def _add_body(msg: EmailMessage, text: str, html: str | None, attachments: Sequence[Attachment]) -> None:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    msg.set_content(text if text.endswith("\n") else text + "\n", subtype="plain", charset="utf-8")
    if html is not None:
        msg.add_alternative(html, subtype="html", charset="utf-8")
    for attachment in attachments:
        maintype, _, subtype = attachment.content_type.lower().partition("/")
        if not maintype or not subtype or maintype == "multipart":
            maintype, subtype = "application", "octet-stream"
        msg.add_attachment(
            attachment.data,
            maintype=maintype,
            subtype=subtype,
            filename=attachment.filename,
            params={"name": attachment.filename},  # older Outlook reads only the Content-Type name
        )
    for part in msg.walk():
        if part is not msg:
            del part["MIME-Version"]  # EmailMessage adds it to every part it creates
