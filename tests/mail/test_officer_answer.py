"""An officer's whole mail, parsed: which part is read, the cut, and the fail-safe's reason."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from foimail.mail.answer import OfficerAnswer, officer_answer
from foimail.mail.parse import parse_message

FORMAT = "FOI-{year}-{seq:05d}"
ANSWER = "ბატონო გიორგი,\nმოთხოვნილი ინფორმაცია თანდართულია.\nლაშა"
INTERNAL = "შიდა: საქმე დაენიშნა ლაშას"
GMAIL_HTML = (
    '<div dir="ltr"><div>ბატონო გიორგი,</div><div>მოთხოვნილი ინფორმაცია თანდართულია.</div><div>ლაშა</div></div>'
    '<br><div class="gmail_quote"><div class="gmail_attr">ორშ, 23 ნოე. 2026, 08:26-ზე FOI &lt;foi@batumi.ge&gt; წერს:'
    f'</div><blockquote class="gmail_quote"><div>{INTERNAL}</div></blockquote></div>'
)


def mail(plain: str | None, html: str | None) -> bytes:
    message = EmailMessage()
    message["From"] = "Lasha Beridze <lasha@batumi.ge>"
    message["To"] = "foi@batumi.ge"
    message["Subject"] = "Re: [FOI-2026-00001] ბიუჯეტი"
    if plain is not None:
        message.set_content(plain)
        if html is not None:
            message.add_alternative(html, subtype="html")
    elif html is not None:
        message.set_content(html, subtype="html")
    return message.as_bytes()


CASES = {
    "gmail_alternative_reads_the_html": (mail(f"{ANSWER}\n\nწერს:\n> {INTERNAL}\n", GMAIL_HTML), ANSWER + "\n"),
    "html_only": (mail(None, GMAIL_HTML), ANSWER + "\n"),
    "plain_only": (mail(f"{ANSWER}\n\n-----Original Message-----\n{INTERNAL}\n", None), ANSWER + "\n"),
    # Apple/iOS plain text: history under an attribution without ">"; the HTML part quotes it structurally.
    "ios_plain_without_quote_marks": (
        mail(
            f"{ANSWER}\n\nOn 23 Nov 2026, at 08:26, FOI <foi@batumi.ge> wrote:\n\n{INTERNAL}\n",
            f'<div>{"<br>".join(ANSWER.split(chr(10)))}</div><div><br><blockquote type="cite">On 23 Nov 2026, '
            f"at 08:26, FOI &lt;foi@batumi.ge&gt; wrote:<br><br>{INTERNAL}</blockquote></div>",
        ),
        ANSWER + "\n",
    ),
}


@pytest.mark.parametrize(("raw", "text"), list(CASES.values()), ids=list(CASES))
def test_the_answer_is_what_is_left(raw: bytes, text: str) -> None:
    answer = officer_answer(parse_message(raw), FORMAT)
    assert answer.text == text
    assert INTERNAL not in answer.text
    assert answer.unsafe is None


def test_an_empty_mail_is_no_cut_to_fear() -> None:
    assert officer_answer(parse_message(mail("\n", None)), FORMAT) == OfficerAnswer("", None)


def test_a_disclaimer_part_is_not_the_body() -> None:
    message = EmailMessage()
    message["From"] = "lasha@batumi.ge"
    message.set_content(f"{ANSWER}\n\nFrom: FOI <foi@batumi.ge>\nSent: Monday\n{INTERNAL}\n")
    message.add_attachment(
        b"<p>This e-mail is confidential.</p>", maintype="text", subtype="html", disposition="inline"
    )
    del message.get_payload()[1]["Content-Disposition"]
    parsed = parse_message(message.as_bytes())
    assert parsed.html is not None and "confidential" in parsed.html
    assert officer_answer(parsed, FORMAT).text == ANSWER + "\n"


UNSAFE = {
    "nothing_left": (mail(None, f'<div class="gmail_quote">{INTERNAL}</div>'), "nothing is left"),
    "interleaved_html": (
        mail(
            None,
            '<div class="moz-cite-prefix">On 23.11.2026 08:26, FOI wrote:</div><blockquote type="cite">q1</blockquote>'
            '<p>answer one</p><blockquote type="cite">q2</blockquote><p>answer two</p>',
        ),
        "between pieces",
    ),
    "text_below_the_html_quote": (
        mail(
            None,
            '<p>answer one</p><div class="moz-cite-prefix">On 23.11.2026 08:26, FOI wrote:</div>'
            '<blockquote type="cite">q1</blockquote><p>answer two</p>',
        ),
        "between pieces",
    ),
    "text_below_the_plain_quote": (
        mail(f"answer one\n\nOn 23.11.2026 08:26, FOI <foi@batumi.ge> wrote:\n> {INTERNAL}\n\nanswer two\n", None),
        "attribution",
    ),
    "second_header_block_left": (mail(f"{ANSWER}\n\nSubject: [FOI-2026-00001] x\n", None), "case-tagged"),
}


@pytest.mark.parametrize(("raw", "reason"), list(UNSAFE.values()), ids=list(UNSAFE))
def test_unsafe_answers_carry_their_reason(raw: bytes, reason: str) -> None:
    unsafe = officer_answer(parse_message(raw), FORMAT).unsafe
    assert unsafe is not None and reason in unsafe


def test_inline_images_of_the_history_are_not_the_answers() -> None:
    """Gmail and Outlook attach the quoted thread's inline images again; only the answer's own stay."""
    html = (
        '<div>ბატონო გიორგი, ცხრილი თანდართულია.<br><img src="cid:sig-logo@batumi.ge"></div>'
        '<div class="gmail_quote"><blockquote class="gmail_quote">შიდა სქრინშოტი:<img src="cid:ii_internal%40x">'
        '<img src="cid:sig-logo@batumi.ge"></blockquote></div>'
    )
    message = EmailMessage()
    message["From"] = "lasha@batumi.ge"
    message.set_content("ბატონო გიორგი, ცხრილი თანდართულია.\n")
    message.add_alternative(html, subtype="html")
    html_part = message.get_payload()[1]
    for cid, name in (("<sig-logo@batumi.ge>", "logo.png"), ("<ii_internal@x>", "screenshot.png")):
        html_part.add_related(b"\x89PNG\r\n", maintype="image", subtype="png", cid=cid, filename=name)
    message.add_attachment(b"a;b\n", maintype="text", subtype="csv", filename="ცხრილი.csv")
    parsed = parse_message(message.as_bytes())
    assert {a.filename for a in parsed.attachments} == {"logo.png", "screenshot.png", "ცხრილი.csv"}
    answer = officer_answer(parsed, FORMAT)
    assert [a.filename for a in answer.attachments] == ["logo.png", "ცხრილი.csv"]
    assert "სქრინშოტი" not in answer.text and answer.unsafe is None
