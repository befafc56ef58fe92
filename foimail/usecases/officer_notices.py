"""What an officer is told about their mail: a receipt, an error, a returned answer, a copy kept as a note.

Each notice is queued in the caller's transaction; the forgery warning goes to the office's notify list.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from foimail.context import AppContext
from foimail.core.message import Attachment, InboundMessage
from foimail.core.numbering import format_number
from foimail.core.vocabulary import OutboxKind, StoredKind
from foimail.store.models import Case, StoredMessage
from foimail.store.queries import record_event
from foimail.usecases.notices import notify
from foimail.usecases.result import IntakeResult

log = logging.getLogger("foimail.officer")


def sender_of(message: InboundMessage) -> str:
    return message.sender.address if message.sender else ""


def send_receipt(
    ctx: AppContext,
    session: Session,
    case: Case,
    officer: str,
    moment: datetime,
    *,
    relayed: bool,
    summary: str = "",
    in_reply_to: str | None = None,
) -> None:
    """Tell the officer what was done: "sent to the requester at 14:02" after a relay, else what was recorded."""
    values = {
        "case_number": case.number,
        "requester": case.requester_address,
        "relayed": relayed,
        "sent_local": moment.astimezone(ctx.tz),
        "summary": summary,
        "status": case.status,
        "outcome": case.outcome,
        "forward_by": case.forward_by,
    }
    notify(
        ctx,
        session,
        "officer/receipt",
        [officer],
        values,
        moment,
        case=case,
        kind=OutboxKind.OFFICER_RECEIPT,
        in_reply_to=in_reply_to,
    )


def reject(
    ctx: AppContext,
    session: Session,
    stored: StoredMessage,
    message: InboundMessage,
    case: Case | None,
    errors: list[str],
    now: datetime,
) -> IntakeResult:
    """Nothing relayed; the officer is told why; the message is kept, set aside (promotable)."""
    sender = sender_of(message)
    stored.kind = StoredKind.OFFICER_ERROR
    stored.reasons = errors
    stored.set_aside = True
    if case is not None:
        stored.case_id = case.id
        record_event(session, at=now, actor=sender, kind="officer_error", case=case, message=stored, errors=errors)
    values = {
        "original_subject": message.subject,
        "errors": errors,
        "example_number": case.number if case else format_number(ctx.settings.numbering.format, now.year, 42),
        "message_row_id": stored.id,
        "no_case": case is None,
    }
    notify(
        ctx,
        session,
        "officer/error",
        [sender],
        values,
        now,
        case=case,
        kind=OutboxKind.OFFICER_ERROR,
        in_reply_to=message.message_id,
    )
    log.info("officer message rejected officer=%s errors=%r", sender, errors)
    return IntakeResult("set_aside", stored.id, case.number if case else None, tuple(errors))


def report_forgery(
    ctx: AppContext,
    session: Session,
    stored: StoredMessage,
    message: InboundMessage,
    case: Case | None,
    reason: str,
    now: datetime,
) -> None:
    sender = sender_of(message)
    log.warning("possible forged officer message from=%s reason=%r", sender, reason)
    values = {
        "sender": sender,
        "reason": reason,
        "subject": message.subject,
        "case_number": case.number if case else "",
        "message_row_id": stored.id,
    }
    notify(
        ctx,
        session,
        "office/forgery",
        list(ctx.settings.office.notify),
        values,
        now,
        case=case,
        kind=OutboxKind.NOTIFY,
    )
    if case is not None:
        record_event(session, at=now, actor=sender, kind="possible_forgery", case=case, message=stored, reason=reason)


def return_unsafe(
    ctx: AppContext,
    session: Session,
    stored: StoredMessage,
    message: InboundMessage,
    case: Case,
    reason: str,
    now: datetime,
) -> IntakeResult:
    """The fail-safe: nothing relayed, the case unchanged, the mail sent back to its officer with the reason."""
    sender = sender_of(message)
    stored.kind = StoredKind.OFFICER_RETURNED
    stored.reasons = [reason]
    stored.set_aside = True
    stored.case_id = case.id
    record_event(session, at=now, actor=sender, kind="officer_returned", case=case, message=stored, reason=reason)
    values = {
        "case_number": case.number,
        "original_subject": message.subject,
        "reason": reason,
        "message_row_id": stored.id,
    }
    original = Attachment("original.eml", "message/rfc822", stored.raw)
    notify(
        ctx,
        session,
        "officer/returned",
        [sender],
        values,
        now,
        case=case,
        kind=OutboxKind.OFFICER_ERROR,
        attachments=(original,),
        in_reply_to=message.message_id,
    )
    log.warning("officer answer returned case=%s officer=%s reason=%r", case.number, sender, reason)
    return IntakeResult("set_aside", stored.id, case.number, (f"returned to the officer: {reason}",))


def record_copy(
    ctx: AppContext,
    session: Session,
    stored: StoredMessage,
    message: InboundMessage,
    case: Case,
    text: str,
    now: datetime,
) -> IntakeResult:
    """FOI only in Cc/Bcc, the requester not addressed: an internal note on the case; no relay, no outcome."""
    sender = sender_of(message)
    stored.case_id = case.id
    stored.kind = StoredKind.OFFICER_NOTE
    how = "the FOI address only in copy, the requester not among the recipients"
    record_event(session, at=now, actor=sender, kind="note", case=case, message=stored, text=text, how=how)
    values = {"case_number": case.number, "original_subject": message.subject}
    notify(
        ctx,
        session,
        "officer/copied",
        [sender],
        values,
        now,
        case=case,
        kind=OutboxKind.OFFICER_RECEIPT,
        in_reply_to=message.message_id,
    )
    return IntakeResult("officer", stored.id, case.number, ("internal note: the FOI address only in copy",))
