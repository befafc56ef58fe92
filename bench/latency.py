"""Latency benchmark: arrival of a request in the INBOX -> its confirmation accepted by the SMTP server.

    .venv/bin/python bench/latency.py                      # 60 requests per backend and delivery, both databases
    .venv/bin/python bench/latency.py --requests 100 --backends sqlite --deliveries lda-push

The daemon (`foimail.service.Daemon`: intake with IMAP IDLE, outbox, scheduler) runs in this process against
a private Dovecot and aiosmtpd. Requests arrive one at a time at random intervals (0.2-1.2 s, so arrivals
fall at every phase of any timer); the time a request is stored in the INBOX and the SMTP server's 250 for
its confirmation give one latency. Prints p50, p90, p99 and max per delivery and backend. Two deliveries:

- `append`: IMAP APPEND, the arrival is the APPEND's completion; foimail learns of it through IDLE.
- `lda-push`: Dovecot's LDA stores the message, as Postfix's `mailbox_command` (or LMTP) does with real mail,
  and the push_notification plugin PUTs to foimail's `/wake` (README, "Instant intake"); the arrival is the
  LDA's exit, by which the message is stored.

It first measures the server's own floor: APPEND on one connection -> the untagged EXISTS on another that
is in IDLE. Dovecot 2.3 waits 500 ms before it tells IDLE clients of a change (NOTIFY_DELAY_MSECS in
src/lib-storage/mailbox-watch.c), so no IMAP client of it can do better through IDLE alone.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import statistics
import tempfile
import time
from pathlib import Path

from servers import USER, bench_settings, database, dovecot, smtp_server

from foimail.config import HttpSettings
from foimail.context import build_context
from foimail.service import Daemon
from foimail.store.db import upgrade
from tests.support import free_ports
from tests.support.dovecot_push import PUSH_CONFIG, PushDovecot
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


def run(server, smtp, url: str, count: int, seed: int, directory: Path, push: PushDovecot | None) -> list[float]:  # type: ignore[no-untyped-def]
    upgrade(url)
    server.reset(USER)
    smtp.reset()
    settings = bench_settings(url, server, smtp, directory)
    if push is not None:
        settings = dataclasses.replace(settings, http=HttpSettings(listen=f"127.0.0.1:{push.wake_port}"))
    daemon = Daemon(build_context(settings))
    daemon.start()
    if not daemon.intake.ready.wait(30):
        raise SystemExit("intake did not become ready")
    rng = random.Random(seed)
    arrived: dict[str, float] = {}
    with server.client(USER) as imap:
        for index in range(count):
            time.sleep(rng.uniform(0.2, 1.2))
            sender = f"latency{seed}-{index}@example.ge"
            raw = request_mail(sender=sender, subject=f"მოთხოვნა {index}")
            if push is None:
                imap.append("INBOX", raw)
            else:
                push.deliver(USER, raw, sender=sender)
            arrived[sender] = time.monotonic()
    if not smtp.wait_count(count, 60):
        print(f"only {smtp.count} of {count} confirmations arrived")
    daemon.shutdown()
    daemon.ctx.engine.dispose()
    latencies = [smtp.accepted_at[s] - t for s, t in arrived.items() if s in smtp.accepted_at]
    print("  each: " + " ".join(f"{x:.3f}" for x in latencies), flush=True)
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--deliveries", nargs="+", choices=["append", "lda-push"], default=["append", "lda-push"])
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="foimail-bench-"))
    (wake_port,) = free_ports(1)
    push_config = PUSH_CONFIG.format(url=f"http://127.0.0.1:{wake_port}/wake")
    with dovecot(push_config) as server, smtp_server() as smtp:
        print(f"server floor (APPEND -> EXISTS in IDLE), median: {idle_floor(server):.3f}s", flush=True)
        push = PushDovecot(server, wake_port)
        push.enable_push(USER)
        seed = 0
        for delivery in args.deliveries:
            for backend in args.backends:
                seed += 1
                with database(backend, directory) as url:
                    latencies = run(
                        server, smtp, url, args.requests, seed, directory, push if delivery == "lda-push" else None
                    )
                print(
                    f"RESULT {delivery} {backend}: n={len(latencies)} p50={statistics.median(latencies):.3f}s "
                    f"p90={percentile(latencies, 0.9):.3f}s p99={percentile(latencies, 0.99):.3f}s "
                    f"max={max(latencies):.3f}s",
                    flush=True,
                )


if __name__ == "__main__":
    main()
