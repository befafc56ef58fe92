"""One path for mail that did not arrive: refused at send time (SMTP 5xx, retries exhausted) or bounced later.

Either way the failure is recorded on the case, the office's notify list is told, and so is the officer whose
answer it was (a relayed answer carries ``receipt_to``). Mail about mail (notices) tells nobody: it would loop.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from foimail.context import AppContext
from foimail.core.vocabulary import NOTICE_KINDS, OutboxKind
from foimail.store.models import Case, OutboxItem, StoredMessage
from foimail.store.queries import record_event
from foimail.usecases.notices import notify

log = logging.getLogger("foimail.outbox")


def record_delivery_failure(
    ctx: AppContext,
    session: Session,
    item: OutboxItem,
    case: Case | None,
    reason: str,
    now: datetime,
    *,
    actor: str = "foimail",
    bounce: StoredMessage | None = None,
) -> None:
    """Record that `item` did not reach its recipients, and tell who must know, in the caller's transaction."""
    item.last_error = (f"bounced: {reason}" if bounce is not None else reason)[:2000]
    if case is not None:
        record_event(
            session,
            at=now,
            actor=actor,
            kind="delivery_failed",
            case=case,
            message=bounce,
            outbox_kind=item.kind,
            recipients=item.recipients,
            reason=reason,
        )
    log.warning(
        "delivery failed kind=%s case=%s to=%s reason=%r",
        item.kind,
        case.number if case else "-",
        ",".join(item.recipients),
        reason,
    )
    if item.kind in NOTICE_KINDS:
        return
    officer = item.context.get("receipt_to")  # a relayed answer: the officer who wrote it must know too
    told = list(dict.fromkeys([*ctx.settings.office.notify, *([officer] if officer else [])]))
    values = {
        "case_number": case.number if case else "-",
        "outbox_kind": item.kind,
        "recipients": item.recipients,
        "reason": reason,
    }
    notify(ctx, session, "office/delivery_failed", told, values, now, case=case, kind=OutboxKind.DELIVERY_FAILED)
