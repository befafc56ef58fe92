"""The officer workflow: answers and commands from the city hall's own mail clients.

Two ways an answer arrives: written to the FOI address (relayed to the requester from the office
address), or sent to the requester directly with the FOI address in Cc/Bcc (only recorded).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from foimail.context import AppContext
from foimail.core.calendar import forwarding_due, local_date
from foimail.core.classify import Verdict
from foimail.core.commands import OUTCOME_KINDS, Command, CommandKind, ParsedCommands, parse_commands
from foimail.core.message import InboundMessage
from foimail.core.numbering import format_number
from foimail.core.quotes import strip_quoted
from foimail.core.subject import tagged_subject
from foimail.core.vocabulary import CaseStatus, OutboxKind, Outcome
from foimail.mail.authenticity import check_sender_authenticity
from foimail.mail.compose import make_message_id
from foimail.store.models import Case, StoredMessage
from foimail.store.queries import record_event, reply_address
from foimail.usecases.letters import render_mail
from foimail.usecases.notices import notify
from foimail.usecases.outbox import enqueue
from foimail.usecases.result import IntakeResult

log = logging.getLogger("foimail.officer")

OUTCOME_OF = {
    CommandKind.PARTIAL: Outcome.ANSWERED_PARTIAL,
    CommandKind.REFUSED: Outcome.REFUSED,
    CommandKind.FORWARDED: Outcome.FORWARDED,
    CommandKind.NOTHELD: Outcome.NOT_HELD,
    CommandKind.WITHDRAWN: Outcome.WITHDRAWN,
}
# Nothing goes to the requester.
INTERNAL_KINDS = frozenset({CommandKind.NOTE, CommandKind.ASSIGN, CommandKind.TO_FORWARD})


def handle_officer_message(
    ctx: AppContext,
    session: Session,
    stored: StoredMessage,
    message: InboundMessage,
    verdict: Verdict,
    case: Case | None,
    now: datetime,
) -> IntakeResult | None:
    """Act on an officer's message; None when it must be handled as a citizen's (unauthenticated sender)."""
    sender = message.sender.address if message.sender else ""
    office = ctx.settings.office
    if office.trusted_authserv_id:
        check = check_sender_authenticity(
            message.header_values("authentication-results"), office.trusted_authserv_id, sender
        )
        if not check.authentic:
            _report_forgery(ctx, session, stored, message, case, check.reason, now)
            return None
    named = verdict.case_number
    # The number the officer wrote wins over the thread: a typo must not answer another case's requester.
    if case is None or (named is not None and case.number != named):
        why = (
            f"no case {named} (unknown number) / საქმე {named} არ არსებობს (უცნობი ნომერი)"
            if named
            else "no case number in the subject / თემაში საქმის ნომერი არ არის"
        )
        return _reject(ctx, session, stored, message, None, [why], now)
    parsed = parse_commands(strip_quoted(message.text))  # quoted history never reaches the requester
    if parsed.errors:
        return _reject(ctx, session, stored, message, case, list(parsed.errors), now)
    stored.case_id = case.id
    stored.kind = "officer"
    for command in parsed.commands:
        _apply_internal(ctx, session, case, command, sender, stored, now)
    outcome_command = next((c for c in parsed.commands if c.kind in OUTCOME_KINDS), None)
    internal_only = bool(parsed.commands) and all(c.kind in INTERNAL_KINDS for c in parsed.commands)
    if internal_only:
        send_receipt(
            ctx, session, case, sender, now, relayed=False, summary=_summary(parsed), in_reply_to=message.message_id
        )
        return IntakeResult("officer", stored.id, case.number, ("internal: " + _summary(parsed),))
    _decide(session, case, outcome_command, sender, stored, now)
    recipients = {a.address for a in (*message.to, *message.cc)}
    if {case.requester_address.lower(), reply_address(session, case)} & recipients:
        record_event(
            session,
            at=now,
            actor=sender,
            kind="answer_recorded",
            case=case,
            message=stored,
            outcome=case.outcome,
            how="sent directly by the officer, FOI address in copy",
        )
        send_receipt(
            ctx,
            session,
            case,
            sender,
            now,
            relayed=False,
            summary="",
            in_reply_to=message.message_id,
        )
        return IntakeResult("officer", stored.id, case.number, ("answer recorded; the officer wrote directly",))
    if case.outcome == Outcome.WITHDRAWN and not parsed.body.strip():
        send_receipt(ctx, session, case, sender, now, relayed=False, summary="", in_reply_to=message.message_id)
        return IntakeResult("officer", stored.id, case.number, ("withdrawn",))
    _relay(ctx, session, case, stored, message, parsed, sender, now)
    return IntakeResult("officer", stored.id, case.number, (f"relayed to the requester ({case.outcome})",))


def _apply_internal(
    ctx: AppContext, session: Session, case: Case, command: Command, sender: str, stored: StoredMessage, now: datetime
) -> None:
    if command.kind == CommandKind.ASSIGN:
        case.assigned_officer = command.argument
        record_event(
            session,
            at=now,
            actor=sender,
            kind="assigned",
            case=case,
            message=stored,
            officer=command.argument,
        )
    elif command.kind == CommandKind.NOTE:
        record_event(session, at=now, actor=sender, kind="note", case=case, message=stored, text=command.argument)
    elif command.kind == CommandKind.TO_FORWARD:
        # GAC Art. 80(1): 5 days from registration, however late the mark; marking again changes nothing.
        case.forward_by = case.forward_by or forwarding_due(local_date(case.registered_at, ctx.tz), ctx.calendar)
        record_event(
            session,
            at=now,
            actor=sender,
            kind="to_forward",
            case=case,
            message=stored,
            body=command.argument,
            forward_by=case.forward_by.isoformat(),
        )


def _decide(
    session: Session, case: Case, command: Command | None, sender: str, stored: StoredMessage, now: datetime
) -> None:
    """Record the decision and its deciding official (GAC Art. 49(b)); the act relied on for refusals (49(e))."""
    outcome = OUTCOME_OF[command.kind] if command is not None else Outcome.ANSWERED_FULL
    case.outcome = outcome
    case.status = CaseStatus.CLOSED
    # The first answer is the one the period is judged by (GAC Art. 40); a later correction keeps it.
    case.answered_at = case.answered_at or stored.received_at
    case.deciding_official = sender
    if command is not None and command.kind in (CommandKind.REFUSED, CommandKind.PARTIAL):
        case.refusal_ground = command.ground.value if command.ground else None
        case.refusal_act = command.act or None
    if command is not None and command.kind == CommandKind.FORWARDED:
        case.forwarded_to = command.argument
    record_event(
        session,
        at=now,
        actor=sender,
        kind="decided",
        case=case,
        message=stored,
        outcome=outcome.value,
        ground=case.refusal_ground,
        act=case.refusal_act,
        forwarded_to=case.forwarded_to,
    )


def _relay(
    ctx: AppContext,
    session: Session,
    case: Case,
    stored: StoredMessage,
    message: InboundMessage,
    parsed: ParsedCommands,
    sender: str,
    now: datetime,
) -> None:
    """Send the officer's text (commands removed) and every attachment to the requester, threaded."""
    request = session.get(StoredMessage, case.request_message_id) if case.request_message_id else None
    in_reply_to = request.message_id_header if request is not None else None
    message_id = make_message_id(ctx.settings.office.domain)
    values: dict[str, Any] = {
        "body": parsed.body.rstrip(),
        "case_number": case.number,
        "outcome": case.outcome,
        "ground": case.refusal_ground,
        "act": case.refusal_act,
        "official": f"{message.sender.name} <{sender}>" if message.sender and message.sender.name else sender,
        "unit": next((c.argument for c in parsed.commands if c.kind == CommandKind.CONSULTED), ""),
        "forwarded_to": case.forwarded_to,
        "tagged_subject": tagged_subject(case.number, case.subject or message.subject),
    }
    raw = render_mail(
        ctx,
        "requester/answer",
        to=[reply_address(session, case)],
        values=values,
        message_id=message_id,
        now=now,
        in_reply_to=in_reply_to,
        references=[in_reply_to] if in_reply_to else [],
        attachments=message.attachments,
        auto_submitted=None,
    )
    item = enqueue(
        session,
        office_address=ctx.settings.office.address,
        kind=OutboxKind.RELAY,
        recipients=[reply_address(session, case)],
        now=now,
        case=case,
        raw=raw,
        message_id=message_id,
        context={"receipt_to": sender, "officer_message_id": message.message_id},
    )
    record_event(
        session,
        at=now,
        actor=sender,
        kind="relay_queued",
        case=case,
        message=stored,
        attachments=[a.filename for a in message.attachments],
        outbox_id=item.id,
    )
    log.info("relay queued case=%s officer=%s attachments=%d", case.number, sender, len(message.attachments))


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


def _reject(
    ctx: AppContext,
    session: Session,
    stored: StoredMessage,
    message: InboundMessage,
    case: Case | None,
    errors: list[str],
    now: datetime,
) -> IntakeResult:
    """Nothing relayed; the officer is told why; the message is kept, set aside (promotable)."""
    sender = message.sender.address if message.sender else ""
    stored.kind = "officer_error"
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


def _report_forgery(
    ctx: AppContext,
    session: Session,
    stored: StoredMessage,
    message: InboundMessage,
    case: Case | None,
    reason: str,
    now: datetime,
) -> None:
    sender = message.sender.address if message.sender else ""
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


def _summary(parsed: ParsedCommands) -> str:
    return ", ".join(f"#{c.kind.value} {c.argument}".strip() for c in parsed.commands)
