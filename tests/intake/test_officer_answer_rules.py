"""Who meant to send what: the Cc rule, the fail-safe, the authenticity gate's hostile shapes, a bounced relay.

Mail comes in through a real Dovecot and goes out through a real aiosmtpd, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import email.utils
from email.message import EmailMessage
from email.policy import SMTP

import pytest

from tests.support.desk import (
    FOI,
    NOTIFY,
    NUMBER,
    OFFICER,
    REQUESTER,
    Desk,
    Sent,
    officer_mail,
    open_desk,
)

ANSWER = "ქალბატონო ნინო,\n\nგიგზავნით 2025 წლის ბიუჯეტის შესრულების ანგარიშს.\n\nპატივისცემით,\nგიორგი მამალაძე\n"
INTERNAL = "შიდა: იურისტთან შევათანხმოთ, მომთხოვნი 2024 წელს გვიჩივლა"
RESULTS_PASS = ("mx.batumi.ge; dkim=pass header.d=batumi.ge",)


def assert_case_untouched(desk: Desk) -> None:
    case = desk.case()
    assert (case.outcome, case.status, case.deciding_official, case.answered_at) == (None, "open", None, None)
    assert "relay_queued" not in desk.event_kinds() and "decided" not in desk.event_kinds()


@pytest.mark.parametrize("copy", ["cc", "bcc"])
def test_internal_mail_with_foi_in_copy_is_a_note_on_the_case(desk: Desk, copy: str) -> None:
    raw = officer_mail(
        f"#refused personal\n\n{INTERNAL}\n",
        subject=f"[{NUMBER}] can we refuse this?",
        to="ლაშა <lasha@batumi.ge>",
        cc=FOI if copy == "cc" else None,  # a Bcc copy arrives without the header
        message_id="<internal-1@batumi.ge>",
    )
    desk.receive(raw)
    [told] = desk.send_all()

    assert told.rcpt_tos == [OFFICER]  # nothing to the requester
    assert told.mail["Subject"] == f"[{NUMBER}] შიდა შენიშვნად ჩაიწერა / Recorded as an internal note"
    assert "მომთხოვნს არაფერი გაეგზავნა" in told.text and "only in Cc/Bcc" in told.text
    assert told.mail["In-Reply-To"] == "<internal-1@batumi.ge>"
    assert_case_untouched(desk)
    [note] = desk.events("note")
    assert note.actor == OFFICER and INTERNAL in note.detail["text"] and "only in copy" in note.detail["how"]
    stored = desk.stored("<internal-1@batumi.ge>")
    assert (stored.kind, stored.case_id, stored.raw) == ("officer_note", desk.case().id, raw)


def test_foi_in_to_with_a_colleague_in_cc_is_relayed(desk: Desk) -> None:
    desk.receive(officer_mail(ANSWER, to=FOI, cc="lasha@batumi.ge"))
    desk.clock.advance(minutes=3)
    answer, receipt = desk.send_all()
    assert answer.rcpt_tos == [REQUESTER] and receipt.rcpt_tos == [OFFICER]


def html_reply(html: str, plain: str | None = None, **headers: str) -> bytes:
    """An officer's reply as Gmail or Outlook writes it: HTML, with or without a plain alternative."""
    message = EmailMessage()
    message["From"] = email.utils.formataddr(("გიორგი მამალაძე", OFFICER))
    message["To"] = FOI
    message["Subject"] = f"RE: [{NUMBER}] რეგისტრაციის დადასტურება / Registration confirmed"
    message["Date"] = email.utils.format_datetime(email.utils.localtime())
    message["Message-ID"] = headers.pop("message_id", email.utils.make_msgid(domain="batumi.ge"))
    if plain is None:
        message.set_content(html, subtype="html")
    else:
        message.set_content(plain)
        message.add_alternative(html, subtype="html")
    return message.as_bytes(policy=SMTP)


GMAIL_HTML = (
    '<div dir="ltr"><div>ქალბატონო ნინო,</div><div><br></div><div>გიგზავნით 2025 წლის ბიუჯეტის შესრულების '
    'ანგარიშს.</div></div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">ხუთ, 19 მარ. 2026, '
    f'13:40-ზე FOI &lt;foi@batumi.ge&gt; წერს:<br></div><blockquote class="gmail_quote"><div>{INTERNAL}</div>'
    "</blockquote></div>"
)
OUTLOOK_HTML = (
    '<div class="WordSection1"><p class="MsoNormal">ქალბატონო ნინო,</p><p class="MsoNormal">გიგზავნით 2025 წლის '
    'ბიუჯეტის შესრულების ანგარიშს.</p><div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm '
    f'0cm 0cm"><p class="MsoNormal"><b>From:</b> FOI<br><b>Sent:</b> Thursday</p></div><p>{INTERNAL}</p></div>'
)


