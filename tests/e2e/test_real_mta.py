"""`foimail run` against a real mail system on loopback: Postfix (MX and submission) delivering over LMTP to
Dovecot with Pigeonhole Sieve, and to foi@ through dovecot-lda (tests/support/real_mta.py). Every bounce,
delay warning and auto-reply here is written by those servers, not taken from our samples.

One Postfix, one Dovecot and one daemon serve the whole file; each test has its own citizen, so the tests
do not depend on one another's order. SQLite only: the database is not what is under test here.
"""

from __future__ import annotations

import email
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from foimail.store.db import upgrade
from tests.support.daemon import free_port, wait_until
from tests.support.mails import request_mail
from tests.support.real_mta import (
    CITIZEN,
    OFFICE,
    OFFICER,
    ON_LEAVE,
    REGISTRY,
    SPOOFED,
    UNREACHABLE,
    USERS,
    RealMta,
    running_real_mta,
)

WAIT = 20.0  # seconds for one hop through Postfix, Dovecot and the daemon; a few normally


@dataclass
class Deployment:
    mta: RealMta
    database_url: str
    log_path: Path

    def rows(self, sql: str, **params: Any) -> list[Any]:
        engine = create_engine(self.database_url)
        try:
            with engine.connect() as connection:
                return list(connection.execute(text(sql), params))
        finally:
            engine.dispose()

    def case_of(self, requester: str) -> Any:
        """The one case of ``requester``, once it is registered and its confirmation accepted by Postfix."""
        sql = "SELECT * FROM cases WHERE requester_address = :a AND confirmed_at IS NOT NULL"
        assert wait_until(lambda: bool(self.rows(sql, a=requester)), WAIT), self.diagnosis()
        (case,) = self.rows("SELECT * FROM cases WHERE requester_address = :a", a=requester)
        return case

    def mail_for(self, user: str, count: int) -> list[EmailMessage]:
        """``user``'s INBOX once it holds ``count`` messages, parsed."""
        assert wait_until(lambda: len(self.mta.inbox(user)) >= count, WAIT), self.diagnosis()
        return [email.message_from_bytes(raw, policy=default) for raw in self.mta.inbox(user)]  # type: ignore[misc]

    def diagnosis(self) -> str:
        daemon_log = self.log_path.read_text(errors="replace")[-3000:]
        return f"daemon log:\n{daemon_log}\npostfix log:\n{self.mta.postfix_log()[-3000:]}"


