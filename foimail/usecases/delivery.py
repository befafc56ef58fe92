"""Send what the outbox holds: claim, render (confirmations as of the moment of sending), send, record.

Each item is claimed in its own short transaction with a lease, sent outside any transaction, and marked
in another. The lease is short and renewed while the mail server has the message: a crash mid-send
(kill -9, power) leaves it to run out within `outbox.send_lease_seconds`, and the item is sent again (at
least once) with the same Message-ID, so mail clients fold the copy.
Nothing one item holds stops the others: an error while rendering, composing or sending it fails that item
with its reason, the office is told, and the next item goes out.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from foimail.context import AppContext
from foimail.core.vocabulary import Direction, OutboxKind, OutboxStatus
from foimail.errors import PermanentError, TransientError
from foimail.mail.parse import parse_message
from foimail.store.db import reading, unit_of_work
from foimail.store.models import Case, OutboxItem, StoredMessage
from foimail.store.queries import claim_outbox_item, due_outbox_ids, record_event, renew_send_lease
from foimail.store.raw import add_with_raw
from foimail.usecases import letters
from foimail.usecases.delivery_failures import record_delivery_failure
from foimail.usecases.officer_notices import send_receipt
from foimail.usecases.outbox import retry_delay

log = logging.getLogger("foimail.outbox")


@dataclass(frozen=True)
class Prepared:
    item_id: int
    attempt: int  # the claim's number: a renewal never extends someone else's later claim
    kind: str
    case_number: str | None
    recipients: list[str]
    raw: bytes
    due_date: date | None
    subject: str | None = None  # known when foimail rendered it just now; else read from the stored bytes


class SendMail(Protocol):
    """Hand one message to the mail server; return its reply. TransientError to retry, PermanentError to give up."""

    def __call__(self, mail_from: str, recipients: Sequence[str], raw: bytes) -> str: ...


def deliver_due(ctx: AppContext, send: SendMail) -> int:
    """Send every item whose time has come; return how many were attempted."""
    now = ctx.clock()
    with reading(ctx.sessions) as session:
        ids = due_outbox_ids(session, now, ctx.settings.outbox.batch_size)
    attempted = 0
    for item_id in ids:
        try:
            prepared = _claim_and_prepare(ctx, item_id)
        except TransientError:
            raise  # the database is gone: every item waits, none is blamed
        except Exception as exc:  # the outbox's catch-all: one item's template, address or data stops only itself
            log.exception("outbox item %s could not be prepared", item_id)
            _fail_unprepared(ctx, item_id, f"could not be composed: {exc.__class__.__name__}: {exc}")
            attempted += 1
            continue
        if prepared is None:
            continue
        attempted += 1
        _send_one(ctx, send, prepared)
    return attempted


def _send_one(ctx: AppContext, send: SendMail, prepared: Prepared) -> None:
    """Send one prepared item and record the outcome; whatever goes wrong is that item's failure alone."""
    try:
        with _lease_kept(ctx, prepared):
            reply = send(ctx.settings.office.address, prepared.recipients, prepared.raw)
    except TransientError as exc:
        _record_failure(ctx, prepared, str(exc), permanent=False)
    except PermanentError as exc:
        _record_failure(ctx, prepared, str(exc), permanent=True)
    except Exception as exc:  # the outbox's catch-all, for what the mail server library did not foresee
        log.exception("outbox item %s could not be sent", prepared.item_id)
        _record_failure(ctx, prepared, f"could not be sent: {exc.__class__.__name__}: {exc}", permanent=True)
    else:
        _record_sent(ctx, prepared, reply)


def send_lease(ctx: AppContext) -> timedelta:
    return timedelta(seconds=ctx.settings.outbox.send_lease_seconds)


