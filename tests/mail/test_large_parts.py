"""Large bodies kept away from `email` (mail/large_parts.py) give exactly what the stdlib's parse gives.

Each sample is parsed twice: with the cut (bodies above 1 KiB, to keep the samples small) and without it
(`large_body=None`, the whole message through `email`). Everything in the InboundMessage must be equal,
each attachment's name, type, Content-ID, size, sha256 and bytes included; and the cut must have been used
where the sample says so (otherwise the comparison proves nothing).
"""

from __future__ import annotations

import base64
import hashlib
import quopri
import re
from random import Random
from typing import Any

import pytest

from foimail.core.message import DeferredBytes, InboundMessage
from foimail.mail.large_parts import _deferred_quoted_printable, _long_stretches
from foimail.mail.parse import parse_message

LIMIT = 1024
DATA = bytes(range(256)) * 8  # 2 KiB, every byte value
B64 = base64.encodebytes(DATA).replace(b"\n", b"\r\n")
B64_LF = base64.encodebytes(DATA)
TEXT_KA = ("ინფორმაციის მოთხოვნა " * 40).encode()  # 8-bit UTF-8, 2.3 KiB
HEAD = b"From: Nino <nino@example.org>\r\nTo: foi@batumi.ge\r\nSubject: s\r\nMessage-ID: <m@example.org>\r\n"


def mixed(*parts: bytes, boundary: bytes = b"b", close: bool = True, preamble: bytes = b"") -> bytes:
    head = HEAD + b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=" + boundary + b"\r\n\r\n"
    body = preamble + b"".join(b"--" + boundary + b"\r\n" + part + b"\r\n" for part in parts)
    return head + body + (b"--" + boundary + b"--\r\n" if close else b"")


def pdf(payload: bytes = B64, headers: bytes = b"") -> bytes:
    return (
        b"Content-Type: application/pdf; name=scan.pdf\r\nContent-Transfer-Encoding: base64\r\n"
        + headers
        + b"Content-Disposition: attachment; filename=scan.pdf\r\n\r\n"
        + payload
    )


TEXT = b"Content-Type: text/plain; charset=utf-8\r\n\r\nSee the attached scan.\r\n"
INNER = HEAD.replace(b"<m@", b"<inner@") + b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=i\r\n\r\n"
INNER += b"--i\r\n" + TEXT + b"--i\r\n" + pdf() + b"\r\n--i--\r\n"

