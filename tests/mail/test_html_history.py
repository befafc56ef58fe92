"""HTML replies of every client family: the quote containers go before the text is made, and only the answer is left.

Each sample is what the client writes around an officer's top-posted answer (ANSWER_HTML) with foimail's
notice quoted below it; the test asserts that every line of the answer survives and no line of the history.
"""

from __future__ import annotations

import html as html_escape

import pytest

from foimail.core.quotes import history_left, strip_quoted
from foimail.mail.text_body import html_answer_text
from tests.support.history_samples import ATTRIBUTIONS, HEADER_BLOCKS, OUTLOOK_FIELDS, SEPARATORS

FORMAT = "FOI-{year}-{seq:05d}"
ANSWER_LINES = ("ბატონო გიორგი,", "მოთხოვნილი ინფორმაცია თანდართულია.", "პატივისცემით,", "ლაშა ბერიძე")
ANSWER_HTML = "<div>{}</div><div><br></div><div>{}</div><div><br></div><div>{}</div><div>{}</div>".format(*ANSWER_LINES)
HISTORY_LINES = (
    "[FOI-2026-00001] ახალი მოთხოვნა: ბიუჯეტი",
    "შიდა: საქმე დაენიშნა ლაშას, HR-თან შეთანხმებით",
    "Internal: check with legal before answering",
)
HISTORY_HTML = "<div>{}</div><div>{}</div><div>{}</div>".format(*HISTORY_LINES)
FOI = "FOI Batumi &lt;<a href='mailto:foi@batumi.ge'>foi@batumi.ge</a>&gt;"


def outlook_desktop(labels: tuple[str, str, str, str]) -> str:
    """Outlook for Windows: the header paragraph with its border-top, the history after it, not inside it."""
    sent_from, sent, to, subject = labels
    return (
        f'<div class="WordSection1"><p class="MsoNormal">{ANSWER_LINES[0]}<o:p></o:p></p>'
        f'<p class="MsoNormal"><o:p>&nbsp;</o:p></p><p class="MsoNormal">{ANSWER_LINES[1]}<o:p></o:p></p>'
        f'<p class="MsoNormal">{ANSWER_LINES[2]}<o:p></o:p></p><p class="MsoNormal">{ANSWER_LINES[3]}<o:p></o:p></p>'
        '<p class="MsoNormal"><o:p>&nbsp;</o:p></p>'
        '<div><div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm">'
        f'<p class="MsoNormal"><b>{sent_from}:</b> FOI Batumi &lt;foi@batumi.ge&gt; <br><b>{sent}:</b> '
        f"Monday, November 23, 2026 8:26 AM<br><b>{to}:</b> Lasha Beridze &lt;lasha@batumi.ge&gt;<br>"
        f"<b>{subject}:</b> {HISTORY_LINES[0]}<o:p></o:p></p></div></div>"
        f'<p class="MsoNormal"><o:p>&nbsp;</o:p></p><p class="MsoNormal">{HISTORY_LINES[1]}</p>'
        f'<p class="MsoNormal">{HISTORY_LINES[2]}</p></div>'
    )


