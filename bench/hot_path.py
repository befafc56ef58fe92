"""The backlog's hot path without the servers around it: intake's `process_one` and the outbox's `deliver_due`
(a sender that only says yes) in one thread, per message: CPU time, Python function calls and SQL statements.

    .venv/bin/python bench/hot_path.py                                # 300 requests, SQLite and PostgreSQL
    .venv/bin/python bench/hot_path.py --profile /tmp/hot             # also writes cProfile files there

Calls and statements do not depend on the machine's load, unlike `bench/backlog.py`'s rates: they show what
a change removed. Statements are those SQLAlchemy sends (not COPY, not the pool's pings).
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import pstats
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from backlog import requests
from servers import database
from sqlalchemy import event

from foimail.context import AppContext, build_context
from foimail.store.db import upgrade
from foimail.usecases.delivery import deliver_due
from foimail.usecases.intake import process_one
from tests.support.app import make_settings

WARM_UP = 20


def accept(mail_from: str, recipients: Sequence[str], raw: bytes) -> str:
    return "250 accepted"


def context(url: str, directory: Path) -> AppContext:
    settings = make_settings(url, directory)
    outbox = dataclasses.replace(settings.outbox, max_confirmations_per_sender_per_hour=10**6, batch_size=10**6)
    return build_context(dataclasses.replace(settings, outbox=outbox))


@contextmanager
def counted(ctx: AppContext) -> Iterator[list[int]]:
    statements = [0]

    def count(*_args: object) -> None:
        statements[0] += 1

    event.listen(ctx.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(ctx.engine, "before_cursor_execute", count)


def measure(ctx: AppContext, run: Callable[[], int], profile: Path | None) -> tuple[int, float, float, float]:
    """(messages, CPU ms, calls and statements per message) of `run`, which returns how many it handled."""
    profiler = cProfile.Profile()
    with counted(ctx) as statements:
        started = time.process_time()
        profiler.enable()
        handled = run()
        profiler.disable()
        cpu = time.process_time() - started
    stats = pstats.Stats(profiler)
    if profile is not None:
        stats.dump_stats(profile)
    return handled, 1000 * cpu / handled, stats.total_calls / handled, statements[0] / handled  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--profile", type=Path, help="write intake-BACKEND.prof and outbox-BACKEND.prof here")
    args = parser.parse_args()
    mails = requests(args.messages + WARM_UP)
    directory = Path(tempfile.mkdtemp(prefix="foimail-hot-"))
    for backend in args.backends:
        with database(backend, directory) as url:
            upgrade(url)
            run_backend(backend, context(url, directory), mails, args.profile)


def run_backend(backend: str, ctx: AppContext, mails: list[bytes], profile_dir: Path | None) -> None:
    for raw in mails[:WARM_UP]:
        process_one(ctx, raw, source="bench")
    deliver_due(ctx, accept)

    def intake() -> int:
        for raw in mails[WARM_UP:]:
            process_one(ctx, raw, source="bench")
        return len(mails) - WARM_UP

    for name, run in (("intake", intake), ("outbox", lambda: deliver_due(ctx, accept))):
        profile = profile_dir / f"{name}-{backend}.prof" if profile_dir else None
        handled, cpu, calls, statements = measure(ctx, run, profile)
        print(
            f"{backend} {name}: {handled} messages, {cpu:.2f} ms CPU (profiled), {calls:.0f} calls, "
            f"{statements:.1f} statements per message",
            flush=True,
        )
    ctx.engine.dispose()


if __name__ == "__main__":
    main()
