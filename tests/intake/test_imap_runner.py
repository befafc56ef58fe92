"""IMAP intake against a real Dovecot: move after commit, never \\Seen-dependent, IDLE, TLS modes."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from foimail import runners
from foimail.adapters.imap import BATCH_MESSAGES
from foimail.errors import TransientError
from foimail.runners import IntakeRunner
from foimail.store.db import unit_of_work
from foimail.store.models import Case, MailboxState, StoredMessage
from foimail.usecases.intake import process_one
from tests.support.app import imap_settings_for
from tests.support.mails import request_mail

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
USER = "foi@batumi.ge"


def server_name(mailbox, name: str) -> str:  # type: ignore[no-untyped-def]
    """The configured folder name as this server spells it (its hierarchy delimiter may be '.')."""
    with mailbox.client(USER) as client:
        delimiter = client.list_folders()[0][1].decode()
    return name.replace("/", delimiter)


def case_count(ctx) -> int:  # type: ignore[no-untyped-def]
    with unit_of_work(ctx.sessions) as session:
        return int(session.execute(select(func.count(Case.id))).scalar_one())


def wait_until(condition, timeout: float = 10.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_inbox_ends_empty_and_every_message_is_kept(make_app, mailbox) -> None:  # type: ignore[no-untyped-def]
    ctx = make_app(imap=imap_settings_for(mailbox))
    mailbox.append(USER, request_mail(body="first"))
    mailbox.append(USER, (SAMPLES / "autoreply_outlook_ka.eml").read_bytes())
    mailbox.append(USER, (SAMPLES / "bounce_postfix_dsn.eml").read_bytes())
    with mailbox.client(USER) as client:  # an officer opened one: it is still a request
        client.select_folder("INBOX")
        client.add_flags(client.search(["ALL"])[:1], [b"\\Seen"])

    runner = IntakeRunner(ctx)
    assert runner.run_once() == 3
    runner.close()
    assert mailbox.folder_uids(USER, "INBOX") == []
    processed = mailbox.fetch_all(USER, server_name(mailbox, "FOI/Processed"))
    assert len(processed) == 3
    assert case_count(ctx) == 1
    with unit_of_work(ctx.sessions) as session:
        stored = {m.raw for m in session.execute(select(StoredMessage)).scalars()}
        assert set(processed) == stored  # byte-exact, all three
        state = session.execute(select(MailboxState)).scalar_one()
        assert state.uidvalidity and state.last_check_at is not None


def test_messages_not_seen_stay_unseen_after_fetch_until_moved(make_app, mailbox) -> None:  # type: ignore[no-untyped-def]
    ctx = make_app(imap=imap_settings_for(mailbox))
    mailbox.append(USER, request_mail())
    runner = IntakeRunner(ctx)
    runner.run_once()
    runner.close()
    with mailbox.client(USER) as client:
        client.select_folder(server_name(mailbox, "FOI/Processed"), readonly=True)
        flags = client.get_flags(client.search(["ALL"]))
    assert all(b"\\Seen" not in f for f in flags.values())  # BODY.PEEK[]: officers still see it as new


def test_crash_between_commit_and_move_registers_nothing_twice(make_app, mailbox) -> None:  # type: ignore[no-untyped-def]
    ctx = make_app(imap=imap_settings_for(mailbox))
    raw = request_mail()
    mailbox.append(USER, raw)
    process_one(ctx, raw, source="before the crash")  # committed, but the daemon died before MOVE
    runner = IntakeRunner(ctx)
    runner.run_once()
    runner.close()
    assert case_count(ctx) == 1
    assert mailbox.folder_uids(USER, "INBOX") == []
    assert len(mailbox.folder_uids(USER, server_name(mailbox, "FOI/Processed"))) == 1


def test_unparseable_goes_to_quarantine_and_is_listed(make_app, mailbox) -> None:  # type: ignore[no-untyped-def]
    ctx = make_app(imap=imap_settings_for(mailbox))
    garbage = b"\x01\x02 this is not a mail message at all \xff\xfe\r\n"  # (Dovecot rewrites NUL bytes)
    mailbox.append(USER, garbage)
    runner = IntakeRunner(ctx)
    runner.run_once()
    runner.close()
    assert mailbox.fetch_all(USER, server_name(mailbox, "FOI/Quarantine")) == [garbage]
    with unit_of_work(ctx.sessions) as session:
        [stored] = session.execute(select(StoredMessage)).scalars()
        assert stored.set_aside and stored.raw == garbage and stored.reasons


def test_idle_picks_up_a_new_message_within_seconds(make_app, mailbox) -> None:  # type: ignore[no-untyped-def]
    ctx = make_app(imap=imap_settings_for(mailbox, poll_seconds=30))
    runner = IntakeRunner(ctx)
    stop = threading.Event()
    thread = threading.Thread(target=runner.run, args=(stop,), daemon=True)
    thread.start()
    try:
        assert wait_until(lambda: runner.sources[0].client is not None)
        time.sleep(0.5)  # let the runner enter IDLE
        started = time.monotonic()
        mailbox.append(USER, request_mail())
        assert wait_until(lambda: case_count(ctx) == 1, timeout=5)
        assert time.monotonic() - started < 3.0  # IDLE, not the 30 s poll
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_tls_modes(make_app, mailbox, security: str) -> None:  # type: ignore[no-untyped-def]
    port = mailbox.ssl_port if security == "ssl" else mailbox.port
    ctx = make_app(imap=imap_settings_for(mailbox, security=security, port=port))
    mailbox.append(USER, request_mail())
    runner = IntakeRunner(ctx)
    assert runner.run_once() == 1
    runner.close()
    assert case_count(ctx) == 1


def test_wrong_password_is_reported_and_retried_not_crashed(make_app, mailbox) -> None:  # type: ignore[no-untyped-def]
    ctx = make_app(imap=imap_settings_for(mailbox, password="wrong"))
    runner = IntakeRunner(ctx)
    stop = threading.Event()
    thread = threading.Thread(target=runner.run, args=(stop,), daemon=True)
    thread.start()
    try:

        def error_recorded() -> bool:
            with unit_of_work(ctx.sessions) as session:
                state = session.execute(select(MailboxState)).scalar_one_or_none()
                return state is not None and "login refused" in (state.last_error or "")

        assert wait_until(error_recorded, timeout=10)
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()


def test_a_changed_uidvalidity_re_registers_nothing(make_app, mailbox, caplog) -> None:  # type: ignore[no-untyped-def]
    ctx = make_app(imap=imap_settings_for(mailbox))
    raw = request_mail()
    mailbox.append(USER, raw)
    runner = IntakeRunner(ctx)
    runner.run_once()
    with unit_of_work(ctx.sessions) as session:  # as if the server had rebuilt the mailbox since
        state = session.execute(select(MailboxState)).scalar_one()
        real_uidvalidity, state.uidvalidity = state.uidvalidity, 1
    mailbox.append(USER, raw)  # a re-sync delivers the same message again under a new UID
    runner.run_once()
    runner.close()
    assert case_count(ctx) == 1
    assert any("UIDVALIDITY" in r.getMessage() and "changed" in r.getMessage() for r in caplog.records)
    with unit_of_work(ctx.sessions) as session:
        assert session.execute(select(MailboxState)).scalar_one().uidvalidity == real_uidvalidity


def test_a_large_backlog_is_fetched_and_moved_in_batches_and_nothing_is_lost(make_app, mailbox) -> None:  # type: ignore[no-untyped-def]
    ctx = make_app(imap=imap_settings_for(mailbox))
    raws = [request_mail(sender=f"citizen{n}@example.ge", body=f"request {n}") for n in range(BATCH_MESSAGES + 7)]
    raws.append(b"\x00\xff not a mail at all")  # quarantined, in the same batch as good requests
    for raw in raws:
        mailbox.append(USER, raw)
    runner = IntakeRunner(ctx)
    assert runner.run_once() == len(raws)
    runner.close()
    assert mailbox.folder_uids(USER, "INBOX") == []
    processed = mailbox.fetch_all(USER, server_name(mailbox, "FOI/Processed"))
    quarantined = mailbox.fetch_all(USER, server_name(mailbox, "FOI/Quarantine"))
    assert len(processed) == len(raws) - 1 and len(quarantined) == 1
    assert case_count(ctx) == len(raws) - 1


def test_a_batch_cut_short_by_a_database_error_moves_nothing_unstored(make_app, mailbox, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    ctx = make_app(imap=imap_settings_for(mailbox))
    for n in range(3):
        mailbox.append(USER, request_mail(sender=f"citizen{n}@example.ge", body=f"request {n}"))
    handled: list[bytes] = []
    real = runners.handle_message

    def database_gone_on_the_second(ctx, raw, source, received_at):  # type: ignore[no-untyped-def]
        if len(handled) == 1:
            raise TransientError("database unavailable")
        handled.append(raw)
        return real(ctx, raw, source, received_at)

    monkeypatch.setattr(runners, "handle_message", database_gone_on_the_second)
    runner = IntakeRunner(ctx)
    with pytest.raises(TransientError):
        runner.run_once()
    assert len(mailbox.folder_uids(USER, "INBOX")) == 3  # the stored one too: moved only after its batch
    monkeypatch.setattr(runners, "handle_message", real)
    assert runner.run_once() == 3  # the first is now a recognised duplicate, the others are registered
    runner.close()
    assert mailbox.folder_uids(USER, "INBOX") == []
    assert case_count(ctx) == 3


def test_idle_does_not_sleep_through_mail_announced_before_it_began(make_app, mailbox) -> None:  # type: ignore[no-untyped-def]
    ctx = make_app(imap=imap_settings_for(mailbox, poll_seconds=60))
    runner = IntakeRunner(ctx)
    runner.run_once()
    [source] = runner.sources
    mailbox.append(USER, request_mail())
    source.client.noop()  # the server announces the new message here (EXISTS), not again in IDLE
    stop = threading.Event()
    timer = threading.Timer(30, stop.set)
    timer.start()
    try:
        source.wait_for_mail(stop, 60)
        assert not stop.is_set()  # woken by the mail, not by the stop 30 s later
    finally:
        timer.cancel()
    assert runner.run_once() == 1
    runner.close()


@pytest.mark.parametrize("idle", [True, False], ids=["idle", "poll"])
def test_the_mail_servers_push_ends_the_wait_for_mail(make_app, mailbox, idle: bool) -> None:  # type: ignore[no-untyped-def]
    """PUT /wake sets `arrived`: the wait ends long before the 60 s poll (or the 30 s stop), and is cleared."""
    ctx = make_app(imap=imap_settings_for(mailbox, poll_seconds=60, idle=idle))
    runner = IntakeRunner(ctx)
    runner.run_once()
    [source] = runner.sources
    stop, arrived = threading.Event(), threading.Event()
    timers = [threading.Timer(0.3, arrived.set), threading.Timer(30, stop.set)]
    for timer in timers:
        timer.start()
    try:
        source.wait_for_mail(stop, 60, arrived)
        assert not stop.is_set() and not arrived.is_set()
    finally:
        for timer in timers:
            timer.cancel()
    runner.close()
