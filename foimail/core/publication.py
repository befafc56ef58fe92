"""The proactive-publication calendar: Batumi res. No. 3 annex, items 1.1-7.2, and annex notes 1 and 2.

Pure (ring 0): the annex comes in as parsed TOML data, today and the working calendar as arguments.

Deadlines of periodic items (annex note 1; months counted by CPC Art. 61(1), through core/calendar.py):

- quarterly: one month after each quarter ends (Q1 -> 30 April ... Q4 -> 31 January of the next year);
- yearly: three months after the year ends (31 March of the next year);
- quarterly and yearly (item 5.2): both;
- semiannual: one month after each half-year ends (30 July, 31 January) — our reading of note 1;
- monthly: one month after each month ends (31 January -> 28/29 February) — our reading of note 1.

A deadline is the date the months give, not moved onto a working day: CPC Art. 61(2) would allow the next
working day, but the stricter date is never missed by following it.

Events (annex note 2): an act entering into force starts a 10-day deadline for items 5.13, 6.1 and 6.2
("within 10 days of entry into force"), and so does an amendment behind an "on_change" item. foimail does
not see acts enter into force: an officer records each one as a PublicationEvent, which then has a deadline
and a reminder day like a periodic item's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from foimail.core.calendar import (
    WorkingCalendar,
    _add_months,  # CPC Art. 61(1); private in calendar.py, used so month arithmetic stays in one place
    annual_publication_due,
    entry_into_force_publication_due,
    quarterly_publication_due,
)
from foimail.core.statistics import Label

__all__ = [
    "EVENT_PERIODS",
    "PERIOD_LABELS",
    "PERIODIC",
    "PublicationEvent",
    "PublicationDataError",
    "PublicationItem",
    "PublicationPeriod",
    "DueEntry",
    "check_event",
    "due_dates",
    "due_within",
    "event_reminders_owed",
    "events_upcoming",
    "parse_publication",
    "period_label",
    "reminder_date",
    "reminders_due",
    "upcoming",
]

_ID_PATTERN = re.compile(r"[1-9][0-9]*\.[1-9][0-9]*")
_GEORGIAN_LETTER = re.compile(r"[\u10d0-\u10ff]")  # Mkhedruli
_KEYS = frozenset({"id", "title_ka", "title_en", "period", "note"})
_REQUIRED = ("id", "title_ka", "title_en", "period")


class PublicationPeriod(StrEnum):
    """How often an annex item is updated (Batumi res. No. 3 annex, notes 1 and 2)."""

    QUARTERLY = "quarterly"
    SEMIANNUAL = "semiannual"
    YEARLY = "yearly"
    QUARTERLY_AND_YEARLY = "quarterly_and_yearly"  # item 5.2
    MONTHLY = "monthly"
    ON_CHANGE = "on_change"
    WITHIN_10_DAYS = "within_10_days_of_entry_into_force"


PERIODIC = frozenset(
    {
        PublicationPeriod.QUARTERLY,
        PublicationPeriod.SEMIANNUAL,
        PublicationPeriod.YEARLY,
        PublicationPeriod.QUARTERLY_AND_YEARLY,
        PublicationPeriod.MONTHLY,
    }
)

# Annex note 2: the periods whose deadlines follow an act's (or an amendment's) entry into force.
EVENT_PERIODS = frozenset({PublicationPeriod.WITHIN_10_DAYS, PublicationPeriod.ON_CHANGE})

PERIOD_LABELS: Mapping[PublicationPeriod, Label] = {
    PublicationPeriod.QUARTERLY: Label("quarterly", "კვარტალური", "quarterly"),
    PublicationPeriod.SEMIANNUAL: Label("semiannual", "ნახევარწლიური", "semiannual"),
    PublicationPeriod.YEARLY: Label("yearly", "ყოველწლიური", "yearly"),
    PublicationPeriod.QUARTERLY_AND_YEARLY: Label(
        "quarterly_and_yearly", "კვარტალური და ყოველწლიური", "quarterly and yearly"
    ),
    PublicationPeriod.MONTHLY: Label("monthly", "ყოველთვიური", "monthly"),
    PublicationPeriod.ON_CHANGE: Label("on_change", "ცვლილების შემთხვევაში", "on change"),
    PublicationPeriod.WITHIN_10_DAYS: Label(
        "within_10_days_of_entry_into_force",
        "ძალაში შესვლიდან 10 დღეში",
        "within 10 days of entry into force",
    ),
}


def period_label(period: PublicationPeriod, lang: str) -> str:
    """The human name of a period in `lang` ("ka" or "en"); ValueError for another language."""
    return PERIOD_LABELS[period].text(lang)


@dataclass(frozen=True)
class PublicationItem:
    """One annex item: its number ("2.4"), its titles, how often it is updated, and a note for the office."""

    id: str
    title_ka: str
    title_en: str
    period: PublicationPeriod
    note: str = ""

    @property
    def is_periodic(self) -> bool:
        """Whether the item has deadlines of its own (annex note 1)."""
        return self.period in PERIODIC

    @property
    def sort_key(self) -> tuple[int, ...]:
        """Annex order: 2.4 before 2.10."""
        return _annex_order(self.id)


def _annex_order(item_id: str) -> tuple[int, ...]:
    return tuple(int(part) for part in item_id.split("."))


class PublicationDataError(ValueError):
    """A bad entry in the annex data; `item_id` names the item (or its position when it has no good id)."""

    def __init__(self, item_id: str, problem: str) -> None:
        self.item_id = item_id
        self.problem = problem
        super().__init__(f"publication item {item_id}: {problem}")


def parse_publication(data: Mapping[str, object]) -> tuple[PublicationItem, ...]:
    """The annex items from parsed TOML (`[[item]]` tables), in file order; PublicationDataError if bad.

    Checks: only the known keys; an id like "2.4", unique; both titles non-empty, title_ka with Georgian
    letters; a known period; a note, when given, is text.
    """
    unknown = sorted(set(data) - {"item"})
    if unknown:
        raise PublicationDataError(unknown[0], "unknown top-level key (expected [[item]] tables only)")
    entries = data.get("item")
    if not isinstance(entries, list) or not entries:
        raise PublicationDataError("item", "expected one or more [[item]] tables")
    items: list[PublicationItem] = []
    seen: set[str] = set()
    for position, entry in enumerate(entries, start=1):
        item = _parse_item(entry, f"#{position}")
        if item.id in seen:
            raise PublicationDataError(item.id, "duplicate id")
        seen.add(item.id)
        items.append(item)
    return tuple(items)


def _parse_item(entry: object, position: str) -> PublicationItem:
    if not isinstance(entry, dict):
        raise PublicationDataError(position, "expected a table")
    raw_id = entry.get("id")
    label = raw_id if isinstance(raw_id, str) and raw_id else position
    if not isinstance(raw_id, str) or _ID_PATTERN.fullmatch(raw_id) is None:
        raise PublicationDataError(label, f'id must be like "2.4" (got {raw_id!r})')
    unknown = sorted(set(entry) - _KEYS)
    if unknown:
        raise PublicationDataError(label, f"unknown key {unknown[0]!r} (known: {', '.join(sorted(_KEYS))})")
    for key in _REQUIRED[1:]:
        value = entry.get(key)
        if not isinstance(value, str) or not value.strip():
            raise PublicationDataError(label, f"{key} is missing or empty")
    if _GEORGIAN_LETTER.search(entry["title_ka"]) is None:
        raise PublicationDataError(label, "title_ka has no Georgian letters")
    try:
        period = PublicationPeriod(entry["period"])
    except ValueError:
        allowed = ", ".join(p.value for p in PublicationPeriod)
        raise PublicationDataError(label, f"unknown period {entry['period']!r} (one of {allowed})") from None
    note = entry.get("note", "")
    if not isinstance(note, str):
        raise PublicationDataError(label, "note must be text")
    return PublicationItem(
        id=raw_id,
        title_ka=entry["title_ka"].strip(),
        title_en=entry["title_en"].strip(),
        period=period,
        note=note.strip(),
    )


def due_dates(item: PublicationItem, year: int) -> tuple[date, ...]:
    """Batumi res. No. 3 annex note 1: the deadlines for the periods of `year`, in order.

    The deadline of a period ending in December falls in the next year (Q4 -> 31 January, yearly -> 31
    March). An item without periods (on_change, within 10 days of entry into force) has none: its deadlines
    come from recorded events.
    """
    if item.period is PublicationPeriod.QUARTERLY:
        return tuple(quarterly_publication_due(year, quarter) for quarter in (1, 2, 3, 4))
    if item.period is PublicationPeriod.YEARLY:
        return (annual_publication_due(year),)
    if item.period is PublicationPeriod.QUARTERLY_AND_YEARLY:  # Q4's month ends before the year's three
        quarters = tuple(quarterly_publication_due(year, quarter) for quarter in (1, 2, 3, 4))
        return (*quarters, annual_publication_due(year))
    if item.period is PublicationPeriod.SEMIANNUAL:  # a half-year ends with Q2 and with Q4
        return (quarterly_publication_due(year, 2), quarterly_publication_due(year, 4))
    if item.period is PublicationPeriod.MONTHLY:
        return tuple(_add_months(_month_end(year, month), 1) for month in range(1, 13))
    return ()


def _month_end(year: int, month: int) -> date:
    first_of_next = date(year + month // 12, month % 12 + 1, 1)
    return first_of_next - timedelta(days=1)


def _deadlines(
    items: Iterable[PublicationItem], first_year: int, last_year: int
) -> Iterator[tuple[date, PublicationItem]]:
    """Every deadline for the periods of first_year..last_year (a deadline may fall in the next year)."""
    for item in items:
        for year in range(first_year, last_year + 1):
            for deadline in due_dates(item, year):
                yield deadline, item


def _sorted(found: Iterable[tuple[date, PublicationItem]]) -> list[tuple[date, PublicationItem]]:
    return sorted(found, key=lambda pair: (pair[0], pair[1].sort_key))


def upcoming(items: Iterable[PublicationItem], today: date, within_days: int) -> list[tuple[date, PublicationItem]]:
    """The deadlines d with today <= d <= today + within_days, as (deadline, item), by date then annex order.

    A deadline of today counts (CPC Art. 61(3): publication may be done until 24:00); past ones do not.
    """
    if within_days < 0:
        raise ValueError(f"within_days must not be negative, not {within_days}")
    last = today + timedelta(days=within_days)
    # Periods of the year before today end with deadlines in today's year (Q4, yearly).
    found = _deadlines(items, today.year - 1, last.year)
    return _sorted((deadline, item) for deadline, item in found if today <= deadline <= last)


def reminder_date(deadline: date, calendar: WorkingCalendar, lead_days: int = 7) -> date:
    """The day to remind the office: the last working day on or before deadline - lead_days calendar days."""
    if lead_days < 0:
        raise ValueError(f"lead_days must not be negative, not {lead_days}")
    return calendar.last_working_day_on_or_before(deadline - timedelta(days=lead_days))


def reminders_due(
    items: Iterable[PublicationItem], today: date, calendar: WorkingCalendar, lead_days: int = 7
) -> list[tuple[date, PublicationItem]]:
    """The (deadline, item) pairs whose reminder_date is today, by date then annex order.

    A reminder date is always a working day, so on a non-working day the list is empty: a job that runs
    every working day sends each reminder exactly once. A reminder that would fall on a weekend or holiday
    comes on the working day before it (a Sunday one on the Friday), never after.
    """
    if lead_days < 0:
        raise ValueError(f"lead_days must not be negative, not {lead_days}")
    earliest = today + timedelta(days=lead_days)  # reminder_date <= deadline - lead_days
    # Rolling back spans at most a run of non-working days, far less than the year each side allows for.
    found = _deadlines(items, earliest.year - 1, earliest.year + 1)
    return _sorted(
        (deadline, item)
        for deadline, item in found
        if deadline >= earliest and reminder_date(deadline, calendar, lead_days) == today
    )


@dataclass(frozen=True)
class PublicationEvent:
    """An act (or an amendment) an officer recorded: the annex item, the act's title, its entry into force."""

    item_id: str
    title: str
    in_force: date

    @property
    def due(self) -> date:
        """Batumi res. No. 3 annex note 2: the last day to publish, 10 days after entry into force."""
        return entry_into_force_publication_due(self.in_force)


