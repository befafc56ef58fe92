"""PostgreSQL only: several of the hot path's statements as one, by data-modifying CTEs.

On PostgreSQL intake waits on its round trips one after the other, not on Python (docs/PERFORMANCE.md,
"Backlog", fourth pass). As one statement each: a message's row and its bytes; a registration's case, its
message's case and kind, its event and its confirmation's outbox row (the per-sender rate limit counted
inside); the outbox's claim and the claimed item's case; a confirmation's record as sent and its case's
confirmation. All parts of one statement see one snapshot,
taken after the statements before it, so the rate limit counts what it counted as a statement of its own
after the sequence's bump. SQLite has no DML in a CTE and no round trips to save: it keeps the separate
statements.
"""

from __future__ import annotations

from typing import Any, Final

from sqlalchemy import Boolean, Integer, bindparam, func, insert, literal_column, select, true, update
from sqlalchemy import case as case_when
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql.expression import ColumnElement

from foimail.core.vocabulary import OutboxKind, OutboxStatus
from foimail.store.models import Case
from foimail.store.statements import CASES, CLAIM, CONFIRM_CASE, EVENTS, MARK_SENT, MESSAGES, OUTBOX, RAW, rate_limited

__all__ = [
    "CASE_COLUMNS",
    "CLAIM_WITH_CASE",
    "MESSAGE_WITH_RAW",
    "OUTGOING_WITH_RAW",
    "REGISTRATION",
    "registration_values",
]


def _binds(table_columns: Any, prefix: str, skip: tuple[str, ...] = ("id",)) -> dict[str, ColumnElement[Any]]:
    """A bind parameter `prefix + column` of the column's type for each column but `skip`."""
    return {c.key: bindparam(prefix + c.key, type_=c.type) for c in table_columns if c.key not in skip}


def _message_with_raw(new: Any) -> Any:
    message = new.values(_binds(MESSAGES.c, "m_")).returning(MESSAGES.c.id).cte("new_message")
    raw = insert(RAW).from_select(["message_id", "raw"], select(message.c.id, bindparam("p_raw", type_=RAW.c.raw.type)))
    return select(message.c.id).add_cte(raw.cte("new_raw"))


# A new message's row (parameters `m_<column>`) and its bytes (`p_raw`); returns the row's id.
MESSAGE_WITH_RAW: Final = _message_with_raw(insert(MESSAGES))
# The same for a message sent (statements.STORE_OUTGOING): no row, and no bytes, when it is stored already.
OUTGOING_WITH_RAW: Final = _message_with_raw(
    postgresql.insert(MESSAGES).on_conflict_do_nothing(index_elements=[MESSAGES.c.direction, MESSAGES.c.sha256])
)

_EVENT_COLUMNS = ("message_id", "at", "actor", "kind", "detail")
_OUTBOX_COLUMNS = tuple(c.key for c in OUTBOX.c if c.key not in ("id", "case_id", "status", "last_error"))


# The columns registration gives a new case (dispositions.register); the others take their defaults.
CASE_COLUMNS: Final = (
    "number",
    "year",
    "seq",
    "requester_address",
    "requester_name",
    "requester_source",
    "subject",
    "received_at",
    "registered_at",
    "status",
    "request_message_id",
)


def _registration() -> Any:
    case_binds = {k: bindparam(f"c_{k}", type_=CASES.c[k].type) for k in CASE_COLUMNS}
    new_case = insert(CASES).values(case_binds).returning(CASES.c.id).cte("new_case")
    case_id = select(new_case.c.id).scalar_subquery()
    message = (
        update(MESSAGES)
        .where(MESSAGES.c.id == bindparam("p_message_id"))
        .values(case_id=case_id, kind=bindparam("p_kind", type_=MESSAGES.c.kind.type))
    )
    event_binds = _binds(EVENTS.c, "e_", ("id", "case_id"))
    event = insert(EVENTS).from_select(
        ["case_id", *_EVENT_COLUMNS], select(new_case.c.id, *(event_binds[k] for k in _EVENT_COLUMNS))
    )
    # The limit counts this confirmation too: over it when the earlier ones plus `p_self` exceed `p_limit`.
    count = select(func.count(OUTBOX.c.id)).where(*rate_limited()).scalar_subquery()
    over = bindparam("p_check", type_=Boolean) & (count + bindparam("p_self", type_=Integer) > bindparam("p_limit"))
    limit = select(over.label("over")).cte("over_limit")
    outbox_binds = _binds(OUTBOX.c, "o_", ("id", "case_id"))
    suppressed: ColumnElement[str] = literal_column(f"'{OutboxStatus.SUPPRESSED}'")
    outbox = insert(OUTBOX).from_select(
        ["case_id", *_OUTBOX_COLUMNS, "status", "last_error"],
        select(
            new_case.c.id,
            *(outbox_binds[k] for k in _OUTBOX_COLUMNS),
            case_when((limit.c.over, suppressed), else_=outbox_binds["status"]),
            case_when(
                (limit.c.over, bindparam("p_limit_reason", type_=OUTBOX.c.last_error.type)),
                else_=outbox_binds["last_error"],
            ),
        ).join_from(new_case, limit, true()),
    )
    return (
        select(new_case.c.id, limit.c.over)
        .join_from(new_case, limit, true())
        .add_cte(message.cte("case_message"), event.cte("case_event"), outbox.cte("case_outbox"))
    )


# A registration: the case (`c_<column>`), its message's case and kind (`p_message_id`, `p_kind`), its event
# (`e_<column>`) and its confirmation's outbox row (`o_<column>`), suppressed over the rate limit (`p_check`,
# `p_self`, `p_limit`, `p_since`, `p_recipients`, `p_limit_reason`); returns the case's id and whether the
# limit suppressed the confirmation.
REGISTRATION: Final = _registration()
_CONFIRMATION = str(OutboxKind.CONFIRMATION)


def registration_values(
    case: dict[str, Any], message: dict[str, Any], event: dict[str, Any], outbox: dict[str, Any], rate: dict[str, Any]
) -> dict[str, Any]:
    """REGISTRATION's parameters from each part's values by column name (`message`: p_message_id, p_kind;
    `rate`: the p_ parameters of the limit)."""
    return {
        **{f"c_{k}": v for k, v in case.items()},
        **message,
        **{f"e_{k}": v for k, v in event.items()},
        **{f"o_{k}": v for k, v in outbox.items()},
        **rate,
    }


def _claim_with_case() -> Any:
    claimed = CLAIM["postgresql"].cte("claimed")
    return select(*claimed.c, Case).outerjoin_from(claimed, Case, Case.id == claimed.c.case_id)


# The outbox's claim (statements.CLAIM's parameters) and the claimed item's case as an ORM object, in one
# statement: a row of `statements.CLAIMED_COLUMNS` and `Case` (None for an item without a case).
CLAIM_WITH_CASE: Final = _claim_with_case()

# A confirmation recorded as sent (statements.MARK_SENT's parameters) and its case confirmed
# (statements.CONFIRM_CASE's): returns the case's id when the case was not confirmed before, no row if it was.
SENT_AND_CONFIRMED: Final = CONFIRM_CASE.returning(CASES.c.id).add_cte(MARK_SENT.cte("sent_item"))
