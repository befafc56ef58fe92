"""Each decided case's statistics values, stored on its row so that a yearly report need not work them out.

The Art. 49 report over a year of a million cases cannot afford date arithmetic and a sort per case
(docs/PERFORMANCE.md, "Statistics on a million cases"). A decided case's values (closed, one of the six
outcomes) do not depend on the report's moment: its local registration day, days to the answer and lateness
follow from its own columns and the zone's UTC offset. They are written by one UPDATE built from the same
expressions the report uses for the cases it counts live, so a stored value is the live one by construction:

- by the use cases that change a fact they read (a decision, a forward mark, a confirmation's due date):
  ``store_values``;
- at start-up and by ``foimail deadline --recompute``, for every case whose values are missing, stale or in
  another offset (``refresh_values``): after migration 0007, which adds the columns empty.

A case not decided has none (NULL) and is counted live. The report uses only values stored in its own UTC
offset and counts the rest live too, so a change of zone makes it slower until the next refresh, never wrong.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, tzinfo
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Integer, Update, and_, bindparam, case, literal, or_, text, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from foimail.core import statistics as rules
from foimail.core.vocabulary import CaseStatus, Outcome
from foimail.store.local_days import LocalDateAfter, LocalDay
from foimail.store.models import Case

__all__ = [
    "DECIDED",
    "STORED_COLUMNS",
    "answered_late",
    "days_to_answer",
    "refresh_values",
    "store_values",
    "utc_offset",
]

# Decided for good: the outcome no longer depends on the report's moment, once it is past `stats_as_of`.
DECIDED = and_(Case.status == CaseStatus.CLOSED, Case.outcome.is_not(None), Case.outcome.in_(rules.OUTCOMES))
# After storing this many cases' values in one go, PostgreSQL's statistics of the table are renewed.
ANALYZE_AFTER = 10_000
STORED_COLUMNS = ("stats_utc_offset", "stats_registered_day", "stats_days", "stats_late", "stats_as_of")


def days_to_answer(offset: ColumnElement[int]) -> ColumnElement[int]:
    """The local answer date minus the local registration date; NULL without an answer time."""
    return LocalDay(Case.answered_at, offset) - LocalDay(Case.registered_at, offset)


def answered_late(offset: ColumnElement[int]) -> ColumnElement[bool]:
    """Answered after the due date, or forwarded after the 5 days of GAC Art. 80(1); false if NULLs."""
    after_due = LocalDateAfter(Case.answered_at, Case.due_date, offset)
    forwarded_late = and_(Case.outcome == Outcome.FORWARDED, LocalDateAfter(Case.answered_at, Case.forward_by, offset))
    return case((after_due, True), (forwarded_late, True), else_=False)


def _values(offset: int) -> dict[str, ColumnElement[Any]]:
    seconds = literal(offset, Integer)
    return {
        "stats_utc_offset": seconds,
        "stats_registered_day": LocalDay(Case.registered_at, seconds),
        "stats_days": days_to_answer(seconds),
        "stats_late": answered_late(seconds),
        # Registered and answered by then (registered_at is never NULL, so neither is this for a decided case).
        "stats_as_of": case((Case.answered_at > Case.registered_at, Case.answered_at), else_=Case.registered_at),
    }


def utc_offset(tz: tzinfo, now: datetime) -> int:
    """The zone's UTC offset at `now`, in seconds: the one values are stored in."""
    offset = now.astimezone(tz).utcoffset()
    if offset is None:
        raise ValueError(f"time zone {tz} gives no UTC offset")
    return int(offset.total_seconds())


def refresh_values(connection: Connection, offset: int, case_ids: Collection[int] | None = None) -> int:
    """Store the values of `case_ids` (None: every case) in `offset` where they differ; the number of cases changed.

    Every column is NULL unless the case is decided, so the values are all there or none.
    """
    statement = _refresh(offset)
    if case_ids is not None:
        statement = statement.where(Case.id.in_(case_ids))
    changed = connection.execute(statement).rowcount
    if changed >= ANALYZE_AFTER and connection.dialect.name == "postgresql":
        # The planner must see the new values at once (it estimated 1,667 rows with values for 899,350 and
        # read them serially, 1.1 s instead of 0.45): autovacuum would analyse the table only later.
        connection.execute(text("ANALYZE cases"))
    return changed


def _refresh(offset: int) -> Update:
    wanted = {name: case((DECIDED, value)) for name, value in _values(offset).items()}
    differs = or_(*(getattr(Case, name).is_distinct_from(value) for name, value in wanted.items()))
    return update(Case).where(differs).values(wanted)


@lru_cache(maxsize=8)
def _refresh_one(offset: int) -> Update:
    """`refresh_values`' statement for one case, built once per offset: every confirmation sent runs it, and
    building it cost more than the rest of recording the send (docs/PERFORMANCE.md, Backlog, third pass)."""
    return _refresh(offset).where(Case.id == bindparam("p_case_id"))


def store_values(session: Session, case_id: int, tz: tzinfo, now: datetime) -> None:
    """After a use case changed a case (decided it, marked it, confirmed it): its values as they now are."""
    session.flush()
    session.connection().execute(_refresh_one(utc_offset(tz, now)), {"p_case_id": case_id})
    loaded = session.identity_map.get(session.identity_key(Case, case_id))
    if loaded is not None:  # the ORM's copy of the values is out of date
        session.expire(loaded, list(STORED_COLUMNS))