SAMPLES = {
    "gmail_en": f'<div dir="ltr">{ANSWER_HTML}</div><br><div class="gmail_quote gmail_quote_container">'
    f'<div dir="ltr" class="gmail_attr">On Mon, 23 Nov 2026 at 08:26, {FOI} wrote:<br></div>'
    f'<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);'
    f'padding-left:1ex">{HISTORY_HTML}</blockquote></div>',
    "gmail_ka": f'<div dir="ltr">{ANSWER_HTML}</div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">'
    f"ორშ, 23 ნოე. 2026, 08:26-ზე {FOI} წერს:<br></div>"
    f'<blockquote class="gmail_quote">{HISTORY_HTML}</blockquote></div>',
    "gmail_ru_forward": f'<div dir="ltr">{ANSWER_HTML}<br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">'
    f"---------- Пересылаемое сообщение ---------<br>От: <strong>{FOI}</strong><br>Date: пн, 23 нояб. 2026 г. в 08:26"
    f"<br>Subject: {HISTORY_LINES[0]}<br></div><br>{HISTORY_HTML}</div></div>",
    "gmail_unclosed_divs_in_history": f'<div dir="ltr">{ANSWER_HTML}</div><div class="gmail_quote">'
    f"<div>{HISTORY_LINES[0]}<div>{HISTORY_LINES[1]}<p>{HISTORY_LINES[2]}",
    "thunderbird_en": f'<p>{"<br>".join(ANSWER_LINES)}</p><div class="moz-cite-prefix">On 23.11.2026 08:26, FOI '
    f'Batumi wrote:<br></div><blockquote type="cite" cite="mid:abc@batumi.ge">{HISTORY_HTML}</blockquote>',
    "thunderbird_de": f'<p>{"<br>".join(ANSWER_LINES)}</p><div class="moz-cite-prefix">Am 23.11.2026 um 08:26 '
    f'schrieb FOI Batumi:<br></div><blockquote type="cite">{HISTORY_HTML}</blockquote>',
    "thunderbird_forward": f'<p>{"<br>".join(ANSWER_LINES)}</p><div class="moz-forward-container"><br>'
    f"-------- Forwarded Message --------<table><tr><th>Subject:</th><td>{HISTORY_LINES[0]}</td></tr></table>"
    f"{HISTORY_HTML}</div>",
    "apple_mail_en": f'{ANSWER_HTML}<div><br><blockquote type="cite"><div>On 23 Nov 2026, at 08:26, FOI Batumi '
    f'&lt;foi@batumi.ge&gt; wrote:</div><br class="Apple-interchange-newline"><div>{HISTORY_HTML}</div>'
    "</blockquote></div>",
    "apple_mail_attribution_outside": f"{ANSWER_HTML}<div><br><div>On 23 Nov 2026, at 08:26, FOI Batumi &lt;"
    f'foi@batumi.ge&gt; wrote:</div><br><blockquote type="cite">{HISTORY_HTML}</blockquote></div>',
    "ios_mail_ru": f'<html><head><meta http-equiv="content-type" content="text/html; charset=utf-8"></head>'
    f'<body dir="auto">{ANSWER_HTML}<div dir="ltr"><br><blockquote type="cite">23 нояб. 2026 г., в 08:26, '
    f'FOI Batumi &lt;foi@batumi.ge&gt; написал(а):<br><br></blockquote></div><blockquote type="cite">'
    f'<div dir="ltr">{HISTORY_HTML}</div></blockquote></body></html>',
    "outlook_desktop_en": outlook_desktop(("From", "Sent", "To", "Subject")),
    "outlook_desktop_ka": outlook_desktop(("გამგზავნი", "გაიგზავნა", "ვის", "თემა")),
    "outlook_desktop_de": outlook_desktop(("Von", "Gesendet", "An", "Betreff")),
    "outlook_desktop_ru": outlook_desktop(("От", "Отправлено", "Кому", "Тема")),
    "outlook_desktop_fr": outlook_desktop(("De", "Envoyé", "À", "Objet")),
    "outlook_desktop_tr": outlook_desktop(("Kimden", "Gönderildi", "Kime", "Konu")),
    "outlook_desktop_uk": outlook_desktop(("Від", "Надіслано", "Кому", "Тема")),
    "outlook_desktop_es": outlook_desktop(("De", "Enviado el", "Para", "Asunto")),
    "outlook_desktop_it": outlook_desktop(("Da", "Inviato", "A", "Oggetto")),
    "outlook_desktop_pl": outlook_desktop(("Od", "Wysłano", "Do", "Temat")),
    "outlook_desktop_nl": outlook_desktop(("Van", "Verzonden", "Aan", "Onderwerp")),
    "outlook_desktop_da": outlook_desktop(("Fra", "Sendt", "Til", "Emne")),
    "outlook_desktop_sv": outlook_desktop(("Från", "Skickat", "Till", "Ämne")),
    "outlook_desktop_ja": outlook_desktop(("差出人", "送信日時", "宛先", "件名")),
    "outlook_com_owa": f'<div dir="ltr">{ANSWER_HTML}</div><div id="appendonsend"></div>'
    '<hr style="display:inline-block;width:98%" tabindex="-1"><div id="divRplyFwdMsg" dir="ltr">'
    f'<font face="Calibri" style="font-size:11pt"><b>From:</b> {FOI}<br><b>Sent:</b> Monday, November 23, 2026 '
    f"8:26 AM<br><b>To:</b> Lasha Beridze<br><b>Subject:</b> {HISTORY_LINES[0]}</font><div>&nbsp;</div></div>"
    f'<div dir="ltr">{HISTORY_HTML}</div>',
    "outlook_com_rewritten_by_exchange": f'<div>{ANSWER_HTML}</div><hr tabindex="-1" style="display:inline-block;'
    f'width:98%"><div id="x_divRplyFwdMsg" dir="ltr"><b>From:</b> {FOI}</div><div>{HISTORY_HTML}</div>',
    "outlook_mac": f'<div>{ANSWER_HTML}</div><div id="mail-editor-reference-message-container"><div '
    f'style="border:none;border-top:solid #B5C4DF 1.0pt;padding:3.0pt 0in 0in 0in"><b>From: </b>{FOI}<br>'
    f"<b>Date: </b>Monday, 23 November 2026 at 08:26</div>{HISTORY_HTML}</div>",
    "outlook_mac_legacy": f'{ANSWER_HTML}<span id="OLK_SRC_BODY_SECTION"><div><b>From: </b>{FOI}</div>'
    f"{HISTORY_HTML}</span>",
    "outlook_2003": f'{ANSWER_HTML}<div class="OutlookMessageHeader" lang="en-us" dir="ltr" align="left"><hr '
    f'tabindex="-1"><font face="Tahoma" size="2"><b>From:</b> {FOI}<br><b>Sent:</b> Monday</font></div>{HISTORY_HTML}',
    "yahoo": f'<div class="ydp1a2b3c4yahoo-style-wrap">{ANSWER_HTML}</div><div id="yahoo_quoted_1234567890" '
    f'class="yahoo_quoted"><div style="font-family:Helvetica">On Monday, November 23, 2026, 08:26:00 AM GMT+4, '
    f"FOI Batumi &lt;foi@batumi.ge&gt; wrote:</div><div><br></div>{HISTORY_HTML}</div>",
    "yandex": f'<div>{ANSWER_HTML}</div><div>&nbsp;</div><div>&nbsp;</div><div>23.11.2026, 08:26, "FOI Batumi" '
    f"&lt;foi@batumi.ge&gt;:</div><blockquote>{HISTORY_HTML}</blockquote>",
    "yandex_no_attribution": f"<div>{ANSWER_HTML}</div><div>&nbsp;</div><blockquote>{HISTORY_HTML}</blockquote>",
    "mailru": f"<div>{ANSWER_HTML}</div><div><br><br><br>Понедельник, 23 ноября 2026, 8:26 +04:00 от FOI Batumi "
    f'&lt;foi@batumi.ge&gt;:<br><blockquote style="border-left:1px solid #0857A6; margin:10px; padding:0 0 0 10px;">'
    f'<div id=""><div class="js-helper js-readmsg-msg"><div><div id="style_16000_BODY">{HISTORY_HTML}</div></div>'
    "</div></div></blockquote></div>",
    "mailru_collapsed": f'<div>{ANSWER_HTML}</div><div class="mail-quote-collapse">{HISTORY_HTML}</div>',
    "protonmail": f'<div>{ANSWER_HTML}</div><div class="protonmail_quote">On Monday, November 23rd, 2026 at 08:26, '
    f'FOI Batumi &lt;foi@batumi.ge&gt; wrote:<br><blockquote class="protonmail_quote" type="cite">{HISTORY_HTML}'
    "</blockquote></div>",
    "zoho": f'<div>{ANSWER_HTML}</div><div class="zmail_extra_hr"></div><div class="zmail_extra">'
    f"<div>---- On Mon, 23 Nov 2026 08:26:00 +0400 <b>FOI Batumi</b> wrote ---</div><blockquote>{HISTORY_HTML}"
    "</blockquote></div>",
    "zimbra": f'<div>{ANSWER_HTML}</div><hr id="zwchr"><div><b>From: </b>{FOI}<br><b>Sent: </b>Monday</div>'
    f"{HISTORY_HTML}",
    "roundcube": f"<p>{'<br>'.join(ANSWER_LINES)}</p><p>On 2026-11-23 08:26, FOI Batumi wrote:</p>"
    f'<blockquote type="cite" style="padding: 0 0.4em; border-left: #1010ff 2px solid; margin: 0">{HISTORY_HTML}'
    "</blockquote>",
    "spark": f'<div>{ANSWER_HTML}</div><div name="messageReplySection">On 23 Nov 2026 at 08:26 +0400, FOI Batumi '
    f'&lt;foi@batumi.ge&gt;, wrote:<br><blockquote type="cite">{HISTORY_HTML}</blockquote></div>',
    "samsung_email": f'<div dir="auto">{ANSWER_HTML}</div><div><br></div><div align="left" dir="auto" '
    'style="font-size:100%;color:#000000"><div>-------- Original message --------</div><div>From: FOI Batumi '
    f"&lt;foi@batumi.ge&gt; </div><div>Date: 23.11.26 08:26 (GMT+04:00) </div><div>Subject: {HISTORY_LINES[0]}"
    f"</div><div><br></div></div>{HISTORY_HTML}",
    "unknown_client_ja_attribution": f"<div>{ANSWER_HTML}</div><div>2026年11月23日(月) 8:26 FOI Batumi "
    f"&lt;foi@batumi.ge&gt;:<br></div><div>{HISTORY_HTML}</div>",
    "thunderbird_bottom_posted": f'<div class="moz-cite-prefix">On 23.11.2026 08:26, FOI Batumi wrote:<br></div>'
    f'<blockquote type="cite">{HISTORY_HTML}</blockquote><p>{"<br>".join(ANSWER_LINES)}</p>',
    "gmail_bottom_posted": f'<div dir="ltr"><div class="gmail_quote"><div class="gmail_attr">On Mon, 23 Nov 2026 '
    f'at 08:26, {FOI} wrote:</div><blockquote class="gmail_quote">{HISTORY_HTML}</blockquote></div>'
    f"<div>{ANSWER_HTML}</div></div>",
}


