"""Outgoing mail as bytes: RFC 5322 headers, MIME structure, RFC 2047/2231 encodings, RFC 3834 markers.

Everything on the wire is ASCII: Georgian subjects and names become RFC 2047 encoded words, Georgian
domains IDNA A-labels, Georgian filenames RFC 2231 parameters, bodies quoted-printable or base64, lines
CRLF-terminated. The one exception is a non-ASCII local part (``ნინო@example.ge``), which no encoding can
express: that message carries the address in UTF-8 (RFC 6532) and must go out with SMTPUTF8 (RFC 6531);
`needs_smtputf8` in `mail.addresses` tells the sender.
A msg-id a requester's software got wrong (``<xxxxxx>``) is left out of In-Reply-To and References:
threading is a courtesy, and it must never stop a confirmation.
"""

from __future__ import annotations

import base64
import re
import uuid
from collections.abc import Sequence
from datetime import datetime
from email import headerregistry, policy
from email.contentmanager import _encode_text  # type: ignore[attr-defined]  # the stdlib's choice of encoding
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, formataddr
from typing import Final

from foimail.core.message import Address, Attachment
from foimail.core.vocabulary import LOOP_HEADER, MESSAGE_ID_PREFIX
from foimail.mail.addresses import needs_smtputf8, wire_address
from foimail.mail.headers import is_valid_msg_id, parse_msg_ids

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
_DOTTED_ATEXT = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+")  # RFC 5322 §3.2.3 atext, dots anywhere
_MAX_ENCODED_WORD = 75  # RFC 2047 §2
_MAX_LINE = 78  # RFC 5322 §2.1.1
_LINE_END = re.compile(r"\r\n|\r|\n")  # what the stdlib's generator writes as CRLF


def make_message_id(domain: str) -> str:
    """A new msg-id `<foimail.{uuid4 hex}@{domain}>`: the prefix lets us recognise our mail coming back.

    core.classify.is_own_message_id is the reading side of this format.
    """
    return f"<{MESSAGE_ID_PREFIX}{uuid.uuid4().hex}@{domain}>"


def thread_references(references: Sequence[str], in_reply_to: str | None) -> tuple[str, ...]:
    """The References of a reply (RFC 5322 §3.6.4): the parent's References, then the parent's msg-id."""
    ids = [i for value in references for i in parse_msg_ids(value) if is_valid_msg_id(i)]
    parent = _parent_id(in_reply_to)
    return tuple(dict.fromkeys([*ids, parent] if parent else ids))


def _parent_id(in_reply_to: str | None) -> str | None:
    """The first valid msg-id of an In-Reply-To value: the message a reply answers."""
    return next((i for i in parse_msg_ids(in_reply_to or "") if is_valid_msg_id(i)), None)


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
    An address with a non-ASCII local part is written in UTF-8 (RFC 6532): send it with SMTPUTF8.
    Invalid msg-ids in `in_reply_to` and `references` are left out. Raises ValueError for a naive `date`,
    a malformed `message_id`, header or auto-submitted keyword, or a recipient that is no address.
    """
    if date.tzinfo is None or date.utcoffset() is None:
        raise ValueError("date must be timezone-aware")
    fields = _fields(sender, to, subject, date, message_id, in_reply_to, references)
    if auto_submitted is not None:
        fields += _auto_submitted(auto_submitted)
    if loop_header is not None:
        name, value = loop_header
        fields.append(_header_field(name, value or sender.address))
    fields += [_header_field(name, value) for name, value in extra_headers]
    utf8 = needs_smtputf8([sender.address, *(address.address for address in to)])
    if not utf8 and html is None and not attachments:
        plain = plain_text_message(fields, text)
        if plain is not None:
            return plain
    return stdlib_message(fields, text, html, attachments, utf8=utf8)


# A header field: (name, value, raw). A raw value is written as it stands (folded by us, "\n " between
# lines); any other is the stdlib's to fold and encode. A Date's value is its datetime.
Field = tuple[str, "str | datetime", bool]


def _fields(
    sender: Address,
    to: Sequence[Address],
    subject: str,
    date: datetime,
    message_id: str,
    in_reply_to: str | None,
    references: Sequence[str],
) -> list[Field]:
    fields: list[Field] = [("From", _fold("From", _mailbox(sender)), True)]
    if to:
        mailboxes = [piece for i, a in enumerate(to) for piece in _mailbox(a, last=i == len(to) - 1)]
        fields.append(("To", _fold("To", mailboxes), True))
    fields.append(("Subject", _fold("Subject", _unstructured(subject)), True))
    fields.append(("Date", date, False))
    fields.append(("Message-ID", _single_msg_id(message_id), True))
    parent = _parent_id(in_reply_to)
    if parent:
        fields.append(("In-Reply-To", parent, True))
    thread = thread_references(references, in_reply_to)
    if thread:
        fields.append(("References", "\n ".join(thread), True))
    return fields


def stdlib_message(
    fields: Sequence[Field], text: str, html: str | None, attachments: Sequence[Attachment], *, utf8: bool
) -> bytes:
    """The message built and generated by the stdlib's `email` package: any shape."""
    msg = EmailMessage(policy=_POLICY)
    for name, value, raw in fields:
        if raw:
            msg.set_raw(name, value)
        else:
            msg[name] = value
    _add_body(msg, text, html, attachments)
    return msg.as_bytes(policy=_GENERATE.clone(utf8=True) if utf8 else _GENERATE)


