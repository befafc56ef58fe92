"""`foimail run` as a subprocess for the e2e and reliability tiers: its config, start, and waiting on the database.

Not a plugin: plain helpers. The daemon is started exactly as an admin starts it (`python -m foimail.cli run`),
so kill -9 hits a real process with its own connections to Dovecot, aiosmtpd and the database.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from tests.support.mails import request_mail

USER = "foi@batumi.ge"
SAMPLES = Path(__file__).resolve().parents[1] / "samples"
REQUEST_SAMPLES = sorted(p for p in SAMPLES.glob("request_*.eml"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_config(
    tmp_path: Path, database_url: str, dovecot: Any, smtp_server: Any, http_port: int, extra: str = ""
) -> Path:
    """A config for the test servers; `extra` is appended TOML (e.g. an [outbox] table)."""
    path = tmp_path / "foimail.toml"
    path.write_text(
        f"""
[database]
url = "{database_url}"
[imap]
host = "{dovecot.host}"
port = {dovecot.port}
security = "none"
username = "{USER}"
password = "{dovecot.users[USER]}"
poll_seconds = 2
[smtp]
host = "{smtp_server.host}"
port = {smtp_server.port}
security = "none"
timeout_seconds = 5
[office]
notify = ["foi-officer@batumi.ge"]
trusted_authserv_id = "mx.batumi.ge"
webform_senders = ["noreply@batumi.ge"]  # the city site's form (tests/samples/request_webform_*)
[stats]
export_dir = "{tmp_path / "stats"}"
[http]
listen = "127.0.0.1:{http_port}"
[log]
format = "json"
{extra}
""",
        encoding="utf-8",
    )
    return path


def start(config: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "FOIMAIL_CONFIG": str(config)}
    return subprocess.Popen(
        [sys.executable, "-m", "foimail.cli", "run"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("ab"),
    )


def wait_until(condition: Callable[[], bool], timeout: float, step: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return False


def scalar(url: str, sql: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text(sql)).scalar_one() or 0)
    finally:
        engine.dispose()


def burst(count: int) -> list[bytes]:
    """Many shapes: the real-client samples, plain Georgian mail, attachments, and set-aside mail."""
    messages: list[bytes] = []
    for i in range(count):
        if i % 4 == 0 and REQUEST_SAMPLES:
            raw = REQUEST_SAMPLES[(i // 4) % len(REQUEST_SAMPLES)].read_bytes()
            messages.append(re.sub(rb"(?im)^message-id:\s*<", f"Message-ID: <b{i}.".encode(), raw, count=1))
        elif i % 4 == 1:
            messages.append(
                request_mail(
                    sender=f"citizen{i}@example.org",
                    body=f"მოთხოვნა №{i}",
                    attachments=[(f"განცხადება-{i}.pdf", "application/pdf", b"%PDF-1.4 " * 50)],
                )
            )
        else:
            messages.append(request_mail(sender=f"citizen{i}@example.org", subject=f"მოთხოვნა {i}", body=f"ტექსტი {i}"))
    return messages