@contextmanager
def _lease_kept(ctx: AppContext, prepared: Prepared) -> Iterator[None]:
    """Renew the claim every third of the lease while the send lasts (a slow server, a large answer)."""
    lease = send_lease(ctx)
    done = threading.Event()

    def renew() -> None:
        while not done.wait(lease.total_seconds() / 3):
            try:
                with unit_of_work(ctx.sessions) as session:
                    renew_send_lease(session, prepared.item_id, prepared.attempt, ctx.clock() + lease)
            except TransientError as exc:
                log.warning("send lease of outbox item %d not renewed: %s", prepared.item_id, exc)

    keeper = threading.Thread(target=renew, name=f"lease-{prepared.item_id}", daemon=True)
    keeper.start()
    try:
        yield
    finally:
        done.set()
        keeper.join()


def _claim_and_prepare(ctx: AppContext, item_id: int) -> Prepared | None:
    now = ctx.clock()
    with unit_of_work(ctx.sessions) as session:
        item = claim_outbox_item(session, item_id, now, now + send_lease(ctx))
        if item is None:
            return None
        case = session.get(Case, item.case_id) if item.case_id is not None else None
        number = case.number if case else None
        if item.kind == OutboxKind.CONFIRMATION and case is not None:
            letter = letters.confirmation(ctx, case, item, now)
            recipients = list(item.recipients)
            return Prepared(
                item.id, item.attempts, item.kind, number, recipients, letter.raw, letter.due_date, letter.subject
            )
        if item.raw is None:
            item.status = OutboxStatus.FAILED
            item.last_error = "nothing to send: no message body"
            return None
        return Prepared(item.id, item.attempts, item.kind, number, list(item.recipients), item.raw, None)


def _record_sent(ctx: AppContext, prepared: Prepared, reply: str) -> None:
    accepted_at = ctx.clock()
    digest = hashlib.sha256(prepared.raw).hexdigest()
    with unit_of_work(ctx.sessions) as session:
        item = session.get(OutboxItem, prepared.item_id)
        assert item is not None
        stored = session.execute(
            select(StoredMessage).where(StoredMessage.direction == Direction.OUT, StoredMessage.sha256 == digest)
        ).scalar_one_or_none()
        if stored is None:
            stored = StoredMessage(
                direction=Direction.OUT,
                message_id_header=item.message_id_header,
                sha256=digest,
                size=len(prepared.raw),
                sender=ctx.settings.office.address,
                subject=_subject_of(prepared.raw) if prepared.subject is None else prepared.subject[:2000],
                kind=item.kind,
                reasons=[],
                defects=[],
                set_aside=False,
                case_id=item.case_id,
                source="outbox",
                received_at=accepted_at,
                stored_at=accepted_at,
            )
            add_with_raw(session, stored, prepared.raw)
        item.status = OutboxStatus.SENT
        item.sent_at = accepted_at
        item.stored_message_id = stored.id
        item.last_error = None
        case = session.get(Case, item.case_id) if item.case_id is not None else None
        if case is not None and prepared.kind == OutboxKind.CONFIRMATION and case.confirmed_at is None:
            # Batumi res. No. 3 Art. 4.3: the period counts from the confirmation; the date it stated is kept.
            case.confirmed_at = accepted_at
            case.due_date = prepared.due_date
            record_event(
                session,
                at=accepted_at,
                actor="foimail",
                kind="confirmed",
                case=case,
                due_date=str(prepared.due_date),
                recipients=prepared.recipients,
            )
        elif case is not None:
            record_event(
                session,
                at=accepted_at,
                actor="foimail",
                kind=f"{prepared.kind}_sent",
                case=case,
                recipients=prepared.recipients,
            )
        receipt_to = item.context.get("receipt_to")
        if case is not None and receipt_to:
            _queue_receipt(ctx, session, case, receipt_to, item.context.get("officer_message_id"), accepted_at)
    log.info(
        "sent kind=%s case=%s to=%s reply=%r",
        prepared.kind,
        prepared.case_number or "-",
        ",".join(prepared.recipients),
        reply[:200],
    )


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
        item.status = OutboxStatus.FAILED
        item.attempts += 1
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
    return parse_message(head).subject[:2000]
