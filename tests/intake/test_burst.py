"""A burst of 200 requests of many shapes through real Dovecot and aiosmtpd: each registered and confirmed once."""

from __future__ import annotations

import email
from collections import Counter
from email.policy import default

from sqlalchemy import func, select

from foimail.runners import IntakeRunner, OutboxRunner
from foimail.store.db import unit_of_work
from foimail.store.models import Case
from tests.support.app import imap_settings_for, smtp_settings_for
from tests.support.mails import request_mail

USER = "foi@batumi.ge"


def shapes(i: int) -> bytes:
    """Plain, Georgian encoded-word headers, attachments, quoted-printable and HTML-only bodies."""
    sender = f"citizen{i}@example.org"
    if i % 5 == 0:
        return request_mail(sender=sender, body="ინფორმაცია " * 200)  # long lines: quoted-printable/base64
    if i % 5 == 1:
        return request_mail(sender=sender, attachments=[(f"საბუთი {i}.docx", "application/octet-stream", b"PK" * 500)])
    if i % 5 == 2:
        return (
            f"From: {sender}\r\nTo: foi@batumi.ge\r\nSubject: =?UTF-8?Q?=E1=83=9B=E1=83=9D=E1=83=97=E1=83=AE?= {i}\r\n"
            f"Message-ID: <html{i}@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n"
            "Content-Transfer-Encoding: 8bit\r\n\r\n<p>გთხოვთ <b>მომაწოდოთ</b> ინფორმაცია</p>\r\n"
        ).encode()
    if i % 5 == 3:
        return (
            f"From: {sender}\r\nTo: foi@batumi.ge\r\nSubject: request {i}\r\nMessage-ID: <alt{i}@example.org>\r\n"
            "MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=x\r\n\r\n--x\r\n"
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
            "=E1=83=92=E1=83=97=E1=83=AE=E1=83=9D=E1=83=95=E1=83=97\r\n--x\r\n"
            "Content-Type: text/html; charset=utf-8\r\n\r\n<p>x</p>\r\n--x--\r\n"
        ).encode()
    return request_mail(sender=sender, subject=f"Public information request {i}")


def test_burst_of_200(make_app, mailbox, smtp_server) -> None:  # type: ignore[no-untyped-def]
    ctx = make_app(imap=imap_settings_for(mailbox), smtp=smtp_settings_for(smtp_server))
    with mailbox.client(USER) as client:
        for i in range(200):
            client.append("INBOX", shapes(i))
    intake = IntakeRunner(ctx)
    assert intake.run_once() == 200
    intake.close()
    outbox = OutboxRunner(ctx)
    while outbox.run_once():
        pass
    outbox.close()
    with unit_of_work(ctx.sessions) as session:
        assert session.execute(select(func.count(func.distinct(Case.number)))).scalar_one() == 200
        assert session.execute(select(func.count()).where(Case.confirmed_at.is_(None))).scalar_one() == 0
    subjects = [email.message_from_bytes(m.data, policy=default)["Subject"] for m in smtp_server.messages]
    numbers = Counter(s.split("]")[0].lstrip("[") for s in subjects)
    assert len(numbers) == 200 and set(numbers.values()) == {1}  # confirmed exactly once each
    assert Counter(tuple(m.rcpt_tos) for m in smtp_server.messages).most_common(1)[0][1] == 1
