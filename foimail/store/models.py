"""The database schema (SQLAlchemy 2 declarative). Alembic migrations in migrations/ must match it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.ext.associationproxy import AssociationProxy, association_proxy
from sqlalchemy.orm import DeclarativeBase, Mapped, deferred, mapped_column, relationship

from foimail.core.vocabulary import CaseStatus, OutboxStatus
from foimail.store.types import JSONText, UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def in_dialect(dialect_name: str) -> Callable[[object, str | None, str, bool, object], bool]:
    """Alembic's `include_object` for a database: leaves out what the models create only on another one."""

    def include(schema_item: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
        only = getattr(schema_item, "info", {}).get("only_dialect")
        return only is None or only == dialect_name

    return include


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("year", "seq"),
        # The statistics (store/statistics.py): the cases without stored values, found by registration time...
        Index(
            "ix_cases_stats_open",
            "registered_at",
            sqlite_where=text("stats_utc_offset IS NULL"),
            postgresql_where=text("stats_utc_offset IS NULL"),
        ),
        # ... those with values stored in another offset or decided after the report's moment ...
        Index(
            "ix_cases_stats_as_of",
            "stats_utc_offset",
            "stats_as_of",
            sqlite_where=text("stats_utc_offset IS NOT NULL"),
            postgresql_where=text("stats_utc_offset IS NOT NULL"),
        ),
        # ... on PostgreSQL, the decided cases of a short period (a quarter of ten years' cases) ...
        Index(
            "ix_cases_stats_day",
            "stats_utc_offset",
            "stats_registered_day",
            postgresql_where=text("stats_utc_offset IS NOT NULL"),
            info={"only_dialect": "postgresql"},
        ).ddl_if(dialect="postgresql"),
        # ... and, on SQLite, the decided cases counted in index order, without a sort. Not on PostgreSQL: it
        # groups in a hash table, and a B-tree entry there is limited to 2.7 kB (refusal_act is free text).
        # (SQLite has no index by day: guessing rows by rule of thumb, it would take it for a year too, and sort.)
        Index(
            "ix_cases_stats_groups",
            "stats_utc_offset",
            "outcome",
            "refusal_ground",
            "deciding_official",
            "refusal_act",
            "stats_days",
            "stats_late",
            "stats_registered_day",
            "stats_as_of",
            sqlite_where=text("stats_utc_offset IS NOT NULL"),
            info={"only_dialect": "sqlite"},
        ).ddl_if(dialect="sqlite"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(64), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    requester_address: Mapped[str] = mapped_column(String(320))
    requester_name: Mapped[str] = mapped_column(String(320), default="")
    # Where the requester's address was read (core.message.SenderSource): "from" for a clean From, else the
    # repair or fallback that found it (a whole-value encoded From, Reply-To, Sender, Return-Path).
    requester_source: Mapped[str | None] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_date: Mapped[date | None] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(16), default=CaseStatus.OPEN, index=True)
    outcome: Mapped[str | None] = mapped_column(String(32))
    refusal_ground: Mapped[str | None] = mapped_column(String(32))
    refusal_act: Mapped[str | None] = mapped_column(Text)
    forwarded_to: Mapped[str | None] = mapped_column(Text)
    assigned_officer: Mapped[str | None] = mapped_column(String(320))
    deciding_official: Mapped[str | None] = mapped_column(String(320))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    request_message_id: Mapped[int | None] = mapped_column(Integer)  # messages.id of the request (no FK: cycle)
    # GAC Art. 80(1): marked #toforward, the request goes to the competent body by this date (5 days).
    forward_by: Mapped[date | None] = mapped_column(Date)
    # A decided case's statistics values (store/case_tallies.py), all NULL while it is not decided: the UTC
    # offset they were worked out in, the local registration day (days since 1970-01-01), the days to the
    # answer, whether it was late, and the moment from which it counts as decided (registration or answer).
    stats_utc_offset: Mapped[int | None] = mapped_column(Integer)
    stats_registered_day: Mapped[int | None] = mapped_column(Integer)
    stats_days: Mapped[int | None] = mapped_column(Integer)
    stats_late: Mapped[bool | None] = mapped_column(Boolean)
    stats_as_of: Mapped[datetime | None] = mapped_column(UTCDateTime)

    messages: Mapped[list[StoredMessage]] = relationship(
        back_populates="case", foreign_keys="StoredMessage.case_id", order_by="StoredMessage.id"
    )
    events: Mapped[list[Event]] = relationship(back_populates="case", order_by="Event.id")


class StoredMessage(Base):
    """Every message in or out, raw bytes exactly as they came (or went)."""

    __tablename__ = "messages"
    __table_args__ = (UniqueConstraint("direction", "sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    direction: Mapped[str] = mapped_column(String(3))
    message_id_header: Mapped[str | None] = mapped_column(String(998), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    sender: Mapped[str] = mapped_column(String(320), default="")
    subject: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(32), index=True)
    reasons: Mapped[list[str]] = mapped_column(JSONText, default=list)
    defects: Mapped[list[str]] = mapped_column(JSONText, default=list)
    set_aside: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    doubtful: Mapped[bool] = mapped_column(Boolean, default=False)  # set aside on evidence a person may read otherwise
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    source: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime)

    case: Mapped[Case | None] = relationship(back_populates="messages", foreign_keys=[case_id])
    attachments: Mapped[list[StoredAttachment]] = relationship(back_populates="message", order_by="StoredAttachment.id")
    raw_row: Mapped[RawMessage | None] = relationship(cascade="all, delete-orphan", single_parent=True)
    # The bytes, read when asked for; written by store/raw.py (or by assignment, for small ones).
    raw: AssociationProxy[bytes] = association_proxy("raw_row", "raw", creator=lambda raw: RawMessage(raw=raw))


class RawMessage(Base):
    """A message's bytes, in a row of their own that is written once and never updated.

    On SQLite an UPDATE rebuilds the whole row, reading a blob back into memory twice over; and a blob written
    through the incremental blob API stays unexpanded only as the row's last column (store/raw.py).
    """

    __tablename__ = "message_raw"

    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), primary_key=True, autoincrement=False)
    raw: Mapped[bytes] = mapped_column(LargeBinary)


