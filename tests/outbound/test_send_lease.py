"""The send lease after a crash: short, renewed while sending, and a resent confirmation keeps its Message-ID."""

from __future__ import annotations

import dataclasses
import email
import threading
import time
from datetime import UTC, datetime
from email.policy import default

import pytest
from sqlalchemy import select

from foimail.clock import utc_now
from foimail.config import OutboxSettings
from foimail.runners import OutboxRunner
from foimail.store.db import unit_of_work
from foimail.store.models import OutboxItem
from foimail.usecases.delivery import deliver_due
from foimail.usecases.intake import process_one
from tests.support.app import SettableClock, smtp_settings_for
from tests.support.mails import request_mail


class Killed(BaseException):
    """kill -9 right after the mail server accepted: nothing after the send runs."""


def the_item(ctx) -> OutboxItem:  # type: ignore[no-untyped-def]
    with unit_of_work(ctx.sessions) as session:
        return session.execute(select(OutboxItem)).scalar_one()


def test_a_confirmation_accepted_before_a_crash_is_resent_within_the_lease_with_its_message_id(  # type: ignore[no-untyped-def]
    make_app, smtp_server
) -> None:
    clock = SettableClock(datetime(2026, 11, 20, 10, 0, tzinfo=UTC))
    ctx = make_app(clock=clock, smtp=smtp_settings_for(smtp_server))
    process_one(ctx, request_mail(), source="t")
    runner = OutboxRunner(ctx)

    def send_then_die(mail_from, recipients, raw):  # type: ignore[no-untyped-def]
        runner.sender(mail_from, recipients, raw)
        raise Killed

    with pytest.raises(Killed):
        deliver_due(ctx, send_then_die)
    assert the_item(ctx).status == "sending"
    clock.advance(seconds=30)
    assert runner.run_once() == 0  # the lease still holds: its owner may be alive
    clock.advance(seconds=31)  # 61 s after the claim, not 10 minutes
    assert runner.run_once() == 1
    runner.close()
    first, second = smtp_server.wait_for(2)
    ids = [email.message_from_bytes(m.data, policy=default)["Message-ID"] for m in (first, second)]
    assert ids[0] == ids[1] == the_item(ctx).message_id_header  # mail clients fold the copy
    assert the_item(ctx).status == "sent"


def test_the_lease_is_renewed_while_a_slow_server_holds_the_message(make_app, smtp_server) -> None:  # type: ignore[no-untyped-def]
    ctx = make_app(clock=utc_now, smtp=smtp_settings_for(smtp_server))
    ctx = dataclasses.replace(
        ctx, settings=dataclasses.replace(ctx.settings, outbox=OutboxSettings(send_lease_seconds=3))
    )
    process_one(ctx, request_mail(), source="t")
    smtp_server.hang(4.0)  # longer than the lease
    runner = OutboxRunner(ctx)
    started = utc_now()
    sending = threading.Thread(target=runner.run_once)
    sending.start()
    time.sleep(3.5)
    item = the_item(ctx)
    assert item.status == "sending"
    assert (item.next_attempt_at - started).total_seconds() > 3.5  # renewed past the first lease
    assert deliver_due(ctx, runner.sender) == 0  # a second sender finds nothing to take
    sending.join(10)
    runner.close()
    assert the_item(ctx).status == "sent"
    assert len(smtp_server.wait_for(1)) == 1


def test_each_slow_send_of_one_pass_has_its_lease_renewed(make_app, smtp_server) -> None:  # type: ignore[no-untyped-def]
    """One keeper serves a run of sends: the second item's lease is renewed as the first one's was."""
    ctx = make_app(clock=utc_now, smtp=smtp_settings_for(smtp_server))
    ctx = dataclasses.replace(
        ctx, settings=dataclasses.replace(ctx.settings, outbox=OutboxSettings(send_lease_seconds=3))
    )
    process_one(ctx, request_mail(sender="first@example.org", message_id="<first@example.org>"), source="t")
    process_one(ctx, request_mail(sender="second@example.org", message_id="<second@example.org>"), source="t")
    smtp_server.hang(4.0)  # each send outlasts the lease
    runner = OutboxRunner(ctx)
    started = time.monotonic()
    sending = threading.Thread(target=runner.run_once)
    sending.start()

    for at, sender in ((3.5, "first"), (7.6, "second")):  # the second send starts at 4 s at the earliest
        time.sleep(max(0.0, started + at - time.monotonic()))
        with unit_of_work(ctx.sessions) as session:
            items = session.execute(select(OutboxItem).where(OutboxItem.status == "sending")).scalars().all()
        assert [item.recipients for item in items] == [[f"{sender}@example.org"]]
        assert items[0].next_attempt_at > utc_now()  # renewed: no other sender could take it now
    sending.join(15)
    runner.close()
    assert len(smtp_server.wait_for(2)) == 2
    with unit_of_work(ctx.sessions) as session:
        assert [item.status for item in session.execute(select(OutboxItem)).scalars()] == ["sent", "sent"]
