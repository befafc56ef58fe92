"""Named queries. Each takes the session first; none commits (the caller's unit of work does)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from foimail.core.vocabulary import Direction, MessageKind, OutboxKind, OutboxStatus
from foimail.store import combined, statements
from foimail.store.models import Case, Event, MailboxState, NumberSequence, OutboxItem, SentNotice, StoredMessage
from foimail.store.raw import SMALL, write_raw


def take_next_seq(session: Session, year: int) -> int:
    """The next registration sequence of `year`, gap-free: the year's row is locked until commit.

    One statement in the common case, UPDATE ... RETURNING, whose row lock (PostgreSQL) holds until commit;
    SQLite's transaction is already IMMEDIATE (store/db.py). The year's first number inserts the row; if
    another transaction inserted it first, the UPDATE waits for that one and takes the number after it.
    """
    bump = {"p_year": year}
    seq = session.connection().execute(statements.BUMP_SEQUENCE, bump).scalar_one_or_none()
    if seq is None:
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        first = insert(NumberSequence).values(year=year, last_seq=1).on_conflict_do_nothing()
        seq = session.execute(first.returning(NumberSequence.last_seq)).scalar_one_or_none()
        if seq is None:
            seq = session.connection().execute(statements.BUMP_SEQUENCE, bump).scalar_one()
    return int(seq)


def case_by_number(session: Session, number: str, *, lock: bool = False) -> Case | None:
    query = select(Case).where(Case.number == number)
    if lock:
        query = query.with_for_update()
    return session.execute(query).scalar_one_or_none()


def inbound_by_sha256(session: Session, sha256: str) -> StoredMessage | None:
    return session.execute(
        select(StoredMessage).where(StoredMessage.direction == Direction.IN, StoredMessage.sha256 == sha256)
    ).scalar_one_or_none()


@dataclass(frozen=True)
class Twins:
    """Inbound messages stored before this one: the same bytes, and the first with the same Message-ID."""

    same_bytes: Row[Any] | None
    same_message_id: Row[Any] | None


def inbound_twins(session: Session, sha256: str, message_id: str | None) -> Twins:
    """Both of intake's look-ups for an earlier copy in one SELECT (id, sha256, message_id_header, sender)."""
    if message_id:
        query, values = statements.TWINS_BY_SHA256_OR_MESSAGE_ID, {"p_sha256": sha256, "p_message_id": message_id}
    else:
        query, values = statements.TWINS_BY_SHA256, {"p_sha256": sha256}
    # Columns read by name: typed as any row (SQLAlchemy types a row by its column count). The Message-ID's
    # look-up returns our own outbound mail too (statements.TWINS_BY_SHA256_OR_MESSAGE_ID): not a twin.
    found: Sequence[Row[Any]] = session.connection().execute(query, values).all()  # type: ignore[assignment]
    rows = [row for row in found if row.direction == Direction.IN]
    return Twins(
        next((row for row in rows if row.sha256 == sha256), None),
        next((row for row in rows if message_id and row.message_id_header == message_id), None),
    )


def inbound_by_message_id(session: Session, message_id: str) -> StoredMessage | None:
    return (
        session.execute(
            select(StoredMessage)
            .where(StoredMessage.direction == Direction.IN, StoredMessage.message_id_header == message_id)
            .order_by(StoredMessage.id)
        )
        .scalars()
        .first()
    )


def outbox_by_message_ids(session: Session, message_ids: Sequence[str]) -> list[OutboxItem]:
    if not message_ids:
        return []
    return list(
        session.execute(select(OutboxItem).where(OutboxItem.message_id_header.in_(list(message_ids)))).scalars()
    )


