"""Body text helpers: charset fallbacks, RFC 3676 unflowing, HTML to text."""

from __future__ import annotations

import pytest

from foimail.mail.charsets import decode_bytes, repair_escaped_bytes
from foimail.mail.text_body import html_to_text, sniff_html_charset, unflow

KA = "გამარჯობა"

DECODES = [
    pytest.param(KA.encode(), "utf-8", KA, None, id="declared"),
    pytest.param(KA.encode(), None, KA, None, id="unlabelled-utf8"),
    pytest.param(KA.encode(), "UTF8", KA, None, id="alias"),
    pytest.param(KA.encode(), "x-foo", KA, "unknown charset 'x-foo' in body: decoded as utf-8", id="unknown"),
    pytest.param(KA.encode(), "base64", KA, "unknown charset 'base64' in body: decoded as utf-8", id="not-text-codec"),
    pytest.param(KA.encode(), "us-ascii", KA, "body is not valid us-ascii: decoded as utf-8", id="ascii-label-lies"),
    pytest.param(
        "Привет".encode("cp1251"),
        "utf-8",
        "Привет",
        "body is not valid utf-8: decoded as windows-1251",
        id="utf8-label-lies",
    ),
    pytest.param(
        "Привет".encode("cp1251"),
        None,
        "Привет",
        "no charset declared in body: decoded as windows-1251",
        id="unlabelled-cp1251",
    ),
    pytest.param("Привет".encode("koi8-r"), "koi8-r", "Привет", None, id="koi8-r"),
    pytest.param(b"+BBEEMAQ9BDo-", "unicode-1-1-utf-7", "Банк", None, id="outlook-utf7-label"),
    pytest.param(KA.encode()[:-1], "utf-8", KA[:-1] + "\ufffd", "body ends inside a UTF-8 character", id="truncated"),
]


@pytest.mark.parametrize(("data", "declared", "text", "defect"), DECODES)
def test_decode_bytes(data: bytes, declared: str | None, text: str, defect: str | None) -> None:
    assert decode_bytes(data, declared, "body") == (text, defect)


def test_repair_escaped_bytes_decodes_each_run() -> None:
    escaped = (KA.encode() + b" and " + "Привет".encode("cp1251")).decode("ascii", "surrogateescape")
    assert repair_escaped_bytes(escaped, "header") == (
        f"{KA} and Привет",
        ["no charset declared in header: decoded as windows-1251"],
    )


FLOWED = [
    pytest.param("one \ntwo\n", False, "one two\n", id="soft-break"),
    pytest.param("one \ntwo\n", True, "onetwo\n", id="delsp"),
    pytest.param("hard\nbreak\n", False, "hard\nbreak\n", id="hard-break"),
    pytest.param("> quoted \n> more\n", False, "> quoted more\n", id="quote"),
    pytest.param("> a \n>> b\n", False, "> a \n>> b\n", id="quote-depth-change-ends-paragraph"),
    pytest.param(" From me\n", False, "From me\n", id="space-stuffing"),
    pytest.param("text\n-- \nsig\n", False, "text\n-- \nsig\n", id="signature-separator"),
]


@pytest.mark.parametrize(("flowed", "delsp", "expected"), FLOWED)
def test_unflow(flowed: str, delsp: bool, expected: str) -> None:
    assert unflow(flowed, delsp) == expected


HTML = [
    pytest.param("<p>ერთი</p><p>ორი</p>", "ერთი\n\nორი\n", id="paragraphs"),
    pytest.param("a<br>b<br/>c", "a\nb\nc\n", id="breaks"),
    pytest.param("<div>a</div><div>b</div>", "a\nb\n", id="divs"),
    pytest.param("<head><title>t</title><style>p{}</style></head><body>x</body>", "x\n", id="head-skipped"),
    pytest.param("<script>alert(1)</script>ok", "ok\n", id="script-skipped"),
    pytest.param("a&nbsp;&amp;&#8222;b&lt;", "a &„b<\n", id="entities"),
    pytest.param('<a href="https://batumi.ge/x">ბმული</a>', "ბმული <https://batumi.ge/x>\n", id="link"),
    pytest.param('<a href="https://batumi.ge/">https://batumi.ge/</a>', "https://batumi.ge/\n", id="bare-link"),
    pytest.param('<a href="mailto:a@b.ge">a@b.ge</a>', "a@b.ge\n", id="mailto"),
    pytest.param(
        '<p class="MsoNormal">ერთი<o:p></o:p></p><p class="MsoNormal"><o:p>&nbsp;</o:p></p><p class=MsoNormal>ორი</p>'
        "<p class=MsoNormal>სამი</p>",
        "ერთი\n\nორი\nსამი\n",
        id="outlook-lines",
    ),
    pytest.param("<ul><li>ერთი</li><li>ორი</li></ul>", "- ერთი\n- ორი\n", id="list"),
    pytest.param("<table><tr><td>a</td><td>b</td></tr></table>", "a b\n", id="table"),
    pytest.param("<p>  many   \n spaces </p>", "many spaces\n", id="whitespace"),
    pytest.param("<!--[if gte mso 9]><xml>x</xml><![endif]-->ok", "ok\n", id="mso-comment"),
    pytest.param("<![foo[ x ]]>ok", "ok\n", id="unknown-marked-section"),
    pytest.param("", "", id="empty"),
    pytest.param("<p>unclosed <b>bold", "unclosed bold\n", id="unclosed"),
]


@pytest.mark.parametrize(("html", "text"), HTML)
def test_html_to_text(html: str, text: str) -> None:
    assert html_to_text(html) == text


def test_sniff_html_charset() -> None:
    assert sniff_html_charset(b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">') == (
        "windows-1251"
    )
    assert sniff_html_charset(b"<meta charset='utf-8'>") == "utf-8"
    assert sniff_html_charset(b"<p>no meta</p>") is None
