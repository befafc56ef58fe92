"""The proactive-publication calendar: read it, list what falls due, remind the office (docs/LAW.md).

The rules are in foimail/core/publication.py. A week before a periodic annex item falls due the notify list
is reminded (annex note 1); `foimail publication due [--within 30d]` lists the deadlines.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from foimail.config import read_toml
from foimail.context import AppContext
from foimail.core.calendar import WorkingCalendar, local_date
from foimail.core.publication import (
    PublicationDataError,
    PublicationItem,
    parse_publication,
    period_label,
    reminder_date,
    reminders_due,
    upcoming,
)
from foimail.core.statistics import LANGUAGES
from foimail.core.vocabulary import OutboxKind
from foimail.errors import ConfigError
from foimail.resources import publication_file
from foimail.store.db import unit_of_work
from foimail.store.queries import claim_notice
from foimail.usecases.notices import notify

log = logging.getLogger("foimail.publication")

LEAD_DAYS = 7  # core.publication's default: a week before the deadline

_WITHIN_PATTERN = re.compile(r"([0-9]+)\s*([dw]?)", re.IGNORECASE)
_NOTHING_DUE = {
    "ka": "ამ პერიოდში გამოქვეყნების ვადა არ იწურება.",
    "en": "No publication deadline falls in this period.",
}


def load_publication(path: Path | None = None) -> tuple[PublicationItem, ...]:
    """The annex items from `path` (default: the calendar shipped with foimail, config/publication.toml).

    ConfigError on a missing or unreadable file ("(file)"), bad TOML ("(syntax)"), or a bad entry (the
    item's id, or its position "#3" when it has no usable id).
    """
    source = publication_file() if path is None else path
    data = read_toml(source, required=True)
    try:
        return parse_publication(data)
    except PublicationDataError as exc:
        raise ConfigError(exc.item_id, str(source), exc.problem) from None


def parse_within(text: str) -> int:
    """A window in days from "30d", "30" or "2w" (weeks of 7 days); ValueError otherwise."""
    match = _WITHIN_PATTERN.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"not a number of days like 30d, 30 or 2w: {text!r}")
    count = int(match.group(1))
    return count * 7 if match.group(2).lower() == "w" else count


def format_due(items_with_dates: Iterable[tuple[date, PublicationItem]], lang: str = "ka") -> str:
    """The listing, one entry per deadline: date, id, Georgian title, English title, period; the note below.

    `lang` ("ka" or "en") names the period and the empty-listing line; both titles are always shown.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {lang!r}")
    lines: list[str] = []
    for deadline, item in items_with_dates:
        lines.append(
            f"{deadline.isoformat()}  {item.id}  {item.title_ka} / {item.title_en}  ({period_label(item.period, lang)})"
        )
        if item.note:
            lines.append(f"    {item.note}")
    if not lines:
        lines.append(_NOTHING_DUE[lang])
    return "\n".join(lines) + "\n"


def send_publication_reminders(ctx: AppContext) -> int:
    """One mail listing the items whose reminder day has come; once per item and deadline."""
    now = ctx.clock()
    today = local_date(now, ctx.tz)
    if not ctx.calendar.is_working_day(today) or not ctx.settings.office.notify:
        return 0
    due = _reminders_owed(load_publication(), today, ctx.calendar)
    if not due:
        return 0
    with unit_of_work(ctx.sessions) as session:
        fresh = [
            (deadline, item)
            for deadline, item in due
            if claim_notice(session, f"publication-{item.id}-{deadline.isoformat()}", "notify", date(2000, 1, 1), now)
        ]
        if not fresh:
            return 0
        notify(
            ctx,
            session,
            "office/publication",
            list(ctx.settings.office.notify),
            {"items": fresh, "today": today},
            now,
            kind=OutboxKind.DIGEST,
        )
    log.info("publication reminders queued items=%s", ",".join(item.id for _, item in fresh))
    return len(fresh)


def _reminders_owed(
    items: tuple[PublicationItem, ...], today: date, calendar: WorkingCalendar
) -> list[tuple[date, PublicationItem]]:
    """Today's reminders, and those whose day passed while the daemon was down but whose deadline has not.

    A reminder day before today means its deadline is less than LEAD_DAYS away, so `upcoming` finds it.
    """
    missed = [
        (deadline, item)
        for deadline, item in upcoming(items, today, LEAD_DAYS)
        if reminder_date(deadline, calendar, LEAD_DAYS) < today
    ]
    return sorted(
        {*missed, *reminders_due(items, today, calendar, LEAD_DAYS)},
        key=lambda pair: (pair[0], pair[1].sort_key),
    )