@pytest.mark.parametrize(
    "raw",
    [html_reply(GMAIL_HTML), html_reply(OUTLOOK_HTML, plain=f"ქალბატონო ნინო,\n\nFrom: FOI\n{INTERNAL}\n")],
    ids=["gmail_html_only", "outlook_alternative"],
)
def test_html_reply_is_relayed_without_its_history(desk: Desk, raw: bytes) -> None:
    desk.receive(raw)
    desk.clock.advance(minutes=3)
    answer, receipt = desk.send_all()
    assert answer.rcpt_tos == [REQUESTER]
    assert "გიგზავნით 2025 წლის ბიუჯეტის შესრულების ანგარიშს." in answer.text
    assert INTERNAL not in answer.text and "წერს:" not in answer.text and "From: FOI" not in answer.text


def test_an_image_from_the_quoted_thread_is_not_relayed(desk: Desk) -> None:
    html = GMAIL_HTML.replace(f"<div>{INTERNAL}</div>", f'<div>{INTERNAL}<img src="cid:ii_scan@mail.gmail.com"></div>')
    message = email.message_from_bytes(html_reply(html), policy=SMTP)
    assert isinstance(message, EmailMessage)
    message.make_related()
    message.add_related(b"%PDF-scan", maintype="image", subtype="png", cid="<ii_scan@mail.gmail.com>", filename="a.png")
    message.add_attachment(b"%PDF-1.7 budget", maintype="application", subtype="pdf", filename="ბიუჯეტი.pdf")
    desk.receive(message.as_bytes(policy=SMTP))
    desk.clock.advance(minutes=3)
    answer, _ = desk.send_all()
    assert [p.get_filename() for p in answer.mail.iter_attachments()] == ["ბიუჯეტი.pdf"]
    assert [e.detail["attachments"] for e in desk.events("relay_queued")] == [["ბიუჯეტი.pdf"]]


UNSAFE = {
    "only_history": (
        "On Thu, 19 Mar 2026 at 13:40, FOI <foi@batumi.ge> wrote:\n"
        f"> [{NUMBER}] რეგისტრაციის დადასტურება\n> {INTERNAL}\n",
        "nothing is left of the answer",
    ),
    "second_case_tagged_subject": (f"{ANSWER}\nRe: [{NUMBER}] ბიუჯეტი\n{INTERNAL}\n", "case-tagged subject line"),
    "interleaved_reply": (
        f"On Thu, 19 Mar 2026 at 13:40, FOI <foi@batumi.ge> wrote:\n> {INTERNAL}\n\nკი.\n\n> კიდევ ერთი\n\nარა.\n",
        "attribution line",
    ),
}


@pytest.mark.parametrize(("body", "reason"), list(UNSAFE.values()), ids=list(UNSAFE))
def test_fail_safe_returns_the_mail_to_its_officer(desk: Desk, body: str, reason: str) -> None:
    raw = officer_mail(body, message_id="<unsafe-1@batumi.ge>")
    desk.receive(raw)
    [returned] = desk.send_all()

    assert returned.rcpt_tos == [OFFICER]
    assert returned.mail["Subject"].startswith(f"[{NUMBER}] არ გაიგზავნა / Not sent:")
    assert reason in returned.text and "მომთხოვნს არ გაეგზავნა" in returned.text
    [original] = list(returned.mail.iter_attachments())
    assert original.get_content_type() == "message/rfc822"
    assert original.get_content()["Message-ID"] == "<unsafe-1@batumi.ge>"
    assert_case_untouched(desk)
    stored = desk.stored("<unsafe-1@batumi.ge>")
    assert (stored.kind, stored.set_aside, stored.reasons) == ("officer_returned", True, [returned_reason(desk)])


def returned_reason(desk: Desk) -> str:
    [event] = desk.events("officer_returned")
    return str(event.detail["reason"])


