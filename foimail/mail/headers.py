"""Header fields: decoding (RFC 2047, raw 8-bit), addresses, msg-ids, dates. Shared by parse and compose."""

from __future__ import annotations

import base64
import binascii
import email.header
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email import errors, policy, quoprimime
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime

from foimail.core.message import Address
from foimail.mail.charsets import codec_name, decode_bytes, has_escaped_bytes, repair_escaped_bytes

_POLICY = policy.default
# The stdlib's header parser slows down superlinearly (a 1 MB Subject takes half a minute), so one field
# is cut at MAX_FIELD_CHARS (Postfix itself keeps up to 100 KB), and once MAX_PARSED_CHARS of a header
# section have been decoded, the rest are kept as written (unfolded, raw bytes decoded).
MAX_FIELD_CHARS = 16_384
MAX_ADDRESS_CHARS = 254  # RFC 5321 §4.5.3.1.3: a path is at most 256 octets with its angle brackets
MAX_MSG_ID_CHARS = 996  # with its angle brackets, one 998-character line (RFC 5322 §2.1.1)
MAX_PARSED_CHARS = 262_144
_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
_ENCODED_RUN = re.compile(rf"{_ENCODED_WORD.pattern}(?:[ \t]+{_ENCODED_WORD.pattern})*")
_LINE_BREAK = re.compile(r"\r\n|\n|\r")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_MSG_ID = re.compile(r"<([^<>]*)>")
# msg-id fields are shown as written: the stdlib's strict msg-id parser flags and mangles real-world ids.
_VERBATIM = frozenset({"message-id", "in-reply-to", "references", "resent-message-id", "content-id"})
# Address fields are shown with their encoded words decoded; their structure is read by parse_addresses
# alone, which is the slow part of the stdlib parser.
_ADDRESS_FIELDS = frozenset(
    {"from", "to", "cc", "bcc", "reply-to", "sender", "resent-from", "resent-to", "resent-cc", "resent-bcc"}
    | {"resent-sender", "disposition-notification-to", "return-receipt-to", "errors-to"}
)
_BARE_ADDRESS = re.compile(r"[^\s<>()\[\]\\,;:\"@]+@[^\s<>()\[\]\\,;:\"@]+")
# De facto client habits the stdlib flags but we read correctly (Gmail, Outlook: filename="=?UTF-8?B?...?=").
_HARMLESS = frozenset(
    {
        "encoded word inside quoted string",
        "missing trailing whitespace after encoded-word",
        "missing whitespace before encoded word",
    }
)


@dataclass(frozen=True)
class HeaderField:
    """One header: `source` is unfolded valid text, still RFC 2047-encoded; `text` is decoded for display."""

    name: str
    source: str
    text: str


def describe_defect(defect: errors.MessageDefect, where: str) -> str | None:
    """A one-line human description of a stdlib defect, or None for those that need no attention."""
    # Obsolete syntax is read fine; dates are judged once, by parse_date.
    if isinstance(defect, (errors.ObsoleteHeaderDefect, errors.InvalidDateDefect)):
        return None
    detail = str(defect)
    if detail in _HARMLESS:
        return None
    if not detail:
        doc = type(defect).__doc__ or type(defect).__name__
        detail = doc.strip().splitlines()[0].rstrip(".")
    return f"{where}: {detail}"


def read_fields(msg: Message, where: str) -> tuple[list[HeaderField], list[str]]:
    """Every header of `msg` in order, decoded; never raises. Returns (fields, defects)."""
    fields: list[HeaderField] = []
    defects: list[str] = []
    parsed = 0
    for name, raw in msg.raw_items():
        label = f"{where} header {name}"
        within_budget = parsed < MAX_PARSED_CHARS
        source, repair_defects = prepare_source(str(raw), label, repair_words=within_budget)
        if within_budget:
            text, decode_defects = decode_text(name, source, label)
        else:
            text, decode_defects = _clean(source), []
        if within_budget and MAX_PARSED_CHARS <= parsed + len(source):
            decode_defects.append(f"{where}: headers past {MAX_PARSED_CHARS} characters kept undecoded")
        parsed += len(source)
        fields.append(HeaderField(name, source, text))
        defects += repair_defects + decode_defects
    return fields, defects


