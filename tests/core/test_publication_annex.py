"""The shipped calendar (config/publication.toml) against the annex of Batumi res. No. 3, walked day by day.

The table below is written from the annex, item by item: its period, and so the deadlines that fall in
2026 (annex note 1: a quarter's within one month, Q4 2025's on 31 January; the year's within three months).
Items 5.13, 6.1, 6.2 and the "on_change" items have no deadlines of their own: theirs come from recorded
events (annex note 2), walked below too.

Reference weekdays: 2026-12-01 is a Tuesday, 2026-12-04 a Friday; 2026-11-23 (Giorgoba) a Monday;
2026-04-13 is Easter Monday; 2026-10-11 a Sunday.
"""

from __future__ import annotations

import tomllib
from datetime import date, timedelta
from pathlib import Path

import pytest

from foimail.core.calendar import WorkingCalendar
from foimail.core.publication import (
    PublicationDataError,
    PublicationEvent,
    PublicationItem,
    PublicationPeriod,
    check_event,
    due_within,
    event_reminders_owed,
    events_upcoming,
    parse_publication,
    reminders_due,
    upcoming,
)

SHIPPED = Path(__file__).resolve().parents[2] / "config" / "publication.toml"
CALENDAR = WorkingCalendar()
D = date.fromisoformat

Q, Y, QY, E, C = "quarterly", "yearly", "quarterly_and_yearly", "within_10_days_of_entry_into_force", "on_change"
ANNEX_PERIODS = {
    "1.1": C, "1.2": C, "1.3": Y, "1.4": C, "1.5": C, "1.6": C,
    "2.1": C, "2.2": C, "2.3": Y, "2.4": Q,
    "3.1": C, "3.2": C, "3.3": Q,
    "4.1": Q, "4.2": Q, "4.3": Q, "4.4": Q,
    "5.1": Q, "5.2": QY, "5.3": Q, "5.4": Q, "5.5": Y, "5.6": Y, "5.7": Y, "5.8": Y, "5.9": Y, "5.10": Y,
    "5.11": Y, "5.12": Q, "5.13": E,
    "6.1": E, "6.2": E,
    "7.1": C, "7.2": C,
}  # fmt: skip
DEADLINES_IN_2026 = {
    Q: ("2026-01-31", "2026-04-30", "2026-07-30", "2026-10-30"),
    Y: ("2026-03-31",),
    QY: ("2026-01-31", "2026-03-31", "2026-04-30", "2026-07-30", "2026-10-30"),
    E: (),
    C: (),
}
# A few titles as the annex words them, character for character.
ANNEX_TITLES = {
    "2.4": "საქართველოს ზოგადი ადმინისტრაციული კოდექსის 37-ე და მე-40 მუხლების შესაბამისად განცხადებების შესახებ"
    " ზოგადი სტატისტიკა",
    "5.2": "ბიუჯეტის შესრულების შესახებ ინფორმაცია (ნაზარდი ჯამით)",
    "6.1": "ნორმატიული აქტები, რომლებიც უშუალოდ არის დაკავშირებული ადმინისტრაციული ორგანოს საქმიანობასთან",
}


def shipped() -> tuple[PublicationItem, ...]:
    return parse_publication(tomllib.loads(SHIPPED.read_text(encoding="utf-8")))


def year_2026() -> list[date]:
    return [D("2026-01-01") + timedelta(days=n) for n in range(365)]


def test_the_shipped_file_has_every_annex_item_with_its_period_in_annex_order() -> None:
    items = shipped()
    assert [item.id for item in items] == list(ANNEX_PERIODS)
    assert {item.id: item.period.value for item in items} == ANNEX_PERIODS


@pytest.mark.parametrize(("item_id", "title"), ANNEX_TITLES.items())
def test_titles_are_the_annexs_own(item_id: str, title: str) -> None:
    assert {item.id: item.title_ka for item in shipped()}[item_id] == title


def test_walking_2026_every_item_falls_due_on_the_annexs_dates() -> None:
    items = shipped()
    seen: dict[str, list[date]] = {item.id: [] for item in items}
    for day in year_2026():
        for deadline, item in upcoming(items, day, 0):
            assert deadline == day
            seen[item.id].append(day)
    for item_id, period in ANNEX_PERIODS.items():
        assert seen[item_id] == [D(d) for d in DEADLINES_IN_2026[period]], item_id


def test_walking_2026_every_deadline_is_reminded_once_on_a_working_day_a_week_or_more_before() -> None:
    items = shipped()
    reminded: dict[tuple[str, date], list[date]] = {}
    for day in year_2026():
        for deadline, item in reminders_due(items, day, CALENDAR):
            reminded.setdefault((item.id, deadline), []).append(day)
    for item_id, period in ANNEX_PERIODS.items():
        for deadline in map(D, DEADLINES_IN_2026[period]):
            days = reminded[(item_id, deadline)]
            assert len(days) == 1, (item_id, deadline, days)
            assert CALENDAR.is_working_day(days[0]) and days[0] <= deadline - timedelta(days=7)
    assert all(item_id in ANNEX_PERIODS and ANNEX_PERIODS[item_id] in (Q, Y, QY) for item_id, _ in reminded)


