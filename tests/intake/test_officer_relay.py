"""Officers answer from their own mail client: relayed, recorded from Cc, or refused as forged.

Mail comes in through a real Dovecot and goes out through a real aiosmtpd, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.desk import (
    ANSWER_AT,
    FOI,
    NOTIFY,
    NUMBER,
    OFFICER,
    REQUEST_ID,
    REQUEST_SUBJECT,
    REQUESTER,
    Desk,
    Sent,
    officer_mail,
)
from tests.support.mails import request_mail

ANSWER = (
    "ქალბატონო ნინო,\n\n"
    "გიგზავნით 2025 წლის ბიუჯეტის შესრულების ანგარიშს და ხარჯების ცხრილს.\n\n"
    "პატივისცემით,\n"
    "გიორგი მამალაძე\n"
    "ფინანსური სამსახური\n"
)
ATTACHMENTS = [
    ("ბიუჯეტის შესრულების ანგარიში 2025.pdf", "application/pdf", b"%PDF-1.7\n" + bytes(range(256)) * 40),
    ("ხარჯები.csv", "text/csv", "მუხლი;თანხა\nგზები;1200000\nსკოლები;850000\n".encode()),
]


def relay_answer(desk: Desk, **fields: Any) -> list[Sent]:
    """The officer answers at ANSWER_AT; the outbox runs three minutes later."""
    desk.receive(officer_mail(ANSWER, **fields))
    desk.clock.advance(minutes=3)
    return desk.send_all()


def test_relay_with_georgian_attachments(desk: Desk) -> None:
    raw = officer_mail(ANSWER, attachments=ATTACHMENTS, message_id="<answer-1@batumi.ge>")
    assert b"filename*0*=utf-8''" in raw  # the mail client's RFC 2231 Georgian filename, continued
    desk.receive(raw)
    desk.clock.advance(minutes=3)  # sent at 14:05 Tbilisi
    answer, receipt = desk.send_all()

    assert (answer.mail_from, answer.rcpt_tos) == (FOI, [REQUESTER])
    mail = answer.mail
    assert mail["From"].addresses[0].addr_spec == FOI
    assert mail["Subject"] == f"[{NUMBER}] {REQUEST_SUBJECT}"
    assert mail["In-Reply-To"] == REQUEST_ID
    assert mail["References"] == REQUEST_ID
    assert mail["Auto-Submitted"] is None  # a person's answer, not an automatic reply
    assert answer.text.startswith(ANSWER.rstrip())
    got = [(p.get_filename(), p.get_content_type(), p.get_payload(decode=True)) for p in mail.iter_attachments()]
    assert got == ATTACHMENTS  # names, types and every byte

    assert receipt.rcpt_tos == [OFFICER]
    assert receipt.mail["Subject"] == f"[{NUMBER}] მომთხოვნს გაეგზავნა / Sent to the requester"
    assert receipt.mail["In-Reply-To"] == "<answer-1@batumi.ge>"
    assert "14:05" in receipt.text and "19 March 2026" in receipt.text and REQUESTER in receipt.text
    assert "2026 წლის 19 მარტს" in receipt.text  # the dative: the day it was sent

    case = desk.case()
    assert (case.outcome, case.status, case.deciding_official) == ("answered_full", "closed", OFFICER)
    assert case.answered_at == ANSWER_AT  # when the answer arrived, not when it was relayed
    assert (case.refusal_ground, case.refusal_act, case.forwarded_to) == (None, None, None)
    stored = desk.stored("<answer-1@batumi.ge>")
    assert stored.raw == raw and stored.kind == "officer" and stored.case_id == case.id
    assert [a.filename for a in stored.attachments] == [name for name, _, _ in ATTACHMENTS]
    assert desk.event_kinds()[2:] == ["decided", "relay_queued", "relay_sent", "officer_receipt_sent"]
    [decided] = desk.events("decided")
    assert decided.actor == OFFICER and decided.detail["outcome"] == "answered_full"


@pytest.mark.parametrize("copy", ["cc", "bcc"])
def test_answer_sent_directly_with_foi_in_copy_is_recorded_not_relayed(desk: Desk, copy: str) -> None:
    raw = officer_mail(
        ANSWER,
        subject=f"RE: [{NUMBER}] {REQUEST_SUBJECT}",
        to=f"ნინო ბერიძე <{REQUESTER}>",
        cc=FOI if copy == "cc" else None,  # a Bcc copy arrives without the header
        message_id="<direct-1@batumi.ge>",
    )
    desk.receive(raw)
    sent = desk.send_all()

    assert [s.rcpt_tos for s in sent] == [[OFFICER]]  # the receipt; nothing to the requester
    assert "Recorded on case" in sent[0].text and "foimail sent nothing to the requester" in sent[0].text
    assert sent[0].mail["Subject"].endswith("ჩაიწერა / Recorded")
    case = desk.case()
    assert (case.outcome, case.status, case.deciding_official) == ("answered_full", "closed", OFFICER)
    assert case.answered_at == ANSWER_AT
    assert desk.stored("<direct-1@batumi.ge>").raw == raw
    [recorded] = desk.events("answer_recorded")
    assert recorded.actor == OFFICER and recorded.detail["outcome"] == "answered_full"
    assert "relay_queued" not in desk.event_kinds()


# What the receiving MTA (mx.batumi.ge) and others wrote, topmost first.
FORGED = {
    "no results at all": (),
    "trusted server saw dkim fail": ("mx.batumi.ge; dkim=fail header.d=batumi.ge; spf=fail smtp.mailfrom=batumi.ge",),
    "pass from another server, above": (
        "evil.example; dkim=pass header.d=batumi.ge",
        "mx.batumi.ge; dkim=none; spf=softfail smtp.mailfrom=giorgi@batumi.ge",
    ),
    "pass from another server, below": (
        "mx.batumi.ge; dkim=none; spf=softfail smtp.mailfrom=giorgi@batumi.ge",
        "evil.example; dkim=pass header.d=batumi.ge",
    ),
    "pass from a look-alike server only": ("mx.batumi.ge.evil.example; dkim=pass header.d=batumi.ge",),
    "trusted pass for another domain": ("mx.batumi.ge; dkim=pass header.d=evil.example",),
    "trusted auth=pass for another officer's login": ("mx.batumi.ge; auth=pass smtp.auth=nino@batumi.ge",),
    "sender's own trusted-looking pass below the MTA's": (
        "mx.batumi.ge; dkim=fail header.d=batumi.ge",
        "mx.batumi.ge; dkim=pass header.d=batumi.ge",
    ),
}


@pytest.mark.parametrize("results", list(FORGED.values()), ids=list(FORGED))
def test_forged_officer_is_a_citizen_and_notify_list_is_warned(trusting_desk: Desk, results: tuple) -> None:
    desk = trusting_desk
    raw = officer_mail("#refused other\n\n" + ANSWER, results=results, message_id="<forged-1@batumi.ge>")
    desk.receive(raw)
    sent = desk.send_all()

    warning, notice = sent  # and nothing to the requester or to the "officer"
    assert warning.rcpt_tos == notice.rcpt_tos == [NOTIFY]
    assert warning.mail["Subject"] == f"[{NUMBER}] შესაძლო გაყალბება / Possible forged officer message"
    assert notice.mail["Subject"] == f"[{NUMBER}] ახალი წერილი საქმეზე / New message on the case"
    assert "Note: the sender is not the registered requester" in notice.text
    stored = desk.stored("<forged-1@batumi.ge>")
    assert OFFICER in warning.text and f"Stored as message #{stored.id} on case {NUMBER}" in warning.text
    case = desk.case()
    assert (case.outcome, case.status, case.deciding_official, case.answered_at) == (None, "open", None, None)
    assert (stored.kind, stored.case_id, stored.raw) == ("follow_up", case.id, raw)
    assert desk.event_kinds()[2:] == ["possible_forgery", "follow_up", "notify_sent", "followup_notice_sent"]


def postfix_hop(login: str | None, helo: str = "[192.0.2.7]") -> str:
    """The Received header mail.batumi.ge's Postfix writes (smtpd_sasl_authenticated_header = yes)."""
    auth = f"\r\n\t(Authenticated sender: {login})" if login else ""
    proto = "ESMTPSA" if login else "ESMTPS"
    return (
        f"from {helo} (unknown [192.0.2.7])\r\n\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits))"
        f"{auth}\r\n\tby mail.batumi.ge (Postfix) with {proto} id 4dLk3x0Bv2z9sT\r\n\tfor <{FOI}>;"
        " Mon, 30 Nov 2026 14:02:00 +0400 (+04)"
    )


