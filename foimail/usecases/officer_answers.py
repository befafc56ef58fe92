"""The officer workflow: answers and commands from the city hall's own mail clients.

Who meant to send what decides (the recipients, then the text):

- the requester among the recipients: the officer answered directly; the answer is recorded, nothing relayed;
- the FOI address a To: recipient: the answer is relayed to the requester from the office address, once its
  quoted history is cut (`mail.answer`); when the fail-safe finds history left, nothing is relayed and the
  mail goes back to its officer with the reason;
- the FOI address only in Cc/Bcc: internal mail that keeps the office informed; recorded on the case as an
  internal note, nothing relayed, no outcome changed, the officer told so.

Only authenticated officers are obeyed (`mail.authenticity`, `mail.received`); an unauthenticated one is handled
as a citizen.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from foimail.config import OfficeSettings
from foimail.context import AppContext
from foimail.core.calendar import forwarding_due, local_date
from foimail.core.classify import Verdict
from foimail.core.commands import OUTCOME_KINDS, Command, CommandKind, ParsedCommands, parse_commands
from foimail.core.message import Attachment, InboundMessage
from foimail.core.subject import tagged_subject
from foimail.core.vocabulary import CaseStatus, OutboxKind, Outcome, StoredKind
from foimail.mail.answer import officer_answer
from foimail.mail.authenticity import AuthenticityVerdict, check_sender_authenticity
from foimail.mail.compose import make_message_id
from foimail.mail.received import check_postfix_received
from foimail.store.case_tallies import store_values
from foimail.store.models import Case, StoredMessage
from foimail.store.queries import record_event, reply_address
from foimail.usecases.letters import render_mail
from foimail.usecases.officer_notices import (
    record_copy,
    reject,
    report_forgery,
    return_unsafe,
    send_receipt,
    sender_of,
)
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
    sender = sender_of(message)
    check = officer_authenticity(ctx.settings.office, message)
    if not check.authentic:
        report_forgery(ctx, session, stored, message, case, check.reason, now)
        return None
    named = verdict.case_number
    # The number the officer wrote wins over the thread: a typo must not answer another case's requester.
    if case is None or (named is not None and case.number != named):
        why = (
            f"no case {named} (unknown number) / საქმე {named} არ არსებობს (უცნობი ნომერი)"
            if named
            else "no case number in the subject / თემაში საქმის ნომერი არ არის"
        )
        return reject(ctx, session, stored, message, None, [why], now)
    answer = officer_answer(message, ctx.settings.numbering.format)  # quoted history never reaches the requester
    parsed = parse_commands(answer.text)
    if parsed.errors:
        return reject(ctx, session, stored, message, case, list(parsed.errors), now)
    recipients = {a.address for a in (*message.to, *message.cc)}
    direct = bool({case.requester_address.lower(), reply_address(session, case)} & recipients)
    if not direct and ctx.settings.office.address.lower() not in {a.address for a in message.to}:
        return record_copy(ctx, session, stored, message, case, answer.text, now)
    outcome_command = next((c for c in parsed.commands if c.kind in OUTCOME_KINDS), None)
    internal_only = bool(parsed.commands) and all(c.kind in INTERNAL_KINDS for c in parsed.commands)
    withdrawn_quietly = outcome_command is not None and outcome_command.kind == CommandKind.WITHDRAWN
    relays = not (internal_only or direct or withdrawn_quietly and not parsed.body.strip())
    if relays and answer.unsafe:
        return return_unsafe(ctx, session, stored, message, case, answer.unsafe, now)
    stored.case_id = case.id
    stored.kind = StoredKind.OFFICER
    for command in parsed.commands:
        _apply_internal(ctx, session, case, command, sender, stored, now)
    if not internal_only:
        _decide(session, case, outcome_command, sender, stored, now)
    # A decision, or a forward mark (it makes a forwarded decision late or not): the statistics values.
    store_values(session, case.id, ctx.tz, now)
    if internal_only:
        send_receipt(
            ctx, session, case, sender, now, relayed=False, summary=_summary(parsed), in_reply_to=message.message_id
        )
        return IntakeResult("officer", stored.id, case.number, ("internal: " + _summary(parsed),))
    if direct:
        return _record_direct_answer(ctx, session, case, stored, message, now)
    if not relays:
        send_receipt(ctx, session, case, sender, now, relayed=False, summary="", in_reply_to=message.message_id)
        return IntakeResult("officer", stored.id, case.number, ("withdrawn",))
    _relay(ctx, session, case, stored, message, parsed, answer.attachments, now)
    return IntakeResult("officer", stored.id, case.number, (f"relayed to the requester ({case.outcome})",))


def _record_direct_answer(
    ctx: AppContext, session: Session, case: Case, stored: StoredMessage, message: InboundMessage, now: datetime
) -> IntakeResult:
    """The officer wrote to the requester, the FOI address in copy: the answer is recorded, nothing relayed."""
    sender = sender_of(message)
    how = "sent directly by the officer, FOI address in copy"
    record_event(
        session, at=now, actor=sender, kind="answer_recorded", case=case, message=stored, outcome=case.outcome, how=how
    )
    send_receipt(ctx, session, case, sender, now, relayed=False, summary="", in_reply_to=message.message_id)
    return IntakeResult("officer", stored.id, case.number, ("answer recorded; the officer wrote directly",))


def officer_authenticity(office: OfficeSettings, message: InboundMessage) -> AuthenticityVerdict:
    """The authenticity gate: any configured method may vouch; with none, only an explicit opt-out lets an
    officer in."""
    sender = sender_of(message)
    verdicts = []
    if office.trusted_authserv_id:
        results = message.header_values("authentication-results")
        verdicts.append(check_sender_authenticity(results, office.trusted_authserv_id, sender))
    if office.trusted_received_by:
        received = message.header_values("received")
        verdicts.append(
            check_postfix_received(received, office.trusted_received_by, office.trusted_received_hops, sender)
        )
    if verdicts:
        passed = [v for v in verdicts if v.authentic]
        return passed[0] if passed else AuthenticityVerdict(False, "; ".join(v.reason for v in verdicts))
    if office.allow_unauthenticated_officers:
        return AuthenticityVerdict(True, "office.allow_unauthenticated_officers = true")
    return AuthenticityVerdict(False, "office.trusted_authserv_id is not set, so no officer can be authenticated")


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
    attachments: tuple[Attachment, ...],
    now: datetime,
) -> None:
    """Send the officer's text (commands removed) and attachments (none the history showed) to the requester."""
    sender = sender_of(message)
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
        attachments=attachments,
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
        attachments=[a.filename for a in attachments],
        outbox_id=item.id,
    )
    log.info("relay queued case=%s officer=%s attachments=%d", case.number, sender, len(attachments))


def _summary(parsed: ParsedCommands) -> str:
    return ", ".join(f"#{c.kind.value} {c.argument}".strip() for c in parsed.commands)
