"""The intake pipeline on real SQLite and PostgreSQL: register, confirm, set aside, never twice."""

from __future__ import annotations

import email
from datetime import UTC, date, datetime
from email.policy import default

import pytest
from sqlalchemy import func, select

from foimail.config import OfficeSettings
from foimail.core.vocabulary import Direction
from foimail.runners import OutboxRunner, handle_message
from foimail.store.db import unit_of_work
from foimail.store.models import Case, Event, OutboxItem, StoredMessage
from foimail.usecases.intake import process_one
from tests.support.app import SettableClock, smtp_settings_for
from tests.support.mails import request_mail


def count(ctx, model) -> int:  # type: ignore[no-untyped-def]
    with unit_of_work(ctx.sessions) as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def test_request_is_registered_confirmed_and_given_its_due_date(make_app, smtp_server) -> None:  # type: ignore[no-untyped-def]
    # Fri 2026-11-20 17:30 Tbilisi = 13:30 UTC: docs/LAW.md's first worked example, due Thu 2026-12-03.
    clock = SettableClock(datetime(2026, 11, 20, 13, 30, tzinfo=UTC))
    ctx = make_app(clock=clock, smtp=smtp_settings_for(smtp_server))
    raw = request_mail()
    result = process_one(ctx, raw, source="test", received_at=clock())
    assert result.kind == "request"
    assert result.case_number == "FOI-2026-00001"

    runner = OutboxRunner(ctx)
    assert runner.run_once() == 1
    [sent] = smtp_server.wait_for(1)
    assert sent.rcpt_tos == ["nino@example.org"]
    assert sent.mail_from == "foi@batumi.ge"
    confirmation = email.message_from_bytes(sent.data, policy=default)
    assert confirmation["Subject"].startswith("[FOI-2026-00001] რეგისტრაციის დადასტურება / Registration confirmed")
    assert confirmation["Auto-Submitted"] == "auto-replied"
    assert confirmation["X-Auto-Response-Suppress"] == "All"
    original = email.message_from_bytes(raw, policy=default)
    assert confirmation["In-Reply-To"] == original["Message-ID"]
    assert confirmation["Message-ID"].startswith("<foimail.") and confirmation["Message-ID"].endswith("@batumi.ge>")
    body = confirmation.get_body(("plain",)).get_content()
    assert "FOI-2026-00001" in body
    assert "2026 წლის 3 დეკემბერი" in body and "3 December 2026" in body

    with unit_of_work(ctx.sessions) as session:
        case = session.execute(select(Case)).scalar_one()
        assert case.confirmed_at == clock()
        assert case.due_date == date(2026, 12, 3)
        assert case.requester_name == "ნინო ბერიძე"
        stored = session.get(StoredMessage, result.message_row_id)
        assert stored.raw == raw  # byte-exact
        kinds = [e.kind for e in session.execute(select(Event).order_by(Event.id)).scalars()]
        assert kinds == ["registered", "confirmed"]
        assert session.execute(select(func.count()).where(StoredMessage.direction == Direction.OUT)).scalar_one() == 1
    runner.close()


def test_same_bytes_twice_register_once(make_app) -> None:  # type: ignore[no-untyped-def]
    ctx = make_app()
    raw = request_mail()
    first = process_one(ctx, raw, source="a")
    second = process_one(ctx, raw, source="b")
    assert first.kind == "request" and second.kind == "duplicate"
    assert second.case_number == first.case_number
    assert count(ctx, Case) == 1 and count(ctx, OutboxItem) == 1


def test_same_message_id_with_other_headers_is_kept_but_not_registered(make_app) -> None:  # type: ignore[no-untyped-def]
    ctx = make_app()
    raw = request_mail(message_id="<abc@example.org>")
    process_one(ctx, raw, source="a")
    resent = b"Received: from relay2.example.org by mx.batumi.ge; Fri, 20 Nov 2026 17:31:00 +0400\r\n" + raw
    result = process_one(ctx, resent, source="b")
    assert result.kind == "set_aside"
    assert "same Message-ID" in result.reasons[0]
    assert count(ctx, Case) == 1 and count(ctx, StoredMessage) == 2


def test_numbers_are_gap_free_and_restart_each_year(make_app) -> None:  # type: ignore[no-untyped-def]
    clock = SettableClock(datetime(2026, 12, 31, 19, 0, tzinfo=UTC))  # 23:00 Tbilisi, 31 Dec
    ctx = make_app(clock=clock)
    numbers = [
        process_one(ctx, request_mail(body=f"n{i}"), source="t", received_at=clock()).case_number for i in range(3)
    ]
    clock.advance(hours=1, minutes=30)  # 00:30 Tbilisi, 1 January 2027
    numbers.append(process_one(ctx, request_mail(body="new year"), source="t", received_at=clock()).case_number)
    assert numbers == ["FOI-2026-00001", "FOI-2026-00002", "FOI-2026-00003", "FOI-2027-00001"]


