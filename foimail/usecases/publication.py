"""The proactive-publication calendar: read it, list what falls due, remind the office (docs/LAW.md).

The rules are in foimail/core/publication.py. A week before a periodic annex item falls due the notify list
is reminded (annex note 1); `foimail publication due [--within 30d]` lists the deadlines.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from foimail.config import read_toml
from foimail.context import AppContext
from foimail.core.calendar import WorkingCalendar, local_date
from foimail.core.publication import (
    DueEntry,
    PublicationDataError,
    PublicationEvent,
    PublicationItem,
    check_event,
    due_within,
    event_reminders_owed,
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
from foimail.store import models
from foimail.store.db import unit_of_work
from foimail.store.queries import claim_notice
from foimail.usecases.notices import notify

log = logging.getLogger("foimail.publication")

LEAD_DAYS = 7  # core.publication's default: a week before the deadline

_WITHIN_PATTERN = re.compile(r"([0-9]+)\s*([dw]?)", re.IGNORECASE)
_ACT_LINE = {
    "ka": "აქტი: {title} (ძალაში შევიდა {in_force})",
    "en": "act: {title} (in force {in_force})",
}
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


def format_due(entries: Iterable[DueEntry], lang: str = "ka") -> str:
    """The listing, one entry per deadline: date, id, Georgian title, English title, period; below it the
    recorded act (annex note 2) or the item's note.

    `lang` ("ka" or "en") names the period, the act line and the empty-listing line; both titles are shown.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {lang!r}")
    lines: list[str] = []
    for entry in entries:
        item = entry.item
        lines.append(
            f"{entry.deadline.isoformat()}  {item.id}  {item.title_ka} / {item.title_en}"
            f"  ({period_label(item.period, lang)})"
        )
        if entry.act is not None:
            lines.append(
                f"    {_ACT_LINE[lang].format(title=entry.act.title, in_force=entry.act.in_force.isoformat())}"
            )
        elif item.note:
            lines.append(f"    {item.note}")
    if not lines:
        lines.append(_NOTHING_DUE[lang])
    return "\n".join(lines) + "\n"


def publication_events(session: Session) -> list[PublicationEvent]:
    """Every act recorded (annex note 2), oldest entry into force first."""
    rows = session.execute(select(models.PublicationEvent).order_by(models.PublicationEvent.in_force))
    return [PublicationEvent(row.item_id, row.title, row.in_force) for row in rows.scalars()]


def due_listing(ctx: AppContext, today: date, within_days: int) -> list[DueEntry]:
    """`foimail publication due`: the periodic deadlines and the recorded acts' from today on."""
    with unit_of_work(ctx.sessions) as session:
        events = publication_events(session)
    return due_within(load_publication(), events, today, within_days)


def record_act(ctx: AppContext, item_id: str, title: str, in_force: date, actor: str) -> PublicationEvent:
    """Record an act's entry into force for an annex item; it is due 10 days later (annex note 2).

    PublicationDataError for an unknown or periodic item or an empty title; nothing is stored then.
    """
    item = check_event(load_publication(), item_id, title)
    event = PublicationEvent(item.id, " ".join(title.split()), in_force)
    with unit_of_work(ctx.sessions) as session:
        session.add(
            models.PublicationEvent(
                item_id=event.item_id,
                title=event.title,
                in_force=event.in_force,
                recorded_at=ctx.clock(),
                recorded_by=actor,
            )
        )
    log.info("publication act recorded item=%s in_force=%s due=%s", event.item_id, in_force, event.due)
    return event


def send_publication_reminders(ctx: AppContext) -> int:
    """One mail listing the deadlines whose reminder day has come: periodic items' and recorded acts'.

    Once per item and deadline, once per recorded act (the sent_notices ledger).
    """
    now = ctx.clock()
    today = local_date(now, ctx.tz)
    if not ctx.calendar.is_working_day(today) or not ctx.settings.office.notify:
        return 0
    items = load_publication()
    by_id = {item.id: item for item in items}
    with unit_of_work(ctx.sessions) as session:
        owed = [DueEntry(deadline, item) for deadline, item in _reminders_owed(items, today, ctx.calendar)]
        for event in event_reminders_owed(publication_events(session), today, ctx.calendar, LEAD_DAYS):
            if event.item_id in by_id:
                owed.append(DueEntry(event.due, by_id[event.item_id], event))
        fresh = [entry for entry in owed if claim_notice(session, _notice_key(entry), "notify", date(2000, 1, 1), now)]
        if not fresh:
            return 0
        fresh.sort(key=lambda entry: (entry.deadline, entry.item.sort_key, entry.act.title if entry.act else ""))
        notify(
            ctx,
            session,
            "office/publication",
            list(ctx.settings.office.notify),
            {"entries": fresh, "today": today},
            now,
            kind=OutboxKind.DIGEST,
        )
    log.info("publication reminders queued items=%s", ",".join(entry.item.id for entry in fresh))
    return len(fresh)


def _notice_key(entry: DueEntry) -> str:
    """The ledger key: one per periodic deadline, one per recorded act."""
    if entry.act is None:
        return f"publication-{entry.item.id}-{entry.deadline.isoformat()}"
    digest = hashlib.sha256(entry.act.title.encode("utf-8")).hexdigest()[:16]
    return f"publication-act-{entry.item.id}-{entry.act.in_force.isoformat()}-{digest}"


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
