"""Process one message: raw bytes in, a case / follow-up / set-aside record out, in one transaction.

The data walk (STYLE.md): parse -> classify -> route -> rows (raw message, case, event, outbox) -> commit.
Calling it twice with the same bytes registers nothing twice: the sha256 of the raw bytes is unique.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from foimail.context import AppContext
from foimail.core.classify import MessageKind, Verdict, classify
from foimail.core.machine_rules import reads_failed_recipients
from foimail.core.message import InboundMessage
from foimail.core.recipients import matches_any
from foimail.core.vocabulary import Direction, StoredKind
from foimail.mail.large_parts import LARGE_BODY
from foimail.mail.parse import parse_message
from foimail.store.db import retried, unit_of_work
from foimail.store.models import StoredMessage
from foimail.store.queries import inbound_by_sha256, inbound_twins, insert_attachments
from foimail.store.raw import add_with_raw
from foimail.usecases import dispositions
from foimail.usecases.officer_answers import handle_officer_message
from foimail.usecases.result import IntakeResult

log = logging.getLogger("foimail.intake")

# Messages up to this size are parsed before their row is written (large_parts.LARGE_BODY: the same bound).
PARSE_FIRST_BYTES = LARGE_BODY


def sha256_hex(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def process_one(ctx: AppContext, raw: bytes, *, source: str, received_at: datetime | None = None) -> IntakeResult:
    """Store, classify and route one message in one transaction (STYLE.md habit 6)."""
    now = ctx.clock()
    digest = sha256_hex(raw)
    rules = ctx.classify_rules
    message: InboundMessage | None = None
    if len(raw) <= min(PARSE_FIRST_BYTES, ctx.settings.intake.max_message_bytes):
        # Parsed before the transaction: the message row goes in once, described, and the write lock
        # (SQLite) is not held while parsing. A larger message is stored before it is parsed, so that the
        # two never hold its memory at once.
        message = parse_message(raw, scan_bounce=lambda parsed: reads_failed_recipients(parsed, rules))
    arrival = Arrival(raw, digest, source, received_at or now)
    result, stored = retried(ctx.sessions, lambda session: _process(ctx, session, arrival, message, now))
    if stored is not None:
        log.info(
            "intake result=%s case=%s message_id=%s source=%s reasons=%r",
            result.kind,
            result.case_number or "-",
            stored.message_id_header or "-",
            source,
            "; ".join(result.reasons),
        )
    return result


@dataclass(frozen=True)
class Arrival:
    """A message as it came: its bytes, their sha256, where from and when."""

    raw: bytes
    digest: str
    source: str
    received_at: datetime


def _process(
    ctx: AppContext, session: Session, arrival: Arrival, message: InboundMessage | None, now: datetime
) -> tuple[IntakeResult, StoredMessage | None]:
    """The transaction of `process_one`; the stored row, None for a duplicate. Safe to run again after a
    rollback: it changes nothing but the database."""
    raw, digest = arrival.raw, arrival.digest
    twins = inbound_twins(session, digest, message.message_id if message is not None else None)
    if twins.same_bytes is not None:
        return _duplicate(session, digest, twins.same_bytes.id), None
    stored = _store(session, raw, digest, message, arrival.source, arrival.received_at, now)
    if len(raw) > ctx.settings.intake.max_message_bytes:
        reason = f"message of {len(raw)} bytes exceeds intake.max_message_bytes"
        return _set_aside(session, stored, MessageKind.UNPARSEABLE, (reason,), doubtful=True), stored
    if message is None:
        rules = ctx.classify_rules
        message = parse_message(raw, scan_bounce=lambda parsed: reads_failed_recipients(parsed, rules))
        _describe(session, stored, message)
        twins = inbound_twins(session, "", message.message_id)
    verdict = classify(message, ctx.classify_rules)
    return _route(ctx, session, stored, message, verdict, now, twins.same_message_id), stored


def _duplicate(session: Session, digest: str, stored_id: int) -> IntakeResult:
    existing = session.get(StoredMessage, stored_id)
    assert existing is not None  # just found, in this transaction
    number = existing.case.number if existing.case is not None else None
    log.info("duplicate message=%s stored_as=%s case=%s", digest[:12], existing.id, number or "-")
    return IntakeResult("duplicate", existing.id, number, ("same bytes already stored",))


def store_unprocessable(ctx: AppContext, raw: bytes, *, source: str, error: str) -> IntakeResult:
    """The catch-all's record: keep the bytes of a message whose processing failed, set aside with the error."""
    now = ctx.clock()
    digest = sha256_hex(raw)
    with unit_of_work(ctx.sessions) as session:
        existing = inbound_by_sha256(session, digest)
        if existing is not None:
            return IntakeResult("duplicate", existing.id, None, ("same bytes already stored",))
        stored = _store(session, raw, digest, None, source, now, now)
        reasons = (f"processing failed: {error}",)
        return _set_aside(session, stored, MessageKind.UNPARSEABLE, reasons, doubtful=True)