def record_event(
    session: Session,
    *,
    at: datetime,
    actor: str,
    kind: str,
    case: Case | None = None,
    message: StoredMessage | None = None,
    case_id: int | None = None,
    **detail: Any,
) -> Event:
    """Append to the audit log; the case by its row or, when the caller has not loaded it, by `case_id`."""
    event = Event(
        case_id=case.id if case is not None else case_id,
        message_id=message.id if message is not None else None,
        at=at,
        actor=actor,
        kind=kind,
        detail=detail,
    )
    session.add(event)
    return event


def insert_event(
    session: Session,
    *,
    at: datetime,
    actor: str,
    kind: str,
    case_id: int | None,
    message_id: int | None = None,
    **detail: Any,
) -> None:
    """`record_event` as one Core INSERT, for the hot paths: rows referred to must be in the database already."""
    values = {"case_id": case_id, "message_id": message_id, "at": at, "actor": actor, "kind": kind, "detail": detail}
    session.connection().execute(statements.INSERT_EVENT, values)


def confirmations_to_since(session: Session, address: str, since: datetime) -> int:
    """How many confirmations were queued for `address` since `since` (the per-sender rate limit).

    The kind is written as a literal: SQLite uses the partial index ix_outbox_confirmation_rate only for a
    query whose WHERE names the index's own condition, which a bound parameter does not.
    """
    values = {"p_since": since, "p_recipients": [address]}
    return int(session.connection().execute(statements.COUNT_CONFIRMATIONS, values).scalar_one())


def claim_next_due(session: Session, now: datetime, lease_until: datetime) -> Row[Any] | None:
    """Claim the first item whose time has come (pending, or a send lease that ran out) until `lease_until`;
    None when nothing is due. One UPDATE ... RETURNING the item's `statements.CLAIMED_COLUMNS`; `attempts` becomes the
    claim's number. A Core statement: no ORM object is loaded for it.

    On PostgreSQL the subquery locks the row it picks with FOR UPDATE SKIP LOCKED: several daemons claim at
    once without waiting for each other, and a row another one claimed and committed in the meantime is
    checked again against the WHERE (READ COMMITTED re-reads a locked row's newest version) and not taken
    twice. On SQLite the transaction is IMMEDIATE (store/db.py): one claim at a time.
    """
    claim = statements.CLAIM[session.get_bind().dialect.name]
    return session.connection().execute(claim, {"p_now": now, "p_lease_until": lease_until}).first()


def claim_next_due_with_case(
    session: Session, now: datetime, lease_until: datetime
) -> tuple[Row[Any] | None, Case | None]:
    """`claim_next_due` and the claimed item's case (None without one): one statement on PostgreSQL
    (store/combined.py), the claim then `Session.get` on SQLite."""
    if session.get_bind().dialect.name != "postgresql":
        item = claim_next_due(session, now, lease_until)
        case = session.get(Case, item.case_id) if item is not None and item.case_id is not None else None
        return item, case
    row = session.execute(combined.CLAIM_WITH_CASE, {"p_now": now, "p_lease_until": lease_until}).first()
    return (row, row.Case) if row is not None else (None, None)


def store_outgoing(session: Session, raw: bytes, values: dict[str, Any]) -> int:
    """Keep a message sent: its `messages` row (`values`, direction OUT) and its bytes; return the row's id.

    Sent again after a crash, the same bytes are the same row: INSERT ... ON CONFLICT DO NOTHING, then look.
    On PostgreSQL bytes of up to `raw.SMALL` go in with the row, in one statement (store/combined.py).
    """
    connection = session.connection()
    values = {"direction": str(Direction.OUT), **values}
    if connection.dialect.name == "postgresql" and len(raw) <= SMALL:
        with_raw = {"p_raw": raw, **{f"m_{key}": value for key, value in values.items()}}
        inserted = connection.execute(combined.OUTGOING_WITH_RAW, with_raw).scalar_one_or_none()
        if inserted is not None:
            return int(inserted)
    else:
        insert = statements.STORE_OUTGOING[connection.dialect.name]
        inserted = connection.execute(insert, values).scalar_one_or_none()
        if inserted is not None:
            write_raw(session, int(inserted), raw)
            return int(inserted)
    existing = connection.execute(statements.OUTGOING_BY_SHA256, {"p_sha256": values["sha256"]}).scalar_one()
    return int(existing)


