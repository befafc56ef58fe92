"""Benchmark: the annex 2.4 statistics of one quarter over a large cases table (docs/PERFORMANCE.md).

Fills an empty database with N synthetic cases (SQLite: executemany in one transaction; PostgreSQL: COPY),
spread evenly over --years years ending with the year before --now, then times `quarterly_statistics` for
--quarter (best of --repeat) and `annual_report` once, and prints the numbers.

    /work/venv/bin/python bench/stats_bench.py --cases 1000000 --backend sqlite
    /work/venv/bin/python bench/stats_bench.py --cases 1000000 --backend postgresql \\
        --url postgresql+psycopg://postgres@127.0.0.1:5432/foimail_bench

Cases are inserted in registration order, as the daemon writes them; then the decided cases' statistics
values are stored, as the daemon does at start-up (`store/case_tallies.py`). The data is synthetic but shaped like
the real thing: due dates from the real calendar (`core.calendar.due_date`), most cases decided within 0-20
days, some open and overdue, refusal grounds, acts and deciding officials spread over a few values.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from foimail.core.calendar import DeadlineRules, WorkingCalendar, due_date, local_date, parse_quarter
from foimail.store.case_tallies import refresh_values, utc_offset
from foimail.store.db import make_engine, upgrade
from foimail.store.models import Case
from foimail.store.statistics import annual_report, quarterly_statistics

DEFAULT_URLS = {
    "sqlite": "sqlite:////tmp/foimail_bench.sqlite3",
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:5432/foimail_bench",
}
COLUMNS = (
    "number", "year", "seq", "requester_address", "requester_name", "subject", "received_at", "registered_at",
    "confirmed_at", "due_date", "status", "outcome", "refusal_ground", "refusal_act", "forwarded_to",
    "assigned_officer", "deciding_official", "answered_at",
)  # fmt: skip
OUTCOME_WEIGHTS = {
    "answered_full": 50, "answered_partial": 12, "refused": 10, "not_held": 5, "forwarded": 10,
    "withdrawn": 3, None: 10,
}  # fmt: skip
GROUNDS = ("personal_data", "commercial_secret", "state_secret", "professional_secret", "other")
ACTS = (
    "GAC Art. 27¹",
    "GAC Art. 28",
    "Law on Personal Data Protection Art. 5",
    "Law on State Secrets Art. 1",
    "",
)
OFFICIALS = tuple(f"official{n:02d}@batumi.ge" for n in range(20))
TZ = ZoneInfo("Asia/Tbilisi")
CALENDAR = WorkingCalendar()
RULES = DeadlineRules()


@cache
def _due(confirmation_day: date) -> date:
    noon = datetime(confirmation_day.year, confirmation_day.month, confirmation_day.day, 12, tzinfo=TZ)
    return due_date(noon, CALENDAR, RULES, TZ)


def synthetic_cases(count: int, first_year: int, years: int, now: datetime, seed: int) -> Iterator[tuple[object, ...]]:
    """`count` case rows in registration order (UTC-aware datetimes), in the order of COLUMNS."""
    rng = random.Random(seed)
    start = datetime(first_year, 1, 1, tzinfo=TZ)
    span = (datetime(first_year + years, 1, 1, tzinfo=TZ) - start).total_seconds()
    outcomes, weights = list(OUTCOME_WEIGHTS), list(OUTCOME_WEIGHTS.values())
    seq_by_year: dict[int, int] = {}
    for index in range(count):
        registered = (start + timedelta(seconds=span * (index + rng.random()) / count)).astimezone(UTC)
        year = registered.astimezone(TZ).year
        seq = seq_by_year[year] = seq_by_year.get(year, 0) + 1
        confirmed = registered + timedelta(seconds=rng.randint(5, 600))
        due = _due(local_date(confirmed, TZ))
        outcome = rng.choices(outcomes, weights)[0]
        days = rng.choice((0, 0, 1, 2, 3, 5, 7, 9, 10, 12, 14, 20))
        answered: datetime | None = registered + timedelta(days=days, seconds=rng.randint(0, 40000))
        if outcome is None or (answered is not None and answered > now):
            outcome, answered = None, None
        refusal = outcome in ("refused", "answered_partial")
        yield (
            f"FOI-{year}-{seq:06d}", year, seq, f"requester{index % 5000}@example.ge", "", "synthetic",
            registered, registered, confirmed, due, "open" if outcome is None else "closed", outcome,
            rng.choice(GROUNDS) if refusal else None, rng.choice(ACTS) if refusal else None,
            "Ministry of Finance" if outcome == "forwarded" else None, rng.choice(OFFICIALS),
            rng.choice(OFFICIALS) if outcome not in (None, "withdrawn") else None, answered,
        )  # fmt: skip


def _sqlite_value(value: object) -> object:
    """The text SQLAlchemy's SQLite types store: UTC 'YYYY-MM-DD HH:MM:SS.ffffff' and 'YYYY-MM-DD'."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def fill(engine: Engine, rows: Iterator[tuple[object, ...]], chunk: int = 50_000) -> None:
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if engine.dialect.name == "sqlite":
            cursor.execute("BEGIN")
            placeholders = ", ".join("?" * len(COLUMNS))
            sql = f"INSERT INTO cases ({', '.join(COLUMNS)}) VALUES ({placeholders})"
            batch: list[tuple[object, ...]] = []
            for row in rows:
                batch.append(tuple(_sqlite_value(value) for value in row))
                if len(batch) >= chunk:
                    cursor.executemany(sql, batch)
                    batch.clear()
            cursor.executemany(sql, batch)
            cursor.execute("COMMIT")
            cursor.execute("ANALYZE")
        else:
            with cursor.copy(f"COPY cases ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            raw.commit()
        cursor.close()
    finally:
        raw.close()
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE cases"))


def store_statistics_values(engine: Engine, now: datetime) -> int:
    """What the daemon does at start-up (`refresh_statistics_values`), then the planners' statistics again."""
    with engine.begin() as connection:
        stored = refresh_values(connection, utc_offset(TZ, now))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("ANALYZE" if engine.dialect.name == "sqlite" else "VACUUM ANALYZE cases"))
    return stored


