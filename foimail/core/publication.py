"""The proactive-publication calendar: Batumi res. No. 3 annex, items 1.1-7.2, and annex notes 1 and 2.

Pure (ring 0): the annex comes in as parsed TOML data, today and the working calendar as arguments.

Deadlines of periodic items (annex note 1; months counted by CPC Art. 61(1), through core/calendar.py):

- quarterly: one month after each quarter ends (Q1 -> 30 April ... Q4 -> 31 January of the next year);
- yearly: three months after the year ends (31 March of the next year);
- semiannual: one month after each half-year ends (30 July, 31 January) — our reading of note 1;
- monthly: one month after each month ends (31 January -> 28/29 February) — our reading of note 1.

A deadline is the date the months give, not moved onto a working day: CPC Art. 61(2) would allow the next
working day, but the stricter date is never missed by following it. Items published on a change
("on_change") or within 10 days of an act entering into force (annex note 2) follow events foimail does not
see, so they have no deadlines here.
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
    quarterly_publication_due,
)
from foimail.core.statistics import Label

__all__ = [
    "PERIOD_LABELS",
    "PERIODIC",
    "PublicationDataError",
    "PublicationItem",
    "PublicationPeriod",
    "due_dates",
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
    MONTHLY = "monthly"
    ON_CHANGE = "on_change"
    WITHIN_10_DAYS = "within_10_days_of_entry_into_force"


PERIODIC = frozenset(
    {
        PublicationPeriod.QUARTERLY,
        PublicationPeriod.SEMIANNUAL,
        PublicationPeriod.YEARLY,
        PublicationPeriod.MONTHLY,
    }
)

PERIOD_LABELS: Mapping[PublicationPeriod, Label] = {
    PublicationPeriod.QUARTERLY: Label("quarterly", "კვარტალური", "quarterly"),
    PublicationPeriod.SEMIANNUAL: Label("semiannual", "ნახევარწლიური", "semiannual"),
    PublicationPeriod.YEARLY: Label("yearly", "ყოველწლიური", "yearly"),
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
        return tuple(int(part) for part in self.id.split("."))


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
    March). An item without periods (on_change, within 10 days of entry into force) has none.
    """
    if item.period is PublicationPeriod.QUARTERLY:
        return tuple(quarterly_publication_due(year, quarter) for quarter in (1, 2, 3, 4))
    if item.period is PublicationPeriod.YEARLY:
        return (annual_publication_due(year),)
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
