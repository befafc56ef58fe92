"""Benchmark: this checkout's `annual_report` (or a quarter's statistics) against another checkout's, in turn.

The other checkout's ``foimail/store/statistics.py`` is loaded under another name (it reads only the cases
table, so it runs on a database this checkout migrated); the two reports must be identical as JSON, and
each is timed --rounds times, interleaved, after a first untimed run of each (the page cache).

    python bench/stats_compare.py --other /work/main --url sqlite:////tmp/stats/bench_1y.sqlite3 [--quarter 4]

The database is one `bench/stats_bench.py` filled (the report for 2025, `now` 2026-01-15 12:00 Tbilisi).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from types import ModuleType
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from foimail.store.db import make_engine
from foimail.store.statistics import annual_report, quarterly_statistics

TZ = ZoneInfo("Asia/Tbilisi")


def other_statistics(checkout: Path) -> ModuleType:
    path = checkout / "foimail" / "store" / "statistics.py"
    spec = importlib.util.spec_from_file_location("other_statistics", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--other", type=Path, required=True, help="the other checkout's root, e.g. /work/main")
    parser.add_argument("--url", required=True, help="a database bench/stats_bench.py filled")
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--now", default="2026-01-15T12:00:00+04:00")
    parser.add_argument("--quarter", type=int, help="time quarterly_statistics of this quarter instead")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    now = datetime.fromisoformat(args.now)
    engine = make_engine(args.url)
    other = other_statistics(args.other)
    reports: dict[str, Callable[..., dict[str, object]]] = {
        "other": other.annual_report,
        "this": annual_report,
    }
    measured = "annual_report"
    if args.quarter:
        measured = f"quarterly_statistics Q{args.quarter}"
        reports = {
            "other": lambda session, year, now, tz: other.quarterly_statistics(session, year, args.quarter, now, tz),
            "this": lambda session, year, now, tz: quarterly_statistics(session, year, args.quarter, now, tz),
        }
    results: dict[str, str] = {}
    timings: dict[str, list[float]] = {name: [] for name in reports}
    for round_ in range(args.rounds + 1):
        for name, report in reports.items():
            with Session(engine) as session:
                began = time.perf_counter()
                result = report(session, args.year, now, TZ)
                elapsed = time.perf_counter() - began
            results[name] = json.dumps(result, sort_keys=True, default=str)
            if round_:
                timings[name].append(elapsed)
    engine.dispose()
    print(f"{args.url}  load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for which, times in timings.items():
        print(f"  {which:5} {measured}: best {min(times):.3f} s  (all: {', '.join(f'{t:.3f}' for t in times)})")
    identical = results["other"] == results["this"]
    print(f"  reports identical as JSON: {identical} ({len(results['this'])} characters)")
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