# (name, raw, how many attachments the cut must have deferred)
SAMPLES: list[tuple[str, bytes, int]] = [
    ("base64 attachment", mixed(TEXT, pdf()), 1),
    ("LF line endings", mixed(TEXT, pdf(B64_LF)).replace(b"\r\n", b"\n"), 1),
    ("CR line endings", mixed(TEXT, pdf(B64)).replace(b"\r\n", b"\r"), 1),
    ("two attachments", mixed(TEXT, pdf(), pdf(B64_LF)), 2),
    (
        "nested multiparts",
        mixed(
            b"Content-Type: multipart/alternative; boundary=alt\r\n\r\n--alt\r\n"
            + TEXT
            + b"--alt\r\nContent-Type: multipart/related; boundary=rel\r\n\r\n--rel\r\n"
            + b"Content-Type: text/html\r\n\r\n<p>scan <img src=cid:img1></p>\r\n--rel\r\n"
            + b"Content-Type: image/png\r\nContent-ID: <img1>\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + B64
            + b"\r\n--rel--\r\n--alt--",
            pdf(),
        ),
        2,
    ),
    ("bad base64: junk characters", mixed(TEXT, pdf(B64[:1000] + b"*!\xc3\xa9" + B64[1000:])), 0),
    ("bad base64: padding inside", mixed(TEXT, pdf(B64[:1500] + b"YQ==\r\n" + B64[1500:])), 0),
    ("bad base64: truncated", mixed(TEXT, pdf(B64.rstrip(b"=\r\n") + b"QQ\r\n")), 0),
    ("bad base64: padding split by a line break", mixed(TEXT, pdf(B64.rstrip(b"=\r\n")[:-2] + b"YQ=\r\n=")), 0),
    ("base64 with a control character", mixed(TEXT, pdf(B64[:800] + b"\x1c" + B64[800:])), 0),
    ("missing end boundary", mixed(TEXT, pdf(), close=False), 1),
    ("missing end boundary, no final newline", mixed(TEXT, pdf()).removesuffix(b"\r\n--b--\r\n"), 1),
    ("boundary in the preamble", mixed(TEXT, pdf(), preamble=b"--b is the boundary\r\n--b\r\nnot a part\r\n"), 1),
    ("large preamble", mixed(TEXT, pdf(), preamble=B64 + b"\r\n"), 1),
    ("large epilogue", mixed(TEXT, pdf()) + B64, 1),
    ("part without headers (so text/plain)", mixed(TEXT, b"\r\n" + B64), 0),
    (
        "quoted-printable attachment",
        mixed(
            TEXT,
            b"Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: quoted-printable\r\n"
            b"Content-Disposition: attachment; filename=a.bin\r\n\r\n" + quopri.encodestring(DATA),
        ),
        1,
    ),
    (
        "quoted-printable attachment, CRLF soft line breaks and bad escapes",
        mixed(
            TEXT,
            b"Content-Type: text/csv\r\nContent-Transfer-Encoding: quoted-printable\r\n"
            b"Content-Disposition: attachment; filename=a.csv\r\n\r\n"
            + quopri.encodestring(TEXT_KA).replace(b"\n", b"\r\n")
            + b"=ZZ =\r\n=4\r\n",
        ),
        1,
    ),
    (
        "8bit attachment with a dash line",
        mixed(
            TEXT,
            b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n"
            b"Content-Disposition: attachment; filename=notes.txt\r\n\r\n" + TEXT_KA + b"\r\n-- \r\n" + TEXT_KA,
            pdf(),
        ),
        2,  # "-- " begins no boundary line of this message
    ),
    (
        "binary attachment without a transfer encoding",
        mixed(TEXT, b"Content-Type: application/octet-stream; name=x.bin\r\n\r\n" + DATA.replace(b"-", b"+")),
        1,
    ),
    (
        "upper-case, padded transfer encoding",
        mixed(TEXT, pdf().replace(b"Encoding: base64", b"Encoding:  BASE64 ")),
        1,
    ),
    (
        "RFC 2231 file name",
        mixed(
            TEXT,
            pdf().replace(
                b"filename=scan.pdf",
                b"filename*=utf-8''%E1%83%92%E1%83%90%E1%83%9C%E1%83%AA%E1%83%AE%E1%83%90%E1%83%93%E1%83%94%E1%83%91%E1%83%90.pdf",
            ),
        ),
        1,
    ),
    ("large plain-text body", mixed(b"Content-Type: text/plain; charset=utf-8\r\n\r\n" + TEXT_KA, pdf()), 1),
    ("large HTML body", mixed(b"Content-Type: text/html; charset=utf-8\r\n\r\n<p>" + TEXT_KA + b"</p>"), 0),
    ("embedded message/rfc822", mixed(TEXT, b"Content-Type: message/rfc822\r\n\r\n" + INNER), 1),
    (
        "embedded message/rfc822, LF line ends",
        mixed(TEXT, b"Content-Type: message/rfc822\r\n\r\n" + INNER).replace(b"\r\n", b"\n"),
        1,
    ),
    (
        "embedded message/rfc822, CR line ends",
        mixed(TEXT, b"Content-Type: message/rfc822\r\n\r\n" + INNER).replace(b"\r\n", b"\r"),
        1,
    ),
    (
        "embedded message/rfc822 with an 8-bit body",
        mixed(TEXT, b"Content-Type: message/rfc822\r\n\r\n" + HEAD + b"Content-Type: text/plain\r\n\r\n" + TEXT_KA),
        1,
    ),
    (
        "message/rfc822 in message/rfc822",
        mixed(TEXT, b"Content-Type: message/rfc822\r\n\r\n" + HEAD + b"Content-Type: message/rfc822\r\n\r\n" + INNER),
        1,
    ),
    (
        "base64-encoded message/rfc822",
        mixed(
            TEXT,
            b"Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + base64.encodebytes(INNER).replace(b"\n", b"\r\n"),
        ),
        0,
    ),
    (
        "digest of messages",
        HEAD + b"Content-Type: multipart/digest; boundary=d\r\n\r\n--d\r\n\r\n" + INNER + b"\r\n--d--\r\n",
        1,
    ),
    (
        "single-part message",
        HEAD + b"Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n" + B64.rstrip(),
        1,
    ),
    (
        "single-part message, final newline",
        HEAD + b"Content-Type: image/jpeg\r\n" + b"Content-Transfer-Encoding: base64\r\n\r\n" + B64,
        1,
    ),
    ("no blank line after the headers", HEAD + b"Content-Type: text/plain\r\n" + B64, 0),
    ("the cut's own token in the message", mixed(TEXT.replace(b"See", b"FOIMAILLARGEBODY0"), pdf()), 0),
    ("multipart without a boundary parameter", mixed(TEXT, pdf()).replace(b"; boundary=b", b""), 0),
    ("BOUNDARY in upper case, quoted", mixed(TEXT, pdf()).replace(b"; boundary=b", b'; BOUNDARY="b"'), 1),
    ("RFC 2231 boundary", mixed(TEXT, pdf()).replace(b"; boundary=b", b"; boundary*=''b"), 0),
    (
        "a body line that is another multipart's boundary",
        mixed(
            b"Content-Type: multipart/alternative; boundary=alt\r\n\r\n--alt\r\n" + TEXT + b"--alt--",
            b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n"
            b"Content-Disposition: attachment; filename=notes.txt\r\n\r\n" + TEXT_KA + b"\r\n--alt\r\n" + TEXT_KA,
        ),
        0,
    ),
    ("dash lines only", HEAD + b"\r\n" + b"-\r\n" * 2000, 0),
    ("blank lines only", HEAD + b"\r\n" * 2000, 0),
    ("a message that begins with a boundary line", b"--b\r\n" + pdf() + b"\r\n--b--\r\n", 0),
    ("a message without From and To", mixed(TEXT, pdf())[len(HEAD) :], 1),
    (
        "delivery status",
        mixed(TEXT, b"Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; x\r\n\r\n" + B64),
        0,
    ),
]