def plain_text_message(fields: Sequence[Field], text: str) -> bytes | None:
    """A text/plain message written directly, byte for byte what `stdlib_message` writes (a test compares
    them), at a fraction of its cost; None when a field needs the stdlib's folding or encoding."""
    lines: list[str] = []
    for name, value, raw in fields:
        if isinstance(value, datetime):
            value = format_datetime(value)
        elif not (value.isascii() and (raw or _needs_no_folding(name, value))):
            return None
        lines.append(f"{name}: " + "\r\n".join(value.splitlines()))
    cte, payload = _encode_text(_one_newline_style(text), "utf-8", None, _POLICY)
    lines += ['Content-Type: text/plain; charset="utf-8"', f"Content-Transfer-Encoding: {cte}", "MIME-Version: 1.0"]
    body = "\r\n".join(_LINE_END.split(payload))
    return ("\r\n".join(lines) + "\r\n\r\n" + body).encode("ascii")


def _needs_no_folding(name: str, value: str) -> bool:
    """A value the stdlib writes unchanged: one line of single-spaced ASCII words, no encoded word."""
    return "=?" not in value and value == " ".join(value.split()) and len(name) + 2 + len(value) <= _MAX_LINE


def _one_newline_style(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text if text.endswith("\n") else text + "\n"


def _mailbox(address: Address, last: bool = True) -> list[str]:
    """A mailbox as foldable pieces: an ASCII name quoted as needed, any other as RFC 2047 words."""
    addr_spec = wire_address(address.address)  # ბათუმი.ge -> xn--...; ValueError for a non-address
    if addr_spec.isascii():
        addr_spec = _ascii_addr_spec(addr_spec)
    name = " ".join(address.name.split())
    if not name:
        pieces = [addr_spec]
    elif name.isascii() and "=?" not in name:  # a literal "=?...?=" would be read as an encoded word
        pieces = [*formataddr((name, "x@x")).removesuffix(" <x@x>").split(" "), f"<{addr_spec}>"]
    else:
        pieces = [*_encoded_words(name), f"<{addr_spec}>"]
    return pieces if last else [*pieces[:-1], pieces[-1] + ","]


def _ascii_addr_spec(addr_spec: str) -> str:
    """The addr-spec validated, quoting a local part of atext and stray dots (RFC 5322 §3.4.1 quoted-string).

    Japanese carriers issued addresses such as ``taro..hanako@`` and ``taro.@`` for years; they are
    delivered, and the header must still be well-formed.
    """
    try:
        return headerregistry.Address(addr_spec=addr_spec).addr_spec
    except ValueError:
        local, _, domain = addr_spec.rpartition("@")
        if not _DOTTED_ATEXT.fullmatch(local):
            raise
        return f'"{local}"@{headerregistry.Address(addr_spec="x@" + domain).domain}'


def _unstructured(text: str) -> list[str]:
    """Subject text as foldable pieces: ASCII words stay readable ([FOI-2026-00042]), the rest encoded."""
    pieces: list[str] = []
    pending: list[str] = []
    for word in text.split():
        if word.isascii() and "=?" not in word and len(word) <= 70:
            pieces += _encoded_words(" ".join(pending)) if pending else []
            pending = []
            pieces.append(word)
        else:
            pending.append(word)
    return pieces + (_encoded_words(" ".join(pending)) if pending else [])


def _encoded_words(text: str) -> list[str]:
    """RFC 2047 §2 B-encoded UTF-8 words of at most 75 characters, split after a space where possible.

    The space that separates two words is encoded inside the first, since the whitespace between
    encoded words is not text (RFC 2047 §6.2); readers that keep it anyway still see whole words.
    """
    chunks: list[str] = []
    chunk = ""
    for token in re.findall(r"\S+\s*|\s+", text):
        if _encoded_length(chunk + token) > _MAX_ENCODED_WORD:
            if chunk:
                chunks.append(chunk)
            chunk = ""
            for char in token:  # longer than one encoded word: split between characters
                if _encoded_length(chunk + char) > _MAX_ENCODED_WORD:
                    chunks.append(chunk)
                    chunk = ""
                chunk += char
        else:
            chunk += token
    chunks.append(chunk)
    return ["=?utf-8?b?" + base64.b64encode(c.encode("utf-8")).decode("ascii") + "?=" for c in chunks if c]


def _encoded_length(text: str) -> int:
    return len("=?utf-8?b??=") + 4 * -(-len(text.encode("utf-8")) // 3)


def _fold(name: str, pieces: list[str]) -> str:
    """Join `pieces` with single spaces, breaking lines before a piece that would pass 78 characters."""
    lines = [""]
    width = len(name) + 2
    for piece in pieces:
        if lines[-1] and width + 1 + len(piece) > _MAX_LINE:
            lines.append("")
            width = 0
        lines[-1] += (" " if lines[-1] or len(lines) > 1 else "") + piece
        width += 1 + len(piece)
    return "\n".join(lines)


def _single_msg_id(value: str) -> str:
    ids = parse_msg_ids(value)
    if len(ids) != 1 or not is_valid_msg_id(ids[0]):
        raise ValueError(f"not a single msg-id: {value!r}")
    return ids[0]


def _auto_submitted(keyword: str) -> list[Field]:
    """RFC 3834 §5 Auto-Submitted; Microsoft's X-Auto-Response-Suppress stops Exchange out-of-office."""
    if keyword.partition(";")[0].strip().lower() not in AUTO_SUBMITTED_KEYWORDS:
        raise ValueError(f"not an RFC 3834 Auto-Submitted value: {keyword!r}")
    fields: list[Field] = [("Auto-Submitted", keyword, False)]
    if keyword != "no":
        fields.append(("X-Auto-Response-Suppress", "All", False))
    return fields


def _header_field(name: str, value: str) -> Field:
    if not _HEADER_NAME.fullmatch(name) or "\r" in value or "\n" in value:
        raise ValueError(f"refusing header {name!r}: {value!r}")
    return (name, value, False)


def _add_body(msg: EmailMessage, text: str, html: str | None, attachments: Sequence[Attachment]) -> None:
    msg.set_content(_one_newline_style(text), subtype="plain", charset="utf-8")
    if html is not None:
        msg.add_alternative(html, subtype="html", charset="utf-8")
    for attachment in attachments:
        content_type, _, parameters = attachment.content_type.partition(";")
        maintype, _, subtype = content_type.strip().lower().partition("/")
        extra = dict(_parameter(p) for p in parameters.split(";") if "=" in p)  # e.g. charset=utf-8
        if not maintype or not subtype or maintype == "multipart":
            maintype, subtype = "application", "octet-stream"
        if (maintype, subtype) == ("message", "rfc822"):
            # RFC 2046 §5.2.1: a message/rfc822 part is never base64; attach the message itself.
            inner = BytesParser(policy=policy.SMTP).parsebytes(attachment.data)
            msg.add_attachment(inner, disposition="attachment", filename=attachment.filename)
            continue
        msg.add_attachment(
            attachment.data,
            maintype=maintype,
            subtype=subtype,
            filename=attachment.filename,
            params={**extra, "name": attachment.filename},  # older Outlook reads only the Content-Type name
        )
    for part in msg.walk():
        if part is not msg:
            del part["MIME-Version"]  # EmailMessage adds it to every part it creates


def _parameter(text: str) -> tuple[str, str]:
    name, _, value = text.partition("=")
    return name.strip().lower(), value.strip().strip('"')
