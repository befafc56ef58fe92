"""Local dates of stored UTC moments, in SQL: SQL constructs compiled per dialect (SQLite, PostgreSQL).

What the dialects spell differently is "the local date of a timestamp as a day number" and "answered after a
given local date"; the statistics (``store/statistics.py``) and the statistics values stored on each decided
case (``store/case_tallies.py``) use these same constructs, so a stored value and a live one agree.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

__all__ = ["DayNumber", "LocalDateAfter", "LocalDay"]

_SECONDS_PER_DAY = 86400


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
