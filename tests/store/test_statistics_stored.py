"""The statistics with each decided case's values stored on its row (store/case_tallies.py), both databases.

The generated cases of test_statistics_definitions.py (midnights to the microsecond, answers and
registrations after `now`, reopened cases, unknown text) must give the rows of the definitions whatever is
stored: values in the report's own offset (the stored part counts them), in another offset (counted live), a
mix, or nothing. And the values must be written as the definitions say, once, all or none.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, timedelta, tzinfo
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from foimail.core import statistics as rules
from foimail.core.calendar import art49_period, local_date, quarter_bounds
from foimail.store.case_tallies import DECIDED, STORED_COLUMNS, refresh_values, utc_offset
from foimail.store.db import make_engine, upgrade
from foimail.store.models import Case
from foimail.store.statistics import annual_report, period_statistics
from tests.store.test_statistics_definitions import TBILISI, YEAR, ZONES, _at, _by_definition, _cases

KOLKATA, NEW_YORK = ZoneInfo("Asia/Kolkata"), ZoneInfo("America/New_York")
SUMMER = _at("2026-07-01 12:00", UTC)


@pytest.fixture
def filled(database_url: str) -> Iterator[tuple[Session, list[Case]]]:
    upgrade(database_url)
    engine = make_engine(database_url)
    cases = _cases()
    with Session(engine, expire_on_commit=False) as session:
        session.add_all(cases)
        session.commit()
        yield session, cases
    engine.dispose()


def _store(session: Session, tz: tzinfo, where: object = None) -> int:
    """Store the values in `tz`'s summer offset (New York: -4) for the cases `where` selects (None: all)."""
    ids = None if where is None else list(session.scalars(select(Case.id).where(where)))  # type: ignore[arg-type]
    changed = refresh_values(session.connection(), utc_offset(tz, SUMMER), ids)
    session.commit()
    return changed


def _reports_match_the_definitions(session: Session, cases: list[Case], zones: tuple[tzinfo, ...]) -> None:
    first, last = art49_period(YEAR)
    for now in ("2026-12-15 10:00", "2026-07-01 00:00", "2027-03-01 09:00"):
        report = annual_report(session, YEAR, _at(now, TBILISI), TBILISI)
        expected = _by_definition(cases, first, last, _at(now, TBILISI), TBILISI)
        assert {name: report[name] for name in expected} == expected, now
    for tz in zones:
        for quarter in (2, 3) if tz == NEW_YORK else (1, 2, 3, 4):
            first, last = quarter_bounds(YEAR, quarter)
            for now in (_at(f"{last + timedelta(days=1)} 00:00", tz), _at(f"{first + timedelta(days=40)} 12:00", tz)):
                expected_row = _by_definition(cases, first, last, now, tz)["totals"]
                assert period_statistics(session, first, last, now, tz) == expected_row, (tz, quarter, now)


def _stored_count(session: Session, tz: tzinfo) -> int:
    return session.scalar(select(func.count()).where(Case.stats_utc_offset == utc_offset(tz, SUMMER))) or 0


def test_values_stored_in_each_offset_give_the_rows_of_the_definitions(filled: tuple[Session, list[Case]]) -> None:
    session, cases = filled
    decided = session.scalar(select(func.count()).where(DECIDED))
    assert decided and decided > 100
    for tz in ZONES:
        assert _store(session, tz) == decided  # every decided case, in the new offset
        assert _stored_count(session, tz) == decided
        _reports_match_the_definitions(session, cases, ZONES)


def test_a_mix_of_offsets_and_cases_without_values_gives_the_same_rows(filled: tuple[Session, list[Case]]) -> None:
    session, cases = filled
    _store(session, TBILISI, Case.id % 3 == 0)
    _store(session, KOLKATA, Case.id % 3 == 1)
    assert _stored_count(session, TBILISI) and _stored_count(session, KOLKATA)
    _reports_match_the_definitions(session, cases, (TBILISI, KOLKATA))


def test_the_report_counts_the_stored_values(filled: tuple[Session, list[Case]]) -> None:
    """Not only right, but read: a stored value made wrong on purpose shows in the report (and only then)."""
    session, cases = filled
    _store(session, TBILISI)
    now = _at("2027-03-01 09:00", TBILISI)
    before = annual_report(session, YEAR, now, TBILISI)["totals"]
    decisions = select(Case.id).where(
        Case.stats_utc_offset.is_not(None), Case.outcome != "withdrawn", Case.stats_days.is_not(None)
    )
    session.execute(update(Case).where(Case.id.in_(decisions.scalar_subquery())).values(stats_days=999))
    after = annual_report(session, YEAR, now, TBILISI)["totals"]
    assert isinstance(before, dict) and isinstance(after, dict)
    assert before["max_days"] != 999 and after["max_days"] == 999
    session.rollback()


def test_values_are_written_all_or_none_only_for_decided_cases_and_once(filled: tuple[Session, list[Case]]) -> None:
    session, cases = filled
    _store(session, TBILISI)
    columns = [getattr(Case, name) for name in STORED_COLUMNS]
    always = [column for column in columns if column is not Case.stats_days]  # NULL: no answer time
    some_null = or_(*(column.is_(None) for column in always))
    some_set = or_(*(column.is_not(None) for column in columns))
    assert session.scalar(select(func.count()).where(DECIDED, some_null)) == 0
    assert session.scalar(select(func.count()).where(~DECIDED, some_set)) == 0
    assert _store(session, TBILISI) == 0  # nothing differs: nothing rewritten
    for case in session.scalars(select(Case).where(DECIDED)):
        session.refresh(case)
        registered = local_date(case.registered_at, TBILISI)
        answered = None if case.answered_at is None else local_date(case.answered_at, TBILISI)
        assert case.stats_registered_day == (registered - local_date(_at("1970-01-01 12:00", UTC), UTC)).days
        assert case.stats_days == (None if answered is None else (answered - registered).days)
        assert case.stats_as_of == max(case.registered_at, case.answered_at or case.registered_at)
        late_by_due = answered is not None and case.due_date is not None and answered > case.due_date
        late_by_forward = (
            answered is not None
            and case.outcome == "forwarded"
            and case.forward_by is not None
            and answered > case.forward_by
        )
        assert case.stats_late == (late_by_due or late_by_forward), case.number


def test_a_case_reopened_loses_its_values(filled: tuple[Session, list[Case]]) -> None:
    session, _ = filled
    _store(session, TBILISI)
    number = session.scalar(select(Case.number).where(DECIDED, Case.outcome.in_(rules.REFUSAL_OUTCOMES)).limit(1))
    session.execute(update(Case).where(Case.number == number).values(status="open"))
    assert _store(session, TBILISI) == 1
    assert session.scalar(select(Case.stats_utc_offset).where(Case.number == number)) is None
