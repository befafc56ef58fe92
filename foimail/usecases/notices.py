"""Notices to office staff (follow-ups, failed deliveries, digests), rendered now and queued."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from foimail.context import AppContext
from foimail.core.message import Attachment
from foimail.core.vocabulary import OutboxKind
from foimail.mail.compose import make_message_id
from foimail.store.models import Case, OutboxItem
from foimail.usecases.letters import render_mail
from foimail.usecases.outbox import enqueue

log = logging.getLogger("foimail.outbox")


def notify(
    ctx: AppContext,
    session: Session,
    template: str,
    recipients: list[str],
    values: dict[str, Any],
    now: datetime,
    *,
    case: Case | None = None,
    kind: str = OutboxKind.NOTIFY,
    attachments: tuple[Attachment, ...] = (),
    in_reply_to: str | None = None,
) -> OutboxItem | None:
    """Queue a rendered notice; None (and a warning) when there is nobody to tell."""
    if not recipients:
        log.warning("no recipient for %s (set office.notify)", template)
        return None
    message_id = make_message_id(ctx.settings.office.domain)
    raw = render_mail(
        ctx,
        template,
        to=recipients,
        values=values,
        message_id=message_id,
        now=now,
        attachments=attachments,
        in_reply_to=in_reply_to,
    )
    return enqueue(
        session,
        office_address=ctx.settings.office.address,
        kind=kind,
        recipients=recipients,
        now=now,
        case=case,
        raw=raw,
        message_id=message_id,
    )
