"""Request statistics out of the database: annex item 2.4 (quarterly) and the GAC Art. 49 report (yearly).

What each column means is defined in ``foimail/core/statistics.py``. Here the cases are counted by one SQL
statement, grouped by state, refusal ground, days and lateness (and, for the yearly report, the deciding
official and the act relied on), COUNT(*) per group. That gives some thousands of rows however many cases
there are; ``core.statistics.statistics_row`` adds them up, the median included (from the days histogram), and
the yearly sections are added up here from the same rows.

The statement has two parts (docs/PERFORMANCE.md, "Statistics on a million cases"):

- **stored**: decided cases whose values (local registration day, days, lateness) are stored on their row in
  the report's UTC offset (``store/case_tallies.py``) and that were registered and answered by ``now``. They
  are grouped by those columns without any date arithmetic; on SQLite in the order of an index, with no sort.
- **live**: every other case of the period (open ones, values stored in another offset or decided after
  ``now``), found through indexes and worked out as the definitions say, by the same expressions the stored
  values were written with. The two parts exclude each other and together are the period's cases.

The local date arithmetic is in ``store/local_days.py`` (compiled per dialect). The statement filters by
``now`` (registered and answered no later than it), so a decision or registration committed while the report
runs is not counted; being one statement, it reads one snapshot of the cases.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, tzinfo
from typing import Any

from sqlalchemy import Integer, Select, and_, case, func, literal, or_, select, text, union_all
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql.elements import ColumnElement

from foimail.core import statistics as rules
from foimail.core.calendar import art49_period, local_date, quarter_bounds
from foimail.store.case_tallies import DECIDED, answered_late, days_to_answer
from foimail.store.models import Case

__all__ = [
    "annual_report",
    "period_statistics",
    "quarterly_statistics",
]

_NAMED_GROUNDS = tuple(ground for ground in rules.GROUND_COLUMNS if ground != rules.OTHER_GROUND)
_EPOCH = date(1970, 1, 1)
_KEYS = ("state", "ground", "days", "late", "official", "act")


def _by_outcome(
    outcome: ColumnElement[Any] | InstrumentedAttribute[Any],
    ground: ColumnElement[Any] | InstrumentedAttribute[Any],
    official: ColumnElement[Any] | InstrumentedAttribute[Any],
    act: ColumnElement[Any] | InstrumentedAttribute[Any],
) -> list[ColumnElement[Any]]:
    """What the sections read of a case: a refusal's ground and act (trimmed), a decision's official."""
    return [
        case((outcome.in_(rules.REFUSAL_OUTCOMES), ground)),
        case((outcome.in_(rules.DECISION_OUTCOMES), official)),
        case((outcome.in_(rules.REFUSAL_OUTCOMES), func.nullif(func.trim(act), ""))),
    ]


class _Terms:
    """The period's predicates and per-case expressions (their meaning: core/statistics)."""

    def __init__(self, first: date, last: date, now: datetime, tz: tzinfo) -> None:
        today = local_date(now, tz)
        seconds = rules.fixed_utc_offset(tz, first, max(last, today))
        offset = literal(seconds, Integer)
        start, end = rules.period_utc_bounds(first, last, tz)
        self.in_period = and_(Case.registered_at >= start, Case.registered_at < end, Case.registered_at <= now)
        # The same, kept off ix_cases_registered_at: the parts that find few cases through an index of the
        # stored values must use that (SQLite, estimating by rule of thumb, would take the period's range).
        registered = func.coalesce(Case.registered_at, Case.registered_at)
        period_by_values = and_(registered >= start, registered < end, registered <= now)
        decided = and_(DECIDED, or_(Case.answered_at.is_(None), Case.answered_at <= now))
        # Open past its due date, or past the 5 days of GAC Art. 80(1) when marked to be forwarded.
        overdue = or_(and_(Case.due_date.is_not(None), Case.due_date < today), Case.forward_by < today)
        ground, official, act = _by_outcome(Case.outcome, Case.refusal_ground, Case.deciding_official, Case.refusal_act)
        self.live_keys = [
            case((decided, Case.outcome), (overdue, "overdue_open"), else_="pending"),
            ground,
            days_to_answer(offset),  # NULL: no answer
            answered_late(offset),
            official,
            act,
        ]
        stored_offset = Case.stats_utc_offset
        self.stored = and_(
            stored_offset.is_not(None),
            stored_offset == seconds,
            Case.stats_registered_day.between((first - _EPOCH).days, (last - _EPOCH).days),
            Case.stats_as_of <= now,
        )
        # The rest, each part through an index: no stored values, values in another offset, decided after now.
        self.live_parts = (
            and_(self.in_period, stored_offset.is_(None)),
            and_(period_by_values, stored_offset < seconds),
            and_(period_by_values, stored_offset > seconds),
            and_(period_by_values, stored_offset == seconds, Case.stats_as_of > now),
        )


# One GROUP BY row: state, ground, days, late, official, act (None without the sections), number of cases.
_Group = tuple[str, str | None, int | None, bool, str | None, str | None, int]


def _stored_groups(terms: _Terms, width: int) -> Select[Any]:
    """The stored part: grouped in the order of ix_cases_stats_groups, then given the live part's keys."""
    columns = (Case.outcome, Case.refusal_ground, Case.deciding_official, Case.refusal_act)
    stored = (
        select(*columns, Case.stats_days, Case.stats_late, func.count().label("cases"))
        .where(terms.stored)
        .group_by(*columns, Case.stats_days, Case.stats_late)
        .subquery()
    )
    ground, official, act = _by_outcome(stored.c.outcome, stored.c.refusal_ground, stored.c.deciding_official,
                                        stored.c.refusal_act)  # fmt: skip
    keys = [stored.c.outcome, ground, stored.c.stats_days, stored.c.stats_late, official, act]
    return select(*(key.label(name) for key, name in zip(keys[:width], _KEYS, strict=False)), stored.c.cases)


def _live_groups(terms: _Terms, width: int) -> Select[Any]:
    keys = [key.label(name) for key, name in zip(terms.live_keys[:width], _KEYS, strict=False)]
    per_case = union_all(*(select(*keys).where(part) for part in terms.live_parts)).subquery()
    # Grouped by name: PostgreSQL sees the same bound expressions only once this way.
    return select(*per_case.c, func.count().label("cases")).group_by(*per_case.c)


def _groups(session: Session, terms: _Terms, sections: bool) -> list[_Group]:
    """The period's cases grouped by (state, ground, days, late) and, for `sections`, (official, act) too.

    A key may come twice (once per part); every reader adds the counts up.
    """
    width = 6 if sections else 4
    query = union_all(_stored_groups(terms, width), _live_groups(terms, width))
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
# JIT compiling the statement costs more than it saves (the stored part: 0.45 s without, 0.8 s with).
_PLANNER_SETTINGS = {"enable_sort": "off", "parallel_tuple_cost": "0", "jit": "off"}


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
