"""Send what the outbox holds: claim, render (confirmations as of the moment of sending), send, record.

Each item is claimed in a short transaction with a lease, rendered and sent outside any transaction, and
recorded as sent in the transaction that claims the next one (one transaction per message sent). The lease
is short and renewed while the mail server has the message: a crash mid-send (kill -9, power) leaves it to
run out within `outbox.send_lease_seconds`, and the item is sent again (at least once) with the same
Message-ID, so mail clients fold the copy.
Nothing one item holds stops the others: an error while rendering, composing or sending it fails that item
with its reason, the office is told, and the next item goes out.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any, Protocol

from sqlalchemy import Row, update
from sqlalchemy.orm import Session

from foimail.context import AppContext
from foimail.core.vocabulary import OutboxKind, OutboxStatus
from foimail.errors import PermanentError, TransientError
from foimail.mail.parse import parse_message
from foimail.store.case_tallies import store_values
from foimail.store.db import retried, unit_of_work
from foimail.store.models import Case, OutboxItem
from foimail.store.queries import (
    claim_next_due_with_case,
    insert_event,
    mark_sent,
    mark_sent_and_confirm,
    record_event,
    store_outgoing,
)
from foimail.usecases import letters
from foimail.usecases.delivery_failures import record_delivery_failure
from foimail.usecases.lease import LeaseKeeper, send_lease
from foimail.usecases.officer_notices import send_receipt
from foimail.usecases.outbox import retry_delay

log = logging.getLogger("foimail.outbox")


@dataclass(frozen=True)
class Prepared:
    item_id: int
    attempt: int  # the claim's number: a renewal never extends someone else's later claim
    kind: str
    case_id: int | None
    case_number: str | None
    recipients: list[str]
    raw: bytes
    due_date: date | None
    message_id: str
    context: dict[str, Any]
    subject: str | None = None  # known when foimail rendered it just now; else read from the stored bytes


@dataclass(frozen=True)
class Sent:
    """An item the mail server accepted, to be recorded in the transaction that claims the next one."""

    prepared: Prepared
    reply: str
    accepted_at: datetime


@dataclass(frozen=True)
class Claimed:
    """A claimed item (the claim's row, `store.statements.CLAIMED_COLUMNS`) with its case, read in the claim's
    transaction: what rendering it needs."""

    item: Row[Any]
    case: Case | None
    now: datetime


class SendMail(Protocol):
    """Hand one message to the mail server; return its reply. TransientError to retry, PermanentError to give up."""

    def __call__(self, mail_from: str, recipients: Sequence[str], raw: bytes) -> str: ...


def deliver_due(ctx: AppContext, send: SendMail) -> int:
    """Send the items whose time has come, up to `outbox.batch_size`; return how many were attempted.

    A sent item is recorded in the transaction that claims the next one: one transaction per message. Each
    claim commits before its send (the lease), each record before the next send; rendering happens between
    the two, outside any transaction.
    """
    attempted = 0
    sent: Sent | None = None
    keeper = LeaseKeeper(ctx)
    try:
        while True:
            claimed = _record_and_claim(ctx, sent, claim=attempted < ctx.settings.outbox.batch_size)
            sent = None
            if claimed is None:
                return attempted
            attempted += 1
            try:
                prepared = _prepare(ctx, claimed)
            except Exception as exc:  # the outbox's catch-all: one item's template, address or data stops only itself
                log.exception("outbox item %s could not be prepared", claimed.item.id)
                _fail_unprepared(ctx, claimed.item.id, f"could not be composed: {exc.__class__.__name__}: {exc}")
                continue
            sent = _send_one(ctx, send, prepared, keeper)
    finally:
        keeper.close()


def _record_and_claim(ctx: AppContext, sent: Sent | None, *, claim: bool) -> Claimed | None:
    """Record `sent` (if any) and claim the next due item (if `claim`), in one transaction. An item with
    nothing to send fails in its claim's transaction, and the next one is claimed."""
    while sent is not None or claim:
        now = ctx.clock()
        item, case, sendable = retried(ctx.sessions, partial(_record_and_claim_in, ctx, sent, claim, now))
        if sent is not None:
            _log_sent(sent)
            sent = None
        if item is None:
            return None
        if sendable:
            return Claimed(item, case, now)
    return None


def _record_and_claim_in(
    ctx: AppContext, sent: Sent | None, claim: bool, now: datetime, session: Session
) -> tuple[Row[Any] | None, Case | None, bool]:
    """The transaction of `_record_and_claim`: the claimed row, its case, and whether it has anything to send."""
    if sent is not None:
        _record_sent(ctx, session, sent)
    item, case = claim_next_due_with_case(session, now, now + send_lease(ctx)) if claim else (None, None)
    sendable = item is not None and (
        (item.kind == OutboxKind.CONFIRMATION and case is not None) or item.raw is not None
    )
    if item is not None and not sendable:
        session.connection().execute(
            update(OutboxItem)
            .where(OutboxItem.id == item.id)
            .values(status=OutboxStatus.FAILED, last_error="nothing to send: no message body")
        )
    return item, case, sendable


def _log_sent(sent: Sent) -> None:
    prepared = sent.prepared
    log.info(
        "sent kind=%s case=%s to=%s reply=%r",
        prepared.kind,
        prepared.case_number or "-",
        ",".join(prepared.recipients),
        sent.reply[:200],
    )


def _prepare(ctx: AppContext, claimed: Claimed) -> Prepared:
    """Render what a claimed item sends: a confirmation as of its claim, anything else as queued."""
    item, case = claimed.item, claimed.case
    due_date: date | None = None
    subject: str | None = None
    if item.kind == OutboxKind.CONFIRMATION and case is not None:
        letter = letters.confirmation(ctx, case, item, claimed.now)
        raw, due_date, subject = letter.raw, letter.due_date, letter.subject
    else:
        assert item.raw is not None  # checked in the claim's transaction
        raw = item.raw
    return Prepared(
        item_id=item.id,
        attempt=item.attempts,
        kind=item.kind,
        case_id=item.case_id,
        case_number=case.number if case is not None else None,
        recipients=list(item.recipients),
        raw=raw,
        due_date=due_date,
        message_id=item.message_id_header,
        context=dict(item.context),
        subject=subject,
    )


def _send_one(ctx: AppContext, send: SendMail, prepared: Prepared, keeper: LeaseKeeper) -> Sent | None:
    """Send one prepared item; a failure is recorded at once and is that item's alone; a success is returned
    to be recorded with the next claim."""
    try:
        with keeper.kept(prepared.item_id, prepared.attempt):
            reply = send(ctx.settings.office.address, prepared.recipients, prepared.raw)
    except TransientError as exc:
        _record_failure(ctx, prepared, str(exc), permanent=False)
    except PermanentError as exc:
        _record_failure(ctx, prepared, str(exc), permanent=True)
    except Exception as exc:  # the outbox's catch-all, for what the mail server library did not foresee
        log.exception("outbox item %s could not be sent", prepared.item_id)
        _record_failure(ctx, prepared, f"could not be sent: {exc.__class__.__name__}: {exc}", permanent=True)
    else:
        return Sent(prepared, reply, ctx.clock())
    return None


def _record_sent(ctx: AppContext, session: Session, sent: Sent) -> None:
    """Mark the item sent, keep the bytes that went out, and note it on the case: statements on the ids the
    claim already read, no rows loaded."""
    prepared, accepted_at = sent.prepared, sent.accepted_at
    stored_id = store_outgoing(
        session,
        prepared.raw,
        {
            "message_id_header": prepared.message_id,
            "sha256": hashlib.sha256(prepared.raw).hexdigest(),
            "size": len(prepared.raw),
            "sender": ctx.settings.office.address,
            "subject": _subject_of(prepared.raw) if prepared.subject is None else prepared.subject[:2000],
            "kind": prepared.kind,
            "reasons": [],
            "defects": [],
            "set_aside": False,
            "doubtful": False,
            "case_id": prepared.case_id,
            "source": "outbox",
            "received_at": accepted_at,
            "stored_at": accepted_at,
        },
    )
    if prepared.case_id is None:
        mark_sent(session, prepared.item_id, accepted_at, stored_id)
        return
    if prepared.kind == OutboxKind.CONFIRMATION:
        confirmed = mark_sent_and_confirm(
            session, prepared.item_id, accepted_at, stored_id, prepared.case_id, prepared.due_date
        )
    else:
        mark_sent(session, prepared.item_id, accepted_at, stored_id)
        confirmed = False
    if confirmed:
        # Decided before its confirmation went out: the due date now set can make the decision late.
        store_values(session, prepared.case_id, ctx.tz, accepted_at)
        insert_event(
            session,
            at=accepted_at,
            actor="foimail",
            kind="confirmed",
            case_id=prepared.case_id,
            due_date=str(prepared.due_date),
            recipients=prepared.recipients,
        )
    else:
        insert_event(
            session,
            at=accepted_at,
            actor="foimail",
            kind=f"{prepared.kind}_sent",
            case_id=prepared.case_id,
            recipients=prepared.recipients,
        )
    receipt_to = prepared.context.get("receipt_to")
    if receipt_to:
        case = session.get(Case, prepared.case_id)
        assert case is not None
        _queue_receipt(ctx, session, case, receipt_to, prepared.context.get("officer_message_id"), accepted_at)


def _queue_receipt(
    ctx: AppContext, session: Session, case: Case, officer: str, in_reply_to: str | None, now: datetime
) -> None:
    """The officer's receipt for a relayed answer. It must not undo the record that the answer went out:
    that would send the answer again when the lease runs out."""
    try:
        with session.begin_nested():
            send_receipt(ctx, session, case, officer, now, relayed=True, in_reply_to=in_reply_to)
    except Exception as exc:  # a bad officer address or template: the receipt alone is lost, and said so
        log.exception("receipt to %s on case %s could not be queued", officer, case.number)
        record_event(session, at=now, actor="foimail", kind="receipt_failed", case=case, reason=str(exc)[:500])


def _fail_unprepared(ctx: AppContext, item_id: int, reason: str) -> None:
    """An item that could not even be composed: failed with its reason, then the office is told."""
    with unit_of_work(ctx.sessions) as session:
        item = session.get(OutboxItem, item_id)
        if item is None:
            return
        item.status = OutboxStatus.FAILED  # its claim counted the attempt
        item.last_error = reason[:2000]
    _tell_failure(ctx, item_id, reason)


def _tell_failure(ctx: AppContext, item_id: int, reason: str) -> None:
    """Record a failed item on its case and tell the office, in a transaction of its own: if even that breaks
    (a broken office template), the item stays failed and the log says why."""
    now = ctx.clock()
    try:
        with unit_of_work(ctx.sessions) as session:
            item = session.get(OutboxItem, item_id)
            assert item is not None
            case = session.get(Case, item.case_id) if item.case_id is not None else None
            record_delivery_failure(ctx, session, item, case, reason, now)
    except TransientError:
        raise
    except Exception:
        log.exception("the failure of outbox item %s could not be reported", item_id)


def _record_failure(ctx: AppContext, prepared: Prepared, error: str, *, permanent: bool) -> None:
    now = ctx.clock()
    with unit_of_work(ctx.sessions) as session:
        item = session.get(OutboxItem, prepared.item_id)
        assert item is not None
        item.last_error = error[:2000]
        expired = now - item.created_at > timedelta(hours=ctx.settings.outbox.retry_hours)
        reason = error if permanent else f"still failing after {ctx.settings.outbox.retry_hours} h: {error}"
        failed = permanent or expired
        if failed:
            item.status = OutboxStatus.FAILED
            item.last_error = reason[:2000]
        else:
            item.status = OutboxStatus.PENDING
            item.next_attempt_at = now + retry_delay(item.attempts)
            log.warning(
                "send deferred kind=%s case=%s attempt=%d retry_at=%s error=%r",
                prepared.kind,
                prepared.case_number or "-",
                item.attempts,
                item.next_attempt_at.isoformat(),
                error,
            )
    if failed:
        _tell_failure(ctx, prepared.item_id, reason)


def _subject_of(raw: bytes) -> str:
    """The decoded Subject of mail we composed (headers only: an answer may carry large attachments)."""
    head = raw.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n"
    return parse_message(head, scan_bounce=lambda _: False).subject[:2000]
