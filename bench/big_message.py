"""Process one large message through the real pipeline (SQLite) and report time and peak memory.

python bench/big_message.py --mb 50 --file /tmp/big.eml [--url sqlite:////tmp/big.db] [--forwarded]

--forwarded: the message arrives as the message/rfc822 attachment of another (a forwarded request).
"""

from __future__ import annotations

import argparse
import base64
import dataclasses
import os
import resource
import sys
import tempfile
import time

from foimail.config import Settings
from foimail.context import build_context
from foimail.store.db import upgrade
from foimail.usecases.intake import process_one


def big_message(megabytes: int) -> bytes:
    payload = base64.encodebytes(os.urandom(megabytes * 1024 * 1024 * 3 // 4))
    head = (
        b"From: =?UTF-8?B?4YOc4YOY4YOc4YOd?= <nino@example.org>\r\nTo: foi@batumi.ge\r\n"
        b"Subject: =?UTF-8?B?4YOT4YOY4YOT4YOYIOGDpOGDkOGDmOGDmuGDmA==?=\r\nMessage-ID: <big@example.org>\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nSee the attached scan.\r\n--b\r\n"
        b"Content-Type: application/pdf; name=scan.pdf\r\nContent-Transfer-Encoding: base64\r\n"
        b"Content-Disposition: attachment; filename=scan.pdf\r\n\r\n"
    )
    return head + payload.replace(b"\n", b"\r\n") + b"\r\n--b--\r\n"


def forwarded(message: bytes) -> bytes:
    head = (
        b"From: lela@example.org\r\nTo: foi@batumi.ge\r\nSubject: Fwd: big\r\nMessage-ID: <fwd@example.org>\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=f\r\n\r\n--f\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nForwarded.\r\n--f\r\nContent-Type: message/rfc822\r\n\r\n"
    )
    return head + message + b"\r\n--f--\r\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=50)
    parser.add_argument("--url")
    parser.add_argument("--file", help="write the message here first, then process it in a fresh process")
    parser.add_argument("--forwarded", action="store_true", help="as the attachment of a forwarding message")
    args = parser.parse_args()
    if args.file and not os.path.exists(args.file):
        with open(args.file, "wb") as handle:
            message = big_message(args.mb)
            handle.write(forwarded(message) if args.forwarded else message)
        os.execv(sys.executable, [sys.executable, *sys.argv])
    url = args.url or f"sqlite:///{tempfile.mkdtemp()}/big.db"
    upgrade(url)
    settings = Settings()
    settings = dataclasses.replace(settings, database=dataclasses.replace(settings.database, url=url))
    ctx = build_context(settings)
    if args.file:
        with open(args.file, "rb") as handle:
            raw = handle.read()
    else:
        raw = forwarded(big_message(args.mb)) if args.forwarded else big_message(args.mb)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    result = process_one(ctx, raw, source="bench")
    took = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"message_bytes={len(raw)} result={result.kind} seconds={took:.2f} "
        f"rss_before_mb={before:.0f} peak_rss_mb={peak:.0f}"
    )


if __name__ == "__main__":
    main()
