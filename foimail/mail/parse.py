"""Raw message bytes to an InboundMessage. Never raises: what cannot be understood is listed in `defects`."""

from __future__ import annotations

import binascii
import dataclasses
import quopri
import re
from collections.abc import Callable
from email import policy
from email.feedparser import BytesFeedParser
from email.message import Message
from email.parser import BytesHeaderParser
from email.utils import collapse_rfc2231_value

from foimail.core.message import Address, Attachment, DeferredBytes, InboundMessage
from foimail.mail.bounces import failed_recipients
from foimail.mail.charsets import decode_bytes, repair_escaped_bytes
from foimail.mail.filenames import safe_filename
from foimail.mail.headers import (
    HeaderField,
    describe_defect,
    header_map,
    parse_date,
    parse_msg_ids,
    parse_return_path,
    prepare_source,
    read_fields,
)
from foimail.mail.large_parts import LARGE_BODY, LargeBodies
from foimail.mail.sender import find_sender, read_mailboxes
from foimail.mail.text_body import html_to_text, normalise_newlines, sniff_html_charset, unflow

__all__ = ["parse_message", "safe_filename"]

# The MIME structure is read with compat32: its headers stay plain strings, so walking the tree never
# re-parses (or raises on) a header. Each header is decoded once, with policy.default, in headers.py.
_STRUCTURE_POLICY = policy.compat32
_HEADER_POLICY = policy.default
# Re-serialising an embedded message must not refold (and so rewrite) the headers it came with.
_REGENERATE = policy.default.clone(refold_source="none", linesep="\r\n")
_FEED_CHUNK = 1 << 20  # feeding in chunks keeps the decoded copy of a 50 MB message out of memory
MAX_DEPTH = 30
_CUT_ATTEMPTS = 3
_BASE64_TEXT = re.compile(r"[A-Za-z0-9+/\s]*=*\s*")
_NOT_BASE64 = re.compile(r"[^A-Za-z0-9+/=]")
_WHITESPACE = re.compile(r"\s")
_BLOCK_BREAK = re.compile(rb"\r?\n[ \t]*\r?\n")
# RFC 2046 §5.1.1 bchars on a line of its own, followed by a header line (not just a row of dashes).
_BOUNDARY_LINE = re.compile(
    r"^--([0-9A-Za-z'()+_,./:=? -]{0,69}[0-9A-Za-z'()+_,./:=?-])[ \t]*\r?\n(?=[A-Za-z][A-Za-z0-9-]*:)",
    re.MULTILINE,
)
_EMBEDDED_MESSAGE = frozenset({"message/rfc822", "message/global"})
# RFC 6533 §3: a DSN about SMTPUTF8 mail (Postfix writes them) uses the message/global-* twins of RFC 3464's parts.
_DELIVERY_STATUS = frozenset({"message/delivery-status", "message/global-delivery-status"})
_RETURNED_HEADERS = frozenset({"text/rfc822-headers", "message/global-headers"})
# RFC 3464 §2.3: fields that occur only in per-recipient blocks.
_PER_RECIPIENT = frozenset({"final-recipient", "original-recipient", "action", "status"})


def _always(message: InboundMessage) -> bool:
    return True


def parse_message(
    raw: bytes,
    *,
    large_body: int | None = LARGE_BODY,
    scan_bounce: Callable[[InboundMessage], bool] = _always,
) -> InboundMessage:
    """Parse `raw` (as fetched, CRLF or LF) into an InboundMessage; never raises.

    Bodies above `large_body` bytes are kept away from `email`'s parser (large_parts.py); None parses the
    whole message with `email`, the reference the cut is tested against (same result, more memory).
    The bounce detectors (`failed_recipients`) cost more than the rest of the parse together; they run only
    when `scan_bounce` says their finding could count for this message (intake asks the classifier).
    """
    try:
        message = _parse(raw, large_body)
        if scan_bounce(message):
            message = dataclasses.replace(message, failed_recipients=failed_recipients(raw))
        return message
    # The contract is "never raises": a RecursionError on absurd nesting or a stdlib bug on hostile input
    # becomes a defect, and the raw bytes stay with the caller.
    except Exception as exc:
        text, _ = decode_bytes(raw, None, "message")
        return InboundMessage(
            message_id=None,
            sender=None,
            return_path=None,
            text=normalise_newlines(text),
            defects=(f"message could not be parsed ({type(exc).__name__}: {exc}); kept as text",),
        )


