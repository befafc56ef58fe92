"""The hot path's statements, built once at import and executed with parameters.

Building a `select()` or `update()` for each call (coercing every clause, then computing its cache key to
find the compiled form) cost about as much Python time as running it; a statement built once keeps its cache
key, and its parameters arrive as a dict (docs/PERFORMANCE.md, "Backlog", third pass). Statements on
tables, not ORM entities: no ORM object is loaded or flushed by them. Named queries that use them stay in
`queries.py`.
"""

from __future__ import annotations

from typing import Any, Final

from sqlalchemy import Table, and_, bindparam, func, insert, literal_column, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from foimail.core.vocabulary import Direction, OutboxKind, OutboxStatus
from foimail.store.models import Base

MESSAGES: Final[Table] = Base.metadata.tables["messages"]
RAW: Final[Table] = Base.metadata.tables["message_raw"]
ATTACHMENTS: Final[Table] = Base.metadata.tables["attachments"]
CASES: Final[Table] = Base.metadata.tables["cases"]
EVENTS: Final[Table] = Base.metadata.tables["events"]
OUTBOX: Final[Table] = Base.metadata.tables["outbox"]
SEQUENCES: Final[Table] = Base.metadata.tables["number_sequences"]

# Inserts take their columns from the parameters' keys.
INSERT_MESSAGE: Final = insert(MESSAGES).returning(MESSAGES.c.id)
INSERT_RAW: Final = insert(RAW)
# SQLite: a zeroblob of the bytes' size, written afterwards through the blob API (store/raw.py).
INSERT_ZEROBLOB: Final = insert(RAW).values(
    message_id=bindparam("p_message_id", type_=RAW.c.message_id.type), raw=func.zeroblob(bindparam("p_size"))
)
INSERT_ATTACHMENT: Final = insert(ATTACHMENTS)
INSERT_CASE: Final = insert(CASES).returning(CASES.c.id)
INSERT_EVENT: Final = insert(EVENTS)
INSERT_OUTBOX: Final = insert(OUTBOX)

_TWIN_COLUMNS = (
    MESSAGES.c.id,
    MESSAGES.c.sha256,
    MESSAGES.c.message_id_header,
    MESSAGES.c.sender,
    MESSAGES.c.direction,
)
_INBOUND = MESSAGES.c.direction == str(Direction.IN)
TWINS_BY_SHA256: Final = (
    select(*_TWIN_COLUMNS).where(_INBOUND, MESSAGES.c.sha256 == bindparam("p_sha256")).order_by(MESSAGES.c.id)
)
TWINS_BY_SHA256_OR_MESSAGE_ID: Final = (
    select(*_TWIN_COLUMNS)
    # Each alternative looked up in its own index: with the direction outside the OR, SQLite read every
    # inbound message (0.15 ms a message at 500 messages, 1.5 ms at 8,000), and with it inside both, it took
    # the direction's index for the Message-ID. The Message-ID's rows of either direction come back (our own
    # mail's ids are ours: a few at most): `inbound_twins` keeps the inbound ones.
    .where(
        or_(
            and_(_INBOUND, MESSAGES.c.sha256 == bindparam("p_sha256")),
            MESSAGES.c.message_id_header == bindparam("p_message_id"),
        )
    )
    .order_by(MESSAGES.c.id)
)

BUMP_SEQUENCE: Final = (
    update(SEQUENCES)
    .where(SEQUENCES.c.year == bindparam("p_year"))
    .values(last_seq=SEQUENCES.c.last_seq + 1)
    .returning(SEQUENCES.c.last_seq)
)

SET_MESSAGE_CASE: Final = (
    update(MESSAGES)
    .where(MESSAGES.c.id == bindparam("p_id"))
    .values(
        case_id=bindparam("p_case_id", type_=MESSAGES.c.case_id.type),
        kind=bindparam("p_kind", type_=MESSAGES.c.kind.type),
    )
)


