"""When the statistics files go out: periods that end on a weekend or holiday, and downtime over a due day.

2028-Q3 ends on Saturday 30 September and 2028-Q4 on Sunday 31 December (then 1-2 January 2029 are
holidays); 10 December 2028, the GAC Art. 49 date, is a Sunday. Real SQLite and PostgreSQL, the jobs at
09:30 and 14:30 Tbilisi on every day given.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

from foimail.config import SmtpSettings
from foimail.runners import OutboxRunner
from tests.jobs.calendar_walk import (
    CalendarWalk,
    days,
    digests,
    is_working_day,
    office_time,
    publication_reminders,
    queued_mail,
    reports,
)
from tests.support.app import SettableClock

NOTIFY = "foi-officer@batumi.ge"


def walk(make_app, tmp_path: Path, up: list[date]):  # type: ignore[no-untyped-def]
    clock = SettableClock(office_time(up[0], 8))
    ctx = make_app(clock=clock, smtp=SmtpSettings(pickup_dir=str(tmp_path / "sent")))
    runner = OutboxRunner(ctx)
    CalendarWalk(ctx, clock, runner).run(up)
    runner.close()
    return ctx, queued_mail(ctx)


def delivered(mail) -> list[tuple[date, str]]:  # type: ignore[no-untyped-def]
    return [(m.queued_on, m.attachments[0][0]) for m in reports(mail)]


def test_files_of_periods_ending_on_a_weekend_go_out_on_the_next_working_day(make_app, tmp_path) -> None:  # type: ignore[no-untyped-def]
    up = [
        *days(date(2028, 9, 25), date(2028, 10, 6)),
        *days(date(2028, 12, 6), date(2028, 12, 12)),
        *days(date(2028, 12, 27), date(2029, 1, 5)),
    ]
    ctx, mail = walk(make_app, tmp_path, up)
    assert delivered(mail) == [
        (date(2028, 9, 25), "foimail-2.4-2028Q2.csv"),  # the first start delivers the last quarter's file
        (date(2028, 10, 2), "foimail-2.4-2028Q3.csv"),  # not Sat 30 Sep or Sun 1 Oct
        (date(2028, 12, 8), "foimail-art49-2028.csv"),  # 10 December is a Sunday: the Friday before
        (date(2029, 1, 3), "foimail-2.4-2028Q4.csv"),  # Sun 31 Dec, then the 1-2 January holidays
    ]
    assert sorted(path.name for path in Path(ctx.settings.stats.export_dir).iterdir()) == sorted(
        name for _, name in delivered(mail)
    )
    assert all(is_working_day(m.queued_on) for m in mail)
    december = [d.queued_on for d in digests(mail) if d.queued_on.month == 12]
    assert december == [day for day in up if day.month == 12 and is_working_day(day)]  # the decree line
    assert Counter(m.recipients for m in digests(mail)) == Counter({(NOTIFY,): len(december)})
    assert publication_reminders(mail) == []  # none falls due within a week of these days


def test_downtime_over_new_year_still_delivers_the_art49_report_once(make_app, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # Down from Thu 7 December 2028 (before the Art. 49 day, Fri 8 December) until Thu 4 January 2029.
    up = [*days(date(2028, 12, 4), date(2028, 12, 6)), *days(date(2029, 1, 4), date(2029, 1, 10))]
    _, mail = walk(make_app, tmp_path, up)
    assert delivered(mail) == [
        (date(2028, 12, 4), "foimail-2.4-2028Q3.csv"),  # the first start
        (date(2029, 1, 4), "foimail-2.4-2028Q4.csv"),
        (date(2029, 1, 4), "foimail-art49-2028.csv"),  # missed on 8 December: on return, once
    ]
    assert [d.queued_on for d in digests(mail)] == [date(2028, 12, 4), date(2028, 12, 5), date(2028, 12, 6)]
