"""`foimail run` against a burst in which every tenth message is a shape that once stopped the outbox.

Real Dovecot, a real aiosmtpd that does not offer SMTPUTF8, both databases. Every other requester is confirmed;
a requester whose address needs SMTPUTF8 gets a failed item with its reason (and the office a notice); the
daemon runs throughout and stops cleanly.
"""

from __future__ import annotations

import base64
import email
import re
import signal
from email.policy import default

from foimail.store.db import upgrade
from tests.e2e.test_daemon import USER, free_port, scalar, start, wait_until, write_config
from tests.support.mails import request_mail

COUNT = 50


def whole_from_encoded(i: int) -> bytes:
    """PHP mb_encode_mimeheader over the whole From: the address inside the encoded word."""
    word = base64.b64encode(f"ნინო ბერიძე <php{i}@example.org>".encode()).decode()
    raw = request_mail(sender=f"php{i}@example.org", subject=f"მოთხოვნა {i}")
    folded_from = re.compile(rb"^From:.*?\r\n(?![ \t])", re.MULTILINE | re.DOTALL)
    return folded_from.sub(f"From: =?UTF-8?B?{word}?=\r\n".encode(), raw, count=1)


def poison(i: int) -> tuple[bytes, str, bool]:
    """(message, requester as confirmed, whether it can be confirmed through a server without SMTPUTF8)."""
    shape = (i // 10) % 4
    if shape == 0:
        return request_mail(sender=f"ნინო{i}@example.ge", subject=f"მოთხოვნა {i}"), f"ნინო{i}@example.ge", False
    if shape == 1:
        return (
            request_mail(sender=f"nino{i}@ბათუმი.გე", subject=f"მოთხოვნა {i}"),
            f"nino{i}@xn--lodbteo1c.xn--node",
            True,
        )
    if shape == 2:
        raw = request_mail(sender=f"msgid{i}@example.org", subject=f"მოთხოვნა {i}", message_id=f"<xxxxxx{i}>")
        return raw, f"msgid{i}@example.org", True
    return whole_from_encoded(i), f"php{i}@example.org", True


def burst() -> tuple[list[bytes], set[str], set[str]]:
    messages, confirmable, unconfirmable = [], set(), set()
    for i in range(COUNT):
        if i % 10 == 9:
            raw, requester, ok = poison(i)
        else:
            requester, ok = f"citizen{i}@example.org", True
            raw = request_mail(sender=requester, subject=f"მოთხოვნა {i}")
        messages.append(raw)
        (confirmable if ok else unconfirmable).add(requester)
    return messages, confirmable, unconfirmable


def test_poison_in_a_burst_fails_alone_and_the_daemon_runs_on(  # type: ignore[no-untyped-def]
    database_url, mailbox, smtp_server_ascii, tmp_path
) -> None:
    upgrade(database_url)
    config = write_config(tmp_path, database_url, mailbox, smtp_server_ascii, free_port())
    log = tmp_path / "daemon.log"
    messages, confirmable, unconfirmable = burst()
    assert len(unconfirmable) == 2
    for raw in messages:
        mailbox.append(USER, raw)
    daemon = start(config, log)
    try:
        settled = "SELECT count(*) FROM outbox WHERE kind = 'confirmation' AND status IN ('sent', 'failed')"
        assert wait_until(lambda: scalar(database_url, settled) == COUNT, 180), log.read_text()[-3000:]
        assert wait_until(lambda: scalar(database_url, "SELECT count(*) FROM outbox WHERE status = 'pending'") == 0, 60)
        assert daemon.poll() is None  # never stopped, never restarted
    finally:
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(15) == 0

    assert scalar(database_url, "SELECT count(*) FROM cases") == COUNT
    assert scalar(database_url, "SELECT count(*) FROM cases WHERE requester_source = 'from-repaired'") == 1  # i=39
    assert scalar(database_url, "SELECT count(*) FROM cases WHERE confirmed_at IS NOT NULL") == len(confirmable)
    assert scalar(database_url, "SELECT count(*) FROM outbox WHERE status = 'failed'") == len(unconfirmable)
    assert scalar(
        database_url, "SELECT count(*) FROM outbox WHERE status = 'failed' AND last_error LIKE '%SMTPUTF8%'"
    ) == len(unconfirmable)
    assert scalar(database_url, "SELECT count(*) FROM outbox WHERE kind = 'delivery_failed' AND status = 'sent'") == 2
    confirmed_to = {
        m.rcpt_tos[0]
        for m in smtp_server_ascii.messages
        if "Registration confirmed" in email.message_from_bytes(m.data, policy=default)["Subject"]
    }
    assert confirmed_to == confirmable
    text = log.read_text()
    assert "died" not in text and "Traceback" not in text
