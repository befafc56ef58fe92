"""Queue mail in the caller's transaction; nothing is sent until that transaction commits."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from foimail.core.recipients import suppression_reason
from foimail.core.vocabulary import OutboxStatus
from foimail.mail.compose import make_message_id
from foimail.store.models import Case, OutboxItem
from foimail.store.queries import record_event

log = logging.getLogger("foimail.outbox")


def enqueue(
    session: Session,
    *,
    office_address: str,
    kind: str,
    recipients: Sequence[str],
    now: datetime,
    case: Case | None = None,
    raw: bytes | None = None,
    message_id: str | None = None,
    context: dict[str, Any] | None = None,
) -> OutboxItem:
    """Add one outgoing message. Recipients foimail must never write to are dropped, with the reason kept."""
    allowed, refused = screen_recipients(recipients, office_address)
    domain = office_address.rpartition("@")[2]
    item = OutboxItem(
        case_id=case.id if case is not None else None,
        kind=kind,
        recipients=allowed,
        message_id_header=message_id or make_message_id(domain),
        raw=raw,
        context=context or {},
        status=OutboxStatus.PENDING if allowed else OutboxStatus.SUPPRESSED,
        attempts=0,
        next_attempt_at=now,
        last_error="; ".join(refused) or None,
        created_at=now,
    )
    session.add(item)
    session.flush()
    if not allowed:
        log.info("outbox suppressed kind=%s case=%s reason=%r", kind, case.number if case else "-", item.last_error)
        if case is not None:
            record_event(session, at=now, actor="foimail", kind=f"{kind}_suppressed", case=case, reason=item.last_error)
    return item


def screen_recipients(recipients: Sequence[str], office_address: str) -> tuple[list[str], list[str]]:
    """The addresses foimail may write to (normalised, each once), and the others with the reason why not."""
    allowed: list[str] = []
    refused: list[str] = []
    for address in dict.fromkeys(r.strip().lower() for r in recipients if r is not None):
        reason = suppression_reason(address, office_address)
        if reason is None:
            allowed.append(address)
        else:
            refused.append(f"{address or '<>'}: {reason}")
    if not recipients:
        refused.append("no recipient")
    return allowed, refused


def retry_delay(attempts: int) -> timedelta:
    """Backoff after a temporary failure: 1 min doubling to 30 min."""
    return timedelta(minutes=min(30, 2 ** max(0, attempts - 1)))
