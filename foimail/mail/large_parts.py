"""Large leaf bodies kept away from `email`'s parser, which holds a part about three times over while reading it.

Only a message above LARGE_BODY bytes (1 MiB) is touched. Each body of more than that whose lines never
begin with "-" (so none can be a boundary: RFC 2046 §5.1.1) is cut out of the bytes `email` is given and
replaced by a one-line token; the rest of the message (headers, boundaries, small parts) is parsed as
before. The parse is then checked: every token must have come back as the whole payload of a leaf part,
read as a body (not as header lines). A token anywhere else means the cut guessed wrong: that body is left
in place and the message parsed again (parse._tree, a few times at most, then the stdlib way alone). So the
MIME tree, its defects and every decoded byte are what the stdlib alone would give; only where a large
body's bytes are held differs.

A large attachment is then sized and hashed from a memoryview of the raw bytes in chunks, and decoded only
if somebody asks for its bytes (`DeferredBytes`); so is an embedded message holding one, as `email` would
regenerate it. Any other use of a large body (text, base64 the lenient decoder has to repair, a
uuencoded part) puts the stdlib's payload back first.
"""

from __future__ import annotations

import binascii
import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from email.errors import MissingHeaderBodySeparatorDefect
from email.generator import BytesGenerator
from email.message import Message
from email.policy import Policy

from foimail.core.message import DeferredBytes

__all__ = ["LARGE_BODY", "LargeBodies"]

LARGE_BODY = 1 << 20
_CHUNK = 1 << 20
_TOKEN = "FOIMAILLARGEBODY"
# The blank line that ends a header block (CRLF, CR or LF, as email.feedparser splits lines).
_BLANK_LINE = re.compile(rb"(?:\r\n|\r(?!\n)|\n)(?:\r\n|\r(?!\n)|\n)")
# `boundary=` as a Content-Type parameter: "b" and "oundary" in any case, quoted or a token.
_BOUNDARY_PARAMETER = re.compile(rb'(?i:oundary)\*?[ \t]*=[ \t]*(?:"([^"\r\n]*)"|([^\s;"]+))')
_MAX_BOUNDARIES = 100  # more: every "--" line counts as a possible boundary
_MAX_DASH_LINES = 10_000  # "--" lines a cut body may hold (each is checked against every boundary)
_HEADER_WINDOW = 1 << 16  # where a part's blank line is looked for; a later one is no header block's end
_WHITESPACE = b" \t\n\r\v\f"
_BASE64_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_TOKEN_WRITTEN = re.compile(_TOKEN.encode("ascii") + rb"[0-9]+")
_LINE_END = re.compile(rb"\r\n|\r|\n")
_BASE64_TAIL = re.compile(rb"=*[ \t\n\r\v\f]*")
# compat32's Message.get_payload(decode=True) decodes these; any other transfer encoding is the bytes as they are.
_DECODED_BY_COMPAT32 = frozenset({"quoted-printable", "base64", "x-uuencode", "uuencode", "uue", "x-uue"})


@dataclass(frozen=True)
class _Body:
    start: int
    end: int  # without the line ending before the next line (a boundary, usually)
    ending: bytes  # that line ending; email keeps it in the payload when no boundary follows


