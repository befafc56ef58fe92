"""Request statistics out of the database: annex item 2.4 (quarterly) and the GAC Art. 49 report (yearly).

What each column means is defined in ``foimail/core/statistics.py``. Here the cases are counted by one SQL
statement: the period's cases (found through ``ix_cases_registered_at``) grouped by state, refusal ground,
days and lateness, COUNT(*) per group. That gives a few hundred ``Tally`` rows however many cases there are,
and ``core.statistics.statistics_row`` adds them up, the median included (from the days histogram, so no
second sort). The yearly sections add two GROUP BY queries with COUNT(CASE ...) columns.

The statements are built once for both databases. The one thing the dialects spell differently is "the
local date of a timestamp as a day number", so that is a construct (``LocalDay``, ``DayNumber``) compiled
per dialect. Every statement filters by ``now`` (registered and answered no later than it), so a decision
or registration committed while the annual report runs is invisible to all its statements alike.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from typing import Any

from sqlalchemy import ColumnElement, Integer, and_, case, func, literal, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from foimail.core import statistics as rules
from foimail.core.calendar import art49_period, local_date, quarter_bounds
from foimail.core.vocabulary import CaseStatus, Outcome
from foimail.store.models import Case

__all__ = [
    "annual_report",
    "period_statistics",
    "quarterly_statistics",
]

_SECONDS_PER_DAY = 86400
_NAMED_GROUNDS = tuple(ground for ground in rules.GROUND_COLUMNS if ground != rules.OTHER_GROUND)


class LocalDay(FunctionElement[int]):
    """LocalDay(utc_timestamp, offset_seconds): days since 1970-01-01 of the timestamp's local date."""

    type = Integer()
    inherit_cache = True
    name = "local_day"


class DayNumber(FunctionElement[int]):
    """DayNumber(date_column): days since 1970-01-01 of a DATE."""

    type = Integer()
    inherit_cache = True
    name = "day_number"