def test_auto_reply_and_bounce_are_kept_but_never_registered_or_answered(make_app) -> None:  # type: ignore[no-untyped-def]
    ctx = make_app()
    case_number = process_one(ctx, request_mail(), source="t").case_number
    autoreply = request_mail(
        sender="nino@example.org",
        subject=f"Automatic reply: [{case_number}] რეგისტრაციის დადასტურება",
        body="I am out of the office until Monday.",
        headers={"Auto-Submitted": "auto-replied"},
    )
    result = process_one(ctx, autoreply, source="t")
    assert result.kind == "set_aside" and result.case_number == case_number
    assert any("Auto-Submitted" in r for r in result.reasons)
    assert count(ctx, Case) == 1
    assert count(ctx, OutboxItem) == 1  # only the first confirmation


def test_follow_up_from_requester_attaches_and_tells_notify_list(make_app) -> None:  # type: ignore[no-untyped-def]
    ctx = make_app()
    case_number = process_one(ctx, request_mail(), source="t").case_number
    reply = request_mail(subject=f"Re: [{case_number}] რეგისტრაციის დადასტურება", body="კიდევ ერთი კითხვა.")
    result = process_one(ctx, reply, source="t")
    assert result.kind == "follow_up" and result.case_number == case_number
    assert count(ctx, Case) == 1
    with unit_of_work(ctx.sessions) as session:
        notices = list(session.execute(select(OutboxItem).where(OutboxItem.kind == "followup_notice")).scalars())
        assert [n.recipients for n in notices] == [["foi-officer@batumi.ge"]]


def test_confirmations_are_rate_limited_per_sender_but_requests_registered(make_app) -> None:  # type: ignore[no-untyped-def]
    ctx = make_app()
    results = [process_one(ctx, request_mail(body=f"request {i}"), source="t") for i in range(7)]
    assert all(r.kind == "request" for r in results)
    with unit_of_work(ctx.sessions) as session:
        items = list(session.execute(select(OutboxItem).order_by(OutboxItem.id)).scalars())
        events = list(session.execute(select(Event).order_by(Event.id)).scalars())
    assert [o.status for o in items] == ["pending"] * 5 + ["suppressed"] * 2
    reason = "more than 5 confirmations to nino@example.org within an hour (outbox rate limit)"
    assert [o.last_error for o in items] == [None] * 5 + [reason] * 2
    cases = [o.case_id for o in items]
    # Each case's registration, then (for the last two) the suppression, in that order.
    expected = [(c, "registered", None) for c in cases[:5]]
    expected += [e for c in cases[5:] for e in ((c, "registered", None), (c, "confirmation_suppressed", reason))]
    assert [(e.case_id, e.kind, e.detail.get("reason")) for e in events] == expected


def test_no_confirmation_to_noreply_but_request_registered(make_app) -> None:  # type: ignore[no-untyped-def]
    ctx = make_app()
    result = process_one(ctx, request_mail(sender="no-reply@example.org"), source="t")
    assert result.kind == "request"
    with unit_of_work(ctx.sessions) as session:
        [item] = session.execute(select(OutboxItem)).scalars()
        assert item.status == "suppressed" and "no-reply" in item.last_error