def mark_sent(session: Session, item_id: int, sent_at: datetime, stored_message_id: int) -> None:
    values = {"p_id": item_id, "p_sent_at": sent_at, "p_stored_message_id": stored_message_id}
    session.connection().execute(statements.MARK_SENT, values)


def confirm_case(session: Session, case_id: int, confirmed_at: datetime, due_date: date | None) -> bool:
    """Record the confirmation's time and the due date it stated, once; False if the case had them already."""
    values = {"p_case_id": case_id, "p_confirmed_at": confirmed_at, "p_due_date": due_date}
    return bool(session.connection().execute(statements.CONFIRM_CASE, values).rowcount == 1)


def mark_sent_and_confirm(
    session: Session, item_id: int, sent_at: datetime, stored_message_id: int, case_id: int, due_date: date | None
) -> bool:
    """`mark_sent` of a confirmation, then `confirm_case` of its case as of `sent_at`; False if the case had
    been confirmed already. One statement on PostgreSQL (store/combined.py)."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        mark_sent(session, item_id, sent_at, stored_message_id)
        return confirm_case(session, case_id, sent_at, due_date)
    values = {
        "p_id": item_id,
        "p_sent_at": sent_at,
        "p_stored_message_id": stored_message_id,
        "p_case_id": case_id,
        "p_confirmed_at": sent_at,
        "p_due_date": due_date,
    }
    return connection.execute(combined.SENT_AND_CONFIRMED, values).first() is not None


def insert_case(session: Session, values: dict[str, Any]) -> int:
    """A new case's row (`values` by column name); its id."""
    return int(session.connection().execute(statements.INSERT_CASE, values).scalar_one())


def set_message_case(session: Session, message_id: int, case_id: int, kind: str) -> None:
    session.connection().execute(
        statements.SET_MESSAGE_CASE, {"p_id": message_id, "p_case_id": case_id, "p_kind": kind}
    )


@dataclass(frozen=True)
class RateLimit:
    """The per-sender limit of confirmations an hour as a registration checks it (dispositions.register)."""

    check: bool  # False when nothing is to be sent: no count
    address: str
    since: datetime
    counts_self: bool  # the confirmation being queued goes to `address` and counts toward the limit
    limit: int
    reason: str  # `last_error` of a confirmation the limit suppresses


def insert_registration(
    session: Session,
    case: dict[str, Any],
    message_id: int,
    event: dict[str, Any],
    outbox: dict[str, Any],
    rate: RateLimit,
) -> tuple[int, bool]:
    """A registration's rows: the case (`combined.CASE_COLUMNS`), the request message's case and kind, the
    event (`message_id`, `at`, `actor`, `kind`, `detail`) and the confirmation's outbox row, written
    `suppressed` with `rate.reason` when over the limit. Returns the case's id and whether the limit
    suppressed it. One statement on PostgreSQL (store/combined.py), one per row on SQLite."""
    connection = session.connection()
    kind = str(MessageKind.REQUEST)
    request = {"p_message_id": message_id, "p_kind": kind}
    if connection.dialect.name == "postgresql":
        limit = {
            "p_check": rate.check,
            "p_recipients": [rate.address],
            "p_since": rate.since,
            "p_self": int(rate.counts_self),
            "p_limit": rate.limit,
            "p_limit_reason": rate.reason,
        }
        row = connection.execute(
            combined.REGISTRATION, combined.registration_values(case, request, event, outbox, limit)
        ).one()
        return int(row.id), bool(row.over)
    case_id = insert_case(session, case)
    set_message_case(session, message_id, case_id, kind)
    connection.execute(statements.INSERT_EVENT, {"case_id": case_id, **event})
    over = rate.check and confirmations_to_since(session, rate.address, rate.since) + rate.counts_self > rate.limit
    if over:
        outbox = {**outbox, "status": str(OutboxStatus.SUPPRESSED), "last_error": rate.reason}
    insert_outbox_item(session, {"case_id": case_id, **outbox})
    return case_id, over