def header_map(fields: Iterable[HeaderField]) -> dict[str, tuple[str, ...]]:
    """Lower-case header name -> decoded values in message order."""
    collected: dict[str, list[str]] = {}
    for field in fields:
        collected.setdefault(field.name.lower(), []).append(field.text)
    return {name: tuple(values) for name, values in collected.items()}


def prepare_source(raw: str, where: str, repair_words: bool = True) -> tuple[str, list[str]]:
    """Unfold `raw`, decode raw 8-bit bytes (RFC 6532: UTF-8 first) and repair encoded words (see below)."""
    defects: list[str] = []
    if len(raw) > MAX_FIELD_CHARS:
        raw = raw[:MAX_FIELD_CHARS]
        defects.append(f"{where} longer than {MAX_FIELD_CHARS} characters: cut")
    source = _LINE_BREAK.sub("", raw).strip()  # RFC 5322 §2.2.3 unfolding
    if has_escaped_bytes(source):
        source, repair_defects = repair_escaped_bytes(source, where)
        defects += repair_defects
    if repair_words:
        source = _ENCODED_RUN.sub(lambda match: _reencode_run(match.group(), where, defects), source)
    return source.replace("\x00", ""), defects


def _reencode_run(run: str, where: str, defects: list[str]) -> str:
    """Rewrite a run of adjacent encoded words as one UTF-8 word, unless it is a single decodable word.

    RFC 2047 §6.2: the space between adjacent words is not text, yet the stdlib keeps it in display
    names (Gmail splits long names); words in one charset are decoded together because some mailers
    split a letter across two words; unknown or wrong charsets go through the fallbacks.
    """
    words = [(m.group(1).partition("*")[0], _word_bytes(m)) for m in _ENCODED_WORD.finditer(run)]
    charset, data = words[0]
    if len(words) == 1 and data is not None and _decodes(data, charset):
        return run
    groups: list[tuple[str, bytes]] = []
    for charset, data in words:
        if data is None:
            return run  # a broken payload: the stdlib registers its own defect
        if groups and groups[-1][0].lower() == charset.lower():
            groups[-1] = (charset, groups[-1][1] + data)
        else:
            groups.append((charset, data))
    texts = []
    for charset, data in groups:
        text, defect = decode_bytes(data, charset, where)
        if defect:
            defects.append(defect)
        texts.append(text)
    return "=?utf-8?b?" + base64.b64encode("".join(texts).encode("utf-8")).decode("ascii") + "?="


def _word_bytes(match: re.Match[str]) -> bytes | None:
    payload = match.group(3)
    try:
        if match.group(2).lower() == "b":
            return base64.b64decode(payload + "=" * (-len(payload) % 4))
        return quoprimime.header_decode(payload).encode("latin-1")
    except (binascii.Error, ValueError):
        return None


def _decodes(data: bytes, charset: str) -> bool:
    codec = codec_name(charset)
    if codec is None:
        return False
    try:
        data.decode(codec)
    except UnicodeError:
        return False
    return True


def decode_text(name: str, source: str, where: str) -> tuple[str, list[str]]:
    """Decode a prepared header value for display; falls back to compat32 decoding when the parser fails."""
    if name.lower() in _VERBATIM:
        return " ".join(source.split()), []
    if name.lower() in _ADDRESS_FIELDS:
        return _clean(_decode_compat(source, where)), []
    try:
        header = _POLICY.header_factory(name, source)
        text = str(header)
        defects = [d for d in (describe_defect(x, where) for x in header.defects) if d]
    # The header parser has raised IndexError, AttributeError, ValueError ... on hostile input over the years.
    except Exception as exc:
        text = _decode_compat(source, where)
        defects = [f"{where}: unparseable ({type(exc).__name__}); decoded leniently"]
    return _clean(text), defects


def _clean(text: str) -> str:
    return _CONTROL.sub(" ", text.replace("\t", " ")).strip()


