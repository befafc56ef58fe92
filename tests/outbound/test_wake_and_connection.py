"""Speed without new risks: intake wakes the outbox at once; one SMTP connection carries a run of sends."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session

from foimail.adapters.smtp import SmtpSender
from foimail.config import OutboxSettings
from foimail.runners import IntakeRunner, OutboxRunner
from tests.support.app import imap_settings_for, smtp_settings_for
from tests.support.mails import request_mail
from tests.support.smtp import SmtpServer, _start

USER = "foi@batumi.ge"


class PeerRecordingServer(SmtpServer):
    """Notes the client's (host, port) of each MAIL: one port per TCP connection."""

    def __init__(self) -> None:
        super().__init__(cert_path=None)
        self.peers: list[object] = []

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, mail_options: list[str]
    ) -> str:
        self.peers.append(session.peer)
        return await super().handle_MAIL(server, session, envelope, address, mail_options)


@pytest.fixture
def impatient_smtp() -> Iterator[PeerRecordingServer]:
    """A server that drops a client silent for one second, as real servers do after a few minutes."""
    server = PeerRecordingServer()
    controller = _start(server, tls=None, timeout=1)
    yield server
    controller.stop()


def test_a_run_of_sends_shares_one_connection(impatient_smtp) -> None:  # type: ignore[no-untyped-def]
    sender = SmtpSender(smtp_settings_for(impatient_smtp))
    try:
        for n in range(3):
            assert "accepted" in sender(USER, [f"citizen{n}@example.ge"], request_mail(sender=USER, body=str(n)))
    finally:
        sender.close()
    assert len(impatient_smtp.wait_for(3)) == 3
    assert len(set(impatient_smtp.peers)) == 1


def test_a_connection_the_server_dropped_is_replaced_and_the_mail_goes(impatient_smtp) -> None:  # type: ignore[no-untyped-def]
    sender = SmtpSender(smtp_settings_for(impatient_smtp))
    try:
        sender(USER, ["first@example.ge"], request_mail(sender=USER, body="first"))
        threading.Event().wait(2.5)  # the server's idle timeout passes; the client has not noticed
        sender(USER, ["second@example.ge"], request_mail(sender=USER, body="second"))
    finally:
        sender.close()
    assert [m.rcpt_tos for m in impatient_smtp.wait_for(2)] == [["first@example.ge"], ["second@example.ge"]]
    assert len(set(impatient_smtp.peers)) == 2


def test_intake_wakes_the_outbox_long_before_its_idle_wait(make_app, mailbox, smtp_server) -> None:  # type: ignore[no-untyped-def]
    ctx = make_app(
        imap=imap_settings_for(mailbox),
        smtp=smtp_settings_for(smtp_server),
        outbox=OutboxSettings(idle_seconds=3600),
    )
    wake = threading.Event()
    intake, outbox = IntakeRunner(ctx, wake=wake), OutboxRunner(ctx, wake=wake)
    stop = threading.Event()
    threads = [threading.Thread(target=r.run, args=(stop,), daemon=True) for r in (intake, outbox)]
    for thread in threads:
        thread.start()
    try:
        assert intake.ready.wait(20)  # both runners have looked once and now wait
        mailbox.append(USER, request_mail())
        [confirmation] = smtp_server.wait_for(1, timeout=30)  # an hour early: only the wake-up explains it
        assert confirmation.rcpt_tos == ["nino@example.org"]
    finally:
        stop.set()
        for thread in threads:
            thread.join(10)
    assert not any(thread.is_alive() for thread in threads)
