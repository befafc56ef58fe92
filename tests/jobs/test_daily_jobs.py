"""A year of the daily jobs, 1 December 2026 to 31 December 2027, on real SQLite and PostgreSQL.

The jobs run at 09:30 and again at 14:30 Tbilisi (a restart) on every day of the months and weeks where
something falls due (`WINDOWS`; the daemon is off between them, and down on purpose over the end of
2027-Q1); a handful of requests arrive through the real intake and outbox. What must hold, read back from
the outbox rows: every digest, statistics file and publication reminder is queued once, on a working day;
downtime over a due time delivers the missed file on return but no digest for the missed days; overdue
cases reach the notify list as deemed refusals (GAC Art. 177(2)); an officer gets a digest of their own
cases; the December line about next January's decreed days appears in December only.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest

from foimail.config import SmtpSettings
from foimail.context import AppContext
from foimail.runners import OutboxRunner
from tests.jobs.calendar_walk import (
    DAYS_OFF,
    DECREE_LINE,
    CalendarWalk,
    Queued,
    days,
    digests,
    due_dates,
    is_working_day,
    office_overdue_numbers,
    office_time,
    own_case_numbers,
    publication_reminders,
    queued_mail,
    reports,
    working_days,
)
from tests.support.app import SettableClock

NOTIFY = "foi-officer@batumi.ge"
GIORGI = "giorgi@batumi.ge"
TAMAR = "tamar@batumi.ge"
WINDOWS = (  # every day of these: 232 of the year's 396
    (date(2026, 12, 1), date(2027, 1, 25)),  # December's decree line, Art. 49, the January holidays, 2026-Q4
    (date(2027, 3, 1), date(2027, 6, 1)),  # 2027-Q1's end, Easter 2027 (30 Apr-3 May), the May holidays
    (date(2027, 6, 28), date(2027, 7, 2)),  # 2027-Q2's end
    (date(2027, 7, 21), date(2027, 7, 26)),  # a publication reminder
    (date(2027, 9, 24), date(2027, 10, 25)),  # 2027-Q3's end, Svetitskhovloba
    (date(2027, 11, 22), date(2027, 12, 31)),  # Giorgoba, December's decree line, Art. 49
)
# Down over the end of 2027-Q1 (its file is due Thu 1 April) and over a publication reminder (Fri 23 April).
DOWN = set(days(date(2027, 3, 29), date(2027, 4, 5))) | set(days(date(2027, 4, 22), date(2027, 4, 26)))
UP = [day for first, last in WINDOWS for day in days(first, last) if day not in DOWN]
REMINDER_HORIZON = 3  # reminders.days_before = (3, 1): listed from 3 working days before the due date

# docs/LAW.md, "Statistics": the machine column names, in order.
LAW_COLUMNS = (
    "period_start,period_end,received,answered_full,answered_partial,refused,refused_personal_data,"
    "refused_commercial_secret,refused_state_secret,refused_professional_secret,refused_other,not_held,"
    "forwarded,withdrawn,pending,overdue_open,answered_on_time,answered_late,answered_same_day,median_days,"
    "max_days,refusal_notice_late"
).split(",")


def tbilisi(year: int, month: int, day: int, hour: int) -> datetime:
    return office_time(date(year, month, day), hour)


@dataclass(frozen=True)
class Request:
    number: str
    registered: datetime  # and confirmed at once
    due: date  # hand-computed (docs/LAW.md's algorithm; its worked examples where it has them)
    officer: str | None = None
    decided: datetime | None = None


REQUESTS = (
    # docs/LAW.md's example: confirmed Mon 21 December, due Thu 31 December; answered late, on 11 January.
    Request("FOI-2026-00001", tbilisi(2026, 12, 21, 10), date(2026, 12, 31), None, tbilisi(2027, 1, 11, 12)),
    # docs/LAW.md's example: due Mon 4 January (1-2 January holidays, the weekend); answered on its due date.
    Request("FOI-2026-00002", tbilisi(2026, 12, 22, 10), date(2027, 1, 4), GIORGI, tbilisi(2027, 1, 4, 12)),
    # Answered the same day.
    Request("FOI-2027-00001", tbilisi(2027, 2, 10, 10), date(2027, 2, 22), None, tbilisi(2027, 2, 10, 15)),
    # Refused on Fri 5 March, after that morning's digest listed it: 3 working days left (8 March is off).
    Request("FOI-2027-00002", tbilisi(2027, 3, 1, 10), date(2027, 3, 11), None, tbilisi(2027, 3, 5, 12)),
    # Due Thu 1 April, during the downtime: overdue on return; answered late.
    Request("FOI-2027-00003", tbilisi(2027, 3, 22, 11), date(2027, 4, 1), None, tbilisi(2027, 4, 7, 12)),
    # docs/LAW.md's example over Easter 2027: due Mon 10 May; answered three weeks late.
    Request("FOI-2027-00004", tbilisi(2027, 4, 28, 12), date(2027, 5, 10), TAMAR, tbilisi(2027, 6, 1, 12)),
    # Never answered: a deemed refusal from 1 October to the end of the walk.
    Request("FOI-2027-00005", tbilisi(2027, 9, 20, 10), date(2027, 9, 30)),
)
REFUSED = "FOI-2027-00002"


def is_open(request: Request, day: date) -> bool:
    """Registered and undecided when the 09:30 run starts."""
    morning = office_time(day, 9, 30)
    return request.registered < morning and (request.decided is None or request.decided > morning)


def working_days_until(day: date, due: date) -> int:
    return len(working_days(day, due) - {day})


def is_listed(request: Request, day: date) -> bool:
    """Falling due within the reminder horizon, or overdue (the digest's own-cases section)."""
    return is_open(request, day) and (day > request.due or working_days_until(day, request.due) <= REMINDER_HORIZON)


def overdue_on(day: date) -> set[str]:
    return {r.number for r in REQUESTS if is_open(r, day) and day > r.due}


def run_days() -> list[date]:
    """The working days the daemon was up."""
    return [day for day in UP if is_working_day(day)]


@pytest.fixture
def year(make_app, tmp_path: Path) -> tuple[AppContext, list[Queued]]:  # type: ignore[no-untyped-def]
    """Walk the year once; the outbox rows it left, parsed."""
    clock = SettableClock(office_time(UP[0], 8))
    ctx = make_app(clock=clock, smtp=SmtpSettings(pickup_dir=str(tmp_path / "sent")))
    runner = OutboxRunner(ctx)
    walk = CalendarWalk(ctx, clock, runner)
    for request in REQUESTS:
        walk.register(request.registered, officer=request.officer)
        if request.number == REFUSED:
            assert request.decided is not None
            walk.close(
                request.decided,
                request.number,
                "refused",
                refusal_ground="personal_data",
                refusal_act="Law of Georgia on Personal Data Protection, Art. 5",
                deciding_official=NOTIFY,
            )
        elif request.decided is not None:
            walk.close(request.decided, request.number, "answered_full", deciding_official=request.officer or NOTIFY)
    walk.run(UP)
    runner.close()
    assert due_dates(ctx) == {r.number: r.due for r in REQUESTS}
    return ctx, queued_mail(ctx)


def test_a_year_of_daily_jobs(year: tuple[AppContext, list[Queued]]) -> None:
    ctx, mail = year
    check_nothing_on_a_day_off_or_while_down(mail)
    check_digests_once_per_recipient_and_working_day(mail)
    check_notify_digest_lists_overdue_cases_as_deemed_refusals(mail)
    check_officer_gets_own_digest(mail)
    check_decree_line_in_december_only(mail)
    check_reports_once_on_the_first_working_day_after_their_period(mail)
    check_publication_reminders_once_a_week_ahead(mail)
    check_quarterly_files(mail, Path(ctx.settings.stats.export_dir))


def check_nothing_on_a_day_off_or_while_down(mail: list[Queued]) -> None:
    queued_on = {m.queued_on for m in mail if m.kind != "confirmation"}
    assert {day for day in queued_on if not is_working_day(day)} == set()
    assert queued_on & DOWN == set()
    # docs/LAW.md's holidays in the walk, the jobs run twice on each: 1, 7 and 19 January; Good Friday and Easter
    # Monday 2027 (30 April, 3 May); 12, 17 and 26 May.
    holidays = {date(2027, 1, day) for day in (1, 7, 19)} | {date(2027, 4, 30), date(2027, 5, 3)}
    holidays |= {date(2027, 5, day) for day in (12, 17, 26)}
    assert holidays <= DAYS_OFF and holidays <= set(UP)
    assert queued_on & holidays == set()


def check_digests_once_per_recipient_and_working_day(mail: list[Queued]) -> None:
    sent = Counter((m.recipients, m.queued_on) for m in digests(mail))
    assert [key for key, times in sent.items() if times != 1] == []
    notify_days = {day for (recipients, day) in sent if recipients == (NOTIFY,)}
    unassigned = [r for r in REQUESTS if r.officer is None]
    expected = {
        day for day in run_days() if day.month == 12 or overdue_on(day) or any(is_listed(r, day) for r in unassigned)
    }
    assert sorted(notify_days - expected) == [] and sorted(expected - notify_days) == []
    # Downtime: nothing for the missed days afterwards; on return, that day's digest only.
    assert date(2027, 4, 6) in notify_days and not notify_days & DOWN
    assert {recipients for recipients, _ in sent} == {(NOTIFY,), (GIORGI,), (TAMAR,)}


def check_notify_digest_lists_overdue_cases_as_deemed_refusals(mail: list[Queued]) -> None:
    for digest in digests(mail):
        if digest.recipients == (NOTIFY,):
            assert office_overdue_numbers(digest) == overdue_on(digest.queued_on), digest.queued_on
            unassigned = {r.number for r in REQUESTS if r.officer is None and is_listed(r, digest.queued_on)}
            assert own_case_numbers(digest) == unassigned, digest.queued_on
    on_return = next(d for d in digests(mail) if d.queued_on == date(2027, 4, 6))
    assert "deemed refusals, GAC Art. 177(2)" in on_return.body
    assert "FOI-2027-00003  2027-04-01  ვადაგადაცილებულია / OVERDUE" in on_return.body
    assert on_return.subject.endswith("— 1 ვადაგადაცილებული / overdue")


def check_officer_gets_own_digest(mail: list[Queued]) -> None:
    by_officer = {officer: [d for d in digests(mail) if d.recipients == (officer,)] for officer in (GIORGI, TAMAR)}
    assert [d.queued_on for d in by_officer[GIORGI]] == [
        date(2026, 12, 29),
        date(2026, 12, 30),
        date(2026, 12, 31),
        date(2027, 1, 4),
    ]
    assert all(own_case_numbers(d) == {"FOI-2026-00002"} and "== " not in d.body for d in by_officer[GIORGI])
    easter_case = next(r for r in REQUESTS if r.officer == TAMAR)
    expected = [day for day in run_days() if is_listed(easter_case, day)]
    assert [d.queued_on for d in by_officer[TAMAR]] == expected
    assert expected[:5] == [
        date(2027, 5, 5),
        date(2027, 5, 6),
        date(2027, 5, 7),
        date(2027, 5, 10),
        date(2027, 5, 11),
    ]  # Good Friday to Easter Monday passed over
    for digest in by_officer[TAMAR]:
        assert own_case_numbers(digest) == {easter_case.number}
        assert ("OVERDUE" in digest.body) == (digest.queued_on > easter_case.due)


def check_decree_line_in_december_only(mail: list[Queued]) -> None:
    for digest in digests(mail):
        in_december = digest.queued_on.month == 12 and digest.recipients == (NOTIFY,)
        assert (DECREE_LINE in digest.body) == in_december, digest.queued_on
        if in_december:
            assert f"January {digest.queued_on.year + 1}" in digest.body
    assert any(d.queued_on.month == 10 for d in digests(mail))  # the line was looked for outside December


def check_reports_once_on_the_first_working_day_after_their_period(mail: list[Queued]) -> None:
    delivered = [(m.queued_on, m.attachments[0][0]) for m in reports(mail)]
    assert delivered == [
        (date(2026, 12, 1), "foimail-2.4-2026Q3.csv"),  # the first start delivers the last quarter's file
        (date(2026, 12, 10), "foimail-art49-2026.csv"),  # GAC Art. 49: 10 December
        (date(2027, 1, 4), "foimail-2.4-2026Q4.csv"),  # 1-2 January holidays, then the weekend
        (date(2027, 4, 6), "foimail-2.4-2027Q1.csv"),  # due Thu 1 April; the daemon was down until 6 April
        (date(2027, 7, 1), "foimail-2.4-2027Q2.csv"),
        (date(2027, 10, 1), "foimail-2.4-2027Q3.csv"),
        (date(2027, 12, 10), "foimail-art49-2027.csv"),
    ]
    assert all(m.recipients == (NOTIFY,) and len(m.attachments) == 1 for m in reports(mail))


PUBLICATION_LINE = re.compile(r"^  (\d+\.\d+)  (\d{4}-\d\d-\d\d)  ", re.MULTILINE)


# The annex's items by period (Batumi res. No. 3 annex; 5.2 is quarterly and yearly).
QUARTERLY_ITEMS = ("2.4", "3.3", "4.1", "4.2", "4.3", "4.4", "5.1", "5.2", "5.3", "5.4", "5.12")
YEARLY_ITEMS = ("1.3", "2.3", "5.2", "5.5", "5.6", "5.7", "5.8", "5.9", "5.10", "5.11")


def check_publication_reminders_once_a_week_ahead(mail: list[Queued]) -> None:
    def due(items: tuple[str, ...], deadline: str) -> list[tuple[str, str]]:
        return [(item_id, deadline) for item_id in items]

    reminded = [(m.queued_on, PUBLICATION_LINE.findall(m.body)) for m in publication_reminders(mail)]
    assert reminded == [
        (date(2027, 1, 22), due(QUARTERLY_ITEMS, "2027-01-31")),  # 24 January is a Sunday: the Friday before
        (date(2027, 3, 24), due(YEARLY_ITEMS, "2027-03-31")),
        (date(2027, 4, 27), due(QUARTERLY_ITEMS, "2027-04-30")),  # due Fri 23 April, down until 26 April
        (date(2027, 7, 23), due(QUARTERLY_ITEMS, "2027-07-30")),
        (date(2027, 10, 22), due(QUARTERLY_ITEMS, "2027-10-30")),
    ]
    assert all(m.recipients == (NOTIFY,) for m in publication_reminders(mail))


def check_quarterly_files(mail: list[Queued], export_dir: Path) -> None:
    by_name = {m.attachments[0][0]: m for m in reports(mail)}
    assert sorted(path.name for path in export_dir.iterdir()) == sorted(by_name)
    expected = {  # hand-counted from REQUESTS, outcomes as of 09:30 on the day each file was built
        "2026Q4": {"received": "2", "pending": "1", "overdue_open": "1", "answered_on_time": "0"},
        "2027Q1": {
            "received": "3",
            "answered_full": "1",
            "refused": "1",
            "refused_personal_data": "1",
            "overdue_open": "1",
            "pending": "0",
            "answered_on_time": "2",
            "answered_late": "0",
            "answered_same_day": "1",
            "median_days": "2",
            "max_days": "4",
        },
        "2027Q2": {"received": "1", "answered_full": "1", "answered_late": "1", "max_days": "34"},
        "2027Q3": {"received": "1", "overdue_open": "1", "median_days": ""},
    }
    for quarter, counts in expected.items():
        filename = f"foimail-2.4-{quarter}.csv"
        data = (export_dir / filename).read_bytes()
        assert data.startswith(b"\xef\xbb\xbf"), filename
        labels, names, row = csv.reader(io.StringIO(data.decode("utf-8-sig")))
        assert names == LAW_COLUMNS
        assert len(labels) == len(names) and labels[2] == "რეგისტრირებული მოთხოვნა"  # stats.lang = "ka"
        values = dict(zip(names, row, strict=True))
        assert {name: values[name] for name in counts} == counts, quarter
        report = by_name[filename]
        assert report.attachments == ((filename, data),)
        year, quarter_number = int(quarter[:4]), int(quarter[-1])
        publish_by = {1: f"{year}-04-30", 2: f"{year}-07-30", 3: f"{year}-10-30", 4: f"{year + 1}-01-31"}
        assert f"publish by {publish_by[quarter_number]}" in report.subject
        assert str(export_dir / filename) in report.body
