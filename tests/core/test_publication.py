"""The proactive-publication calendar (Batumi res. No. 3 annex, notes 1 and 2), dates worked out by hand.

Reference weekdays: 2026-04-30 is a Thursday; 2026-04-12 is Orthodox Easter Sunday (9 April, Good Friday
10 April and Holy Saturday are holidays too); 2026-10-14 (Svetitskhovloba) is a Wednesday; 2027-01-01 is a
Friday, so 2027-01-22 is a Friday and 2027-01-24 a Sunday.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from foimail.core.calendar import WorkingCalendar
from foimail.core.publication import (
    PublicationDataError,
    PublicationItem,
    PublicationPeriod,
    due_dates,
    parse_publication,
    period_label,
    reminder_date,
    reminders_due,
    upcoming,
)

CALENDAR = WorkingCalendar()
D = date.fromisoformat


def item(item_id: str, period: PublicationPeriod) -> PublicationItem:
    return PublicationItem(item_id, f"პუნქტი {item_id}", f"Item {item_id}", period)


STATISTICS = item("2.4", PublicationPeriod.QUARTERLY)
ART49_REPORT = item("2.3", PublicationPeriod.YEARLY)
ANNUAL_REPORT = item("1.3", PublicationPeriod.YEARLY)
STRUCTURE = item("1.1", PublicationPeriod.ON_CHANGE)
NORMATIVE_ACTS = item("6.1", PublicationPeriod.WITHIN_10_DAYS)
ANNEX = (STRUCTURE, ANNUAL_REPORT, ART49_REPORT, STATISTICS, NORMATIVE_ACTS)


# --- due_dates: annex note 1 -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quarter", "deadline"),
    [(1, "2026-04-30"), (2, "2026-07-30"), (3, "2026-10-30"), (4, "2027-01-31")],
)
def test_quarterly_deadline_is_one_month_after_each_quarter(quarter: int, deadline: str) -> None:
    assert due_dates(STATISTICS, 2026)[quarter - 1] == D(deadline)


@pytest.mark.parametrize(
    ("period", "year", "deadlines"),
    [
        (PublicationPeriod.QUARTERLY, 2026, ("2026-04-30", "2026-07-30", "2026-10-30", "2027-01-31")),
        (PublicationPeriod.QUARTERLY, 2028, ("2028-04-30", "2028-07-30", "2028-10-30", "2029-01-31")),
        (PublicationPeriod.YEARLY, 2026, ("2027-03-31",)),
        (PublicationPeriod.YEARLY, 2027, ("2028-03-31",)),
        (PublicationPeriod.SEMIANNUAL, 2026, ("2026-07-30", "2027-01-31")),
        (
            PublicationPeriod.MONTHLY,
            2026,
            (
                "2026-02-28",  # 31 January + 1 month: February has no 31st (CPC 61(1))
                "2026-03-28",
                "2026-04-30",
                "2026-05-30",
                "2026-06-30",
                "2026-07-30",
                "2026-08-31",
                "2026-09-30",
                "2026-10-30",  # 30 September + 1 month
                "2026-11-30",
                "2026-12-30",
                "2027-01-31",
            ),
        ),
        (PublicationPeriod.ON_CHANGE, 2026, ()),
        (PublicationPeriod.WITHIN_10_DAYS, 2026, ()),
    ],
)
def test_due_dates(period: PublicationPeriod, year: int, deadlines: tuple[str, ...]) -> None:
    assert due_dates(item("9.9", period), year) == tuple(D(text) for text in deadlines)


def test_monthly_in_a_leap_year() -> None:
    assert due_dates(item("9.9", PublicationPeriod.MONTHLY), 2028)[:2] == (D("2028-02-29"), D("2028-03-29"))


def test_deadline_on_a_weekend_is_not_moved() -> None:
    """The stricter date: 31 January 2027 is a Sunday and stays the deadline."""
    assert due_dates(STATISTICS, 2026)[3] == D("2027-01-31")
    assert not CALENDAR.is_working_day(D("2027-01-31"))


# --- upcoming ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "within", "expected"),
    [
        ("2026-04-01", 29, [("2026-04-30", "2.4")]),  # the last day of the window counts
        ("2026-04-01", 28, []),  # one day short
        ("2026-04-30", 0, [("2026-04-30", "2.4")]),  # due today still counts (to 24:00)
        ("2026-05-01", 90, [("2026-07-30", "2.4")]),  # the day after: gone
        ("2027-01-10", 30, [("2027-01-31", "2.4")]),  # Q4 of the year before
        # yearly items of the year before, on one date, in annex order
        ("2027-03-01", 30, [("2027-03-31", "1.3"), ("2027-03-31", "2.3")]),
        ("2027-03-31", 0, [("2027-03-31", "1.3"), ("2027-03-31", "2.3")]),
        ("2027-04-01", 28, []),
        (
            "2026-12-01",
            150,  # 1 December + 150 days = 30 April
            [("2027-01-31", "2.4"), ("2027-03-31", "1.3"), ("2027-03-31", "2.3"), ("2027-04-30", "2.4")],
        ),
    ],
)
def test_upcoming_window(today: str, within: int, expected: list[tuple[str, str]]) -> None:
    found = upcoming(ANNEX, D(today), within)
    assert [(deadline.isoformat(), entry.id) for deadline, entry in found] == expected


def test_upcoming_sorts_ids_as_numbers() -> None:
    later = item("2.10", PublicationPeriod.QUARTERLY)
    found = upcoming((later, STATISTICS), D("2026-04-01"), 29)
    assert [entry.id for _, entry in found] == ["2.4", "2.10"]


def test_upcoming_rejects_a_negative_window() -> None:
    with pytest.raises(ValueError, match="negative"):
        upcoming(ANNEX, D("2026-04-01"), -1)


# --- reminders ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("deadline", "lead_days", "reminder"),
    [
        ("2026-04-30", 7, "2026-04-23"),  # Thursday: a working day, as is
        ("2027-01-31", 7, "2027-01-22"),  # Sunday 24 January rolls back to Friday 22
        ("2027-01-31", 8, "2027-01-22"),  # Saturday 23 January rolls back to Friday 22
        ("2027-01-31", 9, "2027-01-22"),  # Friday itself
        ("2026-10-30", 16, "2026-10-13"),  # Wednesday 14 October is Svetitskhovloba
        ("2026-04-30", 18, "2026-04-08"),  # Easter Sunday 12 April, back past Good Friday and 9 April
        ("2026-04-30", 0, "2026-04-30"),
    ],
)
def test_reminder_date(deadline: str, lead_days: int, reminder: str) -> None:
    assert reminder_date(D(deadline), CALENDAR, lead_days) == D(reminder)


@pytest.mark.parametrize(
    ("today", "lead_days", "expected"),
    [
        ("2026-04-23", 7, [("2026-04-30", "2.4")]),
        ("2026-04-22", 7, []),
        ("2026-04-24", 7, []),
        ("2027-01-22", 7, [("2027-01-31", "2.4")]),  # Friday, for the Sunday reminder day
        ("2027-01-23", 7, []),  # Saturday: never a reminder day
        ("2027-01-24", 7, []),
        ("2027-01-25", 7, []),  # not the working day after either
        ("2027-03-24", 7, [("2027-03-31", "1.3"), ("2027-03-31", "2.3")]),
        ("2026-10-13", 16, [("2026-10-30", "2.4")]),
        ("2026-04-08", 18, [("2026-04-30", "2.4")]),
        ("2026-04-12", 18, []),
    ],
)
def test_reminders_due(today: str, lead_days: int, expected: list[tuple[str, str]]) -> None:
    found = reminders_due(ANNEX, D(today), CALENDAR, lead_days)
    assert [(deadline.isoformat(), entry.id) for deadline, entry in found] == expected


def test_reminders_reject_a_negative_lead() -> None:
    with pytest.raises(ValueError, match="negative"):
        reminders_due(ANNEX, D("2026-04-23"), CALENDAR, lead_days=-1)


# --- parse_publication -------------------------------------------------------------------------------


def entry(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "2.4",
        "title_ka": "სტატისტიკა",
        "title_en": "Statistics",
        "period": "quarterly",
    }
    base.update(overrides)
    return {key: value for key, value in base.items() if value is not None}


def test_parse_publication_reads_items_in_file_order() -> None:
    parsed = parse_publication({"item": [entry(id="2.4", note=" see stats "), entry(id="1.1", period="on_change")]})
    assert parsed == (
        PublicationItem("2.4", "სტატისტიკა", "Statistics", PublicationPeriod.QUARTERLY, "see stats"),
        PublicationItem("1.1", "სტატისტიკა", "Statistics", PublicationPeriod.ON_CHANGE),
    )
    assert parsed[0].is_periodic and not parsed[1].is_periodic


@pytest.mark.parametrize(
    ("data", "item_id", "problem"),
    [
        ({}, "item", "one or more"),
        ({"item": []}, "item", "one or more"),
        ({"item": {"id": "2.4"}}, "item", "one or more"),
        ({"item": [entry()], "items": []}, "items", "unknown top-level"),
        ({"item": ["2.4"]}, "#1", "expected a table"),
        ({"item": [entry(id=None)]}, "#1", "id must be"),
        ({"item": [entry(), entry(id=24)]}, "#2", "id must be"),
        ({"item": [entry(id="2,4")]}, "2,4", "id must be"),
        ({"item": [entry(id="2.4.1")]}, "2.4.1", "id must be"),
        ({"item": [entry(), entry()]}, "2.4", "duplicate id"),
        ({"item": [entry(title_en="  ")]}, "2.4", "title_en is missing or empty"),
        ({"item": [entry(title_ka=None)]}, "2.4", "title_ka is missing or empty"),
        ({"item": [entry(title_ka="Statistics")]}, "2.4", "no Georgian letters"),
        ({"item": [entry(period="weekly")]}, "2.4", "unknown period 'weekly'"),
        ({"item": [entry(period=None)]}, "2.4", "period is missing"),
        ({"item": [entry(note=3)]}, "2.4", "note must be text"),
        ({"item": [entry(titel_en="x")]}, "2.4", "unknown key 'titel_en'"),
    ],
)
def test_parse_errors_name_the_item(data: dict[str, Any], item_id: str, problem: str) -> None:
    with pytest.raises(PublicationDataError) as caught:
        parse_publication(data)
    assert caught.value.item_id == item_id
    assert problem in caught.value.problem
    assert isinstance(caught.value, ValueError)
    assert f"publication item {item_id}" in str(caught.value)


@pytest.mark.parametrize(
    ("period", "lang", "label"),
    [
        (PublicationPeriod.QUARTERLY, "ka", "კვარტალური"),
        (PublicationPeriod.QUARTERLY, "en", "quarterly"),
        (PublicationPeriod.WITHIN_10_DAYS, "en", "within 10 days of entry into force"),
    ],
)
def test_period_label(period: PublicationPeriod, lang: str, label: str) -> None:
    assert period_label(period, lang) == label


def test_every_period_has_a_label_in_both_languages() -> None:
    for period in PublicationPeriod:
        assert period_label(period, "ka") and period_label(period, "en")
    with pytest.raises(ValueError):
        period_label(PublicationPeriod.YEARLY, "de")
