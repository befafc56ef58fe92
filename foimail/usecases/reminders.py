"""The daily digests: officers' cases falling due, and the office-wide view of what is overdue or stuck.

State lives in the database (sent_notices): running the job twice, or late after downtime, sends each
digest once per recipient and day. Nothing is sent on a non-working day.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from foimail.context import AppContext
from foimail.core.calendar import (
    binding_deadline,
    forwarding_notice_due,
    is_due_within,
    is_overdue,
    local_date,
    refusal_explanation_due,
    working_days_between,
)
from foimail.core.vocabulary import CaseStatus, OutboxKind, OutboxStatus
from foimail.store.db import unit_of_work
from foimail.store.models import Case, OutboxItem, StoredMessage
from foimail.store.queries import claim_notice, recent_set_aside
from foimail.usecases.notices import notify
from foimail.usecases.set_aside import lines_for, mark_told, untold_doubtful

log = logging.getLogger("foimail.reminders")

STUCK_CONFIRMATION = timedelta(hours=1)
RECENT_SET_ASIDE = timedelta(days=7)


@dataclass(frozen=True)
class CaseLine:
    number: str
    subject: str
    requester: str
    due_date: date
    working_days_left: int
    overdue: bool
    officer: str | None
    forward_by: date | None = None  # GAC Art. 80(1), when an officer marked the case #toforward


def send_daily_digests(ctx: AppContext) -> int:
    """Queue today's digests; return how many were queued (0 on non-working days or when already sent)."""
    now = ctx.clock()
    today = local_date(now, ctx.tz)
    if not ctx.calendar.is_working_day(today):
        log.info("no reminders: %s is not a working day", today)
        return 0
    queued = 0
    with unit_of_work(ctx.sessions) as session:
        lines = _case_lines(ctx, session, today)
        by_recipient: dict[str, list[CaseLine]] = defaultdict(list)
        for line in lines:
            for recipient in [line.officer] if line.officer else ctx.settings.office.notify:
                by_recipient[recipient.lower()].append(line)
        untold = untold_doubtful(session, now)
        office_view = _office_view(ctx, session, now, today, lines, untold)
        for recipient in ctx.settings.office.notify:
            by_recipient.setdefault(recipient.lower(), [])
        for recipient, own in sorted(by_recipient.items()):
            is_notify = recipient in {r.lower() for r in ctx.settings.office.notify}
            if not own and not (is_notify and office_view["anything"]):
                continue
            if not claim_notice(session, "digest", recipient, today, now):
                continue
            values = {"today": today, "cases": own, "office": office_view if is_notify else None}
            notify(ctx, session, "office/digest", [recipient], values, now, kind=OutboxKind.DIGEST)
            queued += 1
            if is_notify:
                mark_told(ctx, session, untold, now)
    log.info("daily digests queued=%d day=%s", queued, today)
    return queued


def _case_lines(ctx: AppContext, session: Session, today: date) -> list[CaseLine]:
    horizon = max(ctx.settings.reminders.days_before, default=0)
    query = select(Case).where(Case.status == CaseStatus.OPEN, Case.due_date.is_not(None)).order_by(Case.due_date)
    lines = []
    for case in session.execute(query).scalars():
        assert case.due_date is not None
        deadline = binding_deadline(case.due_date, case.forward_by)
        overdue = is_overdue(deadline, today)
        if overdue or is_due_within(deadline, today, horizon, ctx.calendar):
            lines.append(
                CaseLine(
                    case.number,
                    case.subject,
                    case.requester_address,
                    case.due_date,
                    working_days_between(today, deadline, ctx.calendar),
                    overdue,
                    case.assigned_officer,
                    case.forward_by,
                )
            )
    return lines


def _office_view(
    ctx: AppContext,
    session: Session,
    now: datetime,
    today: date,
    lines: list[CaseLine],
    untold: list[StoredMessage],
) -> dict[str, object]:
    """What the person responsible for FOI must see: overdue cases, stuck mail, set-aside mail, side deadlines."""
    stuck = list(
        session.execute(
            select(OutboxItem).where(
                OutboxItem.kind == OutboxKind.CONFIRMATION,
                OutboxItem.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING]),
                OutboxItem.created_at < now - STUCK_CONFIRMATION,
            )
        ).scalars()
    )
    failed = list(
        session.execute(
            select(OutboxItem).where(
                OutboxItem.status == OutboxStatus.FAILED, OutboxItem.created_at >= now - RECENT_SET_ASIDE
            )
        ).scalars()
    )
    set_aside = recent_set_aside(session, now - RECENT_SET_ASIDE)
    side = _side_deadlines(ctx, session)
    told_now = {message.id for message in untold}
    view: dict[str, object] = {
        "to_check": lines_for(untold),
        "overdue": [line for line in lines if line.overdue],
        "stuck_confirmations": [(item.id, item.recipients, item.last_error) for item in stuck],
        "failed": [(item.id, item.kind, item.recipients, item.last_error) for item in failed],
        "set_aside": [
            (m.id, m.kind, m.sender, m.subject, "; ".join(m.reasons)) for m in set_aside if m.id not in told_now
        ],
        "side_deadlines": side,
        "decree_reminder": today.month == 12,
        "next_year": today.year + 1,
    }
    view["anything"] = any(
        view[k]
        for k in (
            "overdue",
            "stuck_confirmations",
            "failed",
            "to_check",
            "set_aside",
            "side_deadlines",
            "decree_reminder",
        )
    )
    return view


def _side_deadlines(ctx: AppContext, session: Session) -> list[tuple[str, str, date]]:
    """Refusals (GAC Art. 41(2)) and forwardings (Art. 80(3)) whose written notice has not gone out yet."""
    query = (
        select(Case, OutboxItem)
        .join(OutboxItem, OutboxItem.case_id == Case.id)
        .where(
            Case.outcome.in_(["refused", "answered_partial", "forwarded"]),
            OutboxItem.kind == OutboxKind.RELAY,
            OutboxItem.status != OutboxStatus.SENT,
        )
    )
    result = []
    for case, _item in session.execute(query):
        if case.answered_at is None:
            continue
        decided = local_date(case.answered_at, ctx.tz)
        if case.outcome == "forwarded":
            result.append((case.number, "forwarding_notice", forwarding_notice_due(decided, ctx.calendar)))
        else:
            result.append((case.number, "refusal_explanation", refusal_explanation_due(decided, ctx.calendar)))
    return result