def as_html(text: str) -> str:
    return "<br>".join(html_escape.escape(line) for line in text.split("\n"))


# Each language's attribution, header block and separator as an unknown webmail writes them: plain <div>s,
# no quote container, so only the text rules can find the history.
for _name, _line in ATTRIBUTIONS.items():
    SAMPLES[f"webmail_{_name}"] = f"<div>{ANSWER_HTML}</div><div>{as_html(_line)}</div>{HISTORY_HTML}"
    SAMPLES[f"gmail_container_{_name}"] = (
        f'<div dir="ltr">{ANSWER_HTML}</div><div class="gmail_quote"><div class="gmail_attr">{as_html(_line)}</div>'
        f'<blockquote class="gmail_quote">{HISTORY_HTML}</blockquote></div>'
    )
for _name, _block in HEADER_BLOCKS.items():
    SAMPLES[f"webmail_{_name}"] = (
        f"<div>{ANSWER_HTML}</div><p>{as_html(_block.format(*OUTLOOK_FIELDS))}</p>{HISTORY_HTML}"
    )
for _name, _line in SEPARATORS.items():
    _header = as_html(HEADER_BLOCKS["en_outlook"].format(*OUTLOOK_FIELDS))
    SAMPLES[f"webmail_{_name}"] = f"<div>{ANSWER_HTML}</div><div>{as_html(_line)}<br>{_header}</div>{HISTORY_HTML}"