# --- events: annex note 2 ----------------------------------------------------------------------------------

EVENTS = (
    # item, act entered into force, due (10 days, never moved), first reminder day (working, a week before)
    ("6.1", "2026-12-01", "2026-12-11", "2026-12-04"),
    ("5.13", "2026-11-13", "2026-11-23", "2026-11-16"),  # due on Giorgoba, a holiday: not moved
    ("1.2", "2026-04-03", "2026-04-13", "2026-04-06"),  # on_change, an amendment (note 2); Easter Monday
    ("6.2", "2026-10-03", "2026-10-13", "2026-10-06"),
    # A week before is 6 January, a decreed day off like the days before it back to 31 December: the first
    # working day after the act's entry into force (8 January; 7 January is Christmas) is the one left.
    ("2.2", "2026-01-03", "2026-01-13", "2026-01-08"),
)


@pytest.mark.parametrize(("item_id", "in_force", "due", "reminder"), EVENTS)
def test_walking_2026_a_recorded_act_is_due_ten_days_after_entry_into_force(
    item_id: str, in_force: str, due: str, reminder: str
) -> None:
    event = PublicationEvent(item_id, "დადგენილება №1", D(in_force))
    assert event.due == D(due)
    listed = [day for day in year_2026() if events_upcoming([event], day, 0)]
    assert listed == [D(due)]
    owed = [day for day in year_2026() if event_reminders_owed([event], day, CALENDAR)]
    assert owed[0] == D(reminder)
    assert all(CALENDAR.is_working_day(day) and day <= D(due) for day in owed)


def test_an_act_recorded_after_its_reminder_day_is_reminded_at_once() -> None:
    event = PublicationEvent("6.1", "ბრძანება", D("2026-10-01"))  # due Sunday 11 October
    assert event_reminders_owed([event], D("2026-10-08"), CALENDAR) == [event]
    assert event_reminders_owed([event], D("2026-10-10"), CALENDAR) == []  # Saturday
    assert event_reminders_owed([event], D("2026-10-12"), CALENDAR) == []  # past due


def test_events_are_listed_by_due_date_then_annex_order_then_title() -> None:
    events = [
        PublicationEvent("6.2", "ბ", D("2026-12-01")),
        PublicationEvent("6.1", "ბ", D("2026-12-01")),
        PublicationEvent("6.1", "ა", D("2026-12-01")),
        PublicationEvent("5.13", "გ", D("2026-12-02")),
    ]
    assert events_upcoming(events, D("2026-12-01"), 30) == [events[2], events[1], events[0], events[3]]
    assert events_upcoming(events, D("2026-12-13"), 30) == []
    with pytest.raises(ValueError, match="negative"):
        events_upcoming(events, D("2026-12-01"), -1)


@pytest.mark.parametrize(
    ("item_id", "title", "problem"),
    [
        ("9.9", "აქტი", "no such annex item"),
        ("2.4", "აქტი", "published by period (quarterly)"),
        ("5.2", "აქტი", "published by period (quarterly_and_yearly)"),
        ("6.1", "  ", "title of the act is empty"),
    ],
)
def test_events_only_for_items_that_follow_acts(item_id: str, title: str, problem: str) -> None:
    with pytest.raises(PublicationDataError, match=problem.replace("(", r"\(").replace(")", r"\)")):
        check_event(shipped(), item_id, title)


@pytest.mark.parametrize("item_id", ["5.13", "6.1", "6.2", "1.2", "7.2"])
def test_events_accepted_for_acts_and_on_change_items(item_id: str) -> None:
    item = check_event(shipped(), f" {item_id} ", "აქტი")
    assert item.id == item_id
    assert item.period in (PublicationPeriod.WITHIN_10_DAYS, PublicationPeriod.ON_CHANGE)


def test_due_within_lists_periodic_deadlines_and_recorded_acts_together() -> None:
    items = shipped()
    acts = [
        PublicationEvent("6.1", "დადგენილება №12", D("2026-10-20")),  # due 30 October, with the quarterlies
        PublicationEvent("6.2", "ბრძანება №7", D("2026-10-25")),  # due 4 November
        PublicationEvent("9.1", "ძველი პუნქტი", D("2026-10-21")),  # item gone from the data: still shown
    ]
    listed = due_within(items, acts, D("2026-10-28"), 7)
    assert [(str(e.deadline), e.item.id, e.act.title if e.act else None) for e in listed] == [
        ("2026-10-30", "2.4", None),
        ("2026-10-30", "3.3", None),
        ("2026-10-30", "4.1", None),
        ("2026-10-30", "4.2", None),
        ("2026-10-30", "4.3", None),
        ("2026-10-30", "4.4", None),
        ("2026-10-30", "5.1", None),
        ("2026-10-30", "5.2", None),
        ("2026-10-30", "5.3", None),
        ("2026-10-30", "5.4", None),
        ("2026-10-30", "5.12", None),
        ("2026-10-30", "6.1", "დადგენილება №12"),
        ("2026-10-31", "9.1", "ძველი პუნქტი"),
        ("2026-11-04", "6.2", "ბრძანება №7"),
    ]