class StoredAttachment(Base):
    """An attachment's facts; its bytes stay inside the raw message they came in."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))

    message: Mapped[StoredMessage] = relationship(back_populates="attachments")


class OutboxItem(Base):
    """Mail waiting to be sent. Queued in the same transaction as the change that causes it."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        # The per-sender rate limit (store.queries.confirmations_to_since) reads this, not the whole hour.
        Index(
            "ix_outbox_confirmation_rate",
            "recipients",
            "created_at",
            sqlite_where=text("kind = 'confirmation'"),
            postgresql_where=text("kind = 'confirmation'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    recipients: Mapped[list[str]] = mapped_column(JSONText)
    message_id_header: Mapped[str] = mapped_column(String(998), unique=True)
    raw: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))  # None: rendered at send time
    context: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    stored_message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))


class Event(Base):
    """The audit log: who did what to which case, and when."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(320))
    kind: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)

    case: Mapped[Case | None] = relationship(back_populates="events")


class NumberSequence(Base):
    """The last registration number handed out per year; locked while the next is taken."""

    __tablename__ = "number_sequences"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)


class MailboxState(Base):
    """Where a mail source stands: its UIDVALIDITY, when it was last checked and its last error (for health)."""

    __tablename__ = "mailbox_state"

    source: Mapped[str] = mapped_column(String(512), primary_key=True)
    uidvalidity: Mapped[int | None] = mapped_column(BigInteger)
    last_check_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)


class SentNotice(Base):
    """Reminders, digests and reports already sent: the scheduler's ledger, one row per (key, day)."""

    __tablename__ = "sent_notices"
    __table_args__ = (UniqueConstraint("key", "recipient", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(255))
    recipient: Mapped[str] = mapped_column(String(320))
    day: Mapped[date] = mapped_column(Date)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PublicationEvent(Base):
    """An act (or amendment) recorded for an annex item: published within 10 days of entry into force.

    Batumi res. No. 3 annex note 2; `foimail publication record 6.1 --in-force 2026-12-01 "title"`.
    """

    __tablename__ = "publication_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(Text)
    in_force: Mapped[date] = mapped_column(Date, index=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by: Mapped[str] = mapped_column(String(320), default="")
