"""Messages set aside on evidence a person could read otherwise: the office hears of them the same working day.

A verdict resting on wording, a sender's name, the spam filter's guess or a missing sender is `doubtful`
(core.classify). Each such message is told once to the office's notify list, with the command that registers
it: in the morning digest, or in the afternoon set-aside notice (reminders.set_aside_at) for what arrived
since. The ledger (sent_notices, one row per message) keeps either from telling it twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from foimail.context import AppContext
from foimail.core.calendar import local_date
from foimail.core.vocabulary import OutboxKind
from foimail.store.db import unit_of_work
from foimail.store.models import SentNotice, StoredMessage
from foimail.store.queries import claim_notice, recent_set_aside
from foimail.usecases.notices import notify

log = logging.getLogger("foimail.reminders")

LOOK_BACK = timedelta(days=7)
_RECIPIENT = "office"  # the ledger's recipient: the notify list as a whole


@dataclass(frozen=True)
class SetAsideLine:
    """One message for a person to look at, and the command that registers it."""

    id: int
    kind: str
    sender: str
    subject: str
    reasons: str
    command: str


def _key(message: StoredMessage) -> str:
    return f"set_aside:{message.id}"


def untold_doubtful(session: Session, now: datetime) -> list[StoredMessage]:
    """Doubtful set-aside messages of the last week the office has not been told of yet, oldest first."""
    candidates = recent_set_aside(session, now - LOOK_BACK, doubtful_only=True)
    if not candidates:
        return []
    told = set(
        session.execute(
            select(SentNotice.key).where(
                SentNotice.recipient == _RECIPIENT, SentNotice.key.in_([_key(m) for m in candidates])
            )
        ).scalars()
    )
    return [m for m in candidates if _key(m) not in told]


def lines_for(messages: list[StoredMessage]) -> list[SetAsideLine]:
    """Each message's line, with the command that registers it."""
    return [
        SetAsideLine(m.id, m.kind, m.sender or "<>", m.subject, "; ".join(m.reasons), f"foimail register {m.id}")
        for m in messages
    ]


def mark_told(ctx: AppContext, session: Session, messages: list[StoredMessage], now: datetime) -> None:
    """Record in the ledger, in the caller's transaction, that the office has been told of `messages`."""
    for message in messages:
        claim_notice(session, _key(message), _RECIPIENT, local_date(message.stored_at, ctx.tz), now)


def send_set_aside_notice(ctx: AppContext) -> int:
    """Tell the notify list of doubtful messages set aside since it last heard; return how many were told."""
    now = ctx.clock()
    today = local_date(now, ctx.tz)
    if not ctx.calendar.is_working_day(today) or not ctx.settings.office.notify:
        return 0
    with unit_of_work(ctx.sessions) as session:
        messages = untold_doubtful(session, now)
        if not messages:
            return 0
        values = {"today": today, "messages": lines_for(messages)}
        notify(ctx, session, "office/set_aside", list(ctx.settings.office.notify), values, now, kind=OutboxKind.NOTIFY)
        mark_told(ctx, session, messages, now)
    log.info("set-aside notice queued messages=%d", len(messages))
    return len(messages)
