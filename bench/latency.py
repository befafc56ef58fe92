"""Latency benchmark: arrival of a request in the INBOX -> its confirmation accepted by the SMTP server.

    .venv/bin/python bench/latency.py                      # 60 requests per backend, SQLite and PostgreSQL
    .venv/bin/python bench/latency.py --requests 100 --backends sqlite

The daemon (`foimail.service.Daemon`: intake with IMAP IDLE, outbox, scheduler) runs in this process against
a private Dovecot and aiosmtpd. Requests are APPENDed one at a time at random intervals (0.2-1.2 s, so
arrivals fall at every phase of any timer); the time of each APPEND's completion and of the SMTP server's
250 for its confirmation give one latency. Prints p50, p90, p99 and max per backend.

It first measures the server's own floor: APPEND on one connection -> the untagged EXISTS on another that
is in IDLE. Dovecot 2.3 waits 500 ms before it tells IDLE clients of a change (NOTIFY_DELAY_MSECS in
src/lib-storage/mailbox-watch.c), so no IMAP client of it can do better; the rest is foimail's share.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from servers import USER, bench_settings, database, dovecot, smtp_server

from foimail.context import build_context
from foimail.service import Daemon
from foimail.store.db import upgrade
from tests.support.mails import request_mail


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def idle_floor(server, samples: int = 10) -> float:  # type: ignore[no-untyped-def]
    """Median seconds from an APPEND's completion to the EXISTS a bare IDLE client receives."""
    server.reset(USER)
    delays = []
    with server.client(USER) as watcher, server.client(USER) as writer:
        watcher.select_folder("INBOX")
        for index in range(samples):
            watcher.idle()
            time.sleep(0.2)
            writer.append("INBOX", request_mail(sender=f"floor{index}@example.ge"))
            appended = time.monotonic()
            watcher.idle_check(timeout=5)
            delays.append(time.monotonic() - appended)
            watcher.idle_done()
    return statistics.median(delays)


def run(server, smtp, url: str, count: int, seed: int, directory: Path) -> list[float]:  # type: ignore[no-untyped-def]
    upgrade(url)
    server.reset(USER)
    smtp.reset()
    daemon = Daemon(build_context(bench_settings(url, server, smtp, directory)))
    daemon.start()
    if not daemon.intake.ready.wait(30):
        raise SystemExit("intake did not become ready")
    rng = random.Random(seed)
    arrived: dict[str, float] = {}
    with server.client(USER) as imap:
        for index in range(count):
            time.sleep(rng.uniform(0.2, 1.2))
            sender = f"latency{seed}-{index}@example.ge"
            imap.append("INBOX", request_mail(sender=sender, subject=f"მოთხოვნა {index}"))
            arrived[sender] = time.monotonic()
    if not smtp.wait_count(count, 60):
        print(f"only {smtp.count} of {count} confirmations arrived")
    daemon.shutdown()
    daemon.ctx.engine.dispose()
    return [smtp.accepted_at[s] - t for s, t in arrived.items() if s in smtp.accepted_at]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="foimail-bench-"))
    with dovecot() as server, smtp_server() as smtp:
        print(f"server floor (APPEND -> EXISTS in IDLE), median: {idle_floor(server):.3f}s", flush=True)
        for seed, backend in enumerate(args.backends, start=1):
            with database(backend, directory) as url:
                latencies = run(server, smtp, url, args.requests, seed, directory)
            print(
                f"RESULT {backend}: n={len(latencies)} p50={statistics.median(latencies):.3f}s "
                f"p90={percentile(latencies, 0.9):.3f}s p99={percentile(latencies, 0.99):.3f}s "
                f"max={max(latencies):.3f}s",
                flush=True,
            )


if __name__ == "__main__":
    main()
