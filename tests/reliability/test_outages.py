"""The servers around foimail fail under it: Dovecot restarts during IDLE, PostgreSQL drops its connections
mid-burst, the SMTP server defers and then refuses one recipient for good. The guarantees hold throughout."""

from __future__ import annotations

import signal
import threading
import time
from datetime import datetime, timedelta

from sqlalchemy import func, select

from foimail.clock import utc_now
from foimail.config import OfficeSettings
from foimail.service import Daemon
from foimail.store.db import unit_of_work, upgrade
from foimail.store.models import OutboxItem
from tests.reliability.invariants import backend, check, count, record, rows, settled
from tests.support.app import imap_settings_for, smtp_settings_for
from tests.support.daemon import USER, burst, free_port, start, wait_until, write_config
from tests.support.mails import request_mail

STORED = "SELECT count(*) FROM messages WHERE direction = 'in'"
TERMINATE_ROUNDS = 5


def test_dovecot_restarted_during_idle(database_url, restartable_dovecot, smtp_server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    upgrade(database_url)
    mailbox = restartable_dovecot.server
    config = write_config(tmp_path, database_url, mailbox, smtp_server, free_port())
    log = tmp_path / "daemon.log"
    daemon = start(config, log)
    restarts = 2
    try:
        for round_ in range(restarts):
            mailbox.append(USER, request_mail(sender=f"idle{round_}@example.org"))
            assert wait_until(lambda n=round_ + 1: count(database_url, STORED) >= n, 30), log.read_text()[-3000:]
            time.sleep(0.5)  # back in IDLE
            restartable_dovecot.restart()
        mailbox.append_many(USER, burst(10))
        assert settled(database_url, mailbox, restarts + 10, 60, daemon), log.read_text()[-3000:]
    finally:
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(15) == 0
    tally = check(database_url, mailbox, smtp_server, restarts + 10)
    assert "IMAP" in log.read_text()  # the drops were noticed and logged, not hidden
    record(
        f"dovecot_restart_{backend(database_url)}",
        started,
        restarts=restarts,
        cases=tally.cases,
    )


def test_postgresql_connections_terminated_mid_burst(postgres_url, mailbox, smtp_server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    upgrade(postgres_url)
    config = write_config(tmp_path, postgres_url, mailbox, smtp_server, free_port())
    log = tmp_path / "daemon.log"
    daemon = start(config, log)
    total = 800  # foimail stores 400 in less than five rounds now; every round must meet the burst in flight
    rounds = 0  # rounds of pg_terminate_backend while the burst was still being stored
    terminated = 0
    try:
        assert wait_until(lambda: "foimail running" in log.read_text(), 30), log.read_text()
        mailbox.append_many(USER, burst(total))
        while rounds < TERMINATE_ROUNDS and count(postgres_url, STORED) < total and daemon.poll() is None:
            # Five rounds within the first 1.5 s: the burst takes longer to store, even on a quiet machine.
            time.sleep(0.3)
            terminated += rows(
                postgres_url,
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()",
            )[0][0]
            rounds += 1
        assert settled(postgres_url, mailbox, total, 90, daemon), log.read_text()[-3000:]
    finally:
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(15) == 0
    assert rounds == TERMINATE_ROUNDS, rounds  # every round hit the burst in flight
    tally = check(postgres_url, mailbox, smtp_server, total)
    record(
        "pg_terminate_postgresql",
        started,
        requests=total,
        rounds=rounds,
        connections_terminated=terminated,
        cases=tally.cases,
    )


class ShiftableClock:
    """The wall clock, moved forward by the test: retries an hour apart happen in seconds."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return utc_now() + self.offset


def nothing_due_or_in_flight(ctx, now: datetime) -> bool:  # type: ignore[no-untyped-def]
    with unit_of_work(ctx.sessions) as session:
        items = session.execute(select(OutboxItem).where(OutboxItem.status.in_(("pending", "sending")))).scalars()
        return all(item.status == "pending" and item.next_attempt_at > now for item in items)


def test_smtp_deferring_then_recovering_and_one_recipient_refused_for_good(  # type: ignore[no-untyped-def]
    make_app, mailbox, smtp_server
) -> None:
    started = time.monotonic()
    clock = ShiftableClock()
    ctx = make_app(
        clock=clock,
        imap=imap_settings_for(mailbox),
        smtp=smtp_settings_for(smtp_server),
        office=OfficeSettings(notify=("foi-officer@batumi.ge",)),
    )
    daemon = Daemon(ctx)
    daemon.outbox.idle_seconds = 0.5
    smtp_server.refuse(451, "4.3.0 try later")
    smtp_server.refuse_recipient("gone@example.org")
    total = 20
    mailbox.append_many(USER, [request_mail(sender=f"c{i}@example.org") for i in range(total - 1)])
    mailbox.append(USER, request_mail(sender="gone@example.org"))
    daemon.start()
    runner = threading.Thread(target=daemon.wait, daemon=True)
    runner.start()

    def tried(times: int) -> bool:
        with unit_of_work(ctx.sessions) as session:
            query = select(func.count()).where(
                OutboxItem.kind == "confirmation",
                ((OutboxItem.attempts >= times) & (OutboxItem.status == "pending")) | (OutboxItem.status == "failed"),
            )
            return session.execute(query).scalar_one() == total

    try:
        assert wait_until(lambda: tried(1), 60)
        # The refused recipient (550 at RCPT) is given up at once; the rest wait for their retry.
        assert count(ctx.settings.database.url, "SELECT count(*) FROM outbox WHERE status = 'failed'") == 1
        clock.offset += timedelta(minutes=1, seconds=5)  # the first retry falls due: still deferred
        assert wait_until(lambda: tried(2), 30)
        # The office's notice of the refused recipient may still be on its way to a refusal: once it comes back
        # deferred, its retry is reckoned from the clock as it then stands, so the clock moves only when
        # nothing is in flight and nothing is due.
        assert wait_until(lambda: nothing_due_or_in_flight(ctx, clock()), 30)
        assert smtp_server.messages == []
        smtp_server.accept()  # recovery; the refused recipient stays refused
        clock.offset += timedelta(minutes=2, seconds=5)
        assert settled(ctx.settings.database.url, mailbox, total, 60), rows(
            ctx.settings.database.url, "SELECT kind, status, attempts, next_attempt_at, last_error FROM outbox"
        )
        assert not daemon.failed and all(thread.is_alive() for thread in daemon.threads)
    finally:
        daemon.stop.set()
        daemon.shutdown()
    tally = check(ctx.settings.database.url, mailbox, smtp_server, total)
    assert tally.confirmations_sent == total - 1 and tally.confirmations_failed == 1
    [(error,)] = rows(ctx.settings.database.url, "SELECT last_error FROM outbox WHERE status = 'failed'")
    assert "gone@example.org: 550" in error
    notices = [m for m in smtp_server.messages if m.rcpt_tos == ["foi-officer@batumi.ge"]]
    assert len(notices) == 1  # the office is told of the one that will never arrive
    record(
        f"smtp_outage_{backend(ctx.settings.database.url)}",
        started,
        requests=total,
        deferred_rounds=2,
        refused_for_good=1,
    )
