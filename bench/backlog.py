"""Backlog benchmark: N requests waiting in the INBOX, drained by a naive pipeline and by foimail, in one run.

    .venv/bin/python bench/backlog.py                       # 2,000 messages, 3 interleaved rounds
    .venv/bin/python bench/backlog.py --messages 500 8000 --rounds 1

Each message is a ~20 kB request from its own sender; one in six carries an 80 kB attachment. Every run
starts from the same filled INBOX of a private Dovecot and ends when the SMTP server (aiosmtpd on loopback)
has accepted one confirmation per message.
- naive: FETCH BODY.PEEK[] one UID at a time, `email` parse, INSERT + COMMIT in SQLite, MOVE, one SMTP send
  per message over one smtplib connection;
- foimail: the daemon's intake and outbox runners in their own threads, as `foimail run` wires them.
The figure is messages per second; the ratio is foimail over naive in the same round. Medians over rounds.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import hashlib
import random
import smtplib
import sqlite3
import statistics
import tempfile
import threading
import time
from pathlib import Path

from servers import USER, bench_settings, database, dovecot, fill_inbox, smtp_server

from foimail.context import build_context
from foimail.service import Daemon
from foimail.store.db import upgrade
from tests.support.mails import request_mail

WORDS = "საჯარო ინფორმაცია მოთხოვნა ბიუჯეტი შესრულება ანგარიში ქალაქი ბათუმი მერია წელი თანხა ხელშეკრულება".split()


def requests(count: int, seed: int = 13) -> list[bytes]:
    rng = random.Random(seed)
    out = []
    for index in range(count):
        body = " ".join(rng.choice(WORDS) for _ in range(640))  # ~20 kB once encoded
        attachments = []
        if index % 6 == 5:
            attachments = [("scan.pdf", "application/pdf", rng.randbytes(80 * 1024))]
        out.append(
            request_mail(
                sender=f"citizen{index}@example.ge",
                subject=f"საჯარო ინფორმაციის მოთხოვნა {index}",
                body=body,
                message_id=f"<bench-{index}-{seed}@example.ge>",
                attachments=attachments,
            )
        )
    return out


def naive(server, smtp, messages: int, directory: Path) -> float:  # type: ignore[no-untyped-def]
    """The floor: what any IMAP-to-database-to-SMTP loop costs, with no classification or casework."""
    db = sqlite3.connect(directory / f"naive-{time.monotonic_ns()}.sqlite3", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute(
        "CREATE TABLE messages (id INTEGER PRIMARY KEY, sha256 TEXT UNIQUE, sender TEXT, subject TEXT, raw BLOB)"
    )
    started = time.perf_counter()
    with server.client(USER) as imap, smtplib.SMTP(smtp.host, smtp.port) as relay:
        imap.select_folder("INBOX")
        if not imap.folder_exists("Processed"):
            imap.create_folder("Processed")
        for uid in sorted(imap.search(["ALL"])):
            raw = imap.fetch([uid], [b"BODY.PEEK[]"])[uid][b"BODY[]"]
            parsed = email.message_from_bytes(raw, policy=email.policy.default)
            sender = parsed["From"].addresses[0].addr_spec
            db.execute("BEGIN IMMEDIATE")
            db.execute(
                "INSERT INTO messages (sha256, sender, subject, raw) VALUES (?, ?, ?, ?)",
                (hashlib.sha256(raw).hexdigest(), sender, str(parsed["Subject"]), raw),
            )
            db.execute("COMMIT")
            imap.move([uid], "Processed")
            reply = f"From: {USER}\r\nTo: {sender}\r\nSubject: Re: {parsed['Subject']}\r\n\r\nregistered\r\n"
            relay.sendmail(USER, [sender], reply.encode())
    took = time.perf_counter() - started
    db.close()
    assert smtp.count >= messages, smtp.count
    return took


def foimail_run(server, smtp, messages: int, url: str, timeout: float, directory: Path) -> float:  # type: ignore[no-untyped-def]
    """The daemon's two runners, wired as `foimail run` wires them (no scheduler, no HTTP)."""
    upgrade(url)
    ctx = build_context(bench_settings(url, server, smtp, directory))
    daemon = Daemon(ctx)
    stop = threading.Event()
    started = time.perf_counter()
    threads = [threading.Thread(target=r.run, args=(stop,), daemon=True) for r in (daemon.intake, daemon.outbox)]
    for thread in threads:
        thread.start()
    done = smtp.wait_count(messages, timeout)
    took = time.perf_counter() - started
    stop.set()
    for thread in threads:
        thread.join(30)
    ctx.engine.dispose()
    if not done:
        raise SystemExit(f"foimail sent {smtp.count} of {messages} confirmations in {timeout:.0f} s")
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, nargs="+", default=[2000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--timeout", type=float, default=1800)
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="foimail-bench-"))
    with dovecot() as server, smtp_server() as smtp:
        for count in args.messages:
            mails = requests(count)
            size = sum(len(m) for m in mails) / count
            print(f"== {count} messages, mean {size / 1024:.1f} kB", flush=True)
            rates: dict[str, list[float]] = {}
            ratios: dict[str, list[float]] = {}
            for round_ in range(1, args.rounds + 1):
                fill_inbox(server, mails)
                smtp.reset()
                naive_rate = count / naive(server, smtp, count, directory)
                rates.setdefault("naive", []).append(naive_rate)
                line = [f"round {round_}: naive {naive_rate:.1f}/s"]
                for backend in args.backends:
                    fill_inbox(server, mails)
                    smtp.reset()
                    with database(backend, directory) as url:
                        took = foimail_run(server, smtp, count, url, args.timeout, directory)
                    rate = count / took
                    rates.setdefault(backend, []).append(rate)
                    ratios.setdefault(backend, []).append(rate / naive_rate)
                    line.append(f"foimail {backend} {rate:.1f}/s ({1000 / rate:.1f} ms/msg, x{rate / naive_rate:.2f})")
                print("  ".join(line), flush=True)
            summary = [f"median naive {statistics.median(rates['naive']):.1f}/s"]
            for backend in args.backends:
                rate = statistics.median(rates[backend])
                summary.append(
                    f"{backend} {rate:.1f}/s {1000 / rate:.1f} ms/msg ratio {statistics.median(ratios[backend]):.2f}"
                )
            print(f"RESULT n={count}: " + "; ".join(summary), flush=True)


if __name__ == "__main__":
    main()
