"""Is the running daemon working? Read from what it records in the database (`foimail health`, /healthz)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from foimail.context import AppContext
from foimail.core.vocabulary import OutboxStatus
from foimail.errors import OAUTH_LOGIN_COMMAND, FoimailError
from foimail.store.db import ping, unit_of_work
from foimail.store.models import MailboxState, OutboxItem

STUCK_OUTBOX = timedelta(hours=1)
FAILING_SMTP = timedelta(minutes=10)


def daemon_health(ctx: AppContext) -> list[str]:
    """Why the running daemon is unhealthy; empty when it is well."""
    problems: list[str] = []
    try:
        ping(ctx.engine)
    except FoimailError as exc:
        return [str(exc)]
    now = ctx.clock()
    with unit_of_work(ctx.sessions) as session:
        limit = timedelta(seconds=3 * ctx.settings.imap.poll_seconds)
        states = list(session.execute(select(MailboxState)).scalars())
        if (ctx.settings.imap.host or ctx.settings.maildir.path) and not states:
            problems.append("the mailbox has never been checked (is `foimail run` running?)")
        for state in states:
            if state.last_error and OAUTH_LOGIN_COMMAND in state.last_error:  # waiting will not heal it
                problems.append(f"mailbox {state.source}: {state.last_error}")
            elif state.last_check_at is None or now - state.last_check_at > limit:
                seen = state.last_check_at.isoformat() if state.last_check_at else "never"
                error = f"; last error: {state.last_error}" if state.last_error else ""
                problems.append(f"mailbox {state.source} last checked {seen} (limit {limit}){error}")
        oldest = session.execute(
            select(func.min(OutboxItem.created_at)).where(
                OutboxItem.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING])
            )
        ).scalar_one()
        if oldest is not None and now - oldest > STUCK_OUTBOX:
            problems.append(f"outbox has mail waiting since {oldest.isoformat()} (over an hour)")
        failing = session.execute(
            select(OutboxItem.created_at, OutboxItem.last_error)
            .where(
                OutboxItem.status == OutboxStatus.PENDING, OutboxItem.attempts > 0, OutboxItem.last_error.is_not(None)
            )
            .order_by(OutboxItem.created_at)
            .limit(1)
        ).first()
        if failing is not None and (
            now - failing.created_at > FAILING_SMTP or OAUTH_LOGIN_COMMAND in failing.last_error
        ):
            # A confirmation starts the legal clock (res. No. 3 Art. 4.3): say so well before the hour is up.
            problems.append(f"sending has been failing since {failing.created_at.isoformat()}: {failing.last_error}")
    return problems