def _arguments(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> list[str]:
    return [compiler.process(clause, **kw) for clause in element.clauses]


@compiles(LocalDay, "sqlite")
def _local_day_sqlite(element: LocalDay, compiler: SQLCompiler, **kw: Any) -> str:
    moment, offset = _arguments(element, compiler, **kw)
    # Stored as 'YYYY-MM-DD HH:MM:SS.ffffff' UTC. SQLite's date functions round to the millisecond, which
    # would move 23:59:59.9996 to the next day: cut the fraction off first (whole seconds keep their date).
    seconds = f"CAST(strftime('%s', substr({moment}, 1, 19)) AS INTEGER)"
    return f"(({seconds} + {offset}) / {_SECONDS_PER_DAY})"


@compiles(LocalDay, "postgresql")
def _local_day_postgresql(element: LocalDay, compiler: SQLCompiler, **kw: Any) -> str:
    moment, offset = _arguments(element, compiler, **kw)
    return f"(CAST(({moment} AT TIME ZONE 'UTC') + {offset} * INTERVAL '1 second' AS DATE) - DATE '1970-01-01')"


@compiles(DayNumber, "sqlite")
def _day_number_sqlite(element: DayNumber, compiler: SQLCompiler, **kw: Any) -> str:
    (day,) = _arguments(element, compiler, **kw)  # stored as 'YYYY-MM-DD'
    return f"(CAST(strftime('%s', {day}) AS INTEGER) / {_SECONDS_PER_DAY})"


@compiles(DayNumber, "postgresql")
def _day_number_postgresql(element: DayNumber, compiler: SQLCompiler, **kw: Any) -> str:
    (day,) = _arguments(element, compiler, **kw)
    return f"({day} - DATE '1970-01-01')"


class _Terms:
    """The period's predicates and per-case expressions (their meaning: core/statistics)."""

    def __init__(self, first: date, last: date, now: datetime, tz: tzinfo) -> None:
        today = local_date(now, tz)
        offset = literal(rules.fixed_utc_offset(tz, first, max(last, today)), Integer)
        start, end = rules.period_utc_bounds(first, last, tz)
        self.in_period = and_(Case.registered_at >= start, Case.registered_at < end, Case.registered_at <= now)
        decided = and_(
            Case.status == CaseStatus.CLOSED,
            Case.outcome.is_not(None),
            Case.outcome.in_(rules.OUTCOMES),
            or_(Case.answered_at.is_(None), Case.answered_at <= now),
        )
        # Open past its due date, or past the 5 days of GAC Art. 80(1) when marked to be forwarded.
        overdue = or_(and_(Case.due_date.is_not(None), Case.due_date < today), Case.forward_by < today)
        self.state = case((decided, Case.outcome), (overdue, "overdue_open"), else_="pending")
        self.ground = case((Case.outcome.in_(rules.REFUSAL_OUTCOMES), Case.refusal_ground))
        answer_day = LocalDay(Case.answered_at, offset)
        self.days = answer_day - LocalDay(Case.registered_at, offset)  # NULL without answered_at
        forwarded_late = and_(Case.outcome == Outcome.FORWARDED, answer_day > DayNumber(Case.forward_by))
        self.late = case((answer_day > DayNumber(Case.due_date), 1), (forwarded_late, 1), else_=0)  # 0 if NULLs
        self.decision = and_(decided, Case.outcome.in_(rules.DECISION_OUTCOMES), Case.answered_at.is_not(None))
        self.refusal = and_(decided, Case.outcome.in_(rules.REFUSAL_OUTCOMES))


def _count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.count(case((condition, 1)))


def _tallies(session: Session, terms: _Terms) -> list[rules.Tally]:
    """The period's cases grouped by (state, ground, days, late): a few hundred rows, whatever the count."""
    per_case = (
        select(
            terms.state.label("state"),
            terms.ground.label("ground"),
            terms.days.label("days"),
            terms.late.label("late"),
        )
        .where(terms.in_period)
        .subquery()  # grouped by name: PostgreSQL sees the same bound expressions only once this way
    )
    keys = list(per_case.c)
    query = select(*keys, func.count().label("cases")).group_by(*keys)
    return [
        rules.Tally(
            state=row.state,
            ground=row.ground,
            days=None if row.days is None else int(row.days),
            late=bool(row.late),
            count=int(row.cases),
        )
        for row in session.execute(query)
    ]


def period_statistics(session: Session, first: date, last: date, now: datetime, tz: tzinfo) -> dict[str, object]:
    """The 2.4 row for the requests registered on local dates first..last, outcomes as of `now`."""
    return rules.statistics_row(first, last, _tallies(session, _Terms(first, last, now, tz)))


def quarterly_statistics(session: Session, year: int, quarter: int, now: datetime, tz: tzinfo) -> dict[str, object]:
    """Batumi res. No. 3 annex item 2.4: the quarter's row, keyed by ``COLUMN_NAMES`` in order."""
    first, last = quarter_bounds(year, quarter)
    return period_statistics(session, first, last, now, tz)


def _by_official(session: Session, terms: _Terms) -> list[dict[str, object]]:
    """GAC Art. 49(b): decisions per deciding official (None: not recorded), most decisions first."""
    counts = [_count(Case.outcome == name).label(name) for name in rules.DECISION_OUTCOMES]
    query = (
        select(Case.deciding_official, *counts, func.count().label("decisions"))
        .where(terms.in_period, terms.decision)
        .group_by(Case.deciding_official)
    )
    measures = (*rules.DECISION_OUTCOMES, "decisions")
    rows = [
        {"deciding_official": row.deciding_official, **{name: int(row._mapping[name]) for name in measures}}
        for row in session.execute(query)
    ]
    # Sorted here, not in SQL: PostgreSQL's collation and SQLite's byte order would disagree.
    return sorted(rows, key=lambda row: (-_int(row["decisions"]), _text_key(row["deciding_official"])))


def _by_act(session: Session, terms: _Terms) -> list[dict[str, object]]:
    """GAC Art. 49(e): refusals (full and partial) per ground and legislative act relied on."""
    keyed = (
        select(
            case((Case.refusal_ground.in_(_NAMED_GROUNDS), Case.refusal_ground), else_=rules.OTHER_GROUND).label(
                "refusal_ground"
            ),
            func.nullif(func.trim(Case.refusal_act), "").label("refusal_act"),
            Case.outcome.label("outcome"),
        )
        .where(terms.in_period, terms.refusal)
        .subquery()
    )
    counts = [func.count(case((keyed.c.outcome == name, 1))).label(name) for name in rules.REFUSAL_OUTCOMES]
    query = select(keyed.c.refusal_ground, keyed.c.refusal_act, *counts, func.count().label("refusals")).group_by(
        keyed.c.refusal_ground, keyed.c.refusal_act
    )
    rows = [
        {
            "refusal_ground": row.refusal_ground,
            "refusal_act": row.refusal_act,
            **{name: int(row._mapping[name]) for name in (*rules.REFUSAL_OUTCOMES, "refusals")},
        }
        for row in session.execute(query)
    ]
    return sorted(
        rows,
        key=lambda row: (-_int(row["refusals"]), str(row["refusal_ground"]), _text_key(row["refusal_act"])),
    )


def _int(value: object) -> int:
    assert isinstance(value, int)
    return value


def _text_key(value: object) -> tuple[bool, str]:
    """Sort text by code point, None last."""
    return value is None, str(value or "")


def annual_report(session: Session, year: int, now: datetime, tz: tzinfo) -> dict[str, object]:
    """GAC Art. 49 (Batumi annex item 2.3): the 2.4 row for `art49_period(year)` and the report's sections.

    Keys: ``totals`` (the row), ``by_official`` and ``by_act`` (lists of dicts), ``appeals`` and ``office``
    (dicts; the fields only the office knows are None, for it to fill in).
    """
    first, last = art49_period(year)
    terms = _Terms(first, last, now, tz)
    totals = period_statistics(session, first, last, now, tz)
    open_to_appeal = sum(_int(totals[name]) for name in (*rules.REFUSAL_OUTCOMES, "overdue_open"))
    appeals: dict[str, object] = {"refusals_open_to_appeal": open_to_appeal}
    appeals.update({name: None for name in rules.OFFICE_APPEAL_FIELDS})
    return {
        "totals": totals,
        "by_official": _by_official(session, terms),
        "by_act": _by_act(session, terms),
        "appeals": appeals,
        "office": {field.name: None for field in rules.OFFICE_FIELDS},
    }
