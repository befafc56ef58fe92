"""The legal calendar: working days, the GAC Art. 40(1) due date and the other periods foimail keeps.

Pure (ring 0): every function takes its dates, calendar and rules as arguments; there is no clock here.
Days are counted by CPC Arts. 59-69 (GAC Art. 94(1)): a period in days starts the day after its trigger
(CPC 60(2)), a last day that is not a working day moves to the next working day (CPC 61(2)), and the act may
be done until 24:00 of the last day (CPC 61(3)).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

import holidays

from foimail.core.decreed_days import DECREED_DAYS_OFF, DecreedDay

__all__ = [
    "DecreedDay",
    "DECREED_DAYS_OFF",
    "DeadlineRules",
    "DueDateExplanation",
    "WorkingCalendar",
    "annual_publication_due",
    "art49_period",
    "art49_report_date",
    "due_date",
    "explain_due_date",
    "forwarding_due",
    "forwarding_notice_due",
    "is_due_within",
    "is_overdue",
    "local_date",
    "parse_quarter",
    "period_end",
    "quarter_bounds",
    "quarter_of",
    "quarterly_publication_due",
    "refusal_explanation_due",
    "return_due",
    "working_days_between",
]

_ONE_DAY = timedelta(days=1)
_WEEKEND = {5: "Saturday", 6: "Sunday"}


@dataclass(frozen=True)
class DeadlineRules:
    """How the GAC Art. 40(1) period is counted; each field is a `[deadlines]` setting (docs/LAW.md)."""

    period_days: int = 10  # GAC Art. 40(1)
    start_is_day_one: bool = True  # Batumi res. No. 3 Art. 4.3, the stricter reading
    roll_forward: bool = True  # CPC Art. 61(2)
    paused_ranges: tuple[tuple[date, date], ...] = ()  # inclusive ranges of suspended days

    def __post_init__(self) -> None:
        if self.period_days < 1:
            raise ValueError(f"period_days must be at least 1, not {self.period_days}")
        for first, last in self.paused_ranges:
            if last < first:
                raise ValueError(f"paused range ends before it starts: {first} .. {last}")


class WorkingCalendar:
    """Working days under Labour Code Art. 30: not a weekend, a public holiday or a decreed day off.

    Public holidays come from `holidays` (country GE), loaded per year on first use and cached; decreed days
    (Art. 30(3)) from `decreed`; the office's config adds `extra_days_off` and `extra_working_days`, and an
    extra working day overrides everything else.
    """

    def __init__(
        self,
        extra_days_off: Iterable[date] = (),
        extra_working_days: Iterable[date] = (),
        decreed: Iterable[DecreedDay] = DECREED_DAYS_OFF,
    ) -> None:
        self._extra_days_off = frozenset(extra_days_off)
        self._extra_working_days = frozenset(extra_working_days)
        self._decreed = {entry.day: entry for entry in decreed}
        self._holidays_by_year: dict[int, dict[date, str]] = {}

    def _public_holiday(self, day: date) -> str | None:
        """The Labour Code Art. 30(1) holiday on `day` (as named by `holidays`), or None."""
        year_holidays = self._holidays_by_year.get(day.year)
        if year_holidays is None:
            loaded = holidays.country_holidays("GE", years=day.year)
            year_holidays = {holiday: str(name) for holiday, name in loaded.items()}
            self._holidays_by_year[day.year] = year_holidays
        return year_holidays.get(day)

    def non_working_reason(self, day: date) -> str | None:
        """Why `day` is not a working day (Labour Code Art. 30), or None on a working day.

        The first reason that applies, in this order: the holiday's name (a holiday on a weekend is named,
        not called "Sunday"), "Saturday"/"Sunday", "decreed day off (<source>)", "extra day off (config)".
        """
        if day in self._extra_working_days:
            return None
        holiday = self._public_holiday(day)
        if holiday is not None:
            return holiday
        if day.weekday() in _WEEKEND:
            return _WEEKEND[day.weekday()]
        if day in self._decreed:
            return f"decreed day off ({self._decreed[day].source})"
        if day in self._extra_days_off:
            return "extra day off (config)"
        return None

    def is_working_day(self, day: date) -> bool:
        """Labour Code Art. 30: a day that is not a rest day, holiday or decreed day off."""
        return self.non_working_reason(day) is None

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after `day` (Batumi res. No. 3 Art. 4.3)."""
        return self.working_day_on_or_after(day + _ONE_DAY)

    def working_day_on_or_after(self, day: date) -> date:
        """`day` itself if it is a working day, else the next working day (CPC Art. 61(2))."""
        while not self.is_working_day(day):
            day += _ONE_DAY
        return day

    def last_working_day_on_or_before(self, day: date) -> date:
        """`day` itself if it is a working day, else the nearest working day before it."""
        while not self.is_working_day(day):
            day -= _ONE_DAY
        return day


