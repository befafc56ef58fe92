"""The real-server fixtures of tests/support do what the integration tiers rely on."""

from __future__ import annotations

import smtplib
import ssl
import time
from pathlib import Path

import pytest
from imapclient import IMAPClient
from sqlalchemy import create_engine, inspect, text

from tests.support import unavailable
from tests.support.dovecot import DovecotServer
from tests.support.smtp import RecordedMail, SmtpServer

FOI = "foi@batumi.ge"
# A Georgian request as a Gmail user would send it: RFC 2047 subject, 8-bit UTF-8 body, CRLF line ends.
GEORGIAN_REQUEST = (
    "From: =?UTF-8?B?4YOc4YOY4YOc4YOd?= <nino@example.org>\r\n"
    "To: foi@batumi.ge\r\n"
    "Subject: =?UTF-8?B?4YOh4YOQ4YOv4YOQ4YOg4YOdIOGDmOGDnOGDpOGDneGDoOGDm+GDkOGDquGDmOGDkA==?=\r\n"
    "Message-ID: <selftest-1@example.org>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: 8bit\r\n"
    "\r\n"
    "გთხოვთ, მომაწოდოთ 2024 წლის ბიუჯეტის შესრულების ანგარიში.\r\n"
    ".line starting with a dot\r\n"
).encode()


def trusting(cert_path: Path | None) -> ssl.SSLContext:
    """A client context that trusts only the fixture's self-signed certificate, hostname checked."""
    assert cert_path is not None
    return ssl.create_default_context(cafile=str(cert_path))


# -- Dovecot ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("security", ["none", "starttls", "ssl"])
def test_dovecot_login(dovecot: DovecotServer, security: str) -> None:
    context = trusting(dovecot.cert_path)
    if security == "ssl":
        imap = IMAPClient(dovecot.host, dovecot.ssl_port, ssl=True, ssl_context=context, timeout=5)
    else:
        imap = IMAPClient(dovecot.host, dovecot.port, ssl=False, timeout=5)
        if security == "starttls":
            imap.starttls(context)
    with imap:
        imap.login(FOI, dovecot.users[FOI])
        assert imap.select_folder("INBOX", readonly=True)[b"EXISTS"] >= 0


def test_dovecot_rejects_wrong_password(dovecot: DovecotServer) -> None:
    with IMAPClient(dovecot.host, dovecot.port, ssl=False, timeout=5) as imap:
        with pytest.raises(IMAPClient.Error):
            imap.login(FOI, "wrong")


def test_append_and_fetch_georgian_message_byte_exact(mailbox: DovecotServer) -> None:
    uid = mailbox.append(FOI, GEORGIAN_REQUEST)

    assert mailbox.folder_uids(FOI, "INBOX") == [uid]
    assert mailbox.fetch_all(FOI, "INBOX") == [GEORGIAN_REQUEST]
    assert mailbox.fetch_all("other@example.org", "INBOX") == []


def test_reset_leaves_an_empty_inbox_only(mailbox: DovecotServer) -> None:
    for folder in ("INBOX", "Processed", "Quarantine.Bounces", "დამუშავებული"):
        mailbox.append(FOI, GEORGIAN_REQUEST, folder)
    with mailbox.client(FOI) as imap:
        imap.subscribe_folder("Processed")

    mailbox.reset(FOI)

    with mailbox.client(FOI) as imap:
        assert [name for _, _, name in imap.list_folders()] == ["INBOX"]
        assert [name for _, _, name in imap.list_sub_folders()] in ([], ["INBOX"])
    assert mailbox.folder_uids(FOI, "INBOX") == []


def test_idle_is_told_of_an_append_from_another_connection(mailbox: DovecotServer) -> None:
    with mailbox.client(FOI) as watcher:
        watcher.select_folder("INBOX")
        watcher.idle()
        mailbox.append(FOI, GEORGIAN_REQUEST)
        deadline = time.monotonic() + 2
        responses: list[tuple[object, ...]] = []
        while (1, b"EXISTS") not in responses and (left := deadline - time.monotonic()) > 0:
            responses += watcher.idle_check(timeout=left)
        watcher.idle_done()
    assert (1, b"EXISTS") in responses, responses


# -- SMTP ---------------------------------------------------------------------------------------------------