def time_call(label: str, repeat: int, call: Callable[[], object]) -> tuple[float, object]:
    """Run `call` `repeat` times; print and return the best time, with the last result."""
    timings = []
    result = None
    for _ in range(repeat):
        began = time.perf_counter()
        result = call()
        timings.append(time.perf_counter() - began)
    best = min(timings)
    print(f"{label}: best of {repeat} {best:.3f} s  (all: {', '.join(f'{t:.3f}' for t in timings)})")
    return best, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=sorted(DEFAULT_URLS), default="sqlite")
    parser.add_argument("--url", help=f"an empty database (default: {DEFAULT_URLS})")
    parser.add_argument("--years", type=int, default=10, help="years the cases are spread over (default 10)")
    parser.add_argument("--quarter", default=None, help="quarter to time (default: the last quarter of data)")
    parser.add_argument("--now", default=None, help="export moment, ISO 8601 (default: 15 January after the data)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reuse", action="store_true", help="time an already filled database, do not fill")
    args = parser.parse_args(argv)

    url = args.url or DEFAULT_URLS[args.backend]
    last_year = 2025
    first_year = last_year - args.years + 1
    now = datetime.fromisoformat(args.now) if args.now else datetime(last_year + 1, 1, 15, 12)
    now = now if now.tzinfo else now.replace(tzinfo=TZ)
    year, quarter = parse_quarter(args.quarter) if args.quarter else (last_year, 4)

    upgrade(url)
    engine = make_engine(url)
    if engine.dialect.name != args.backend:
        parser.error(f"--url is {engine.dialect.name}, not {args.backend}")
    with Session(engine) as session:
        existing = session.scalar(select(func.count()).select_from(Case))
    if not args.reuse:
        if existing:
            parser.error(f"the database already holds {existing} cases: give an empty one, or --reuse")
        began = time.perf_counter()
        fill(engine, synthetic_cases(args.cases, first_year, args.years, now, args.seed))
        print(f"filled {args.cases} cases over {first_year}-{last_year} in {time.perf_counter() - began:.1f} s")
        began = time.perf_counter()
        stored = store_statistics_values(engine, now)
        print(f"stored the statistics values of {stored} decided cases in {time.perf_counter() - began:.1f} s")
    with Session(engine) as session:
        total = session.scalar(select(func.count()).select_from(Case))
    print(f"backend {engine.dialect.name} ({engine.dialect.server_version_info or ''}), {total} cases; "
          f"quarter {year}Q{quarter}, now {now.isoformat()}")  # fmt: skip

    def quarterly() -> dict[str, object]:
        with Session(engine) as session:
            return quarterly_statistics(session, year, quarter, now, TZ)

    def annual() -> dict[str, object]:
        with Session(engine) as session:
            return annual_report(session, year, now, TZ)

    _, row = time_call(f"quarterly_statistics {year}Q{quarter}", args.repeat, quarterly)
    print(f"  row: {row}")
    time_call(f"annual_report {year} (Art. 49 period)", 1, annual)
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