def answer_of(html: str) -> str:
    cut = html_answer_text(html)
    assert not cut.interleaved
    assert not cut.written_below
    return strip_quoted(cut.text)


@pytest.mark.parametrize("html", list(SAMPLES.values()), ids=list(SAMPLES))
def test_only_the_answer_is_left(html: str) -> None:
    answer = answer_of(html)
    lines = [line.strip() for line in answer.split("\n") if line.strip()]
    assert lines == list(ANSWER_LINES)
    for line in HISTORY_LINES:
        assert all(line not in kept for kept in lines), line
    assert "foi@batumi.ge" not in answer
    assert history_left(answer, FORMAT) is None


OWN_QUOTES = {
    "gmail_indent_in_the_middle": (
        '<div dir="ltr"><div>ბატონო გიორგი,</div><blockquote style="margin:0 0 0 40px;border:none;padding:0px">'
        "<div>სზაკ, მუხლი 2: საჯარო ინფორმაცია ოფიციალური დოკუმენტია.</div></blockquote><div>ლაშა</div></div>",
        "ბატონო გიორგი,\n> სზაკ, მუხლი 2: საჯარო ინფორმაცია ოფიციალური დოკუმენტია.\nლაშა\n",
    ),
    "nested_blockquote_in_the_middle": (
        "<p>a</p><blockquote><p>b</p><blockquote><p>c</p></blockquote></blockquote><p>d</p>",
        "a\n\n> b\n> > c\n\nd\n",
    ),
    "no_history": (ANSWER_HTML, "\n\n".join(ANSWER_LINES[:2]) + "\n\n" + "\n".join(ANSWER_LINES[2:]) + "\n"),
}


