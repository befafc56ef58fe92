"""The statistics SQL against the definitions, case by case, on SQLite and PostgreSQL.

``foimail/core/statistics.py`` defines every column for one case at a time; ``foimail/store/statistics.py``
counts a million cases in one grouped statement. Here a few hundred generated cases, crowded where the
arithmetic can slip (local midnight to the microsecond, quarter and year ends, the Art. 49 period's end, due
dates on the day of the answer and the day before, holidays, answers and registrations after `now`, reopened
cases, text the vocabulary does not know), are classified one by one in Python by the definitions and must
give the same rows and sections as the database, for UTC offsets east (whole and half hours), zero and west.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from foimail.core import statistics as rules
from foimail.core.calendar import DeadlineRules, WorkingCalendar, art49_period, due_date, local_date, quarter_bounds
from foimail.core.vocabulary import CaseStatus, Outcome
from foimail.store.db import make_engine, upgrade
from foimail.store.models import Case
from foimail.store.statistics import annual_report, period_statistics

TBILISI = ZoneInfo("Asia/Tbilisi")
YEAR = 2026
OFFICIALS = ("a@batumi.ge", "B@batumi.ge", "b@batumi.ge", None)
ACTS = ("GAC Art. 28", "  GAC Art. 28 ", "", "   ", None, "Law on State Secrets, Art. 1")
GROUNDS = (*rules.GROUND_COLUMNS, None, "unknown_ground")
OUTCOMES = (*rules.OUTCOMES, "bogus", None)
# Local dates where a period begins or ends, and some holidays (1-2 and 7 January, 9 April, 26 May).
EDGES = tuple(
    date.fromisoformat(f"{YEAR}-{day}")
    for day in ("01-01", "01-02", "01-07", "03-31", "04-01", "04-09", "05-26", "06-30", "07-01", "09-30",
                "10-01", "12-10", "12-11", "12-31")
)  # fmt: skip
ZONES = (TBILISI, ZoneInfo("Asia/Kolkata"), UTC, ZoneInfo("America/New_York"))


def _instant(rng: random.Random, day: date) -> datetime:
    """A moment on or around `day`, crowded at the local midnights of the zones tested (UTC moments)."""
    zone = rng.choice(ZONES)
    midnight = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    step = rng.choice((timedelta(0), timedelta(microseconds=1), timedelta(seconds=1), timedelta(hours=12)))
    return midnight + step if rng.random() < 0.5 else midnight - (step or timedelta(microseconds=1))


def _cases(seed: int = 13, count: int = 400) -> list[Case]:
    rng = random.Random(seed)
    calendar, deadline_rules = WorkingCalendar(), DeadlineRules()
    cases = []
    for seq in range(1, count + 1):
        around = rng.choice(EDGES) if rng.random() < 0.7 else date(YEAR, 1, 1) + timedelta(days=rng.randrange(365))
        registered = _instant(rng, around)
        if rng.random() < 0.5:
            due: date | None = due_date(registered, calendar, deadline_rules, TBILISI)  # holidays shift it
        else:
            due = rng.choice((None, local_date(registered, TBILISI) + timedelta(days=rng.randrange(-1, 20))))
        outcome = rng.choice(OUTCOMES)
        answered = None
        if rng.random() < 0.85:
            answer_day = rng.choice((local_date(registered, TBILISI), due or around, (due or around) + timedelta(1)))
            answered = max(registered, _instant(rng, answer_day + timedelta(days=rng.choice((0, 0, 1, 5)))))
        status = CaseStatus.CLOSED if outcome is not None and rng.random() < 0.9 else CaseStatus.OPEN
        cases.append(
            Case(
                number=f"T-{seq}", year=YEAR, seq=seq, requester_address=f"r{seq}@example.ge",
                received_at=registered, registered_at=registered, due_date=due, status=status, outcome=outcome,
                refusal_ground=rng.choice(GROUNDS), refusal_act=rng.choice(ACTS),
                deciding_official=rng.choice(OFFICIALS), answered_at=answered,
                forward_by=rng.choice((None, None, local_date(registered, TBILISI) + timedelta(days=5))),
            )
        )  # fmt: skip
    return cases


def _by_definition(cases: list[Case], first: date, last: date, now: datetime, tz: tzinfo) -> dict[str, object]:
    """The annual report's rows worked out case by case from the module docstring of core/statistics.py."""
    today = local_date(now, tz)
    tallies = []
    officials: dict[str | None, Counter[str]] = {}
    acts: dict[tuple[str, str | None], Counter[str]] = {}
    for case in cases:
        if not (first <= local_date(case.registered_at, tz) <= last and case.registered_at <= now):
            continue
        answered = case.answered_at
        decided = (
            case.status == CaseStatus.CLOSED
            and case.outcome in rules.OUTCOMES
            and (answered is None or answered <= now)
        )
        overdue = (case.due_date is not None and case.due_date < today) or (
            case.forward_by is not None and case.forward_by < today
        )
        state = str(case.outcome) if decided else "overdue_open" if overdue else "pending"
        answer_day = None if answered is None else local_date(answered, tz)
        days = None if answer_day is None else (answer_day - local_date(case.registered_at, tz)).days
        late = answer_day is not None and (
            (case.due_date is not None and answer_day > case.due_date)
            or (case.outcome == Outcome.FORWARDED and case.forward_by is not None and answer_day > case.forward_by)
        )
        refusal = state in rules.REFUSAL_OUTCOMES
        tallies.append(rules.Tally(state, case.refusal_ground if refusal else None, days, late, 1))
        if state in rules.DECISION_OUTCOMES and answered is not None:
            officials.setdefault(case.deciding_official, Counter())[state] += 1
        if refusal:
            ground = case.refusal_ground if case.refusal_ground in rules.GROUND_COLUMNS else rules.OTHER_GROUND
            act = (case.refusal_act or "").strip(" ") or None
            acts.setdefault((str(ground), act), Counter())[state] += 1
    by_official = [
        {"deciding_official": official, **{name: counts[name] for name in rules.DECISION_OUTCOMES},
         "decisions": counts.total()}
        for official, counts in officials.items()
    ]  # fmt: skip
    by_official.sort(key=lambda row: (-int(str(row["decisions"])), row["deciding_official"] is None,
                                      str(row["deciding_official"] or "")))  # fmt: skip
    by_act = [
        {"refusal_ground": ground, "refusal_act": act, **{name: counts[name] for name in rules.REFUSAL_OUTCOMES},
         "refusals": counts.total()}
        for (ground, act), counts in acts.items()
    ]  # fmt: skip
    by_act.sort(key=lambda row: (-int(str(row["refusals"])), str(row["refusal_ground"]), row["refusal_act"] is None,
                                 str(row["refusal_act"] or "")))  # fmt: skip
    return {"totals": rules.statistics_row(first, last, tallies), "by_official": by_official, "by_act": by_act}


