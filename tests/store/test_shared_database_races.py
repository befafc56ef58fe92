"""Two daemons on one database reach the same ledger row at the same moment: one wins, neither raises."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime

from sqlalchemy import func, select

from foimail.store.db import unit_of_work
from foimail.store.models import MailboxState, SentNotice
from foimail.store.queries import claim_notice, mailbox_state

NOW = datetime(2026, 11, 20, 5, 30, tzinfo=UTC)


def race(ctx, work: Callable, *, hold: float = 0.5) -> list[object]:  # type: ignore[no-untyped-def, type-arg]
    """The first transaction does `work` and holds its transaction open; the second does it meanwhile."""
    results: list[object] = []
    first_done = threading.Event()

    def second() -> None:
        first_done.wait(5)
        with unit_of_work(ctx.sessions) as session:
            results.append(work(session))

    other = threading.Thread(target=second)
    other.start()
    with unit_of_work(ctx.sessions) as session:
        results.append(work(session))
        first_done.set()
        other.join(hold)  # the second blocks on the row (PostgreSQL) or the write lock (SQLite)
    other.join(30)
    return results


def test_two_daemons_claiming_the_same_digest_send_it_once(make_app) -> None:  # type: ignore[no-untyped-def]
    ctx = make_app()
    results = race(
        ctx, lambda session: claim_notice(session, "digest", "foi-officer@batumi.ge", date(2026, 11, 20), NOW)
    )
    assert sorted(results) == [False, True]  # type: ignore[type-var]
    with unit_of_work(ctx.sessions) as session:
        assert session.execute(select(func.count()).select_from(SentNotice)).scalar_one() == 1


def test_two_daemons_starting_on_a_new_mailbox_both_get_its_state(make_app) -> None:  # type: ignore[no-untyped-def]
    ctx = make_app()
    source = "imap://foi@batumi.ge@mail.batumi.ge:993/INBOX"

    def touch(session) -> str:  # type: ignore[no-untyped-def]
        state = mailbox_state(session, source)
        state.last_check_at = NOW
        return state.source

    assert race(ctx, touch) == [source, source]
    with unit_of_work(ctx.sessions) as session:
        assert session.execute(select(func.count()).select_from(MailboxState)).scalar_one() == 1