def test_a_crash_inside_processing_keeps_the_message_set_aside(make_app, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    ctx = make_app()
    import foimail.usecases.intake as pipeline

    def broken(raw: bytes, **options: object) -> None:
        raise RuntimeError("parser bug")

    monkeypatch.setattr(pipeline, "parse_message", broken)  # our own function, not a library's
    result = handle_message(ctx, request_mail(), "t", None)
    assert result.kind == "set_aside" and result.quarantined
    assert "RuntimeError: parser bug" in result.reasons[0]
    assert count(ctx, StoredMessage) == 1 and count(ctx, Case) == 0


AUTHENTICATED = "mx.batumi.ge; dkim=pass header.d=work.example.org header.s=s1; spf=pass smtp.mailfrom=work.example.org"


def test_answers_go_where_the_requester_asked(make_app) -> None:  # type: ignore[no-untyped-def]
    # The receiving server vouches for From's domain, so its Reply-To is the requester's own wish.
    ctx = make_app(office=OfficeSettings(notify=("foi-officer@batumi.ge",), trusted_authserv_id="mx.batumi.ge"))
    raw = request_mail(
        sender="nino@work.example.org",
        headers={"Reply-To": "nino.home@example.org", "Authentication-Results": AUTHENTICATED},
    )
    number = process_one(ctx, raw, source="t").case_number
    answer = request_mail(
        sender="officer@batumi.ge",
        name="Officer",
        subject=f"RE: [{number}]",
        body="Attached.",
        headers={"Authentication-Results": "mx.batumi.ge; dkim=pass header.d=batumi.ge"},
    )
    assert process_one(ctx, answer, source="t").kind == "officer"
    with unit_of_work(ctx.sessions) as session:
        sent = {o.kind: o.recipients for o in session.execute(select(OutboxItem)).scalars()}
    assert sent["confirmation"] == ["nino.home@example.org"] and sent["relay"] == ["nino.home@example.org"]


def test_web_form_from_the_city_site_is_a_citizen_request(make_app) -> None:  # type: ignore[no-untyped-def]
    ctx = make_app()
    raw = request_mail(sender="noreply@batumi.ge", name="ლაშა", headers={"Reply-To": "lasha@example.com"})
    result = process_one(ctx, raw, source="t")
    assert result.kind == "request"
    with unit_of_work(ctx.sessions) as session:
        assert session.execute(select(Case.requester_address)).scalar_one() == "lasha@example.com"


def confirmation_and_registration(ctx) -> tuple[OutboxItem, Event]:  # type: ignore[no-untyped-def]
    with unit_of_work(ctx.sessions) as session:
        item = session.execute(select(OutboxItem).where(OutboxItem.kind == "confirmation")).scalar_one()
        event = session.execute(select(Event).where(Event.kind == "registered")).scalar_one()
        return item, event


WEB_FORM_OFFICE = OfficeSettings(notify=("foi-officer@batumi.ge",), webform_senders=("noreply@batumi.ge",))


def test_a_configured_web_form_gets_its_reply_to_confirmed(make_app) -> None:  # type: ignore[no-untyped-def]
    ctx = make_app(office=WEB_FORM_OFFICE)
    raw = request_mail(sender="noreply@batumi.ge", name="ლაშა", headers={"Reply-To": "lasha@example.com"})
    process_one(ctx, raw, source="t")
    item, event = confirmation_and_registration(ctx)
    assert item.recipients == ["lasha@example.com"] and item.status == "pending"
    assert event.detail["confirm_to"] == "lasha@example.com"
    assert event.detail["confirm_to_reason"] == "reply-to: From is a configured web-form sender"


STRANGER_CASES = {
    # Anyone can write any Reply-To: the office must not mail a stranger on a forger's say-so.
    "plain_stranger": ("attacker@evil.example", {}, None),
    "unlisted_web_form_noreply": ("noreply@elsewhere.example", {}, None),
    "failed_dkim": (
        "attacker@evil.example",
        {"Authentication-Results": "mx.batumi.ge; dkim=fail header.d=evil.example"},
        "mx.batumi.ge",
    ),
    "auth_pass_for_another_login": (
        "attacker@evil.example",
        {"Authentication-Results": "mx.batumi.ge; auth=pass smtp.auth=clerk@batumi.ge"},
        "mx.batumi.ge",
    ),
    "pass_from_an_untrusted_server": (
        "attacker@evil.example",
        {"Authentication-Results": "mx.evil.example; dkim=pass header.d=evil.example"},
        "mx.batumi.ge",
    ),
}


@pytest.mark.parametrize("sender, headers, authserv", STRANGER_CASES.values(), ids=STRANGER_CASES.keys())
def test_an_untrusted_reply_to_is_not_confirmed(make_app, smtp_server, sender, headers, authserv) -> None:  # type: ignore[no-untyped-def]
    office = OfficeSettings(notify=("foi-officer@batumi.ge",), trusted_authserv_id=authserv or "")
    ctx = make_app(office=office, smtp=smtp_settings_for(smtp_server))
    process_one(ctx, request_mail(sender=sender, headers={"Reply-To": "victim@example.org", **headers}), source="t")
    item, event = confirmation_and_registration(ctx)
    assert "victim@example.org" not in item.recipients
    assert event.detail["confirm_to"] == sender
    assert event.detail["confirm_to_reason"].startswith("from: Reply-To victim@example.org not followed")
    runner = OutboxRunner(ctx)
    runner.run_once()
    runner.close()
    assert all("victim@example.org" not in mail.rcpt_tos for mail in smtp_server.messages)


def test_sent_mail_is_stored_with_its_subject(make_app, smtp_server) -> None:  # type: ignore[no-untyped-def]
    ctx = make_app(smtp=smtp_settings_for(smtp_server))
    number = process_one(ctx, request_mail(subject="ბიუჯეტი"), source="t").case_number
    runner = OutboxRunner(ctx)
    runner.run_once()
    runner.close()
    with unit_of_work(ctx.sessions) as session:
        sent = session.execute(select(StoredMessage).where(StoredMessage.direction == Direction.OUT)).scalar_one()
    assert sent.subject == f"[{number}] რეგისტრაციის დადასტურება / Registration confirmed: ბიუჯეტი"


def test_answer_sent_from_the_shared_foi_mailbox_with_a_bcc_copy_is_recorded(make_app) -> None:  # type: ignore[no-untyped-def]
    ctx = make_app()
    number = process_one(ctx, request_mail(sender="nino@example.org"), source="t").case_number
    # Outlook "Send As" foi@batumi.ge to the citizen, Bcc foi@: the copy that arrives has no Bcc header.
    copy = request_mail(
        sender="foi@batumi.ge",
        name="ბათუმის მერია",
        to="nino@example.org",
        subject=f"RE: [{number}] ბიუჯეტი",
        body="ბიუჯეტი თანდართულია.",
    )
    result = process_one(ctx, copy, source="t")
    assert result.kind == "officer" and result.case_number == number
    with unit_of_work(ctx.sessions) as session:
        case = session.execute(select(Case)).scalar_one()
        kinds = {o.kind for o in session.execute(select(OutboxItem)).scalars()}
    assert (case.status, case.outcome, case.deciding_official) == ("closed", "answered_full", "foi@batumi.ge")
    assert "relay" not in kinds  # recorded, not sent twice


def test_a_stranger_mentioning_a_case_number_is_registered_not_filed_under_it(make_app) -> None:  # type: ignore[no-untyped-def]
    ctx = make_app()
    number = process_one(ctx, request_mail(sender="nino@example.org"), source="t").case_number
    raw = request_mail(sender="journo@netgazeti.ge", subject=f"New request (see also {number}): fuel expenses 2025")
    result = process_one(ctx, raw, source="t")
    assert result.kind == "request" and result.case_number != number
    assert f"mentions {number}" in result.reasons[0]


def relayed_text(ctx) -> str:  # type: ignore[no-untyped-def]
    from foimail.mail.parse import parse_message

    with unit_of_work(ctx.sessions) as session:
        [relay] = session.execute(select(OutboxItem).where(OutboxItem.kind == "relay")).scalars()
        return parse_message(relay.raw).text


def test_quoted_history_never_reaches_the_requester(make_app) -> None:  # type: ignore[no-untyped-def]
    ctx = make_app()
    number = process_one(ctx, request_mail(sender="nino@example.org"), source="t").case_number
    body = (
        "ბატონო, ინფორმაცია თანდართულია.\n\nOn Mon, 23 Nov 2026 at 08:26, FOI <foi@batumi.ge> wrote:\n"
        "> Internal: assigned to Lasha, check with HR\n> foimail cases show X\n"
    )
    answer = request_mail(sender="lasha@batumi.ge", subject=f"Re: [{number}] ახალი წერილი საქმეზე", body=body)
    assert process_one(ctx, answer, source="t").kind == "officer"
    text = relayed_text(ctx)
    assert "ინფორმაცია თანდართულია" in text and "Internal" not in text and "wrote:" not in text


def test_bottom_posted_command_under_a_quote_is_obeyed(make_app) -> None:  # type: ignore[no-untyped-def]
    ctx = make_app()
    number = process_one(ctx, request_mail(sender="nino@example.org"), source="t").case_number
    body = "On 23.11.2026 08:26, FOI wrote:\n> Internal note\n>\n\n#partial personal\nნაწილი თანდართულია.\n"
    answer = request_mail(sender="lasha@batumi.ge", subject=f"Re: [{number}]", body=body)
    assert process_one(ctx, answer, source="t").kind == "officer"
    with unit_of_work(ctx.sessions) as session:
        case = session.execute(select(Case)).scalar_one()
    assert (case.outcome, case.refusal_ground) == ("answered_partial", "personal_data")
    text = relayed_text(ctx)
    assert "#partial" not in text and "Internal" not in text and "ნაწილი თანდართულია" in text


def test_a_message_whose_from_has_no_address_is_confirmed_at_its_reply_to(make_app) -> None:  # type: ignore[no-untyped-def]
    # A name-only From (a mass mailer): Reply-To is the only address given, and the reason says so.
    ctx = make_app()
    raw = request_mail(sender="x@example.org", headers={"Reply-To": "nino@example.org"})
    raw = b"\r\n".join(
        b"From: =?utf-8?b?4YOc4YOY4YOc4YOd?=" if line.startswith(b"From:") else line for line in raw.split(b"\r\n")
    )
    process_one(ctx, raw, source="t")
    item, event = confirmation_and_registration(ctx)
    assert item.recipients == ["nino@example.org"]
    assert event.detail["confirm_to_reason"] == "reply-to: From has no address"