def _config(root: Path, mta: RealMta, database_url: str) -> Path:
    """What an admin writes for this mail system: STARTTLS and a password on both IMAP and submission."""
    path = root / "foimail.toml"
    path.write_text(
        f"""
[database]
url = "{database_url}"
[imap]
host = "127.0.0.1"
port = {mta.dovecot.port}
security = "starttls"
username = "{OFFICE}"
password = "{USERS[OFFICE]}"
poll_seconds = 2
[smtp]
host = "127.0.0.1"
port = {mta.submission_port}
security = "starttls"
username = "{OFFICE}"
password = "{USERS[OFFICE]}"
timeout_seconds = 10
[office]
address = "{OFFICE}"
notify = ["{REGISTRY}"]
officers = ["{OFFICER}"]
# Postfix and Dovecot alone write no Authentication-Results (docs/RELIABILITY.md, "A real mail system"):
# the submission service's Received header names the login, and foi@ gets mail through dovecot-lda,
# which adds no Received header of its own, so Postfix's is the topmost.
trusted_received_by = "mail.batumi.ge"
trusted_received_hops = 1
[stats]
export_dir = "{root / "stats"}"
[paths]
state_dir = "{root / "state"}"
[http]
listen = "127.0.0.1:{free_port()}"
[log]
format = "json"
""",
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def deployment() -> Iterator[Deployment]:
    root = Path(tempfile.mkdtemp(prefix="foimail-real-mta-"))
    try:
        with running_real_mta(root) as mta:
            yield from _daemon(root, mta)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _daemon(root: Path, mta: RealMta) -> Iterator[Deployment]:
    """`foimail run` as an admin starts it; SIGTERM at the end, as systemd stops it."""
    database_url = f"sqlite:///{root / 'foimail.db'}"
    upgrade(database_url)
    log_path = root / "daemon.log"
    # The certificate is the admin's own CA's: trusted through SSL_CERT_FILE, verification left on.
    config = _config(root, mta, database_url)
    env = {**os.environ, "FOIMAIL_CONFIG": str(config), "SSL_CERT_FILE": str(mta.cert_path)}
    with log_path.open("ab") as log:
        daemon = subprocess.Popen(
            [sys.executable, "-m", "foimail.cli", "run"], env=env, stdout=subprocess.DEVNULL, stderr=log
        )
    try:
        yield Deployment(mta, database_url, log_path)
    finally:
        daemon.send_signal(signal.SIGTERM)
        try:
            assert daemon.wait(15) == 0, log_path.read_text(errors="replace")[-2000:]
        except subprocess.TimeoutExpired:
            daemon.kill()
            daemon.wait(5)
            raise


def _header_bytes(raw: bytes) -> bytes:
    return raw.split(b"\r\n\r\n", 1)[0] if b"\r\n\r\n" in raw else raw.split(b"\n\n", 1)[0]


def test_request_through_postfix_is_registered_and_confirmed_into_the_citizens_mailbox(
    deployment: Deployment,
) -> None:
    request = request_mail(sender=CITIZEN, name="გიორგი ბერიძე", subject="მოთხოვნა: ბიუჯეტი 2025")
    request_id = email.message_from_bytes(request, policy=default)["Message-ID"]
    deployment.mta.submit(CITIZEN, request, [OFFICE])

    case = deployment.case_of(CITIZEN)
    (confirmation,) = deployment.mail_for(CITIZEN, 1)
    (raw,) = deployment.mta.inbox(CITIZEN)
    headers = _header_bytes(raw)
    assert headers.isascii(), "an 8-bit header reached the citizen: the Subject must be RFC 2047-encoded"
    assert b"=?utf-8?" in headers.lower()
    assert case.number in confirmation["Subject"]
    assert confirmation["Auto-Submitted"] == "auto-replied"
    assert confirmation["In-Reply-To"] == request_id
    assert confirmation["Return-Path"] == f"<{OFFICE}>"
    (sent_id,) = deployment.rows("SELECT message_id_header FROM outbox WHERE case_id = :c", c=case.id)[0]
    assert confirmation["Message-ID"] == sent_id  # ours, not one Postfix had to add
    # Postfix's own Received line: the confirmation went in over TLS with AUTH (ESMTPSA), as configured.
    assert "with ESMTPSA" in " ".join(confirmation.get_all("Received", []))
    assert wait_until(lambda: deployment.mta.dovecot.folder_uids(OFFICE, "INBOX") == [], WAIT)


def test_postfix_bounce_of_a_confirmation_is_set_aside_on_the_case_and_the_office_is_told(
    deployment: Deployment,
) -> None:
    ghost = "ghost@example.ge"  # example.ge is hosted here, but this mailbox is not: Dovecot's LMTP says 550
    deployment.mta.deliver_from_outside(ghost, request_mail(sender=ghost, name="უცნობი"), [OFFICE])

    case = deployment.case_of(ghost)
    bounce_sql = "SELECT * FROM messages WHERE direction = 'in' AND set_aside AND sender LIKE 'mailer-daemon@%'"
    assert wait_until(lambda: bool(deployment.rows(bounce_sql)), WAIT), deployment.diagnosis()
    (bounce,) = deployment.rows(bounce_sql)
    assert bounce.case_id == case.id, bounce
    assert bounce.kind == "bounce", bounce
    assert len(deployment.rows("SELECT * FROM cases WHERE requester_address LIKE 'mailer-daemon%'")) == 0
    (failure,) = deployment.rows(
        "SELECT last_error FROM outbox WHERE case_id = :c AND kind = 'confirmation'", c=case.id
    )
    assert failure.last_error.startswith("bounced:"), failure
    assert "5.1.1" in failure.last_error
    notices = [m for m in deployment.mail_for(REGISTRY, 1) if case.number in m["Subject"]]
    assert notices, [m["Subject"] for m in deployment.mta.inbox(REGISTRY)]


def test_vacation_reply_and_officer_answer_through_postfix(deployment: Deployment) -> None:
    deployment.mta.submit(ON_LEAVE, request_mail(sender=ON_LEAVE, subject="მოთხოვნა: სკოლები"), [OFFICE])
    case = deployment.case_of(ON_LEAVE)
    (confirmation,) = deployment.mail_for(ON_LEAVE, 1)
    # Pigeonhole does not answer an Auto-Submitted message (RFC 5230 §4.6): the confirmation starts no loop.

    answer = _officer_answer(
        confirmation,
        "პასუხი: სკოლების სია თან ერთვის.\n\n"
        f"On Mon, 30 Nov 2026 at 10:00, {OFFICE} wrote:\n"
        "> თქვენი მოთხოვნა დარეგისტრირდა\n> Your request was registered\n",
    )
    deployment.mta.submit(OFFICER, answer.as_bytes(), [OFFICE])

    relayed = deployment.mail_for(ON_LEAVE, 2)[1]
    assert case.number in relayed["Subject"]
    officer_sql = "SELECT id, kind FROM messages WHERE direction = 'in' AND sender = :a"
    ((answer_id, kind),) = deployment.rows(officer_sql, a=OFFICER)
    assert kind == "officer"
    ((raw_answer,),) = deployment.rows("SELECT raw FROM message_raw WHERE message_id = :m", m=answer_id)
    # What vouched: Postfix's own Received header, the topmost in foi@'s mailbox.
    topmost = email.message_from_bytes(raw_answer, policy=default)["Received"]
    assert f"(Authenticated sender: {OFFICER})" in topmost and "by mail.batumi.ge (Postfix)" in topmost
    body = relayed.get_body(("plain",))
    assert body is not None
    text_body = body.get_content()
    assert "სკოლების სია" in text_body
    assert "wrote:" not in text_body and "> " not in text_body, text_body
    assert case.number in relayed["Subject"]

    # The relayed answer is mail a person wrote: Pigeonhole answers it from nino's vacation script, with the
    # null sender, Auto-Submitted: auto-replied (vacation) and Precedence: bulk.
    vacation_sql = "SELECT * FROM messages WHERE direction = 'in' AND sender = :a AND set_aside"
    assert wait_until(lambda: bool(deployment.rows(vacation_sql, a=ON_LEAVE)), WAIT), deployment.diagnosis()
    (vacation,) = deployment.rows(vacation_sql, a=ON_LEAVE)
    assert vacation.kind == "auto_reply", vacation
    ((raw,),) = deployment.rows("SELECT raw FROM message_raw WHERE message_id = :m", m=vacation.id)
    assert email.message_from_bytes(raw)["In-Reply-To"] == relayed["Message-ID"]  # not the confirmation's
    assert vacation.case_id == case.id
    assert len(deployment.rows("SELECT * FROM cases WHERE requester_address = :a", a=ON_LEAVE)) == 1
    # No loop: nothing more reaches nino, however long we wait for the outbox to settle.
    assert wait_until(deployment.mta.queue_is_empty, WAIT)
    assert not wait_until(lambda: len(deployment.mta.inbox(ON_LEAVE)) > 2, 3)


def test_georgian_local_part_request_and_postfixs_smtputf8_bounce_of_its_confirmation(deployment: Deployment) -> None:
    """A request from a Georgian local part comes in with SMTPUTF8 and reaches foi@ (dovecot-lda); the
    confirmation goes out with SMTPUTF8, and the citizen's side, Dovecot 2.3's LMTP, does not offer it:
    Postfix bounces it (5.6.7) with an RFC 6533 DSN (message/global-delivery-status), which foimail reads."""
    sender = "ლევანი@example.ge"
    request = request_mail(sender=sender, name="ლევან გელაშვილი", subject="მოთხოვნა: UTF-8")
    deployment.mta.deliver_from_outside(sender, request, [OFFICE], options=("SMTPUTF8",))

    case = deployment.case_of(sender)
    assert case.requester_name == "ლევან გელაშვილი"
    failure_sql = (
        "SELECT last_error FROM outbox WHERE case_id = :c AND kind = 'confirmation' AND last_error IS NOT NULL"
    )
    assert wait_until(lambda: bool(deployment.rows(failure_sql, c=case.id)), WAIT), deployment.diagnosis()
    ((last_error,),) = deployment.rows(failure_sql, c=case.id)
    # The DSN's per-recipient fields, read: the RFC 6533 address type and the status.
    assert f"utf-8; {sender} 5.6.7" in last_error, last_error
    (bounce,) = deployment.rows("SELECT * FROM messages WHERE set_aside AND case_id = :c", c=case.id)
    assert bounce.kind == "bounce"
    assert "SMTPUTF8 is required, but was not offered" in deployment.mta.postfix_log()
    assert [m for m in deployment.mail_for(REGISTRY, 1) if case.number in m["Subject"]]


def test_postfixs_delay_warning_is_kept_on_the_case_and_is_no_failure(deployment: Deployment) -> None:
    """The citizen's server does not answer: Postfix defers the confirmation and, after delay_warning_time,
    tells foi@ with a DSN saying "Action: delayed" (RFC 6533's form, the address being UTF-8). That is a
    warning, not a bounce: the confirmation stays sent, the office is not told of a failure."""
    sender = f"ანა@{UNREACHABLE}"
    deployment.mta.deliver_from_outside(
        sender, request_mail(sender=sender, name="ანა"), [OFFICE], options=("SMTPUTF8",)
    )
    case = deployment.case_of(sender)
    delayed_sql = "SELECT * FROM events WHERE case_id = :c AND kind = 'delivery_delayed'"
    try:
        assert wait_until(lambda: bool(deployment.rows(delayed_sql, c=case.id)), WAIT), deployment.diagnosis()
        (warning,) = deployment.rows("SELECT * FROM messages WHERE set_aside AND case_id = :c", c=case.id)
        assert warning.kind == "bounce"
        assert deployment.rows("SELECT * FROM events WHERE case_id = :c AND kind = 'delivery_failed'", c=case.id) == []
        (item,) = deployment.rows("SELECT status FROM outbox WHERE case_id = :c AND kind = 'confirmation'", c=case.id)
        assert item.status == "sent"
    finally:
        deployment.mta.drop_deferred()


def test_forged_officer_answer_through_the_mx_is_a_citizens_follow_up(deployment: Deployment) -> None:
    """An outsider sends the MX a From: officer@ answer, with a copy of a genuine submission Received header
    below the one our Postfix writes, or that text as its EHLO name: neither is obeyed, the case stays open,
    the notify list is warned."""
    deployment.mta.submit(SPOOFED, request_mail(sender=SPOOFED, subject="მოთხოვნა: ტენდერები"), [OFFICE])
    case = deployment.case_of(SPOOFED)
    (confirmation,) = deployment.mail_for(SPOOFED, 1)

    forged = _officer_answer(confirmation, "#refused other\n\nთქვენი მოთხოვნა უარყოფილია.\n")
    forged["Message-ID"] = "<forged-answer@evil.example>"
    copied = (
        "Received: from [127.0.0.1] (localhost [127.0.0.1])\r\n"
        f"\t(Authenticated sender: {OFFICER})\r\n"
        "\tby mail.batumi.ge (Postfix) with ESMTPSA id 4dLk3x0Bv2z9sT\r\n"
        f"\tfor <{OFFICE}>; Mon, 30 Nov 2026 07:40:00 +0400 (+04)\r\n"
    )
    deployment.mta.deliver_from_outside(OFFICER, copied.encode() + forged.as_bytes(), [OFFICE])
    # The same text as the client's EHLO name, which Postfix copies into its own header (with '?' for blanks).
    helo = f"x (a [192.0.2.7]) (Authenticated sender: {OFFICER}) by mail.batumi.ge (Postfix) with ESMTPSA id Q"
    del forged["Message-ID"]
    forged["Message-ID"] = "<forged-helo@evil.example>"
    deployment.mta.deliver_from_outside(OFFICER, forged.as_bytes(), [OFFICE], helo=helo)

    sql = "SELECT kind, case_id FROM messages WHERE message_id_header = :m"
    forgeries = ("<forged-answer@evil.example>", "<forged-helo@evil.example>")
    assert wait_until(lambda: all(deployment.rows(sql, m=m) for m in forgeries), WAIT), deployment.diagnosis()
    for message_id in forgeries:
        ((kind, case_id),) = deployment.rows(sql, m=message_id)
        assert (kind, case_id) == ("follow_up", case.id), message_id
    (now,) = deployment.rows("SELECT outcome, status FROM cases WHERE id = :c", c=case.id)
    assert tuple(now) == (None, "open")
    events = [r.kind for r in deployment.rows("SELECT kind FROM events WHERE case_id = :c", c=case.id)]
    assert events.count("possible_forgery") == 2
    assert wait_until(lambda: bool(_forgery_warnings(deployment)), WAIT), deployment.diagnosis()
    assert case.number in _forgery_warnings(deployment)[0]["Subject"]
    # Nothing reaches the citizen: their confirmation only.
    assert wait_until(deployment.mta.queue_is_empty, WAIT)
    assert len(deployment.mta.inbox(SPOOFED)) == 1


def _officer_answer(confirmation: EmailMessage, text: str) -> EmailMessage:
    """An officer's reply to foimail's confirmation, as their mail client writes it."""
    answer = EmailMessage()
    answer["From"] = f"ოფიცერი <{OFFICER}>"
    answer["To"] = OFFICE
    answer["Subject"] = f"Re: {confirmation['Subject']}"
    answer["In-Reply-To"] = confirmation["Message-ID"]
    answer.set_content(text)
    return answer


def _forgery_warnings(deployment: Deployment) -> list[EmailMessage]:
    parsed = [email.message_from_bytes(raw, policy=default) for raw in deployment.mta.inbox(REGISTRY)]
    return [m for m in parsed if "Possible forged officer message" in str(m["Subject"])]  # type: ignore[misc]