@pytest.mark.parametrize(("html", "text"), list(OWN_QUOTES.values()), ids=list(OWN_QUOTES))
def test_the_officers_own_blockquote_stays(html: str, text: str) -> None:
    assert answer_of(html) == text


def test_interleaved_reply_is_flagged() -> None:
    html = (
        '<div class="moz-cite-prefix">On 23.11.2026 08:26, FOI Batumi wrote:</div><blockquote type="cite">'
        'question one</blockquote><p>answer one</p><blockquote type="cite">question two</blockquote><p>answer two</p>'
    )
    cut = html_answer_text(html)
    assert cut.interleaved
    assert "question" not in cut.text


def test_history_alone_leaves_nothing() -> None:
    html = f'<div class="gmail_quote">{HISTORY_HTML}</div>'
    assert history_left(strip_quoted(html_answer_text(html).text), FORMAT) is not None


BELOW = {
    # Top text, the quote, then more answer: an interleaved reply, or one the officer went on with below.
    "thunderbird_text_below": (
        f'<p>{ANSWER_LINES[0]}</p><div class="moz-cite-prefix">On 23.11.2026 08:26, FOI Batumi wrote:<br></div>'
        f'<blockquote type="cite">{HISTORY_HTML}</blockquote><p>{ANSWER_LINES[1]}</p>',
        True,
    ),
    "gmail_text_below": (
        f'<div dir="ltr">{ANSWER_LINES[0]}</div><div class="gmail_quote"><div class="gmail_attr">On Mon, 23 Nov 2026'
        f' at 08:26, {FOI} wrote:</div><blockquote class="gmail_quote">{HISTORY_HTML}</blockquote></div>'
        f"<div>{ANSWER_LINES[1]}</div>",
        True,
    ),
    "thunderbird_signature_below": (
        f'<p>{ANSWER_LINES[0]}</p><div class="moz-cite-prefix">On 23.11.2026 08:26, FOI Batumi wrote:<br></div>'
        f'<blockquote type="cite">{HISTORY_HTML}</blockquote><pre class="moz-signature">-- \nლაშა ბერიძე</pre>',
        False,
    ),
    "style_below": (
        f'<p>{ANSWER_LINES[0]}</p><blockquote type="cite">{HISTORY_HTML}</blockquote><style>p{{}}</style>',
        False,
    ),
    "outlook_start_then_history": (
        f'<div>{ANSWER_LINES[0]}</div><div id="divRplyFwdMsg"><b>From:</b> FOI</div><div>{HISTORY_LINES[1]}</div>',
        False,
    ),
}


@pytest.mark.parametrize(("html", "below"), list(BELOW.values()), ids=list(BELOW))
def test_text_written_below_the_history_container_is_flagged(html: str, below: bool) -> None:
    """Text after the container that ended the answer is the officer's: dropping it would lose it unseen
    (talon's "reply wraps quotations", in HTML). A signature, a style sheet, Outlook's history are not."""
    cut = html_answer_text(html)
    assert cut.written_below is below
    assert all(line not in cut.text for line in HISTORY_LINES)
