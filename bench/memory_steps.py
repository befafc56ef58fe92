"""Peak RSS of one step of intake alone, on a large message, each step in a fresh process.

python bench/memory_steps.py --file /tmp/big50.eml   # the file bench/big_message.py writes

Steps: `imports` (interpreter and foimail's libraries), `read` (plus the raw bytes), `store` (plus the
INSERT of the raw bytes into SQLite and the commit), `parse` (plus parse_message), `email` (the stdlib's
email.message_from_bytes, for comparison).
"""

from __future__ import annotations

import argparse
import dataclasses
import resource
import subprocess
import sys
import tempfile
import time

STEPS = ("imports", "read", "store", "parse", "email")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_step(step: str, path: str) -> None:
    import email
    from email import policy

    from foimail.config import Settings
    from foimail.context import build_context
    from foimail.mail.parse import parse_message
    from foimail.store.db import unit_of_work, upgrade
    from foimail.usecases.intake import _store, sha256_hex

    url = f"sqlite:///{tempfile.mkdtemp()}/steps.db"
    upgrade(url)
    settings = Settings()
    ctx = build_context(dataclasses.replace(settings, database=dataclasses.replace(settings.database, url=url)))
    if step == "imports":
        return print(f"step=imports peak_rss_mb={peak_mb():.0f}")
    with open(path, "rb") as handle:
        raw = handle.read()
    before = peak_mb()
    started = time.perf_counter()
    if step == "store":
        now = ctx.clock()
        with unit_of_work(ctx.sessions) as session:
            _store(session, raw, sha256_hex(raw), None, "bench", now, now)
    elif step == "parse":
        parse_message(raw)
    elif step == "email":
        email.message_from_bytes(raw, policy=policy.compat32)
    took = time.perf_counter() - started
    print(f"step={step} raw_read_mb={before:.0f} peak_rss_mb={peak_mb():.0f} seconds={took:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--file", required=True)
    parser.add_argument("--step", choices=STEPS, help="run this step here (otherwise: each in a fresh process)")
    args = parser.parse_args()
    if args.step:
        return run_step(args.step, args.file)
    for step in STEPS:
        subprocess.run([sys.executable, __file__, "--file", args.file, "--step", step], check=True)


if __name__ == "__main__":
    main()