class LargeBodies:
    """The large bodies cut out of one message, and the parts they turned out to belong to."""

    def __init__(self, raw: bytes, threshold: int = LARGE_BODY) -> None:
        self._raw = raw
        self._threshold = threshold
        self._view = memoryview(raw)
        self._bodies: dict[str, _Body] = {}
        self._parts: dict[int, memoryview] = {}  # id(part) -> its payload's bytes
        self._contents: dict[bytes, memoryview] = {}  # token -> its body's bytes, without the final line end
        self._refused: set[int] = set()  # starts of bodies a parse did not give back whole

    def skeleton(self) -> bytes | None:
        """The message with each large body replaced by a token line; None when there is none to cut."""
        raw = self._raw
        self._bodies.clear()
        self._parts.clear()
        self._contents.clear()
        if len(raw) <= self._threshold or _TOKEN.encode() in raw:
            return None
        pieces: list[bytes | memoryview] = []
        copied_to = 0
        for start, end in _long_stretches(raw, self._threshold, _boundary_lines(raw)):
            blank = self._header_end(start, min(end, start + _HEADER_WINDOW))
            if blank is None:
                continue
            ending = _line_ending_before(raw, end)
            body = _Body(blank, end - len(ending), ending)
            if body.end - body.start <= self._threshold:
                continue
            token = f"{_TOKEN}{len(self._bodies)}"
            self._bodies[token] = body
            pieces += [self._view[copied_to : body.start], token.encode("ascii")]
            copied_to = body.end
        if not self._bodies:
            return None
        pieces.append(self._view[copied_to:])
        return b"".join(pieces)

    def _header_end(self, start: int, window_end: int) -> int | None:
        """Where the body after a segment's first header block begins; past a refused one, the next block's
        (an embedded message's own headers come after its part's)."""
        search_from = start
        while (blank := _BLANK_LINE.search(self._raw, search_from, window_end)) is not None:
            if blank.end() not in self._refused:
                return blank.end()
            search_from = blank.end()
        return None

    def claim(self, tree: Message) -> bool:
        """Find each token's part in `tree` (parsed from the skeleton); False if any is not a whole leaf body,
        and the next skeleton leaves those in place."""
        claimed: set[str] = set()
        boundaries = _boundaries_of(tree)
        for part in tree.walk():
            payload = part.get_payload()
            if not isinstance(payload, str) or not payload.startswith(_TOKEN):
                continue
            token = payload.rstrip("\r\n")
            body = self._bodies.get(token)
            suffix = payload[len(token) :]
            read_as_headers = any(isinstance(d, MissingHeaderBodySeparatorDefect) for d in part.defects)
            if body is None or suffix not in ("", body.ending.decode("ascii")) or read_as_headers:
                continue
            if self._holds_boundary_line(body, boundaries):  # the cut went past a boundary
                continue
            claimed.add(token)
            self._parts[id(part)] = self._view[body.start : body.end + len(suffix)]
            self._contents[token.encode("ascii")] = self._view[body.start : body.end]
        self._refused |= {body.start for token, body in self._bodies.items() if token not in claimed}
        return len(claimed) == len(self._bodies)

    def _holds_boundary_line(self, body: _Body, boundaries: list[bytes]) -> bool:
        """Whether a line of `body` could end a part: it begins with "--" and one of `boundaries`."""
        lines = 0
        for needle in (b"\n--", b"\r--"):
            at = self._raw.find(needle, body.start - 1, body.end)
            while at >= 0:
                lines += 1
                if lines > _MAX_DASH_LINES or any(self._raw.startswith(b, at + 1) for b in boundaries):
                    return True
                at = self._raw.find(needle, at + 1, body.end)
        return False

    def restore(self, part: Message) -> None:
        """Give every large body under `part` its real payload back (as the stdlib's parser would have it)."""
        for sub in part.walk():
            body = self._parts.pop(id(sub), None)
            if body is not None:
                sub.set_payload(bytes(body).decode("ascii", "surrogateescape"))

    def deferred(self, part: Message) -> DeferredBytes | None:
        """A large attachment's decoded bytes, counted and hashed without a copy; None when not a large body
        or when its transfer encoding needs the lenient decoder (then `restore` it)."""
        body = self._parts.get(id(part))
        if body is None:
            return None
        cte = str(part.get("content-transfer-encoding", ""))
        if cte.strip().lower() == "base64":
            return _deferred_base64(body)
        if cte.lower() == "quoted-printable":  # compat32 compares it unstripped
            return _deferred_quoted_printable(body)
        if cte.lower() in _DECODED_BY_COMPAT32:
            return None
        return DeferredBytes(len(body), hashlib.sha256(body).hexdigest(), lambda: bytes(body))

    def deferred_message(self, part: Message, policy: Policy) -> DeferredBytes | None:
        """An embedded message holding a large body, as parse._payload_bytes regenerates it (`as_bytes`),
        counted and hashed as the generator writes it; None for anything else."""
        payload = part.get_payload()
        cte = str(part.get("content-transfer-encoding", "")).strip().lower()
        if not isinstance(payload, list) or cte in ("base64", "quoted-printable"):
            return None
        if not any(id(sub) in self._parts for sub in part.walk()):
            return None
        subparts = [sub for sub in payload if isinstance(sub, Message)]
        counted = self._regenerate(subparts, policy, keep=False)
        return DeferredBytes(
            counted.size,
            counted.digest.hexdigest(),
            lambda: b"".join(self._regenerate(subparts, policy, keep=True).kept),
        )

    def _regenerate(self, subparts: list[Message], policy: Policy, *, keep: bool) -> _Regenerated:
        out = _Regenerated(self._contents, keep=keep)
        for sub in subparts:
            BytesGenerator(out, mangle_from_=False, policy=policy).flatten(sub, unixfrom=False)
        return out


class _Regenerated:
    """BytesGenerator's output file: each token becomes its large body with every line end written as CRLF
    (as Generator._write_lines writes a payload); the bytes are counted, hashed and, if asked, kept."""

    def __init__(self, contents: dict[bytes, memoryview], *, keep: bool) -> None:
        self._contents = contents
        self.digest = hashlib.sha256()
        self.size = 0
        self._keep = keep
        self.kept: list[bytes] = []

    def write(self, data: bytes) -> int:
        position = 0
        for match in _TOKEN_WRITTEN.finditer(data):
            self._emit(data[position : match.start()])
            self._emit_body(self._contents[match.group()])
            position = match.end()
        self._emit(data[position:])
        return len(data)

    def _emit_body(self, content: memoryview) -> None:
        held = b""  # a CR that ends a chunk may begin a CRLF
        for start in range(0, len(content), _CHUNK):
            chunk = held + bytes(content[start : start + _CHUNK])
            held = b"\r" if chunk.endswith(b"\r") else b""
            self._emit(_LINE_END.sub(b"\r\n", chunk[: len(chunk) - len(held)]))
        if held:
            self._emit(b"\r\n")

    def _emit(self, data: bytes) -> None:
        self.digest.update(data)
        self.size += len(data)
        if self._keep:
            self.kept.append(data)


