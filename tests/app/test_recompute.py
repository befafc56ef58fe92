"""When the calendar changes, open cases' due dates move later, never earlier, and the move is logged; when the
zone changes, decided cases' statistics values are stored anew."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

from sqlalchemy import select, update

from foimail.config import CalendarSettings
from foimail.store.case_tallies import refresh_values
from foimail.store.db import unit_of_work
from foimail.store.models import Case, Event
from foimail.usecases.casework import recompute_due_dates, refresh_statistics_values


def add_case(ctx, number: str, confirmed_at: datetime, due: date, status: str = "open") -> None:  # type: ignore[no-untyped-def]
    with unit_of_work(ctx.sessions) as session:
        session.add(
            Case(
                number=number,
                year=confirmed_at.year,
                seq=int(number[-5:]),
                requester_address="a@b.ge",
                requester_name="",
                subject="s",
                received_at=confirmed_at,
                registered_at=confirmed_at,
                confirmed_at=confirmed_at,
                due_date=due,
                status=status,
            )
        )


def test_decree_added_later_moves_due_date_and_logs_it(make_app) -> None:  # type: ignore[no-untyped-def]
    ctx = make_app()
    # Confirmed Wed 2025-12-31 10:00 Tbilisi; told 14 Jan before the 5-6 Jan 2026 decree was known.
    add_case(ctx, "FOI-2025-00001", datetime(2025, 12, 31, 6, 0, tzinfo=UTC), date(2026, 1, 14))
    # Told a later date than the rules give now: it stays (a date never moves earlier).
    add_case(ctx, "FOI-2025-00002", datetime(2025, 12, 31, 6, 0, tzinfo=UTC), date(2026, 1, 30))
    add_case(ctx, "FOI-2025-00003", datetime(2025, 12, 31, 6, 0, tzinfo=UTC), date(2026, 1, 14), status="closed")
    changed = recompute_due_dates(ctx)
    assert changed == [("FOI-2025-00001", "2026-01-14", "2026-01-20")]
    with unit_of_work(ctx.sessions) as session:
        dues = dict(session.execute(select(Case.number, Case.due_date)).all())
        [event] = session.execute(select(Event)).scalars()
    assert dues == {
        "FOI-2025-00001": date(2026, 1, 20),
        "FOI-2025-00002": date(2026, 1, 30),
        "FOI-2025-00003": date(2026, 1, 14),
    }
    assert event.kind == "due_date_moved" and event.detail["new"] == "2026-01-20"
    assert recompute_due_dates(ctx) == []  # idempotent


def test_extra_day_off_from_config_moves_open_case(make_app) -> None:  # type: ignore[no-untyped-def]
    # Fri 2026-11-20 17:30 Tbilisi -> due Thu 2026-12-03; a day off declared on 2026-12-03 moves it to Fri 12-04.
    ctx = make_app(calendar=CalendarSettings(extra_days_off=(date(2026, 12, 3),)))
    add_case(ctx, "FOI-2026-00001", datetime(2026, 11, 20, 13, 30, tzinfo=UTC), date(2026, 12, 3))
    assert recompute_due_dates(ctx) == [("FOI-2026-00001", "2026-12-03", "2026-12-04")]


def test_two_daemons_starting_together_move_a_date_once(make_app) -> None:  # type: ignore[no-untyped-def]
    """The other daemon has moved the date and not yet committed: this one waits for it, then finds nothing."""
    ctx = make_app()
    add_case(ctx, "FOI-2025-00001", datetime(2025, 12, 31, 6, 0, tzinfo=UTC), date(2026, 1, 14))
    results: list[list[tuple[str, str, str]]] = []
    with unit_of_work(ctx.sessions) as other:
        other.execute(update(Case).values(due_date=date(2026, 1, 20)))
        other.add(
            Event(at=datetime(2026, 11, 20, 13, 30, tzinfo=UTC), actor="foimail", kind="due_date_moved", detail={})
        )
        other.flush()  # holds the row (PostgreSQL) or the write lock (SQLite) until the block ends
        starting = threading.Thread(target=lambda: results.append(recompute_due_dates(ctx)))
        starting.start()
        starting.join(0.5)
        assert starting.is_alive(), "the second daemon did not wait for the first one's transaction"
    starting.join(10)
    assert results == [[]]
    with unit_of_work(ctx.sessions) as session:
        assert len(session.execute(select(Event)).scalars().all()) == 1


def test_statistics_values_are_stored_anew_in_the_office_zone(make_app) -> None:  # type: ignore[no-untyped-def]
    """Values another zone wrote (or none) are rewritten in the office's at start-up, once."""
    ctx = make_app()  # Asia/Tbilisi
    registered = datetime(2026, 3, 16, 21, 30, tzinfo=UTC)  # Tue 17 March 01:30 Tbilisi, Mon 16th in New York
    with unit_of_work(ctx.sessions) as session:
        for seq, status in ((1, "closed"), (2, "open")):
            session.add(
                Case(number=f"FOI-2026-0000{seq}", year=2026, seq=seq, requester_address="a@b.ge",
                     received_at=registered, registered_at=registered, due_date=date(2026, 3, 31), status=status,
                     outcome="answered_full", answered_at=registered.replace(day=18))
            )  # fmt: skip
    with unit_of_work(ctx.sessions) as session:
        assert refresh_values(session.connection(), -4 * 3600) == 1  # the decided case, in New York's summer
    assert refresh_statistics_values(ctx) == 1
    assert refresh_statistics_values(ctx) == 0
    with unit_of_work(ctx.sessions) as session:
        stored = session.execute(
            select(Case.status, Case.stats_utc_offset, Case.stats_registered_day, Case.stats_days).order_by(Case.seq)
        ).all()
    assert stored == [("closed", 4 * 3600, (date(2026, 3, 17) - date(1970, 1, 1)).days, 2), ("open", None, None, None)]