# The trusted server's own header made unreadable by what the forger sent; the forger's "pass" below it.
FORGED_BELOW = "mx.batumi.ge; dkim=pass header.d=batumi.ge; spf=pass smtp.mailfrom=giorgi@batumi.ge"
HOSTILE = {
    "helo_literal": ("mx.batumi.ge; spf=none smtp.helo=[203.0.113.9]; dkim=none", FORGED_BELOW),
    "null_sender": ("mx.batumi.ge; spf=none smtp.mailfrom=<>; dkim=none", FORGED_BELOW),
    "non_ascii_domain": ("mx.batumi.ge; spf=fail smtp.mailfrom=giorgi@ბათუმი.გე; dkim=none", FORGED_BELOW),
    "non_ascii_local_part": ("mx.batumi.ge; spf=fail smtp.mailfrom=გიორგი@evil.example", FORGED_BELOW),
    "garbled_topmost": ("mx.batumi.ge spf=fail ===", FORGED_BELOW),
    "lookalike_domain_pass": ("mx.batumi.ge; dkim=pass header.d=batumi.ge.evil.example", FORGED_BELOW),
    "cyrillic_lookalike_pass": ("mx.batumi.ge; dkim=pass header.d=bаtumi.ge", FORGED_BELOW),
}


@pytest.mark.parametrize("results", list(HOSTILE.values()), ids=list(HOSTILE))
def test_forged_refusal_is_never_obeyed(trusting_desk: Desk, results: tuple[str, ...]) -> None:
    desk = trusting_desk
    desk.receive(officer_mail("#refused personal\n\n" + ANSWER, results=results, message_id="<forged-2@batumi.ge>"))
    sent = desk.send_all()

    assert all(s.rcpt_tos == [NOTIFY] for s in sent)  # the forgery warning and the follow-up notice only
    assert any("Possible forged officer message" in s.mail["Subject"] for s in sent)
    assert_case_untouched(desk)
    assert "possible_forgery" in desk.event_kinds()


def test_genuine_officer_behind_a_helo_literal_is_relayed(trusting_desk: Desk) -> None:
    results = ("mx.batumi.ge; spf=none smtp.helo=[10.20.0.15]; dkim=pass header.d=batumi.ge",)
    trusting_desk.receive(officer_mail(ANSWER, results=results))
    trusting_desk.clock.advance(minutes=3)
    answer, _ = trusting_desk.send_all()
    assert answer.rcpt_tos == [REQUESTER]


def test_without_trusted_id_or_opt_out_no_officer_is_obeyed(make_app, smtp_server, mailbox) -> None:  # type: ignore[no-untyped-def]
    desk = open_desk(make_app, smtp_server, mailbox, allow_unauthenticated_officers=False)
    try:
        desk.receive(officer_mail("#refused personal\n\n" + ANSWER, results=RESULTS_PASS))
        sent = desk.send_all()
        [warning] = [s for s in sent if "Possible forged" in s.mail["Subject"]]
        assert "office.trusted_authserv_id is not set" in warning.text
        assert all(s.rcpt_tos == [NOTIFY] for s in sent)
        assert_case_untouched(desk)
    finally:
        desk.close()


def bounce_of(sent: Sent) -> bytes:
    """The requester's server bounced the relay after accepting it: a Postfix DSN with its headers."""
    return (
        "Return-Path: <>\r\nFrom: MAILER-DAEMON@mail.batumi.ge (Mail Delivery System)\r\nTo: foi@batumi.ge\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\nAuto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
        "Message-ID: <bounce-1@mail.batumi.ge>\r\nDate: Thu, 19 Mar 2026 14:20:00 +0400\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nYour message could not be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mail.batumi.ge\r\n\r\n"
        f"Final-Recipient: rfc822; {REQUESTER}\r\nAction: failed\r\nStatus: 5.2.2\r\n"
        "Diagnostic-Code: smtp; 552 5.2.2 mailbox full\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: FOI <{FOI}>\r\nTo: {REQUESTER}\r\nMessage-ID: {sent.mail['Message-ID']}\r\n"
        "--B--\r\n"
    ).encode()


def test_a_relay_bounced_after_acceptance_reaches_its_officer(desk: Desk) -> None:
    desk.receive(officer_mail(ANSWER))
    desk.clock.advance(minutes=3)
    answer, _receipt = desk.send_all()
    desk.clock.advance(minutes=15)
    desk.receive(bounce_of(answer))
    [failure] = desk.send_all()

    assert sorted(failure.rcpt_tos) == sorted([NOTIFY, OFFICER])
    assert failure.mail["Subject"] == f"[{NUMBER}] წერილი ვერ მიუვიდა ადრესატს / Delivery failed"
    assert "552 5.2.2 mailbox full" in failure.text and REQUESTER in failure.text
    [failed] = desk.events("delivery_failed")
    assert failed.detail["outbox_kind"] == "relay"