# Received headers topmost first: our Postfix's hop, then whatever the sender wrote.
FORGED_HOPS = {
    "no Received header": (),
    "port 25, a genuine-looking hop copied below ours": (postfix_hop(None), postfix_hop(OFFICER)),
    "port 25, the login in the HELO name": (
        postfix_hop(None, helo=f"x (y [1.2.3.4]) (Authenticated sender: {OFFICER})"),
    ),
    "another officer's login": (postfix_hop("nino@batumi.ge"),),
}


@pytest.mark.parametrize("received", list(FORGED_HOPS.values()), ids=list(FORGED_HOPS))
def test_forged_officer_through_postfix_is_a_citizen(postfix_desk: Desk, received: tuple) -> None:
    desk = postfix_desk
    desk.receive(officer_mail("#refused other\n\n" + ANSWER, received=received, message_id="<forged-2@batumi.ge>"))
    warning, _notice = desk.send_all()  # nothing to the requester or to the "officer"
    assert warning.rcpt_tos == [NOTIFY]
    assert warning.mail["Subject"] == f"[{NUMBER}] შესაძლო გაყალბება / Possible forged officer message"
    case = desk.case()
    assert (case.outcome, case.status, case.deciding_official) == (None, "open", None)
    assert desk.stored("<forged-2@batumi.ge>").kind == "follow_up"