def check_event(items: Iterable[PublicationItem], item_id: str, title: str) -> PublicationItem:
    """The item an event is recorded for; PublicationDataError if it is unknown, periodic, or the title empty.

    Annex note 2 gives events to items 5.13, 6.1, 6.2 and to "on_change" items; a periodic item's
    deadlines come from its periods, so an event there is a mistake (most likely a wrong item number).
    """
    found = {item.id: item for item in items}.get(item_id.strip())
    if found is None:
        raise PublicationDataError(item_id, "no such annex item")
    if found.period not in EVENT_PERIODS:
        raise PublicationDataError(
            found.id, f"the item is published by period ({found.period.value}), not after an act enters into force"
        )
    if not title.strip():
        raise PublicationDataError(found.id, "the title of the act is empty")
    return found


def events_upcoming(events: Iterable[PublicationEvent], today: date, within_days: int) -> list[PublicationEvent]:
    """The events due from today to today + within_days, by due date, item and title (as `upcoming`)."""
    if within_days < 0:
        raise ValueError(f"within_days must not be negative, not {within_days}")
    last = today + timedelta(days=within_days)
    return _events_sorted(event for event in events if today <= event.due <= last)


def event_reminders_owed(
    events: Iterable[PublicationEvent], today: date, calendar: WorkingCalendar, lead_days: int = 7
) -> list[PublicationEvent]:
    """The events to remind of today: reminder day reached, deadline not passed; on working days only.

    An event is often recorded after its reminder day (the act came into force a week ago), so a reminder
    owed is one whose day is today or past; the caller remembers which it has sent.
    """
    if lead_days < 0:
        raise ValueError(f"lead_days must not be negative, not {lead_days}")
    if not calendar.is_working_day(today):
        return []
    return _events_sorted(
        event for event in events if reminder_date(event.due, calendar, lead_days) <= today <= event.due
    )


