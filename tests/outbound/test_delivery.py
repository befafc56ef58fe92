"""The outbox against a real aiosmtpd: retries on 4xx, gives up on 5xx, a slipped confirmation states its date."""

from __future__ import annotations

import dataclasses
import email
import socket
from datetime import UTC, date, datetime
from email.policy import default
from pathlib import Path

import pytest
from sqlalchemy import select

from foimail.runners import OutboxRunner
from foimail.store.db import unit_of_work
from foimail.store.models import Case, Event, OutboxItem
from foimail.usecases.intake import process_one
from tests.support.app import SettableClock, smtp_settings_for
from tests.support.mails import request_mail

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def outbox(ctx) -> list[OutboxItem]:  # type: ignore[no-untyped-def]
    with unit_of_work(ctx.sessions) as session:
        return list(session.execute(select(OutboxItem).order_by(OutboxItem.id)).scalars())


def the_case(ctx) -> Case:  # type: ignore[no-untyped-def]
    with unit_of_work(ctx.sessions) as session:
        return session.execute(select(Case)).scalar_one()


def deferred_once(make_app, smtp_server):  # type: ignore[no-untyped-def]
    """A registered request whose confirmation the SMTP server has just deferred (451), at 10:00 UTC."""
    clock = SettableClock(datetime(2026, 11, 20, 10, 0, tzinfo=UTC))
    ctx = make_app(clock=clock, smtp=smtp_settings_for(smtp_server))
    process_one(ctx, request_mail(), source="t")
    smtp_server.refuse(451, "4.3.0 try later")
    runner = OutboxRunner(ctx)
    runner.run_once()
    return ctx, clock, runner


def test_smtp_refusing_for_a_while_then_recovering(make_app, smtp_server) -> None:  # type: ignore[no-untyped-def]
    clock = SettableClock(datetime(2026, 11, 20, 13, 30, tzinfo=UTC))
    ctx = make_app(clock=clock, smtp=smtp_settings_for(smtp_server))
    process_one(ctx, request_mail(), source="t")
    runner = OutboxRunner(ctx)
    smtp_server.refuse(451, "4.3.0 try later")
    assert runner.run_once() == 1
    [item] = outbox(ctx)
    assert item.status == "pending" and "451" in item.last_error and item.attempts == 1
    assert runner.run_once() == 0  # not before its backoff
    clock.advance(minutes=1)
    assert runner.run_once() == 1  # second try, still refused
    smtp_server.accept()
    clock.advance(minutes=2)
    assert runner.run_once() == 1
    [item] = outbox(ctx)
    assert item.status == "sent" and item.attempts == 3
    assert len(smtp_server.messages) == 1
    assert the_case(ctx).confirmed_at == clock()
    runner.close()


@pytest.mark.parametrize("helo_name", ["foimail.batumi.ge", ""])
def test_ehlo_gives_the_configured_name_or_this_hosts(make_app, smtp_server, helo_name: str) -> None:  # type: ignore[no-untyped-def]
    ctx = make_app(smtp=dataclasses.replace(smtp_settings_for(smtp_server), helo_name=helo_name))
    process_one(ctx, request_mail(), source="t")
    runner = OutboxRunner(ctx)
    assert runner.run_once() == 1
    [mail] = smtp_server.messages
    assert mail.helo_name == (helo_name or socket.getfqdn())
    runner.close()


