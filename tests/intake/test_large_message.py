"""A message over 1 MiB through intake on both databases: its raw bytes kept exactly, each attachment's facts
the same as the stdlib's parse gives (mail/large_parts.py keeps its body away from `email`)."""

from __future__ import annotations

import base64
import os

import pytest

from foimail.mail.parse import parse_message
from foimail.store.db import unit_of_work
from foimail.store.models import StoredMessage
from foimail.usecases.intake import process_one

DATA = os.urandom(3 << 19)  # 1.5 MiB: over parse's 1 MiB threshold
HEAD = (
    b"From: Nino <nino@example.org>\r\nTo: foi@batumi.ge\r\nSubject: budget 2025\r\nMIME-Version: 1.0\r\n"
    b"Content-Type: multipart/mixed; boundary=b\r\n"
)
REQUEST = (
    HEAD
    + b"Message-ID: <large@example.org>\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
    + "გთხოვთ, მომაწოდოთ ბიუჯეტის შესრულების ანგარიში.\r\n".encode()
    + b"--b\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
    + b"Content-Disposition: attachment; filename=scan.pdf\r\n\r\n"
    + base64.encodebytes(DATA).replace(b"\n", b"\r\n")
    + b"--b--\r\n"
)
FORWARDED = (
    HEAD.replace(b"budget 2025", b"Fwd: budget 2025")
    + b"Message-ID: <forwarded@example.org>\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nPlease register.\r\n"
    + b"--b\r\nContent-Type: message/rfc822\r\n\r\n"
    + REQUEST.replace(b"boundary=b", b"boundary=inner").replace(b"--b", b"--inner")
    + b"\r\n--b--\r\n"
)


@pytest.mark.parametrize("raw", [REQUEST, FORWARDED], ids=["attachment", "forwarded"])
def test_a_large_message_is_registered_with_its_bytes_and_attachment_facts(make_app, raw: bytes) -> None:  # type: ignore[no-untyped-def]
    ctx = make_app()
    result = process_one(ctx, raw, source="test")
    assert result.kind == "request"
    expected = [(a.filename, a.content_type, a.size, a.sha256) for a in parse_message(raw, large_body=None).attachments]
    with unit_of_work(ctx.sessions) as session:
        stored = session.get(StoredMessage, result.message_row_id)
        assert stored is not None
        assert (stored.raw, stored.size) == (raw, len(raw))
        assert [(a.filename, a.content_type, a.size, a.sha256) for a in stored.attachments] == expected
    assert max(size for _, _, size, _ in expected) >= len(DATA)  # the large part is among them
