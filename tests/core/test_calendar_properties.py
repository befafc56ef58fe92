"""Properties of the legal calendar that must hold for every confirmation moment and every setting."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from foimail.core.calendar import (
    DeadlineRules,
    WorkingCalendar,
    explain_due_date,
    period_end,
    working_days_between,
)

TBILISI = ZoneInfo("Asia/Tbilisi")
CALENDARS = (
    WorkingCalendar(),
    WorkingCalendar(extra_days_off=[date(2026, 6, 22), date(2027, 12, 31)], extra_working_days=[date(2026, 6, 20)]),
)
FAST = settings(max_examples=150, deadline=None)

moments = st.datetimes(min_value=datetime(2022, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC))
days = st.dates(min_value=date(2022, 1, 1), max_value=date(2028, 12, 31))
pauses = st.lists(
    st.tuples(days, st.integers(min_value=0, max_value=40)).map(lambda p: (p[0], p[0] + timedelta(days=p[1]))),
    max_size=3,
).map(tuple)
rules = st.builds(
    DeadlineRules,
    period_days=st.integers(min_value=1, max_value=30),
    start_is_day_one=st.booleans(),
    roll_forward=st.just(True),
    paused_ranges=pauses,
)
calendars = st.sampled_from(CALENDARS)


@FAST
@given(moments, calendars, rules)
def test_due_date_is_a_working_day_not_before_start(
    confirmed_at: datetime, calendar: WorkingCalendar, deadline_rules: DeadlineRules
) -> None:
    explanation = explain_due_date(confirmed_at, calendar, deadline_rules, TBILISI)
    assert calendar.is_working_day(explanation.due_date)
    assert explanation.confirmation_date < explanation.start_day <= explanation.last_day <= explanation.due_date
    assert calendar.is_working_day(explanation.start_day)
    assert all(not calendar.is_working_day(day) for day, _ in explanation.skipped)


@FAST
@given(
    moments,
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=60)),
    calendars,
    rules,
    st.booleans(),
)
def test_later_confirmation_never_gets_earlier_due_date(
    confirmed_at: datetime,
    later_by: timedelta,
    calendar: WorkingCalendar,
    deadline_rules: DeadlineRules,
    roll_forward: bool,
) -> None:
    deadline_rules = DeadlineRules(
        period_days=deadline_rules.period_days,
        start_is_day_one=deadline_rules.start_is_day_one,
        roll_forward=roll_forward,
        paused_ranges=deadline_rules.paused_ranges,
    )
    earlier = explain_due_date(confirmed_at, calendar, deadline_rules, TBILISI)
    later = explain_due_date(confirmed_at + later_by, calendar, deadline_rules, TBILISI)
    assert earlier.due_date <= later.due_date


@FAST
@given(days, days, calendars)
def test_working_days_between_is_antisymmetric_and_additive(
    first: date, second: date, calendar: WorkingCalendar
) -> None:
    forward = working_days_between(first, second, calendar)
    assert forward == -working_days_between(second, first, calendar)
    middle = min(first, second) + timedelta(days=abs((second - first).days) // 2)
    assert forward == working_days_between(first, middle, calendar) + working_days_between(middle, second, calendar)


@FAST
@given(days, st.integers(min_value=1, max_value=30), calendars)
def test_period_end_is_a_working_day_on_or_after_the_last_day(
    trigger: date, length: int, calendar: WorkingCalendar
) -> None:
    end = period_end(trigger, length, calendar)
    assert calendar.is_working_day(end)
    assert end >= trigger + timedelta(days=length)
    assert working_days_between(trigger + timedelta(days=length - 1), end - timedelta(days=1), calendar) == 0
