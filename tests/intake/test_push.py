"""The mail server's push notification wakes intake: a delivered request is confirmed without waiting for a poll.

Dovecot tells IDLE clients of new mail 0.5 s late (NOTIFY_DELAY_MSECS); its push_notification plugin PUTs to
foimail's `/wake` as the LDA stores the message. Here IDLE is off and the poll is 60 s, so only the push can
bring the confirmation within the test's 30 s.
"""

from __future__ import annotations

from foimail.config import HttpSettings
from foimail.service import Daemon
from tests.support.app import imap_settings_for, smtp_settings_for
from tests.support.daemon import wait_until
from tests.support.mails import request_mail

USER = "foi@batumi.ge"


def test_a_delivery_pushed_by_dovecot_is_confirmed_before_the_next_poll(  # type: ignore[no-untyped-def]
    make_app, push_dovecot, smtp_server
) -> None:
    push_dovecot.enable_push(USER)
    ctx = make_app(
        imap=imap_settings_for(push_dovecot.server, poll_seconds=60, idle=False),
        smtp=smtp_settings_for(smtp_server),
        http=HttpSettings(listen=f"127.0.0.1:{push_dovecot.wake_port}"),
    )
    daemon = Daemon(ctx)
    daemon.start()
    try:
        assert daemon.intake.ready.wait(30)
        push_dovecot.deliver(USER, request_mail(sender="push@example.org"), sender="push@example.org")
        [confirmation] = smtp_server.wait_for(1, timeout=30)
        assert confirmation.rcpt_tos == ["push@example.org"]
        assert wait_until(lambda: push_dovecot.server.folder_uids(USER, "INBOX") == [], 10)  # taken in, moved
    finally:
        daemon.shutdown()
        ctx.engine.dispose()