def _long_stretches(raw: bytes, threshold: int, needles: Sequence[bytes]) -> Iterator[tuple[int, int]]:
    """(start, end) of each stretch of more than `threshold` bytes between two lines that begin as one of
    `needles` says (each given with the line end before it; the first stretch starts at 0, the last ends at
    the end). Found with find/rfind a window at a time: only the long gaps between such lines matter."""
    start = 0
    while len(raw) - start > threshold:
        # The last such line starting within `threshold` bytes after `start`, if any: no long stretch before it.
        last = max((raw.rfind(needle, start, start + threshold - 1 + len(needle)) for needle in needles), default=-1)
        if last >= 0:
            start = last + 1
            continue
        following = [found + 1 for found in (raw.find(needle, start) for needle in needles) if found >= 0]
        end = min(following, default=len(raw))
        yield start, end
        start = end


def _boundary_lines(raw: bytes) -> list[bytes]:
    """Line starts a boundary line of this message may have: "--" and a boundary parameter found in it, or
    any "--" line when that search gives up. Only where bodies are cut depends on it (claim checks the cut)."""
    declared: set[bytes] = set()
    for needle in (b"oundary", b"OUNDARY"):
        at = raw.find(needle)
        while at >= 0:
            if len(declared) >= _MAX_BOUNDARIES:
                declared = {b""}
                break
            match = _BOUNDARY_PARAMETER.match(raw, at)
            if match is not None:
                declared.add(match.group(1) if match.group(1) is not None else match.group(2))
            at = raw.find(needle, at + 1)
    if b"" in declared:
        declared = {b""}
    return [ending + b"--" + boundary for boundary in sorted(declared) for ending in (b"\n", b"\r")]


def _boundaries_of(tree: Message) -> list[bytes]:
    """ "--" and each boundary of the multiparts in `tree`, as email.feedparser matches a line against them."""
    found = []
    for part in tree.walk():
        boundary = part.get_boundary() if part.get_content_maintype() == "multipart" else None
        if boundary is not None:
            try:
                found.append(b"--" + boundary.encode("ascii", "surrogateescape"))
            except UnicodeEncodeError:  # decoded from RFC 2231: then any "--" line may be one
                found.append(b"--")
    return found


def _line_ending_before(raw: bytes, end: int) -> bytes:
    if raw[end - 2 : end] == b"\r\n":
        return b"\r\n"
    return raw[end - 1 : end] if raw[end - 1 : end] in (b"\r", b"\n") else b""


def _deferred_quoted_printable(body: memoryview, chunk_size: int = _CHUNK) -> DeferredBytes:
    """What compat32 decodes (quopri.decodestring, i.e. binascii.a2b_qp), a run of whole lines at a time:
    a2b_qp carries nothing from one LF-ended line to the next."""
    digest = hashlib.sha256()
    size = start = 0
    while start < len(body):
        chunk = bytes(body[start : start + chunk_size])
        while start + len(chunk) < len(body) and b"\n" not in chunk:  # a line longer than a chunk
            chunk = bytes(body[start : start + 2 * len(chunk)])
        if start + len(chunk) < len(body):
            chunk = chunk[: chunk.rfind(b"\n") + 1]
        decoded = binascii.a2b_qp(chunk)
        digest.update(decoded)
        size += len(decoded)
        start += len(chunk)
    return DeferredBytes(size, digest.hexdigest(), lambda: binascii.a2b_qp(body))


def _deferred_base64(body: memoryview) -> DeferredBytes | None:
    """Base64 the strict path of parse._decode_base64 reads (alphabet and whitespace, then padding), decoded a
    chunk at a time; None for anything else, which the lenient decoder must see whole."""
    digest = hashlib.sha256()
    size = 0
    carry = b""
    tail_at = len(body)
    for start in range(0, len(body), _CHUNK):
        chunk = bytes(body[start : start + _CHUNK])
        padding = chunk.find(b"=")
        if padding >= 0:
            chunk, tail_at = chunk[:padding], start + padding
        if chunk.translate(None, _BASE64_ALPHABET + _WHITESPACE):
            return None
        data = carry + chunk.translate(None, _WHITESPACE)
        whole = len(data) - len(data) % 4
        decoded = binascii.a2b_base64(data[:whole])
        digest.update(decoded)
        size += len(decoded)
        carry = data[whole:]
        if padding >= 0:
            break
    tail = bytes(body[tail_at:])
    if len(tail) > _CHUNK or not _BASE64_TAIL.fullmatch(tail):
        return None
    try:
        decoded = binascii.a2b_base64(carry + b"=" * tail.count(b"="))
    except binascii.Error:  # truncated: the lenient decoder says so in a defect
        return None
    digest.update(decoded)
    return DeferredBytes(size + len(decoded), digest.hexdigest(), lambda: binascii.a2b_base64(body))
