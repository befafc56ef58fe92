"""A week before a periodic annex item falls due, remind the notify list (Batumi res. No. 3, annex note 1)."""

from __future__ import annotations

import logging
from datetime import date

from foimail.context import AppContext
from foimail.core.calendar import local_date
from foimail.core.publication import reminders_due
from foimail.outbound.notices import notify
from foimail.publication import load_publication
from foimail.store.db import unit_of_work
from foimail.store.queries import claim_notice

log = logging.getLogger("foimail.publication")


def send_publication_reminders(ctx: AppContext) -> int:
    """One mail listing the items whose reminder day is today; once per item and deadline."""
    now = ctx.clock()
    today = local_date(now, ctx.tz)
    due = reminders_due(load_publication(), today, ctx.calendar)
    if not due or not ctx.settings.office.notify:
        return 0
    with unit_of_work(ctx.sessions) as session:
        fresh = [(deadline, item) for deadline, item in due
                 if claim_notice(session, f"publication-{item.id}-{deadline.isoformat()}", "notify", date(2000, 1, 1), now)]
        if not fresh:
            return 0
        notify(ctx, session, "office/publication", list(ctx.settings.office.notify), {"items": fresh, "today": today},
               now, kind="digest")
    log.info("publication reminders queued items=%s", ",".join(item.id for _, item in fresh))
    return len(fresh)