def _decode_compat(source: str, where: str) -> str:
    try:
        pieces = email.header.decode_header(source)
    except (errors.HeaderParseError, ValueError, binascii.Error):
        return source
    out: list[str] = []
    for chunk, charset in pieces:
        if isinstance(chunk, str):
            out.append(chunk)
        elif charset is None:  # text between encoded words, which decode_header returns raw-unicode-escaped
            out.append(chunk.decode("raw-unicode-escape"))
        else:
            out.append(decode_bytes(chunk, charset, where)[0])
    return "".join(out)


def parse_addresses(source: str) -> tuple[Address, ...]:
    """The mailboxes of an address header (groups flattened); never raises."""
    source = source[:MAX_FIELD_CHARS]
    try:
        header = _POLICY.header_factory("to", source)
        found = [(a.display_name, a.addr_spec) for a in header.addresses]
    except Exception:  # see decode_text
        found = []
    try:
        lenient = [(_decode_compat(name, "address"), spec) for name, spec in getaddresses([source])]
    except Exception:  # getaddresses recurses on nested comments: "((((..."
        lenient = []
    # Last resort for what neither parser reads: anything shaped like local@domain.
    found = found or lenient or [("", match) for match in _BARE_ADDRESS.findall(source)]
    comment_names = {spec.strip().lower(): name for name, spec in lenient if name}
    addresses: list[Address] = []
    for name, spec in found:
        address = spec.strip().strip("<>").lower()
        if not address or len(address) > MAX_ADDRESS_CHARS:
            continue  # RFC 5321 §4.5.3.1.3: no server relays a longer path; it could not be stored either
        # "MAILER-DAEMON@host (Mail Delivery System)": the old comment form still carries the name.
        display = " ".join((name or comment_names.get(address, "")).split())
        if len(display) > 1 and display[0] == display[-1] and display[0] in "'\"":  # Outlook's 'Name'
            display = display[1:-1].strip()
        addresses.append(Address(address=address, name=display))
    return tuple(addresses)


def parse_msg_ids(value: str) -> tuple[str, ...]:
    """The msg-ids in `value` as `<id@host>` (RFC 5322 §3.6.4), inner whitespace removed, deduplicated."""
    ids = ["".join(match.group(1).split()) for match in _MSG_ID.finditer(value)]
    if not ids:  # some web mailers omit the angle brackets
        ids = [token.strip(",;") for token in value.split() if "@" in token and not set(token) & set('()<>"')]
    # RFC 5322 §2.1.1: a line is at most 998 characters; a longer "id" is not one (nor storable as one).
    return tuple(dict.fromkeys(f"<{msg_id}>" for msg_id in ids if msg_id and len(msg_id) <= MAX_MSG_ID_CHARS))


# RFC 5322 §3.6.4 msg-id: "<" id-left "@" id-right ">", printable ASCII without angle brackets or a second @
# (obs-id-left's quoted strings included); short enough for one header line (RFC 5322 §2.1.1: 998).
_VALID_MSG_ID = re.compile(r"<[!-;=?A-~]{1,900}@[!-;=?A-~]{1,900}>")


def is_valid_msg_id(msg_id: str) -> bool:
    """Whether `msg_id` (``<left@right>``) may be written in In-Reply-To or References as it is."""
    return len(msg_id) <= 900 and _VALID_MSG_ID.fullmatch(msg_id) is not None


def parse_date(value: str) -> tuple[datetime | None, str | None]:
    """An aware datetime from a Date header, or None with a defect. Zone-less dates are read as UTC."""
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None, f"unreadable Date header {value[:80]!r}"
    if parsed.tzinfo is not None:
        return parsed, None
    # RFC 5322 §3.3: "-0000" means UTC with the local zone unknown; a missing zone is a defect.
    if re.search(r"-0000\b", value):
        return parsed.replace(tzinfo=UTC), None
    defect = f"Date header {value[:80]!r} has no time zone: read as UTC"
    return parsed.replace(tzinfo=UTC), defect


def parse_return_path(value: str) -> str:
    """The envelope sender of a Return-Path header: "" for the null sender `<>` (RFC 5321 §4.4)."""
    match = _MSG_ID.search(value)
    path = "".join((match.group(1) if match else value).split())
    if path.startswith("@"):  # obsolete source route <@relay:user@host>
        path = path.partition(":")[2]
    return path.lower()