def comparable(message: InboundMessage) -> dict[str, Any]:
    facts = dict(vars(message))
    facts["attachments"] = [
        (a.filename, a.content_type, a.content_id, a.size, a.sha256, a.data) for a in message.attachments
    ]
    return facts


@pytest.mark.parametrize(("raw", "deferred"), [(raw, n) for _, raw, n in SAMPLES], ids=[s[0] for s in SAMPLES])
def test_the_cut_gives_what_the_stdlib_gives(raw: bytes, deferred: int) -> None:
    cut = parse_message(raw, large_body=LIMIT)
    assert comparable(cut) == comparable(parse_message(raw, large_body=None))
    assert sum(isinstance(a.content, DeferredBytes) for a in cut.attachments) == deferred
    assert not any("could not be parsed" in d for d in cut.defects)


def test_a_deferred_attachment_decodes_to_what_it_was_counted_as() -> None:
    [attachment] = parse_message(mixed(pdf()), large_body=LIMIT).attachments
    assert isinstance(attachment.content, DeferredBytes)
    assert (attachment.data, attachment.size, attachment.filename) == (DATA, len(DATA), "scan.pdf")


def test_long_stretches_between_boundary_lines_are_found_as_a_line_by_line_reading_finds_them() -> None:
    random = Random(2231)
    for _ in range(500):
        raw = bytes(random.choice(b"-\r\nab") for _ in range(random.randint(0, 60)))
        threshold = random.randint(0, 10)
        dashes = [match.start() + 1 for match in re.finditer(rb"[\r\n]--a", raw)]
        stretches = zip([0, *dashes], [*dashes, len(raw)], strict=True)
        found = _long_stretches(raw, threshold, [b"\n--a", b"\r--a"])
        assert list(found) == [(a, b) for a, b in stretches if b - a > threshold], raw


def test_quoted_printable_is_decoded_a_run_of_lines_at_a_time_as_whole() -> None:
    random = Random(2045)
    for _ in range(500):
        encoded = bytes(random.choice(b"=\r\n aA0F\t") for _ in range(random.randint(0, 80)))
        counted = _deferred_quoted_printable(memoryview(encoded), chunk_size=random.randint(1, 12))
        decoded = quopri.decodestring(encoded)
        assert (counted.size, counted.sha256, counted.decode()) == (
            len(decoded),
            hashlib.sha256(decoded).hexdigest(),
            decoded,
        ), encoded
