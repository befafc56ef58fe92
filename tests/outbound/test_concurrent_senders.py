"""Two outboxes on one database (two daemons, or the daemon and `foimail send`): each item goes out once.

The claim is one UPDATE ... RETURNING whose subquery picks the next due item (FOR UPDATE SKIP LOCKED on
PostgreSQL); real aiosmtpd, real SQLite and PostgreSQL.
"""

from __future__ import annotations

import threading

from sqlalchemy import select

from foimail.runners import OutboxRunner
from foimail.store.db import unit_of_work
from foimail.store.models import Case, OutboxItem
from foimail.usecases.delivery import deliver_due
from foimail.usecases.intake import process_one
from tests.support.app import smtp_settings_for
from tests.support.mails import request_mail

REQUESTS = 24


def test_two_senders_draining_one_outbox_send_each_item_once(make_app, smtp_server) -> None:  # type: ignore[no-untyped-def]
    ctx = make_app(smtp=smtp_settings_for(smtp_server))
    for index in range(REQUESTS):
        assert process_one(ctx, request_mail(sender=f"c{index}@example.org"), source="t").kind == "request"
    runners = [OutboxRunner(ctx), OutboxRunner(ctx)]
    start = threading.Barrier(len(runners))
    attempted: list[int] = []

    def drain(runner: OutboxRunner) -> None:
        start.wait()
        attempted.append(deliver_due(ctx, runner.sender))  # batch_size 20: neither takes all 24 alone

    threads = [threading.Thread(target=drain, args=(runner,)) for runner in runners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for runner in runners:
        runner.close()
    assert sum(attempted) == REQUESTS, attempted
    recipients = sorted(rcpt for message in smtp_server.messages for rcpt in message.rcpt_tos)
    assert recipients == sorted(f"c{index}@example.org" for index in range(REQUESTS))  # each once
    with unit_of_work(ctx.sessions) as session:
        items = list(session.execute(select(OutboxItem)).scalars())
        confirmed = session.execute(select(Case.confirmed_at)).scalars().all()
    assert [(item.status, item.attempts) for item in items] == [("sent", 1)] * REQUESTS
    assert len({item.stored_message_id for item in items}) == REQUESTS and all(confirmed)