def local_date(moment: datetime, tz: tzinfo) -> date:
    """The date of `moment` in the office's timezone (docs/LAW.md algorithm step 1); a naive moment is refused."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment.isoformat()}: an aware datetime is required")
    return moment.astimezone(tz).date()


@dataclass(frozen=True)
class DueDateExplanation:
    """Each step of the due-date algorithm, for the confirmation message and the case log."""

    confirmation_date: date
    start_day: date
    last_day: date
    due_date: date
    skipped: tuple[tuple[date, str], ...]  # non-working days passed over, with their reasons
    paused_days: int


def _merge_ranges(ranges: Iterable[tuple[date, date]]) -> list[tuple[date, date]]:
    merged: list[tuple[date, date]] = []
    for first, last in sorted(ranges):
        if merged and first <= merged[-1][1] + _ONE_DAY:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


def _paused_days_within(first: date, last: date, paused: list[tuple[date, date]]) -> int:
    """How many days of [first, last] fall in the (merged) paused ranges."""
    total = 0
    for pause_first, pause_last in paused:
        overlap = (min(last, pause_last) - max(first, pause_first)).days + 1
        total += max(overlap, 0)
    return total


def _non_working_days(calendar: WorkingCalendar, after: date, before: date) -> tuple[tuple[date, str], ...]:
    """Non-working days d with after < d < before, with their reasons."""
    found: list[tuple[date, str]] = []
    day = after + _ONE_DAY
    while day < before:
        reason = calendar.non_working_reason(day)
        if reason is not None:
            found.append((day, reason))
        day += _ONE_DAY
    return tuple(found)


def _last_day(start_day: date, rules: DeadlineRules) -> tuple[date, int]:
    """GAC Art. 40(1): the last day of the period and the paused days that pushed it back."""
    first_counted = start_day if rules.start_is_day_one else start_day + _ONE_DAY
    unpaused_last = first_counted + timedelta(days=rules.period_days - 1)
    paused = _merge_ranges(rules.paused_ranges)
    last_day = unpaused_last
    while True:
        paused_days = _paused_days_within(first_counted, last_day, paused)
        extended = unpaused_last + timedelta(days=paused_days)
        if extended == last_day:
            return last_day, paused_days
        last_day = extended


def explain_due_date(
    confirmed_at: datetime, calendar: WorkingCalendar, rules: DeadlineRules, tz: tzinfo
) -> DueDateExplanation:
    """GAC Art. 40(1); Batumi res. No. 3 Art. 4.3; CPC Arts. 60(2), 61(2) — docs/LAW.md steps 1-4.

    Paused days (a suspension of the period) that fall on counted days of the period, day 1 to the last
    day, push the last day back by as many days; the extension is recounted until no further paused day
    falls inside it.
    """
    confirmation_date = local_date(confirmed_at, tz)
    start_day = calendar.next_working_day(confirmation_date)
    last_day, paused_days = _last_day(start_day, rules)
    due = calendar.working_day_on_or_after(last_day) if rules.roll_forward else last_day
    skipped = _non_working_days(calendar, confirmation_date, start_day) + _non_working_days(
        calendar, last_day - _ONE_DAY, due
    )
    return DueDateExplanation(
        confirmation_date=confirmation_date,
        start_day=start_day,
        last_day=last_day,
        due_date=due,
        skipped=skipped,
        paused_days=paused_days,
    )


def due_date(confirmed_at: datetime, calendar: WorkingCalendar, rules: DeadlineRules, tz: tzinfo) -> date:
    """GAC Art. 40(1); Batumi res. No. 3 Art. 4.3; CPC Art. 61(2): the day the answer is due (to 24:00)."""
    return explain_due_date(confirmed_at, calendar, rules, tz).due_date


def working_days_between(start: date, end: date, calendar: WorkingCalendar) -> int:
    """Labour Code Art. 30: the number of working days d with start < d <= end.

    When end < start the count is of working days d with end < d <= start, negated, so that
    working_days_between(a, b) == -working_days_between(b, a).
    """
    if end < start:
        return -working_days_between(end, start, calendar)
    count = 0
    day = start + _ONE_DAY
    while day <= end:
        if calendar.is_working_day(day):
            count += 1
        day += _ONE_DAY
    return count


def is_overdue(due: date, today: date) -> bool:
    """CPC Art. 61(3): the act may be done until 24:00 of the due date, so it is overdue only after it."""
    return today > due


def is_due_within(due: date, today: date, working_days: int, calendar: WorkingCalendar) -> bool:
    """For reminders: not overdue (CPC Art. 61(3)), and at most `working_days` working days after today.

    A due date of today counts; so does a non-working due date with no more than `working_days` working
    days before it (possible only with roll_forward off).
    """
    if is_overdue(due, today):
        return False
    return working_days_between(today, due, calendar) <= working_days


def period_end(trigger_day: date, days: int, calendar: WorkingCalendar) -> date:
    """CPC Arts. 60(2), 61(2): the day after the trigger is day 1; a non-working last day moves forward."""
    if days < 1:
        raise ValueError(f"a period must be at least one day, not {days}")
    return calendar.working_day_on_or_after(trigger_day + timedelta(days=days))


def refusal_explanation_due(decision_day: date, calendar: WorkingCalendar) -> date:
    """GAC Art. 41(2): the written explanation of a refusal, within 3 days of the decision."""
    return period_end(decision_day, 3, calendar)


def forwarding_due(registration_day: date, calendar: WorkingCalendar) -> date:
    """GAC Art. 80(1): an application for another body is forwarded within 5 days."""
    return period_end(registration_day, 5, calendar)


def binding_deadline(due: date, forward_by: date | None) -> date:
    """The day a case is late after: its answer due date, or, marked to be forwarded, the earlier 5-day date.

    GAC Art. 80(1): a request for another body is forwarded within 5 days; GAC Art. 40(1) still bounds it.
    """
    return due if forward_by is None else min(due, forward_by)


def forwarding_notice_due(forwarded_day: date, calendar: WorkingCalendar) -> date:
    """GAC Art. 80(3): the applicant is told of the forwarding, with reasons, within 2 days."""
    return period_end(forwarded_day, 2, calendar)


def return_due(submission_day: date, calendar: WorkingCalendar) -> date:
    """GAC Art. 80(4): with no competent body, the application is returned with reasons within 5 days."""
    return period_end(submission_day, 5, calendar)


_QUARTER_PATTERN = re.compile(r"(\d{4})-?[Qq]([1-4])")


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """The first and last day of a calendar quarter (annex item 2.4 statistics are quarterly)."""
    if not 1 <= quarter <= 4:
        raise ValueError(f"quarter must be 1-4, not {quarter}")
    first = date(year, 3 * quarter - 2, 1)
    last = date(year + 1, 1, 1) - _ONE_DAY if quarter == 4 else date(year, 3 * quarter + 1, 1) - _ONE_DAY
    return first, last


def parse_quarter(text: str) -> tuple[int, int]:
    """Parse "2026Q3" or "2026-Q3" (either case, surrounding blanks ignored) into (2026, 3)."""
    match = _QUARTER_PATTERN.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"not a quarter like 2026Q3 or 2026-Q3: {text!r}")
    return int(match.group(1)), int(match.group(2))


def quarter_of(day: date) -> tuple[int, int]:
    """The (year, quarter) that `day` falls in."""
    return day.year, (day.month - 1) // 3 + 1


def _add_months(day: date, months: int) -> date:
    """CPC Art. 61(1): a period in months ends on the corresponding date (the month's last day if none)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    next_month_first = date(year + month // 12, month % 12 + 1, 1)
    return min(date(year, month, 1) + timedelta(days=day.day - 1), next_month_first - _ONE_DAY)


def quarterly_publication_due(year: int, quarter: int) -> date:
    """Batumi res. No. 3 annex note 1: quarterly items within one month after the quarter ends (CPC 61(1))."""
    return _add_months(quarter_bounds(year, quarter)[1], 1)


def annual_publication_due(year: int) -> date:
    """Batumi res. No. 3 annex note 1: yearly items within three months after the year ends (CPC 61(1))."""
    return _add_months(date(year, 12, 31), 3)


def entry_into_force_publication_due(in_force: date) -> date:
    """Batumi res. No. 3 annex note 2: within 10 days of the act's entry into force (CPC 60(2)).

    Not moved onto a working day, like the periodic deadlines of note 1: the stricter date is never missed.
    """
    return in_force + timedelta(days=10)


def art49_report_date(year: int, calendar: WorkingCalendar) -> date:
    """GAC Art. 49: the report is due on 10 December; ready by the last working day on or before it."""
    return calendar.last_working_day_on_or_before(date(year, 12, 10))


def art49_period(year: int) -> tuple[date, date]:
    """GAC Art. 49: the period the yearly report covers in practice, 1 January to 10 December (docs/LAW.md)."""
    return date(year, 1, 1), date(year, 12, 10)
