"""A week before a periodic annex item falls due, remind the notify list (Batumi res. No. 3, annex note 1)."""

from __future__ import annotations

import logging
from datetime import date

from foimail.context import AppContext
from foimail.core.calendar import WorkingCalendar, local_date
from foimail.core.publication import PublicationItem, reminder_date, reminders_due, upcoming
from foimail.outbound.notices import notify
from foimail.publication import load_publication
from foimail.store.db import unit_of_work
from foimail.store.queries import claim_notice

log = logging.getLogger("foimail.publication")

LEAD_DAYS = 7  # core.publication's default: a week before the deadline


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
            kind="digest",
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