def send(server: SmtpServer, raw: bytes = GEORGIAN_REQUEST, timeout: float = 5) -> None:
    client = smtplib.SMTP(server.host, server.port, timeout=timeout)
    try:
        client.sendmail("foi@batumi.ge", ["nino@example.org"], raw)
        client.quit()
    finally:
        client.close()


def test_smtp_records_the_message(smtp_server: SmtpServer) -> None:
    send(smtp_server)

    assert smtp_server.wait_for(1) == [RecordedMail("foi@batumi.ge", ["nino@example.org"], GEORGIAN_REQUEST)]


def test_smtp_refuses_with_451_then_accepts(smtp_server: SmtpServer) -> None:
    smtp_server.refuse(451, "4.3.0 try later", times=1)

    with pytest.raises(smtplib.SMTPDataError) as refused:
        send(smtp_server)
    send(smtp_server)

    assert refused.value.smtp_code == 451
    assert len(smtp_server.wait_for(1)) == 1


def test_smtp_refuses_until_told_to_accept(smtp_server: SmtpServer) -> None:
    smtp_server.refuse()
    for _ in range(2):
        with pytest.raises(smtplib.SMTPDataError):
            send(smtp_server)
    smtp_server.accept()
    send(smtp_server)

    assert len(smtp_server.wait_for(1)) == 1


def test_smtp_550_at_rcpt_is_permanent(smtp_server: SmtpServer) -> None:
    smtp_server.refuse(550, "5.1.1 no such mailbox", at="RCPT")

    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        send(smtp_server)

    assert refused.value.recipients["nino@example.org"][0] == 550
    assert smtp_server.messages == []


def test_smtp_hang_delays_the_reply(smtp_server: SmtpServer) -> None:
    smtp_server.hang(0.5)
    started = time.monotonic()
    send(smtp_server)
    assert time.monotonic() - started >= 0.5

    smtp_server.hang(30)
    with pytest.raises(smtplib.SMTPServerDisconnected, match="timed out"):
        send(smtp_server, timeout=0.3)
    smtp_server.accept()
    send(smtp_server)

    assert len(smtp_server.wait_for(2)) == 2  # the message the client gave up on was not recorded


def test_smtp_auth_when_required(smtp_server: SmtpServer) -> None:
    smtp_server.require_auth()
    with pytest.raises(smtplib.SMTPSenderRefused):
        send(smtp_server)

    with smtplib.SMTP(smtp_server.host, smtp_server.port, timeout=5) as client:
        client.login(smtp_server.user, smtp_server.password)
        client.sendmail("foi@batumi.ge", ["nino@example.org"], GEORGIAN_REQUEST)

    assert len(smtp_server.wait_for(1)) == 1


def test_smtp_starttls_with_auth(smtp_server_tls: SmtpServer) -> None:
    with pytest.raises(smtplib.SMTPSenderRefused):
        send(smtp_server_tls)  # STARTTLS is required

    with smtplib.SMTP(smtp_server_tls.host, smtp_server_tls.port, timeout=5) as client:
        client.starttls(context=trusting(smtp_server_tls.cert_path))
        client.login(smtp_server_tls.user, smtp_server_tls.password)
        client.sendmail("foi@batumi.ge", ["nino@example.org"], GEORGIAN_REQUEST)

    assert smtp_server_tls.wait_for(1)[0].data == GEORGIAN_REQUEST


# -- Databases ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("round_", [1, 2])
def test_database_is_empty_and_isolated(database_url: str, round_: int) -> None:
    """Each round writes a table; the other round, on the same backend, must not see it."""
    engine = create_engine(database_url)
    try:
        assert inspect(engine).get_table_names() == []
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE marker (note VARCHAR(40))"))
            connection.execute(text("INSERT INTO marker VALUES (:note)"), {"note": "მოთხოვნა"})
        with engine.connect() as connection:
            assert connection.execute(text("SELECT note FROM marker")).scalar_one() == "მოთხოვნა"
    finally:
        engine.dispose()


def test_postgres_databases_are_fresh_per_test(postgres_url: str) -> None:
    assert "/foimail_t_" in postgres_url


# -- Unavailable servers ------------------------------------------------------------------------------------


def test_unavailable_skips_locally_and_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        unavailable("Dovecot not installed")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception):
        unavailable("Dovecot not installed")