def _route(
    ctx: AppContext,
    session: Session,
    stored: StoredMessage,
    message: InboundMessage,
    verdict: Verdict,
    now: datetime,
    earlier: Row[Any] | None,
) -> IntakeResult:
    """`earlier`: the first inbound message stored with the same Message-ID, if any."""
    if verdict.kind in (
        MessageKind.OWN_MAIL,
        MessageKind.BOUNCE,
        MessageKind.AUTO_REPLY,
        MessageKind.SPAM,
        MessageKind.UNPARSEABLE,
    ):
        dispositions.attach_set_aside(ctx, session, stored, message, verdict, now)
        return _set_aside(session, stored, verdict.kind, verdict.reasons, doubtful=verdict.doubtful)
    if earlier is not None and earlier.id != stored.id and earlier.sender == stored.sender:
        reason = f"same Message-ID as stored message #{earlier.id} (a copy with other headers)"
        return _set_aside(session, stored, StoredKind.DUPLICATE, (reason,), doubtful=False)
    sender = message.sender.address if message.sender else ""
    officers = ctx.settings.office.officers
    # A web form on the city's own site writes From: noreply@<city> with the citizen in Reply-To.
    writes_for_other = any(not matches_any(r.address, officers) for r in message.reply_to)
    # The office address itself counts: officers answering from the shared FOI mailbox ("Send As").
    own = sender == ctx.settings.office.address.lower()
    is_officer = bool(sender) and (own or matches_any(sender, officers)) and not writes_for_other
    case = dispositions.case_for(session, message, verdict)
    if is_officer:
        outcome = handle_officer_message(ctx, session, stored, message, verdict, case, now)
        if outcome is not None:
            return outcome
    if case is not None and dispositions.is_on_case(session, message, case):
        dispositions.follow_up(ctx, session, stored, message, case, now)
        return IntakeResult("follow_up", stored.id, case.number, verdict.reasons)
    reasons = verdict.reasons
    if case is not None:
        reasons = (f"mentions {case.number} but is neither from its requester nor a reply to it: a new request",)
    registered = dispositions.register(ctx, session, stored, message, now)
    return IntakeResult("request", stored.id, registered.number, reasons)


def _store(
    session: Session,
    raw: bytes,
    digest: str,
    message: InboundMessage | None,
    source: str,
    received_at: datetime,
    now: datetime,
) -> StoredMessage:
    """The message's row and bytes, with what parsing found when `message` is given: one flush."""
    stored = StoredMessage(
        direction=Direction.IN,
        sha256=digest,
        size=len(raw),
        sender="",
        subject="",
        kind=StoredKind.PENDING,
        reasons=[],
        defects=[],
        set_aside=False,
        source=source,
        received_at=received_at,
        stored_at=now,
    )
    if message is not None:
        _fill_in(stored, message)
    add_with_raw(session, stored, raw)
    if message is not None:
        _add_attachments(session, stored, message)
    return stored


def _describe(session: Session, stored: StoredMessage, message: InboundMessage) -> None:
    """What parsing found, for a message stored before it was parsed."""
    _fill_in(stored, message)
    _add_attachments(session, stored, message)
    session.flush()


def _fill_in(stored: StoredMessage, message: InboundMessage) -> None:
    """Headers for listing, and defects."""
    stored.message_id_header = message.message_id or None
    stored.sender = message.sender.address if message.sender else ""
    stored.subject = message.subject[:2000]
    stored.defects = list(message.defects)


def _add_attachments(session: Session, stored: StoredMessage, message: InboundMessage) -> None:
    """Each attachment's facts; its bytes stay in the raw message."""
    insert_attachments(
        session,
        [
            {
                "message_id": stored.id,
                "filename": attachment.filename,
                "content_type": attachment.content_type,
                "size": attachment.size,
                "sha256": attachment.sha256,
            }
            for attachment in message.attachments
        ],
    )


def _set_aside(
    session: Session, stored: StoredMessage, kind: str, reasons: tuple[str, ...], *, doubtful: bool
) -> IntakeResult:
    """Keep the message out of the register with its reasons; `doubtful` ones go to the office's notify list."""
    stored.kind = str(kind)
    stored.reasons = list(reasons)
    stored.set_aside = True
    stored.doubtful = doubtful
    session.flush()
    number = stored.case.number if stored.case is not None else None
    return IntakeResult("set_aside", stored.id, number, reasons, quarantined=kind == MessageKind.UNPARSEABLE)
