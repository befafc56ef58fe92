"""safe_filename: what an attachment may be called once it is ours."""

from __future__ import annotations

import unicodedata

import pytest

from foimail.mail.parse import safe_filename

CASES = [
    pytest.param("განცხადება.pdf", "application/pdf", "განცხადება.pdf", id="georgian-kept"),
    pytest.param("../../etc/passwd", "text/plain", "passwd", id="unix-path"),
    pytest.param("C:\\Users\\Nino\\..\\scan.PDF", "application/pdf", "scan.PDF", id="windows-path"),
    pytest.param("/", "text/plain", "attachment-3.txt", id="only-a-separator"),
    pytest.param(".htaccess", "text/plain", "htaccess", id="leading-dot"),
    pytest.param("...", "image/png", "attachment-3.png", id="only-dots"),
    pytest.param("report.pdf. . ", "application/pdf", "report.pdf", id="trailing-dots-and-spaces"),
    pytest.param("invoice\u202efdp.exe", "application/octet-stream", "invoicefdp.exe", id="bidi-override"),
    pytest.param("a\x00b\x07c\x1b.txt", "text/plain", "abc.txt", id="control-characters"),
    pytest.param("two\r\nlines\t.txt", "text/plain", "two lines .txt", id="line-breaks"),
    pytest.param('what?<"is">:|*.txt', "text/plain", "what___is_____.txt", id="windows-reserved-characters"),
    pytest.param("CON", "text/plain", "_CON", id="windows-device"),
    pytest.param("lpt1.txt", "text/plain", "_lpt1.txt", id="windows-device-with-extension"),
    pytest.param("re\u0301sume\u0301.docx", "application/msword", "résumé.docx", id="nfc"),
    pytest.param(None, "application/pdf", "attachment-3.pdf", id="no-name"),
    pytest.param("", "image/jpeg", "attachment-3.jpg", id="empty-name"),
    pytest.param(None, "message/rfc822", "attachment-3.eml", id="default-eml"),
    pytest.param(None, "text/calendar", "attachment-3.ics", id="default-ics"),
    pytest.param(None, "text/x-unknown", "attachment-3.txt", id="default-other-text"),
    pytest.param(None, "application/x-unknown", "attachment-3.bin", id="default-unknown"),
    pytest.param("x" * 300 + ".docx", "application/msword", "x" * 145 + ".docx", id="long-ascii"),
    pytest.param("x" * 300, "text/plain", "x" * 150, id="long-without-extension"),
    pytest.param("ა" * 100 + ".pdf", "application/pdf", "ა" * 83 + ".pdf", id="long-georgian-bytes"),
]


@pytest.mark.parametrize(("name", "content_type", "expected"), CASES)
def test_safe_filename(name: str | None, content_type: str, expected: str) -> None:
    assert safe_filename(name, 3, content_type) == expected


@pytest.mark.parametrize(("name", "content_type", "expected"), CASES)
def test_safe_filename_invariants(name: str | None, content_type: str, expected: str) -> None:
    safe = safe_filename(name, 3, content_type)
    assert safe and not safe.startswith(".") and "/" not in safe and "\\" not in safe
    assert len(safe) <= 150 and len(safe.encode("utf-8")) <= 255
    assert unicodedata.is_normalized("NFC", safe)
    assert not any(unicodedata.category(c)[0] == "C" for c in safe)
    assert safe_filename(safe, 3, content_type) == safe  # idempotent