def test_genuine_officer_is_relayed_on_postfixs_authenticated_sender(postfix_desk: Desk) -> None:
    answer, receipt = relay_answer(postfix_desk, received=(postfix_hop(OFFICER),))
    assert answer.rcpt_tos == [REQUESTER] and receipt.rcpt_tos == [OFFICER]
    assert postfix_desk.case().deciding_official == OFFICER
    assert "possible_forgery" not in postfix_desk.event_kinds()


GENUINE = {
    "dkim": ("mx.batumi.ge; dkim=pass header.d=batumi.ge",),
    "auth, the login being the officer's address": (f"mx.batumi.ge; auth=pass (PLAIN) smtp.auth={OFFICER}",),
    "spf, folded, with comments": (
        "mx.batumi.ge;\r\n\tdkim=none (no signature);\r\n\tspf=pass (sender SPF authorized)"
        " smtp.mailfrom=giorgi@batumi.ge",
    ),
    "another server's fail below": (
        "mx.batumi.ge; arc=none; dkim=pass (2048-bit key) header.d=batumi.ge header.s=mail",
        "relay.example.net; dkim=fail header.d=batumi.ge",
    ),
}


@pytest.mark.parametrize("results", list(GENUINE.values()), ids=list(GENUINE))
def test_genuine_officer_is_relayed_when_authserv_id_is_trusted(trusting_desk: Desk, results: tuple) -> None:
    answer, receipt = relay_answer(trusting_desk, results=results)
    assert answer.rcpt_tos == [REQUESTER] and receipt.rcpt_tos == [OFFICER]
    assert answer.text.startswith(ANSWER.rstrip())
    assert trusting_desk.case().deciding_official == OFFICER
    assert "possible_forgery" not in trusting_desk.event_kinds()


@pytest.mark.parametrize("tagged", [True, False], ids=["subject tag", "threading only"])
def test_requester_replying_to_the_answer_is_a_follow_up_and_the_office_told(desk: Desk, tagged: bool) -> None:
    [answer, _] = relay_answer(desk)
    question = "გმადლობთ. ცხრილში არ ჩანს 2025 წლის მეოთხე კვარტალი — შეგიძლიათ დამატებით გამომიგზავნოთ?"
    subject = f"Re: [{NUMBER}] {REQUEST_SUBJECT}" if tagged else f"Re: {REQUEST_SUBJECT}"
    desk.clock.advance(hours=2)
    raw = request_mail(
        subject=subject,
        body=question,
        in_reply_to=answer.mail["Message-ID"],
        message_id="<reply-1@example.org>",
    )
    desk.receive(raw)
    [notice] = desk.send_all()

    assert notice.rcpt_tos == [NOTIFY]
    assert notice.mail["Subject"] == f"[{NUMBER}] ახალი წერილი საქმეზე / New message on the case"
    assert "not the registered requester" not in notice.text
    assert question in notice.text and REQUESTER in notice.text
    case = desk.case()
    stored = desk.stored("<reply-1@example.org>")
    assert (stored.kind, stored.case_id, stored.set_aside, stored.raw) == ("follow_up", case.id, False, raw)
    assert case.outcome == "answered_full" and case.answered_at == ANSWER_AT  # the answer stands
    [follow_up] = desk.events("follow_up")
    assert (follow_up.actor, follow_up.at) == (REQUESTER, desk.clock())


def test_officer_out_of_office_reply_is_kept_never_relayed_or_answered(desk: Desk) -> None:
    raw = officer_mail(
        "ოფისში არ ვარ 30 მარტამდე. / I am out of the office until 30 March.\n",
        subject=f"Automatic reply: [{NUMBER}] {REQUEST_SUBJECT}",
        headers={"Auto-Submitted": "auto-replied"},
        message_id="<ooo-1@batumi.ge>",
    )
    desk.receive(raw)
    assert desk.send_all() == []
    case = desk.case()
    stored = desk.stored("<ooo-1@batumi.ge>")
    assert (stored.kind, stored.set_aside, stored.case_id) == ("auto_reply", True, case.id)
    assert (case.outcome, case.deciding_official, case.answered_at) == (None, None, None)