def _events_sorted(events: Iterable[PublicationEvent]) -> list[PublicationEvent]:
    def key(event: PublicationEvent) -> tuple[date, tuple[int, ...], str]:
        return event.due, _annex_order(event.item_id), event.title

    return sorted(events, key=key)


@dataclass(frozen=True)
class DueEntry:
    """One line of what falls due: a periodic item's deadline, or a recorded act's (`act` set)."""

    deadline: date
    item: PublicationItem
    act: PublicationEvent | None = None


def due_within(
    items: Iterable[PublicationItem], events: Iterable[PublicationEvent], today: date, within_days: int
) -> list[DueEntry]:
    """Both kinds of deadline from today to today + within_days, by date then annex order then act title.

    An event whose item is no longer in the annex data still shows, under a bare item of its number, so a
    recorded act is never silently dropped.
    """
    items = tuple(items)
    by_id = {item.id: item for item in items}
    entries = [DueEntry(deadline, item) for deadline, item in upcoming(items, today, within_days)]
    for event in events_upcoming(events, today, within_days):
        item = by_id.get(event.item_id) or PublicationItem(
            event.item_id, event.item_id, event.item_id, PublicationPeriod.WITHIN_10_DAYS
        )
        entries.append(DueEntry(event.due, item, event))
    return sorted(
        entries, key=lambda entry: (entry.deadline, entry.item.sort_key, entry.act.title if entry.act else "")
    )
