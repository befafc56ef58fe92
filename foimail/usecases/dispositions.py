"""Where a classified message goes: one function per destination, each inside the caller's transaction."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from foimail.context import AppContext
from foimail.core.classify import MessageKind, Verdict
from foimail.core.message import InboundMessage, SenderSource
from foimail.core.numbering import format_number
from foimail.core.recipients import ConfirmationTarget, confirmation_target, matches_any, suppression_reason
from foimail.core.subject import carries_tag
from foimail.core.vocabulary import CaseStatus, OutboxKind, OutboxStatus, StoredKind
from foimail.mail.authenticity import check_sender_authenticity
from foimail.mail.compose import make_message_id
from foimail.store.models import Case, StoredMessage
from foimail.store.queries import (
    RateLimit,
    case_by_number,
    insert_event,
    insert_registration,
    outbox_by_message_ids,
    record_event,
    reply_address,
    take_next_seq,
)
from foimail.usecases.delivery_failures import record_delivery_failure
from foimail.usecases.notices import notify
from foimail.usecases.outbox import screen_recipients

log = logging.getLogger("foimail.intake")

SUBJECT_LIMIT = 2000
NAME_LIMIT = 320  # the column; a display name longer than that is a mail client gone wrong


def case_for(session: Session, message: InboundMessage, verdict: Verdict) -> Case | None:
    """The case a message belongs to: its subject tag, else a reply to mail foimail sent on a case."""
    if verdict.case_number:
        case = case_by_number(session, verdict.case_number)
        if case is not None:
            return case
    for item in outbox_by_message_ids(session, [*message.in_reply_to, *message.references]):
        if item.case_id is not None:
            return session.get(Case, item.case_id)
    return None


def is_on_case(session: Session, message: InboundMessage, case: Case) -> bool:
    """A message belongs to a case when its requester wrote it, it replies to our mail on the case, or it
    keeps the case's [tag]. A stranger merely mentioning a number is someone else's request."""
    sender = message.sender.address if message.sender else ""
    if sender and sender in {case.requester_address.lower(), reply_address(session, case)}:
        return True
    if carries_tag(message.subject, case.number):
        return True
    return any(
        item.case_id == case.id for item in outbox_by_message_ids(session, [*message.in_reply_to, *message.references])
    )


@dataclass(frozen=True)
class Registered:
    """A case just registered: what the caller reports and records of it."""

    case_id: int
    number: str


def register(
    ctx: AppContext, session: Session, stored: StoredMessage, message: InboundMessage, now: datetime
) -> Registered:
    """Register a new request and queue its confirmation (GAC Art. 79(1); Batumi res. No. 3 Art. 4.2).

    Core statements on ids (the case, its event, the outbox row; `stored` is flushed already): the ORM's
    unit of work cost more than the rest of registration.
    """
    received_local = stored.received_at.astimezone(ctx.tz)
    target = confirmation_address(ctx, message)
    year = received_local.year
    seq = take_next_seq(session, year)
    requester, source = message.sender, message.sender_source
    if message.reply_to and (requester is None or suppression_reason(requester.address, ctx.settings.office.address)):
        # From: noreply@... of a web form; the citizen is in Reply-To
        requester, source = message.reply_to[0], SenderSource.REPLY_TO
    number = format_number(ctx.settings.numbering.format, year, seq)
    requester_address = requester.address if requester else ""
    requester_source = str(source) if requester and source else None
    case = {
        "number": number,
        "year": year,
        "seq": seq,
        "requester_address": requester_address,
        "requester_name": requester.name[:NAME_LIMIT] if requester else "",
        "requester_source": requester_source,
        "subject": message.subject[:SUBJECT_LIMIT],
        "received_at": stored.received_at,
        "registered_at": now,
        "status": str(CaseStatus.OPEN),
        "request_message_id": stored.id,
    }
    detail = {
        "number": number,
        **({"requester_source": requester_source} if source is not SenderSource.FROM else {}),
        "confirm_to": target.address,
        "confirm_to_reason": target.reason,
    }
    event = {"message_id": stored.id, "at": now, "actor": requester_address or "<unknown>", "kind": "registered"}
    references = [*message.references, message.message_id] if message.message_id else list(message.references)
    context = {"in_reply_to": message.message_id, "references": references[-20:]}
    outbox, rate = _confirmation(ctx, target.address, context, now)
    case_id, over_limit = insert_registration(session, case, stored.id, {**event, "detail": detail}, outbox, rate)
    set_committed_value(stored, "case_id", case_id)
    set_committed_value(stored, "kind", str(MessageKind.REQUEST))
    if not rate.check:
        reason = outbox["last_error"]
        log.info("outbox suppressed kind=%s case=%s reason=%r", OutboxKind.CONFIRMATION, number, reason)
        insert_event(
            session,
            at=now,
            actor="foimail",
            kind=f"{OutboxKind.CONFIRMATION}_suppressed",
            case_id=case_id,
            reason=reason,
        )
    elif over_limit:
        insert_event(
            session, at=now, actor="foimail", kind="confirmation_suppressed", case_id=case_id, reason=rate.reason
        )
    log.info("registered case=%s requester=%s", number, requester_address)
    return Registered(case_id, number)


def _confirmation(
    ctx: AppContext, address: str, context: dict[str, Any], now: datetime
) -> tuple[dict[str, Any], RateLimit]:
    """The confirmation's outbox row (but its case) and the per-sender limit of confirmations an hour it is
    checked against (the limit counts this one): suppressed at once when its address is refused or it is
    over the limit (`queries.insert_registration`)."""
    office = ctx.settings.office.address
    allowed, refused = screen_recipients([address], office)
    limit = ctx.settings.outbox.max_confirmations_per_sender_per_hour
    rate = RateLimit(
        check=bool(allowed),
        address=address,
        since=now - timedelta(hours=1),
        counts_self=allowed == [address],
        limit=limit,
        reason=f"more than {limit} confirmations to {address} within an hour (outbox rate limit)",
    )
    outbox = {
        "kind": str(OutboxKind.CONFIRMATION),
        "recipients": allowed,
        "message_id_header": make_message_id(office.rpartition("@")[2]),
        "raw": None,
        "context": context,
        "status": str(OutboxStatus.PENDING if allowed else OutboxStatus.SUPPRESSED),
        "attempts": 0,
        "next_attempt_at": now,
        "last_error": "; ".join(refused) or None,
        "created_at": now,
        "sent_at": None,
        "stored_message_id": None,
    }
    return outbox, rate


def confirmation_address(ctx: AppContext, message: InboundMessage) -> ConfirmationTarget:
    """Reply-To only when From is a configured web form or its domain was authenticated; else From."""
    if message.sender is not None and message.sender_source is SenderSource.REPLY_TO:
        # No address in From: Reply-To is the only one given, no more exposed than a forged From would be.
        return ConfirmationTarget(message.sender.address, "reply-to: From has no address")
    sender = message.sender.address if message.sender else ""
    office = ctx.settings.office
    authenticated: str | None = None
    if office.trusted_authserv_id and sender:
        verdict = check_sender_authenticity(
            message.header_values("authentication-results"), office.trusted_authserv_id, sender
        )
        authenticated = verdict.reason if verdict.authentic else None
    return confirmation_target(
        sender,
        message.reply_to[0].address if message.reply_to else None,
        web_form=bool(sender) and matches_any(sender, office.webform_senders),
        authenticated=authenticated,
    )


def follow_up(
    ctx: AppContext,
    session: Session,
    stored: StoredMessage,
    message: InboundMessage,
    case: Case,
    now: datetime,
) -> None:
    """A further message on a known case from someone other than an officer: kept, the officer told."""
    stored.case_id = case.id
    stored.kind = StoredKind.FOLLOW_UP
    record_event(session, at=now, actor=stored.sender or "<unknown>", kind="follow_up", case=case, message=stored)
    recipients = [case.assigned_officer] if case.assigned_officer else list(ctx.settings.office.notify)
    if not recipients:
        return
    excerpt = message.text.strip()[:1500]
    values = {
        "case_number": case.number,
        "subject": case.subject,
        "sender": stored.sender,
        "message_subject": message.subject,
        "due_date": case.due_date,
        "excerpt": excerpt,
        # Answering someone else about this case could disclose the requester's information.
        "other_sender": stored.sender not in {case.requester_address.lower(), reply_address(session, case)},
        "requester": case.requester_address,
    }
    notify(ctx, session, "office/followup", recipients, values, now, case=case, kind=OutboxKind.FOLLOWUP_NOTICE)


def attach_set_aside(
    ctx: AppContext,
    session: Session,
    stored: StoredMessage,
    message: InboundMessage,
    verdict: Verdict,
    now: datetime,
) -> None:
    """Keep a bounce or auto-reply on the case it names; a bounce of our mail is recorded and reported."""
    bounced = outbox_by_message_ids(session, verdict.related_message_ids)
    case: Case | None = None
    if verdict.case_number:
        case = case_by_number(session, verdict.case_number)
    if case is None:
        case = next((session.get(Case, i.case_id) for i in bounced if i.case_id is not None), None)
    if case is None or verdict.kind == MessageKind.OWN_MAIL:
        return
    stored.case_id = case.id
    record_event(
        session,
        at=now,
        actor=stored.sender or "<>",
        kind=str(verdict.kind),
        case=case,
        message=stored,
        reasons=list(verdict.reasons),
    )
    if verdict.kind != MessageKind.BOUNCE:
        return
    reason = _bounce_reason(message) or "; ".join(verdict.reasons)
    actions = {fields.get("action", "").lower() for fields in message.delivery_status}
    if actions and "failed" not in actions:  # RFC 3464 §2.3.3: "delayed" is a warning; the server retries
        record_event(
            session,
            at=now,
            actor=stored.sender or "<>",
            kind="delivery_delayed",
            case=case,
            message=stored,
            reason=reason,
        )
        return
    for item in bounced:
        record_delivery_failure(ctx, session, item, case, reason, now, actor=stored.sender or "<>", bounce=stored)


def _bounce_reason(message: InboundMessage) -> str:
    """The DSN's per-recipient status and diagnostic (RFC 3464 §2.3), when it has them."""
    parts = []
    for fields in message.delivery_status:
        recipient = fields.get("final-recipient") or fields.get("original-recipient") or ""
        status = fields.get("status", "")
        diagnostic = fields.get("diagnostic-code", "")
        if recipient or status or diagnostic:
            parts.append(" ".join(p for p in (recipient, status, diagnostic) if p))
    return "; ".join(parts)
