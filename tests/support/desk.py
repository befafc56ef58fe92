"""An FOI desk for the officer-workflow tests: mail in through a real Dovecot, out through a real aiosmtpd.

`open_desk` registers one request from the requester and sends its confirmation, so every test starts from
case FOI-2026-00001 waiting for an answer. The clock is the test's: mail is appended to Dovecot with the
clock's time as its internal date, which intake takes as the time the message was received. Dovecot ignores
an APPEND date in the future, so the test dates lie in the past.
"""

from __future__ import annotations

import email
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import default
from typing import Any

from sqlalchemy import select

from foimail.config import OfficeSettings
from foimail.context import AppContext
from foimail.runners import IntakeRunner, OutboxRunner
from foimail.store.case_tallies import refresh_values, utc_offset
from foimail.store.db import unit_of_work
from foimail.store.models import Case, Event, StoredMessage
from tests.support.app import SettableClock, imap_settings_for, smtp_settings_for
from tests.support.mails import request_mail

FOI = "foi@batumi.ge"
REQUESTER = "nino@example.org"
OFFICER = "giorgi@batumi.ge"
OFFICER_NAME = "გიორგი მამალაძე"
NOTIFY = "foi-registry@batumi.ge"
NUMBER = "FOI-2026-00001"
REQUEST_SUBJECT = "საჯარო ინფორმაციის მოთხოვნა"
REQUEST_ID = "<request-1@example.org>"
# Mon 2026-03-16 13:30 Tbilisi (UTC+4, no DST): the request arrives.
REQUEST_AT = datetime(2026, 3, 16, 9, 30, tzinfo=UTC)
# Thu 2026-03-19 14:02 Tbilisi: the officer answers.
ANSWER_AT = datetime(2026, 3, 19, 10, 2, tzinfo=UTC)


@dataclass(frozen=True)
class Sent:
    """One message the SMTP server accepted: its envelope and the parsed bytes."""

    mail_from: str
    rcpt_tos: list[str]
    mail: EmailMessage

    @property
    def text(self) -> str:
        part = self.mail.get_body(("plain",))
        assert part is not None
        return str(part.get_content()).replace("\r\n", "\n")


@dataclass
class Desk:
    ctx: AppContext
    clock: SettableClock
    smtp: Any
    mailbox: Any
    intake: Any  # IntakeRunner with an IMAP mailbox
    outbox: OutboxRunner
    seen: int = 0
    confirmation_id: str = ""  # the Message-ID of the request's confirmation: mail foimail sent on the case

    def receive(self, raw: bytes) -> None:
        """Deliver `raw` to the FOI mailbox as of now and run intake once."""
        with self.mailbox.client(FOI) as imap:
            imap.append("INBOX", raw, msg_time=self.clock())
        try:
            assert self.intake.run_once() == 1
        finally:
            self.intake.close()  # the next run logs in afresh and sees what was appended meanwhile

    def send_all(self) -> list[Sent]:
        """Run the outbox until nothing is due; what the SMTP server accepted since the last call."""
        while self.outbox.run_once():
            pass
        new = self.smtp.messages[self.seen :]
        self.seen = len(self.smtp.messages)
        return [Sent(m.mail_from, m.rcpt_tos, email.message_from_bytes(m.data, policy=default)) for m in new]

    def case(self, number: str = NUMBER) -> Case:
        with unit_of_work(self.ctx.sessions) as session:
            return session.execute(select(Case).where(Case.number == number)).scalar_one()

    def event_kinds(self) -> list[str]:
        with unit_of_work(self.ctx.sessions) as session:
            return list(session.execute(select(Event.kind).order_by(Event.id)).scalars())

    def events(self, kind: str) -> list[Event]:
        with unit_of_work(self.ctx.sessions) as session:
            return list(session.execute(select(Event).where(Event.kind == kind).order_by(Event.id)).scalars())

    def stored(self, message_id: str) -> StoredMessage:
        """The inbound row of the message with this Message-ID, raw bytes loaded."""
        with unit_of_work(self.ctx.sessions) as session:
            row = session.execute(
                select(StoredMessage).where(StoredMessage.message_id_header == message_id)
            ).scalar_one()
            _ = row.raw, row.attachments
            return row

    def stale_statistics_values(self) -> int:
        """Cases whose stored statistics values differ from what their facts give (store/case_tallies.py)."""
        with self.ctx.sessions() as session:
            stale = refresh_values(session.connection(), utc_offset(self.ctx.tz, self.clock()))
            session.rollback()
        return stale

    def close(self) -> None:
        self.outbox.close()
        # Whatever the test did to its cases, every use case on the way left their statistics values current.
        assert self.stale_statistics_values() == 0


def open_desk(make_app: Callable[..., AppContext], smtp_server: Any, mailbox: Any, **office: Any) -> Desk:
    """A desk with case FOI-2026-00001 registered and confirmed; `office` overrides OfficeSettings.

    Without a trusted authserv-id the desk takes officers at their From: unless told otherwise.
    """
    trusted = office.get("trusted_authserv_id") or office.get("trusted_received_by")
    office.setdefault("allow_unauthenticated_officers", not trusted)
    clock = SettableClock(REQUEST_AT)
    ctx = make_app(
        clock=clock,
        smtp=smtp_settings_for(smtp_server),
        imap=imap_settings_for(mailbox),
        office=OfficeSettings(notify=(NOTIFY,), **office),
    )
    desk = Desk(ctx, clock, smtp_server, mailbox, IntakeRunner(ctx), OutboxRunner(ctx))
    desk.receive(request_mail(sender=REQUESTER, subject=REQUEST_SUBJECT, message_id=REQUEST_ID))
    [confirmation] = desk.send_all()
    assert confirmation.rcpt_tos == [REQUESTER]
    desk.confirmation_id = confirmation.mail["Message-ID"]
    clock.now = ANSWER_AT
    return desk


def officer_mail(
    body: str,
    subject: str = f"RE: [{NUMBER}] რეგისტრაციის დადასტურება / Registration confirmed",
    *,
    results: tuple[str, ...] = (),
    received: tuple[str, ...] = (),
    **fields: Any,
) -> bytes:
    """An officer's message; `results` become Authentication-Results headers, `received` Received headers
    (above them), each topmost first."""
    fields.setdefault("sender", OFFICER)
    fields.setdefault("name", OFFICER_NAME)
    raw = request_mail(subject=subject, body=body, **fields)
    added = b"".join(f"Authentication-Results: {value}\r\n".encode() for value in results)
    hops = b"".join(f"Received: {value}\r\n".encode() for value in received)
    return hops + added + raw