def test_a_confirmation_delayed_past_midnight_states_the_later_date(make_app, smtp_server) -> None:  # type: ignore[no-untyped-def]
    # Registered Fri 2026-11-20 23:50 Tbilisi; SMTP down until Sat 00:20: still due Thu 3 Dec (Mon 23 Nov
    # is a holiday) -- but a Thursday registration slipping into Friday must state Friday's date.
    clock = SettableClock(datetime(2026, 11, 12, 19, 50, tzinfo=UTC))  # Thu 23:50 Tbilisi
    ctx = make_app(clock=clock, smtp=smtp_settings_for(smtp_server))
    process_one(ctx, request_mail(), source="t")
    runner = OutboxRunner(ctx)
    smtp_server.refuse(421, "4.7.0 down for maintenance")
    runner.run_once()
    smtp_server.accept()
    clock.advance(minutes=30)  # Fri 2026-11-13 00:20 Tbilisi
    runner.run_once()
    [sent] = smtp_server.wait_for(1)
    body = email.message_from_bytes(sent.data, policy=default).get_body(("plain",)).get_content()
    case = the_case(ctx)
    # Confirmed Friday 13 Nov: start Mon 16 Nov, last day Wed 25 Nov. (Thursday would have given Tue 24 Nov.)
    assert case.due_date == date(2026, 11, 25)
    assert "25 November 2026" in body and "24 November 2026" not in body
    runner.close()


def test_permanent_refusal_is_given_up_and_reported(make_app, smtp_server) -> None:  # type: ignore[no-untyped-def]
    ctx = make_app(smtp=smtp_settings_for(smtp_server))
    process_one(ctx, request_mail(sender="gone@example.org"), source="t")
    smtp_server.refuse(550, "5.1.1 user unknown", at="RCPT", times=1)
    runner = OutboxRunner(ctx)
    runner.run_once()
    items = outbox(ctx)
    assert items[0].status == "failed" and "550" in items[0].last_error
    assert [i.kind for i in items] == ["confirmation", "delivery_failed"]
    assert items[1].recipients == ["foi-officer@batumi.ge"]
    runner.run_once()  # the notice itself goes out
    [notice] = smtp_server.wait_for(1)
    assert notice.rcpt_tos == ["foi-officer@batumi.ge"]
    runner.close()


def test_retries_stop_after_retry_hours(make_app, smtp_server) -> None:  # type: ignore[no-untyped-def]
    ctx, clock, runner = deferred_once(make_app, smtp_server)
    clock.advance(hours=73)
    runner.run_once()
    assert outbox(ctx)[0].status == "failed"
    assert "still failing after 72 h" in outbox(ctx)[0].last_error
    runner.close()


def test_bounce_of_our_confirmation_is_recorded_on_the_case(make_app, smtp_server) -> None:  # type: ignore[no-untyped-def]
    ctx = make_app(smtp=smtp_settings_for(smtp_server))
    number = process_one(ctx, request_mail(sender="nino.beridze@example.ge"), source="t").case_number
    runner = OutboxRunner(ctx)
    runner.run_once()
    [item] = outbox(ctx)
    # A real Gmail-shaped bounce, pointed at the confirmation we actually sent.
    bounce = (SAMPLES / "bounce_gmail.eml").read_bytes()
    original_id = email.message_from_bytes(bounce, policy=default)
    embedded_ids = [part["Message-ID"] for part in original_id.walk() if part["Message-ID"]][1:]
    assert embedded_ids, "the sample must embed the bounced message's headers"
    bounce = bounce.replace(embedded_ids[0].encode(), item.message_id_header.encode())
    result = process_one(ctx, bounce, source="t")
    assert result.kind == "set_aside" and result.case_number == number
    with unit_of_work(ctx.sessions) as session:
        kinds = [e.kind for e in session.execute(select(Event).order_by(Event.id)).scalars()]
    assert "delivery_failed" in kinds
    assert [i.kind for i in outbox(ctx)] == ["confirmation", "delivery_failed"]
    runner.close()


def test_health_reports_failing_smtp_after_ten_minutes(make_app, smtp_server) -> None:  # type: ignore[no-untyped-def]
    from foimail.usecases.health import daemon_health

    ctx, clock, runner = deferred_once(make_app, smtp_server)
    assert daemon_health(ctx) == []  # one deferral is no alarm
    clock.advance(minutes=11)
    runner.run_once()
    [problem] = daemon_health(ctx)
    assert problem.startswith("sending has been failing since") and "451" in problem
    runner.close()