@pytest.fixture
def filled(database_url: str) -> Iterator[tuple[Session, list[Case]]]:
    upgrade(database_url)
    engine = make_engine(database_url)
    cases = _cases()
    expected = [(case.registered_at, case.answered_at) for case in cases]
    with Session(engine, expire_on_commit=False) as session:
        session.add_all(cases)
        session.commit()
        assert [(case.registered_at, case.answered_at) for case in cases] == expected
        yield session, cases
    engine.dispose()


def _at(text: str, tz: tzinfo) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=tz)


def test_annual_report_matches_the_definitions_case_by_case(filled: tuple[Session, list[Case]]) -> None:
    session, cases = filled
    first, last = art49_period(YEAR)
    for now in ("2026-12-15 10:00", "2026-07-01 00:00", "2027-03-01 09:00"):
        report = annual_report(session, YEAR, _at(now, TBILISI), TBILISI)
        expected = _by_definition(cases, first, last, _at(now, TBILISI), TBILISI)
        assert {name: report[name] for name in expected} == expected, now
        assert rules.outcome_columns_add_up(report["totals"])  # type: ignore[arg-type]
    assert expected["by_official"] and expected["by_act"]  # the generated cases reach every section
    _quarters_match_the_definitions_in_every_offset(session, cases)


def _quarters_match_the_definitions_in_every_offset(session: Session, cases: list[Case]) -> None:
    """One database for all: filling it is most of this file's time."""
    for tz in ZONES:
        # New York keeps one offset only from mid-March to early November: its quarters are Q2 and Q3.
        quarters = (2, 3) if tz == ZoneInfo("America/New_York") else (1, 2, 3, 4)
        for quarter in quarters:
            first, last = quarter_bounds(YEAR, quarter)
            for now in (_at(f"{last + timedelta(days=1)} 00:00", tz), _at(f"{first + timedelta(days=40)} 12:00", tz)):
                expected = _by_definition(cases, first, last, now, tz)["totals"]
                assert period_statistics(session, first, last, now, tz) == expected, (tz, quarter, now)
