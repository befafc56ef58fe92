"""One bad item harms one item: what a requester's software wrote never stops mail to anybody else.

Real aiosmtpd (with and without SMTPUTF8), real SQLite and PostgreSQL.
"""

from __future__ import annotations

import email
from email.policy import default

from sqlalchemy import select, update

from foimail.mail.parse import parse_message
from foimail.runners import OutboxRunner
from foimail.store.db import unit_of_work
from foimail.store.models import Case, Event, OutboxItem
from foimail.usecases.intake import process_one
from tests.support.app import smtp_settings_for
from tests.support.mails import request_mail

OFFICE_NOTIFY = "foi-officer@batumi.ge"


def items(ctx) -> list[OutboxItem]:  # type: ignore[no-untyped-def]
    with unit_of_work(ctx.sessions) as session:
        return list(session.execute(select(OutboxItem).order_by(OutboxItem.id)).scalars())


def register(ctx, *senders: str) -> None:  # type: ignore[no-untyped-def]
    for sender in senders:
        result = process_one(ctx, request_mail(sender=sender), source="t")
        assert result.kind == "request", result.reasons


def drain(ctx, smtp) -> OutboxRunner:  # type: ignore[no-untyped-def]
    runner = OutboxRunner(ctx)
    while runner.run_once():
        pass
    runner.close()
    return runner


def test_an_item_that_cannot_be_composed_fails_alone_and_the_office_is_told(make_app, smtp_server) -> None:  # type: ignore[no-untyped-def]
    ctx = make_app(smtp=smtp_settings_for(smtp_server))
    register(ctx, "first@example.org", "second@example.org", "third@example.org")
    with unit_of_work(ctx.sessions) as session:  # data no composer accepts, as a bad import or edit leaves it
        session.execute(update(OutboxItem).where(OutboxItem.id == 2).values(recipients=["second at example.org"]))
    drain(ctx, smtp_server)
    first, second, third, notice = items(ctx)
    assert (first.status, third.status) == ("sent", "sent")
    assert second.status == "failed"
    assert second.last_error.startswith("could not be composed: ValueError: not an email address")
    assert notice.kind == "delivery_failed" and notice.status == "sent" and notice.recipients == [OFFICE_NOTIFY]
    assert [m.rcpt_tos for m in smtp_server.messages] == [["first@example.org"], ["third@example.org"], [OFFICE_NOTIFY]]
    with unit_of_work(ctx.sessions) as session:
        failed = session.execute(select(Event).where(Event.kind == "delivery_failed")).scalar_one()
        assert failed.case_id == second.case_id and "could not be composed" in failed.detail["reason"]


def test_a_utf8_address_goes_out_with_smtputf8_when_the_server_offers_it(make_app, smtp_server) -> None:  # type: ignore[no-untyped-def]
    ctx = make_app(smtp=smtp_settings_for(smtp_server))
    register(ctx, "ნინო@example.ge")
    drain(ctx, smtp_server)
    [sent] = smtp_server.messages
    assert sent.rcpt_tos == ["ნინო@example.ge"] and "SMTPUTF8" in sent.mail_options
    assert parse_message(sent.data).to[0].address == "ნინო@example.ge"  # RFC 6532: the header in UTF-8
    [item] = items(ctx)
    assert item.status == "sent"


def test_a_utf8_address_fails_clearly_without_smtputf8_and_the_next_goes_out(make_app, smtp_server_ascii) -> None:  # type: ignore[no-untyped-def]
    ctx = make_app(smtp=smtp_settings_for(smtp_server_ascii))
    register(ctx, "ნინო@example.ge", "giorgi@example.org")
    drain(ctx, smtp_server_ascii)
    poison, good, notice = items(ctx)
    assert poison.status == "failed" and poison.attempts == 1  # not retried every ten minutes
    assert "needs SMTPUTF8 (RFC 6531)" in poison.last_error and "ნინო@example.ge" in poison.last_error
    assert good.status == "sent" and notice.status == "sent" and notice.kind == "delivery_failed"
    assert [m.rcpt_tos for m in smtp_server_ascii.messages] == [["giorgi@example.org"], [OFFICE_NOTIFY]]
    assert all("SMTPUTF8" not in m.mail_options for m in smtp_server_ascii.messages)


def test_a_georgian_domain_goes_out_in_a_labels(make_app, smtp_server_ascii) -> None:  # type: ignore[no-untyped-def]
    ctx = make_app(smtp=smtp_settings_for(smtp_server_ascii))
    register(ctx, "nino@ბათუმი.გე")
    drain(ctx, smtp_server_ascii)
    [sent] = smtp_server_ascii.messages
    assert sent.rcpt_tos == ["nino@xn--lodbteo1c.xn--node"]
    assert b"To: nino@xn--lodbteo1c.xn--node" in sent.data and sent.data.isascii()
    with unit_of_work(ctx.sessions) as session:
        assert session.execute(select(Case.confirmed_at)).scalar_one() is not None


def test_an_invalid_message_id_is_left_out_of_the_reply(make_app, smtp_server) -> None:  # type: ignore[no-untyped-def]
    ctx = make_app(smtp=smtp_settings_for(smtp_server))
    process_one(ctx, request_mail(message_id="<xxxxxx>"), source="t")
    process_one(ctx, request_mail(sender="giorgi@example.org", message_id="<ok.1@example.org>"), source="t")
    drain(ctx, smtp_server)
    first, second = (email.message_from_bytes(m.data, policy=default) for m in smtp_server.messages)
    assert first["In-Reply-To"] is None and first["References"] is None
    assert second["In-Reply-To"] == "<ok.1@example.org>"
