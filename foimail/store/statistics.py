"""Request statistics out of the database: annex item 2.4 (quarterly) and the GAC Art. 49 report (yearly).

What each column means is defined in ``foimail/core/statistics.py``. Here the cases are counted by one SQL
statement: the period's cases (a range of ``registered_at``, indexed) grouped by state, refusal ground,
days and lateness, COUNT(*) per group. That gives a few hundred ``Tally`` rows however many cases there are,
and ``core.statistics.statistics_row`` adds them up, the median included (from the days histogram, so no
second sort). The yearly report groups by the deciding official and the act relied on too, in the same
statement, and adds its two sections up here: one pass over the period for all three (docs/PERFORMANCE.md).

The statements are built once for both databases. What the dialects spell differently is "the local date
of a timestamp as a day number" and "answered after a given local date", so those are constructs
(``LocalDay``, ``DayNumber``, ``LocalDateAfter``) compiled per dialect. The statement filters by ``now``
(registered and answered no later than it), so a decision or registration committed while the report runs
is not counted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, tzinfo
from typing import Any

from sqlalchemy import Boolean, Integer, and_, case, func, literal, or_, select, text
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


class LocalDateAfter(FunctionElement[bool]):
    """LocalDateAfter(utc_timestamp, date_column, offset_seconds): the timestamp's local date is after the date.

    NULL when either is NULL. On SQLite, for a zone east of UTC (Asia/Tbilisi), this is one text comparison
    with the UTC moment the next local day begins, instead of two date conversions per case.
    """

    type = Boolean()
    inherit_cache = True
    name = "local_date_after"


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
    # Seconds since the epoch as a double: exact to the microsecond for any date foimail stores, so floor()
    # keeps 23:59:59.999999 on its day; cheaper than converting to a local DATE (docs/PERFORMANCE.md).
    return f"CAST(floor((date_part('epoch', {moment}) + {offset}) / {_SECONDS_PER_DAY}) AS INTEGER)"


@compiles(LocalDateAfter, "sqlite")
def _local_date_after_sqlite(element: LocalDateAfter, compiler: SQLCompiler, **kw: Any) -> str:
    moment, day, offset = element.clauses
    arithmetic = compiler.process(LocalDay(moment, offset) > DayNumber(day), **kw)
    moment_sql, day_sql, offset_sql = (compiler.process(clause, **kw) for clause in (moment, day, offset))
    # East of UTC, local day D ends at 'D HH:MM:SS' UTC (HH:MM:SS = 24 h - offset; SQLite computes it once
    # per statement). Stored text 'YYYY-MM-DD HH:MM:SS.ffffff' sorts as time does, and a moment at exactly
    # that second (any fraction) is already the next local day. Other offsets take the day arithmetic.
    boundary = f"' ' || time({_SECONDS_PER_DAY} - {offset_sql}, 'unixepoch')"
    return (
        f"(CASE WHEN {offset_sql} > 0 AND {offset_sql} < {_SECONDS_PER_DAY} "
        f"THEN {moment_sql} >= {day_sql} || {boundary} ELSE {arithmetic} END)"
    )


@compiles(LocalDateAfter, "postgresql")
def _local_date_after_postgresql(element: LocalDateAfter, compiler: SQLCompiler, **kw: Any) -> str:
    moment, day, offset = element.clauses
    return str(compiler.process(LocalDay(moment, offset) > DayNumber(day), **kw))


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
        self.days = LocalDay(Case.answered_at, offset) - LocalDay(Case.registered_at, offset)  # NULL: no answer
        after_due = LocalDateAfter(Case.answered_at, Case.due_date, offset)
        forwarded_late = and_(
            Case.outcome == Outcome.FORWARDED, LocalDateAfter(Case.answered_at, Case.forward_by, offset)
        )
        self.late = case((after_due, 1), (forwarded_late, 1), else_=0)  # 0 if NULLs
        # Only what the annual sections read: a decision's official, a refusal's act (fewer groups).
        self.official = case((Case.outcome.in_(rules.DECISION_OUTCOMES), Case.deciding_official))
        self.act = case((Case.outcome.in_(rules.REFUSAL_OUTCOMES), func.nullif(func.trim(Case.refusal_act), "")))


# One GROUP BY row: state, ground, days, late, official, act (None without the sections), number of cases.
_Group = tuple[str, str | None, int | None, bool, str | None, str | None, int]


def _groups(session: Session, terms: _Terms, sections: bool) -> list[_Group]:
    """The period's cases grouped by (state, ground, days, late) and, for `sections`, (official, act) too.

    One scan of the period whatever is asked; a few hundred rows (some thousands with the sections: one per
    official, act and days actually seen), whatever the number of cases.
    """
    keys = [
        terms.state.label("state"),
        terms.ground.label("ground"),
        terms.days.label("days"),
        terms.late.label("late"),
    ]
    if sections:
        keys += [terms.official.label("official"), terms.act.label("act")]
    # Grouped by name: PostgreSQL sees the same bound expressions only once this way.
    per_case = select(*keys).where(terms.in_period).subquery()
    query = select(*per_case.c, func.count().label("cases")).group_by(*per_case.c)
    with _hashed_groups(session):
        rows = session.execute(query).all()
    return [
        (
            row[0],
            row[1],
            None if row[2] is None else int(row[2]),
            bool(row[3]),
            row[4] if sections else None,
            row[5] if sections else None,
            int(row[-1]),
        )
        for row in rows
    ]


# For the grouping statement only, on PostgreSQL. The planner cannot know there are only a few hundred groups:
# it estimates one per case for the computed keys, so it would sort the whole period on disk (work_mem 4 MB)
# and, in a hash table, would not give the scan to parallel workers (it counts a million groups to gather).
_PLANNER_SETTINGS = {"enable_sort": "off", "parallel_tuple_cost": "0"}


@contextmanager
def _hashed_groups(session: Session) -> Iterator[None]:
    """On PostgreSQL, group in a hash table (kilobytes for the real groups), with parallel workers."""
    if session.get_bind().dialect.name != "postgresql":
        yield
        return
    previous = {
        name: session.scalar(text("SELECT current_setting(:name)"), {"name": name}) for name in _PLANNER_SETTINGS
    }
    for name, value in _PLANNER_SETTINGS.items():
        session.execute(text("SELECT set_config(:name, :value, true)"), {"name": name, "value": value})
    yield
    # Not in a `finally`: after an error the transaction is aborted, and its rollback ends these local settings.
    for name, value in previous.items():
        session.execute(text("SELECT set_config(:name, :value, true)"), {"name": name, "value": value})


def _tallies(groups: Iterable[_Group]) -> list[rules.Tally]:
    return [rules.Tally(state, ground, days, late, cases) for state, ground, days, late, _, _, cases in groups]


def period_statistics(session: Session, first: date, last: date, now: datetime, tz: tzinfo) -> dict[str, object]:
    """The 2.4 row for the requests registered on local dates first..last, outcomes as of `now`."""
    groups = _groups(session, _Terms(first, last, now, tz), sections=False)
    return rules.statistics_row(first, last, _tallies(groups))


def quarterly_statistics(session: Session, year: int, quarter: int, now: datetime, tz: tzinfo) -> dict[str, object]:
    """Batumi res. No. 3 annex item 2.4: the quarter's row, keyed by ``COLUMN_NAMES`` in order."""
    first, last = quarter_bounds(year, quarter)
    return period_statistics(session, first, last, now, tz)