def _feed(raw: bytes) -> Message:
    parser = BytesFeedParser(policy=_STRUCTURE_POLICY)
    view = memoryview(raw)
    for start in range(0, len(view), _FEED_CHUNK):
        parser.feed(bytes(view[start : start + _FEED_CHUNK]))
    return parser.close()


def _tree(raw: bytes, large_body: int | None) -> tuple[Message, LargeBodies | None]:
    """The MIME tree; a large message's large bodies are cut out of it when the cut holds (large_parts.py)."""
    if large_body is not None and len(raw) > large_body:
        large = LargeBodies(raw, large_body)
        for _ in range(_CUT_ATTEMPTS):  # each failed attempt leaves the bodies it got wrong in place
            skeleton = large.skeleton()
            if skeleton is None:
                break
            msg = _feed(skeleton)
            if large.claim(msg):
                return msg, large
    return _feed(raw), None


def _parse(raw: bytes, large_body: int | None) -> InboundMessage:
    msg, large = _tree(raw, large_body)
    fields, defects = read_fields(msg, "message")
    body = _BodyWalk(large)
    body.walk(msg, depth=0)
    message_ids = parse_msg_ids(_source(fields, "message-id") or "")
    date_source = _source(fields, "date")
    date, date_defect = parse_date(date_source) if date_source else (None, None)
    sender, sender_source, sender_defects = find_sender(fields)
    if _source(fields, "from") is not None and sender is None:
        defects.append(f"From header {_source(fields, 'from')!r} holds no address")
    defects += sender_defects
    if _source(fields, "message-id") is not None and not message_ids:
        defects.append(f"Message-ID header {_source(fields, 'message-id')!r} holds no msg-id")
    return_path = _source(fields, "return-path")
    subject = next((f.text for f in fields if f.name.lower() == "subject"), "")
    defects += [d for d in (date_defect,) if d] + body.defects
    return InboundMessage(
        message_id=message_ids[0] if message_ids else None,
        sender=sender,
        sender_source=sender_source,
        return_path=parse_return_path(return_path) if return_path is not None else None,
        to=_addresses(fields, "to"),
        cc=_addresses(fields, "cc"),
        reply_to=_addresses(fields, "reply-to"),
        subject=" ".join(subject.split()),
        date=date,
        in_reply_to=_msg_ids(fields, "in-reply-to"),
        references=_msg_ids(fields, "references"),
        headers=header_map(fields),
        content_type=body.content_type,
        text=body.text(),
        html=body.html(),
        attachments=tuple(body.attachments),
        defects=tuple(dict.fromkeys(defects)),
        embedded_headers=tuple(body.embedded_headers),
        delivery_status=tuple(body.delivery_status),
    )


def _source(fields: list[HeaderField], name: str) -> str | None:
    return next((f.source for f in fields if f.name.lower() == name), None)


def _addresses(fields: list[HeaderField], name: str) -> tuple[Address, ...]:
    """Every usable mailbox of every `name` header (duplicated To: lines happen), read as one list."""
    named = [f for f in fields if f.name.lower() == name]
    return read_mailboxes(", ".join(f.source for f in named), ", ".join(f.text for f in named))[0] if named else ()


def _msg_ids(fields: list[HeaderField], name: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(i for f in fields if f.name.lower() == name for i in parse_msg_ids(f.source)))


def _payload_bytes(part: Message, defects: list[str], where: str) -> bytes:
    """The transfer-decoded body of a part."""
    payload = part.get_payload()
    cte = str(part.get("content-transfer-encoding", "")).strip().lower()
    if isinstance(payload, list):  # a message/* part the parser split up (even when base64-encoded)
        encoded = b"".join(sub.as_bytes(policy=_REGENERATE) for sub in _subparts(part))
        if cte == "base64":
            return _decode_base64(encoded.decode("ascii", "surrogateescape"), defects, where)
        return quopri.decodestring(encoded) if cte == "quoted-printable" else encoded
    if cte == "base64" and isinstance(payload, str):
        return _decode_base64(payload, defects, where)
    data = part.get_payload(decode=True)  # quoted-printable, uuencode, 7bit, 8bit
    return data if isinstance(data, bytes) else b""


def _subparts(part: Message) -> list[Message]:
    payload = part.get_payload()
    return [sub for sub in payload if isinstance(sub, Message)] if isinstance(payload, list) else []


