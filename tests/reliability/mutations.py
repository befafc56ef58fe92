"""Hypothesis strategies: real messages, mutated the ways the world breaks mail (headers, MIME, bytes).

Every mutant starts with its own `X-Fuzz-Id` line, so no two are byte-identical (deduplication would
otherwise hide a loss) and a missing one can be named.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from hypothesis import strategies as st

from tests.support.mails import request_mail

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
HEADERS = ["From", "Reply-To", "Subject", "Date", "Message-ID", "To", "MIME-Version", "Content-Type",
           "Content-Transfer-Encoding", "In-Reply-To", "References", "Auto-Submitted", "Precedence",
           "Authentication-Results", "Return-Path"]  # fmt: skip
CHARSETS = ["utf-8", "windows-1251", "koi8-r", "iso-8859-1", "x-unknown", "utf-7", "", "utf-8'ka'", "georgian-ps"]
FROM_FORMS = [
    "nobody", "<>", "undisclosed-recipients:;", "=?utf-8?B?4YOc4YOY4YOc4YOd?= <nino@example.org>",
    '"a@b" <c@example.org>', "a@b.example, c@d.example", "ნინო@მაგალითი.გე", "x@[127.0.0.1]",
    "MAILER-DAEMON@example.org", "noreply@batumi.ge", "foi@batumi.ge", "officer@batumi.ge",
    "=?x-unknown?Q?=FF=FE?= <z@example.org>", "a" * 400 + "@example.org",
]  # fmt: skip


def split(raw: bytes) -> tuple[bytes, bytes]:
    for separator in (b"\r\n\r\n", b"\n\n"):
        head, found, body = raw.partition(separator)
        if found:
            return head, body
    return raw, b""


def set_header(raw: bytes, name: str, value: bytes) -> bytes:
    head, body = split(raw)
    lines = [line for line in head.split(b"\r\n") if not line.lower().startswith(name.lower().encode() + b":")]
    return b"\r\n".join([*lines, name.encode() + b": " + value]) + b"\r\n\r\n" + body


def drop_header(raw: bytes, name: str) -> bytes:
    head, body = split(raw)
    kept = [line for line in head.split(b"\r\n") if not line.lower().startswith(name.lower().encode() + b":")]
    return b"\r\n".join(kept) + b"\r\n\r\n" + body


Mutation = Callable[[bytes], bytes]


@st.composite
def mutation(draw: st.DrawFn) -> Mutation:
    """One way to break a message."""
    kind = draw(st.integers(0, 13))
    name = draw(st.sampled_from(HEADERS))
    junk = draw(st.binary(min_size=0, max_size=80).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b"")))
    where = draw(st.floats(0.0, 1.0))
    if kind == 0:
        return lambda raw: drop_header(raw, name)
    if kind == 1:
        return lambda raw: set_header(raw, name, junk)
    if kind == 2:  # the header twice
        return lambda raw: raw.replace(b"\r\n\r\n", b"\r\n" + name.encode() + b": " + junk + b"\r\n\r\n", 1)
    if kind == 3:
        charset = draw(st.sampled_from(CHARSETS))
        return lambda raw: set_header(raw, "Content-Type", f"text/plain; charset={charset}".encode())
    if kind == 4:
        cte = draw(st.sampled_from([b"base64", b"quoted-printable", b"x-uuencode", b"8bit", b"7bit", b"binary", b""]))
        return lambda raw: set_header(raw, "Content-Transfer-Encoding", cte)
    if kind == 5:  # cut off in transit
        return lambda raw: raw[: max(1, int(len(raw) * where))]
    if kind == 6:  # bytes dropped into the body
        return lambda raw: raw[: int(len(raw) * where)] + junk + raw[int(len(raw) * where) :]
    if kind == 7:
        form = draw(st.sampled_from(FROM_FORMS))
        return lambda raw: set_header(raw, "From", form.encode())
    if kind == 8:  # a header line far over RFC 5322's 998
        return lambda raw: set_header(raw, name, b"x" * draw_len(where))
    if kind == 9:  # a multipart whose boundary is missing or wrong
        boundary = draw(st.sampled_from([b"", b'"unterminated', b"b" * 80, b"zz"]))
        return lambda raw: set_header(raw, "Content-Type", b"multipart/mixed; boundary=" + boundary)
    if kind == 10:  # bare LF line ends, as some scripts write
        return lambda raw: raw.replace(b"\r\n", b"\n")
    if kind == 11:
        encoded = draw(st.sampled_from([b"=?utf-8?B?", b"=?utf-8?Q?", b"=?x-unknown?B?", b"=?windows-1251?Q?"]))
        return lambda raw: set_header(raw, "Subject", encoded + junk + b"?=")
    if kind == 12:  # deep nesting
        depth = draw(st.integers(2, 60))
        return lambda raw: nest(raw, depth)
    return lambda raw: set_header(raw, "Reply-To", draw_address(junk))


def draw_len(where: float) -> int:
    return 999 + int(where * 20000)


def draw_address(junk: bytes) -> bytes:
    return b"someone." + junk.hex().encode()[:20] + b"@example.org"


def nest(raw: bytes, depth: int) -> bytes:
    """The body wrapped in `depth` multiparts, one inside the next."""
    head, body = split(raw)
    part = b"Content-Type: text/plain; charset=utf-8\r\n\r\n" + body
    for level in range(depth):
        mark = f"n{level}".encode()
        opening = b"Content-Type: multipart/mixed; boundary=" + mark + b"\r\n\r\n--" + mark + b"\r\n"
        part = opening + part + b"\r\n--" + mark + b"--\r\n"
    outer_head, outer_body = split(part)
    return set_header(
        drop_header(raw, "Content-Type")[: len(head)] + b"\r\n\r\n" + outer_body,
        "Content-Type",
        outer_head.partition(b": ")[2],
    )


def base_messages() -> list[bytes]:
    """What the mutations start from: every sample in tests/samples, and plain mail from many clients."""
    samples = [
        path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n") for path in sorted(SAMPLES.glob("*.eml"))
    ]
    plain = [request_mail(sender=f"fuzz{i}@example.org", subject=f"ფაზი {i}", body=f"ტექსტი {i}") for i in range(8)]
    return samples + plain


@st.composite
def mutant(draw: st.DrawFn, bases: list[bytes]) -> bytes:
    raw = draw(st.sampled_from(bases))
    for change in draw(st.lists(mutation(), min_size=1, max_size=3)):
        raw = change(raw)
    return raw


def tagged(raw: bytes, fuzz_id: int) -> bytes:
    """Unique bytes, Message-ID and a name for each mutant (else most would be set aside as copies of one
    another), and a fresh sender for the plain ones, so the per-sender rate limit stays out of the way."""
    raw = re.sub(rb"(?im)^(message-id:\s*<)", rb"\g<1>f" + str(fuzz_id).encode() + b".", raw, count=1)
    return f"X-Fuzz-Id: {fuzz_id}\r\n".encode() + raw.replace(b"fuzz", f"fuzz{fuzz_id}-".encode(), 1)