def _by_official(groups: Iterable[_Group]) -> list[dict[str, object]]:
    """GAC Art. 49(b): decisions per deciding official (None: not recorded), most decisions first.

    A decision: decided (its state is its outcome), not withdrawn, with an answer time (so it has days).
    """
    counts: Counter[tuple[str | None, str]] = Counter()
    for state, _, days, _, official, _, cases in groups:
        if state in rules.DECISION_OUTCOMES and days is not None:
            counts[official, state] += cases
    measures: dict[str | None, dict[str, int]] = {}
    for (official, state), cases in counts.items():
        row = measures.setdefault(official, dict.fromkeys((*rules.DECISION_OUTCOMES, "decisions"), 0))
        row[state] += cases
        row["decisions"] += cases
    # Sorted here, not in SQL: PostgreSQL's collation and SQLite's byte order would disagree.
    ordered = sorted(measures.items(), key=lambda item: (-item[1]["decisions"], _text_key(item[0])))
    return [{"deciding_official": official, **row} for official, row in ordered]


def _by_act(groups: Iterable[_Group]) -> list[dict[str, object]]:
    """GAC Art. 49(e): decided refusals (full and partial) per ground (as in the ground columns) and act."""
    counts: Counter[tuple[str, str | None, str]] = Counter()
    for state, ground, _, _, _, act, cases in groups:
        if state in rules.REFUSAL_OUTCOMES:
            counts[ground if ground in _NAMED_GROUNDS else rules.OTHER_GROUND, act, state] += cases
    measures: dict[tuple[str, str | None], dict[str, int]] = {}
    for (ground, act, state), cases in counts.items():
        row = measures.setdefault((ground, act), dict.fromkeys((*rules.REFUSAL_OUTCOMES, "refusals"), 0))
        row[state] += cases
        row["refusals"] += cases
    ordered = sorted(measures.items(), key=lambda item: (-item[1]["refusals"], item[0][0], _text_key(item[0][1])))
    return [{"refusal_ground": ground, "refusal_act": act, **row} for (ground, act), row in ordered]


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
    groups = _groups(session, _Terms(first, last, now, tz), sections=True)
    totals = rules.statistics_row(first, last, _tallies(groups))
    open_to_appeal = sum(_int(totals[name]) for name in (*rules.REFUSAL_OUTCOMES, "overdue_open"))
    appeals: dict[str, object] = {"refusals_open_to_appeal": open_to_appeal}
    appeals.update({name: None for name in rules.OFFICE_APPEAL_FIELDS})
    return {
        "totals": totals,
        "by_official": _by_official(groups),
        "by_act": _by_act(groups),
        "appeals": appeals,
        "office": {field.name: None for field in rules.OFFICE_FIELDS},
    }
