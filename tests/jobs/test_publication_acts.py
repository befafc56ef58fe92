"""Recorded acts (Batumi res. No. 3 annex note 2) in the daily publication reminders, on both databases.

6.1: in force Tue 1 December 2026, due Fri 11 December, reminded a week before on Fri 4 December.
6.2: in force Fri 20 November, due Mon 30 November; its reminder day (Mon 23 November is Giorgoba, so Fri
20 November) passed before it was recorded on 30 November: reminded that morning, once.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from foimail.config import SmtpSettings
from foimail.core.publication import PublicationDataError
from foimail.runners import OutboxRunner
from foimail.store.db import unit_of_work
from foimail.usecases.publication import due_listing, format_due, publication_events, record_act
from tests.jobs.calendar_walk import CalendarWalk, days, office_time, publication_reminders, queued_mail
from tests.support.app import SettableClock

ACT_LINE = re.compile(r"^  (\d+\.\d+)  (\d{4}-\d\d-\d\d)  .*\n.*\n        აქტი / act: (.+?)\r?$", re.MULTILINE)


def test_recorded_acts_are_listed_and_reminded_once(make_app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    clock = SettableClock(office_time(date(2026, 11, 30), 8))
    ctx = make_app(clock=clock, smtp=SmtpSettings(pickup_dir=str(tmp_path / "sent")))
    record_act(ctx, "6.1", "  მერის ბრძანება   №12 ", date(2026, 12, 1), actor="cli:eka")
    record_act(ctx, "6.2", "მერის განკარგულება №7", date(2026, 11, 20), actor="cli:eka")
    with pytest.raises(PublicationDataError):
        record_act(ctx, "2.4", "სტატისტიკა", date(2026, 12, 1), actor="cli:eka")
    with unit_of_work(ctx.sessions) as session:
        assert [(e.item_id, e.title) for e in publication_events(session)] == [
            ("6.2", "მერის განკარგულება №7"),
            ("6.1", "მერის ბრძანება №12"),  # blanks folded
        ]
    listing = format_due(due_listing(ctx, date(2026, 11, 30), 30), "en")
    assert "2026-11-30  6.2  " in listing and "2026-12-11  6.1  " in listing
    assert "    act: მერის ბრძანება №12 (in force 2026-12-01)" in listing

    runner = OutboxRunner(ctx)
    CalendarWalk(ctx, clock, runner).run(list(days(date(2026, 11, 30), date(2026, 12, 14))))
    runner.close()
    reminded = [(m.queued_on, ACT_LINE.findall(m.body)) for m in publication_reminders(queued_mail(ctx))]
    assert reminded == [
        (date(2026, 11, 30), [("6.2", "2026-11-30", "მერის განკარგულება №7")]),
        (date(2026, 12, 4), [("6.1", "2026-12-11", "მერის ბრძანება №12")]),
    ]