def rate_limited() -> tuple[Any, ...]:
    """The per-sender rate limit's conditions: confirmations to `p_recipients` since `p_since`, not suppressed.

    The kind as a literal: SQLite uses the partial index ix_outbox_confirmation_rate only for a query whose
    WHERE names the index's own condition, which a bound parameter does not.
    """
    return (
        OUTBOX.c.kind == literal_column(f"'{OutboxKind.CONFIRMATION}'"),
        OUTBOX.c.created_at >= bindparam("p_since", type_=OUTBOX.c.created_at.type),
        OUTBOX.c.status != str(OutboxStatus.SUPPRESSED),
        OUTBOX.c.recipients == bindparam("p_recipients", type_=OUTBOX.c.recipients.type),
    )


COUNT_CONFIRMATIONS: Final = select(func.count(OUTBOX.c.id)).where(*rate_limited())

CLAIMED_COLUMNS: Final = (
    OUTBOX.c.id,
    OUTBOX.c.case_id,
    OUTBOX.c.kind,
    OUTBOX.c.recipients,
    OUTBOX.c.message_id_header,
    OUTBOX.c.context,
    OUTBOX.c.attempts,
    OUTBOX.c.raw,
)
_OPEN = (str(OutboxStatus.PENDING), str(OutboxStatus.SENDING))


def _claim(*, skip_locked: bool) -> Any:
    due = (
        select(OUTBOX.c.id)
        .where(OUTBOX.c.status.in_(_OPEN), OUTBOX.c.next_attempt_at <= bindparam("p_now"))
        .order_by(OUTBOX.c.next_attempt_at, OUTBOX.c.id)
        .limit(1)
    )
    if skip_locked:
        due = due.with_for_update(skip_locked=True)
    return (
        update(OUTBOX)
        .where(
            OUTBOX.c.id == due.scalar_subquery(),
            OUTBOX.c.status.in_(_OPEN),
            OUTBOX.c.next_attempt_at <= bindparam("p_now"),
        )
        .values(
            status=str(OutboxStatus.SENDING),
            next_attempt_at=bindparam("p_lease_until", type_=OUTBOX.c.next_attempt_at.type),
            attempts=OUTBOX.c.attempts + 1,
        )
        .returning(*CLAIMED_COLUMNS)
    )


# By dialect name. PostgreSQL: FOR UPDATE SKIP LOCKED (queries.claim_next_due says why).
CLAIM: Final = {"postgresql": _claim(skip_locked=True), "sqlite": _claim(skip_locked=False)}

STORE_OUTGOING: Final = {
    name: dialect.insert(MESSAGES)
    .on_conflict_do_nothing(index_elements=[MESSAGES.c.direction, MESSAGES.c.sha256])
    .returning(MESSAGES.c.id)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}
OUTGOING_BY_SHA256: Final = select(MESSAGES.c.id).where(
    MESSAGES.c.direction == str(Direction.OUT), MESSAGES.c.sha256 == bindparam("p_sha256")
)

MARK_SENT: Final = (
    update(OUTBOX)
    .where(OUTBOX.c.id == bindparam("p_id"))
    .values(
        status=str(OutboxStatus.SENT),
        sent_at=bindparam("p_sent_at", type_=OUTBOX.c.sent_at.type),
        stored_message_id=bindparam("p_stored_message_id", type_=OUTBOX.c.stored_message_id.type),
        last_error=None,
    )
)
# Batumi res. No. 3 Art. 4.3: the period counts from the confirmation; the date it stated is kept.
CONFIRM_CASE: Final = (
    update(CASES)
    .where(CASES.c.id == bindparam("p_case_id"), CASES.c.confirmed_at.is_(None))
    .values(
        confirmed_at=bindparam("p_confirmed_at", type_=CASES.c.confirmed_at.type),
        due_date=bindparam("p_due_date", type_=CASES.c.due_date.type),
    )
)
