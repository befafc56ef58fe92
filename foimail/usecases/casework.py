"""Use cases on existing cases and messages: promote a set-aside message, recompute due dates and statistics."""

from __future__ import annotations

import logging

from sqlalchemy import select

from foimail.context import AppContext
from foimail.core.calendar import due_date
from foimail.core.vocabulary import CaseStatus, Direction
from foimail.errors import FoimailError
from foimail.mail.parse import parse_message
from foimail.store.case_tallies import refresh_values, utc_offset
from foimail.store.db import unit_of_work
from foimail.store.models import Case, StoredMessage
from foimail.store.queries import record_event
from foimail.usecases import dispositions

log = logging.getLogger("foimail.cases")


def promote_message(ctx: AppContext, message_row_id: int, actor: str = "cli") -> str:
    """Register a set-aside message as a case, as of its arrival; its confirmation is queued now."""
    now = ctx.clock()
    with unit_of_work(ctx.sessions) as session:
        stored = session.get(StoredMessage, message_row_id)
        if stored is None or stored.direction != Direction.IN:
            raise FoimailError(f"no inbound message #{message_row_id} (see `foimail messages list`)")
        if not stored.set_aside:
            number = stored.case.number if stored.case else "-"
            raise FoimailError(f"message #{message_row_id} is not set aside (kind {stored.kind}, case {number})")
        message = parse_message(stored.raw)
        previous = stored.kind
        stored.set_aside = False
        registered = dispositions.register(ctx, session, stored, message, now)
        record_event(
            session,
            at=now,
            actor=actor,
            kind="promoted",
            case_id=registered.case_id,
            message=stored,
            was=previous,
            reasons=list(stored.reasons),
        )
        log.info("promoted message=%s to case=%s (was %s)", message_row_id, registered.number, previous)
        return registered.number


def recompute_due_dates(ctx: AppContext, actor: str = "foimail") -> list[tuple[str, str, str]]:
    """Recompute open cases' due dates after a calendar change; a date only ever moves later.

    A date already told to the requester never moves earlier (docs/LAW.md, "When the calendar changes").
    """
    now = ctx.clock()
    changed: list[tuple[str, str, str]] = []
    with unit_of_work(ctx.sessions) as session:
        # Every daemon recomputes at start-up. FOR UPDATE makes a second one starting alongside wait for the
        # first and read the dates it wrote, so a move is recorded (and logged) once, not once per daemon.
        query = select(Case).where(Case.status == CaseStatus.OPEN, Case.confirmed_at.is_not(None)).with_for_update()
        for case in session.execute(query).scalars():
            assert case.confirmed_at is not None
            new = due_date(case.confirmed_at, ctx.calendar, ctx.deadline_rules, ctx.tz)
            if case.due_date is None or new > case.due_date:
                old = case.due_date
                case.due_date = new
                record_event(
                    session,
                    at=now,
                    actor=actor,
                    kind="due_date_moved",
                    case=case,
                    old=str(old),
                    new=str(new),
                    why="calendar changed",
                )
                changed.append((case.number, str(old), str(new)))
                log.info("due date moved case=%s %s -> %s", case.number, old, new)
    return changed


def refresh_statistics_values(ctx: AppContext) -> int:
    """Store every decided case's statistics values in the office's zone where they are missing or differ.

    Run where due dates are recomputed (start-up, `foimail deadline --recompute`): after migration 0007 (which
    adds the columns empty) and after a change of zone, the reports count the cases live until this has run.
    """
    with unit_of_work(ctx.sessions) as session:
        changed = refresh_values(session.connection(), utc_offset(ctx.tz, ctx.clock()))
    if changed:
        log.info("statistics values stored anew for %d case(s)", changed)
    return changed