def _decode_base64(payload: str, defects: list[str], where: str) -> bytes:
    """RFC 2045 §6.8 base64, leniently: junk skipped, concatenated padded chunks and truncation survived."""
    # The common case, copy-free even for 50 MB: binascii skips the line breaks itself.
    if _BASE64_TEXT.fullmatch(payload):
        try:
            return binascii.a2b_base64(payload)
        except binascii.Error:
            pass
    cleaned = _NOT_BASE64.sub("", payload)
    if len(cleaned) != len(_WHITESPACE.sub("", payload)):
        defects.append(f"{where}: characters outside the base64 alphabet skipped")
    chunks = [chunk for chunk in cleaned.split("=") if chunk]
    if len(chunks) > 1:
        defects.append(f"{where}: base64 padding inside the data")
    decoded = []
    for chunk in chunks:  # "YQ==YQ==": chunks some encoders glue together
        if len(chunk) % 4 == 1:
            defects.append(f"{where}: base64 data truncated")
            chunk = chunk[:-1]
        decoded.append(binascii.a2b_base64(chunk + "=" * (-len(chunk) % 4)))
    return b"".join(decoded)


class _BodyWalk:
    """Collects body text, attachments and report parts from a MIME tree, in document order."""

    def __init__(self, large: LargeBodies | None = None) -> None:
        self._large = large
        self.plain: list[str] = []
        self.html_parts: list[str] = []
        self.attachments: list[Attachment] = []
        self.embedded_headers: list[dict[str, tuple[str, ...]]] = []
        self.delivery_status: list[dict[str, str]] = []
        self.defects: list[str] = []
        self.content_type = "text/plain"
        self._parts_seen = 0

    def text(self) -> str:
        plain = "".join(p if p.endswith("\n") else p + "\n" for p in self.plain if p)
        if plain.strip() or not self.html_parts:
            return plain
        return html_to_text(self.html() or "")

    def html(self) -> str | None:
        return "\n".join(self.html_parts) if self.html_parts else None

    def walk(self, part: Message, depth: int) -> None:
        self._parts_seen += 1
        where = "message" if depth == 0 else f"part {self._parts_seen}"
        try:
            content_type = part.get_content_type()
            if depth == 0:
                self.content_type = content_type
            else:
                where += f" ({content_type})"
            if depth > MAX_DEPTH:
                self.defects.append(f"{where}: nested deeper than {MAX_DEPTH} levels; ignored")
                return
            self._dispatch(part, content_type, where, depth)
        # One unreadable part must not cost the rest of the message.
        except Exception as exc:
            self.defects.append(f"{where}: could not be read ({type(exc).__name__}: {exc})")
        self.defects += [d for d in (describe_defect(x, where) for x in part.defects) if d]

    def _dispatch(self, part: Message, content_type: str, where: str, depth: int) -> None:
        maintype = content_type.partition("/")[0]
        if content_type == "multipart/alternative" and part.is_multipart():
            self._alternative(part, depth)
        elif maintype == "multipart" and part.is_multipart():
            for child in _subparts(part):
                self.walk(child, depth + 1)
        elif maintype == "multipart":
            self._multipart_without_boundary(part, content_type, where, depth)
        elif content_type in _EMBEDDED_MESSAGE:
            self._embedded_message(part, where)
        elif content_type in _DELIVERY_STATUS:
            data = self._payload(part, where)
            self._read_delivery_status(data, where)
            self._attach(part, data, where)
        elif content_type in _RETURNED_HEADERS:
            data = self._payload(part, where)
            fields, _ = read_fields(BytesHeaderParser(policy=_STRUCTURE_POLICY).parsebytes(data), where)
            self.embedded_headers.append(header_map(fields))
            self._attach(part, data, where)
        elif content_type in ("text/plain", "text/html") and not self._is_attachment(part, where):
            text = self._body_text(part, content_type, where)
            (self.plain if content_type == "text/plain" else self.html_parts).append(text)
        else:
            deferred = self._large.deferred(part) if self._large is not None else None
            self._attach(part, deferred or self._payload(part, where), where)

    def _payload(self, part: Message, where: str) -> bytes:
        if self._large is not None:
            self._large.restore(part)
        return _payload_bytes(part, self.defects, where)

    def _alternative(self, part: Message, depth: int) -> None:
        """RFC 2046 §5.1.4: keep the plain alternative for `text`, the last HTML one for `html`."""
        outer_plain, outer_html = self.plain, self.html_parts
        plains: list[list[str]] = []
        htmls: list[list[str]] = []
        for child in _subparts(part):
            self.plain, self.html_parts = [], []
            self.walk(child, depth + 1)
            plains.append(self.plain)
            htmls.append(self.html_parts)
        self.plain, self.html_parts = outer_plain, outer_html
        self.plain += next((p for p in plains if "".join(p).strip()), [])
        self.html_parts += next((h for h in reversed(htmls) if h), [])

    def _multipart_without_boundary(self, part: Message, content_type: str, where: str, depth: int) -> None:
        """Broken mailers forget the boundary parameter but still write boundary lines: guess it."""
        data = self._payload(part, where)
        text, _ = decode_bytes(data, None, where)
        match = _BOUNDARY_LINE.search(text)
        if match is None:
            self.defects.append(f"{where}: no boundary; body read as plain text")
            self.plain.append(normalise_newlines(text))
            return
        self.defects.append(f"{where}: no boundary; used {match.group(1)!r} found in the body")
        header = f'Content-Type: {content_type}; boundary="{match.group(1)}"\r\n\r\n'.encode()
        self.walk(_feed(header + data), depth + 1)

    def _embedded_message(self, part: Message, where: str) -> None:
        deferred = self._large.deferred_message(part, _REGENERATE) if self._large is not None else None
        data = deferred or self._payload(part, where)
        subparts = _subparts(part)
        cte = str(part.get("content-transfer-encoding", "")).strip().lower()
        if subparts and cte not in ("base64", "quoted-printable"):
            inner = subparts[0]
        else:
            assert isinstance(data, bytes)  # deferred only when the message came split up
            inner = BytesHeaderParser(policy=_STRUCTURE_POLICY).parsebytes(data)
        fields, _ = read_fields(inner, where)
        self.embedded_headers.append(header_map(fields))
        self._attach(part, data, where)

    def _read_delivery_status(self, data: bytes, where: str) -> None:
        """RFC 3464 §2.1: a per-message block, then one block per recipient, separated by blank lines."""
        for block in _BLOCK_BREAK.split(data.strip()):
            fields, _ = read_fields(BytesHeaderParser(policy=_STRUCTURE_POLICY).parsebytes(block), where)
            status: dict[str, str] = {}
            for field in fields:
                status.setdefault(field.name.lower(), " ".join(field.text.split()))
            if status.keys() & _PER_RECIPIENT:
                self.delivery_status.append(status)

    def _body_text(self, part: Message, content_type: str, where: str) -> str:
        data = self._payload(part, where)
        charset = part.get_content_charset()
        if charset is None and content_type == "text/html":
            charset = sniff_html_charset(data)
        text, defect = decode_bytes(data, charset, where)
        if defect:
            self.defects.append(defect)
        text = normalise_newlines(text).removeprefix("\ufeff")  # a byte-order mark is not text
        if content_type == "text/plain" and str(part.get_param("format", "")).lower() == "flowed":
            text = unflow(text, delsp=str(part.get_param("delsp", "")).lower() == "yes")
        return text

    def _is_attachment(self, part: Message, where: str) -> bool:
        return part.get_content_disposition() == "attachment" or self._filename(part, where) is not None

    def _filename(self, part: Message, where: str) -> str | None:
        """Content-Disposition filename, else Content-Type name: RFC 2231, RFC 2047 and raw 8-bit all read."""
        for header_name, param in (("content-disposition", "filename"), ("content-type", "name")):
            raw = next((str(v) for k, v in part.raw_items() if k.lower() == header_name), None)
            if raw is None:
                continue
            source, _ = prepare_source(raw, where)
            try:
                value = _HEADER_POLICY.header_factory(header_name, source).params.get(param)
            except Exception:  # see headers.decode_text; compat32's own reading is the fallback
                raw_value = part.get_param(param, header=header_name)
                value = collapse_rfc2231_value(raw_value) if raw_value is not None else None
            if isinstance(value, str) and value.strip():
                return repair_escaped_bytes(value, where)[0]
        return None

    def _attach(self, part: Message, data: bytes | DeferredBytes, where: str) -> None:
        content_type = part.get_content_type()
        name = self._filename(part, where)
        index = len(self.attachments) + 1
        content_id = str(part.get("content-id", "")).strip().strip("<>").strip()
        self.attachments.append(Attachment(safe_filename(name, index, content_type), content_type, data, content_id))