def insert_attachments(session: Session, rows: list[dict[str, Any]]) -> None:
    """Attachments' rows (by column name), all in one statement; none for an empty list."""
    if rows:
        session.connection().execute(statements.INSERT_ATTACHMENT, rows)


def insert_outbox_item(session: Session, values: dict[str, Any]) -> None:
    """An outbox row (`values` by column name), for a caller that needs no ORM object of it."""
    session.connection().execute(statements.INSERT_OUTBOX, values)


def renew_send_lease(session: Session, item_id: int, attempt: int, lease_until: datetime) -> bool:
    """Extend a claim still being sent; False if it ended or another sender re-claimed the item since."""
    result = session.execute(
        update(OutboxItem)
        .where(OutboxItem.id == item_id, OutboxItem.status == OutboxStatus.SENDING, OutboxItem.attempts == attempt)
        .values(next_attempt_at=lease_until)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def list_cases(session: Session, status: str | None = None, limit: int | None = None) -> list[Case]:
    query = select(Case).order_by(Case.id)
    if status:
        query = query.where(Case.status == status)
    if limit:
        query = query.limit(limit)
    return list(session.execute(query).scalars())


def recent_set_aside(session: Session, since: datetime, *, doubtful_only: bool = False) -> list[StoredMessage]:
    """Inbound messages set aside since `since`, oldest first; only the doubtful ones if asked."""
    query = select(StoredMessage).where(
        StoredMessage.direction == Direction.IN,
        StoredMessage.set_aside.is_(True),
        StoredMessage.stored_at >= since,
    )
    if doubtful_only:
        query = query.where(StoredMessage.doubtful.is_(True))
    return list(session.execute(query.order_by(StoredMessage.id)).scalars())


def set_aside_messages(session: Session) -> list[StoredMessage]:
    """Inbound messages that became no case: what a person must be able to see and promote."""
    return list(
        session.execute(
            select(StoredMessage)
            .where(StoredMessage.direction == Direction.IN, StoredMessage.set_aside.is_(True))
            .order_by(StoredMessage.id)
        ).scalars()
    )


def _insert(session: Session) -> Any:
    """The dialect's INSERT, which knows ON CONFLICT DO NOTHING on both backends."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def mailbox_state(session: Session, source: str) -> MailboxState:
    """The source's row, created if missing; two daemons starting at once must not collide on its key."""
    session.execute(_insert(session)(MailboxState).values(source=source).on_conflict_do_nothing())
    state = session.get(MailboxState, source, populate_existing=True)
    assert state is not None
    return state


def claim_notice(session: Session, key: str, recipient: str, day: date, now: datetime) -> bool:
    """Record (key, recipient, day) once; False if it was already there: the scheduler's ledger.

    INSERT ... ON CONFLICT DO NOTHING: a second daemon racing for the same notice gets no row back, not an error.
    """
    inserted = session.execute(
        _insert(session)(SentNotice)
        .values(key=key, recipient=recipient, day=day, sent_at=now)
        .on_conflict_do_nothing()
        .returning(SentNotice.id)
    ).first()
    return inserted is not None


def reply_address(session: Session, case: Case) -> str:
    """Where the requester wants answers: the address the confirmation went to (their Reply-To), else From."""
    recipients = (
        session.execute(
            select(OutboxItem.recipients)
            .where(OutboxItem.case_id == case.id, OutboxItem.kind == OutboxKind.CONFIRMATION)
            .order_by(OutboxItem.id)
        )
        .scalars()
        .first()
    )
    return recipients[0] if recipients else case.requester_address.lower()
