"""`foimail run` as a subprocess against real Dovecot, aiosmtpd and both databases: a burst, kill -9, SIGTERM."""

from __future__ import annotations

import email
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from email.policy import default
from pathlib import Path

from sqlalchemy import create_engine, text

from foimail.store.db import upgrade
from tests.support.mails import request_mail

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
USER = "foi@batumi.ge"
REQUEST_SAMPLES = sorted(p for p in SAMPLES.glob("request_*.eml"))
SET_ASIDE_SAMPLES = sorted(p for p in SAMPLES.glob("*.eml") if p.name.startswith(("bounce_", "autoreply_")))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_config(tmp_path: Path, database_url: str, dovecot, smtp_server, http_port: int) -> Path:  # type: ignore[no-untyped-def]
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
[stats]
export_dir = "{tmp_path / "stats"}"
[http]
listen = "127.0.0.1:{http_port}"
[log]
format = "json"
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


def wait_until(condition, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def scalar(url: str, sql: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text(sql)).scalar_one())
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


def test_burst_kill_9_and_restart_lose_nothing_and_duplicate_nothing(  # type: ignore[no-untyped-def]
    database_url, mailbox, smtp_server, tmp_path
) -> None:
    upgrade(database_url)
    config = write_config(tmp_path, database_url, mailbox, smtp_server, free_port())
    log = tmp_path / "daemon.log"
    messages = burst(60)
    set_aside = [p.read_bytes() for p in SET_ASIDE_SAMPLES[:4]]
    for raw in messages[:30]:
        mailbox.append(USER, raw)

    daemon = start(config, log)
    try:
        assert wait_until(lambda: scalar(database_url, "SELECT count(*) FROM cases") >= 5, 60), log.read_text()
        daemon.kill()  # kill -9 in the middle of the burst
        daemon.wait(10)
        for raw in messages[30:] + set_aside:
            mailbox.append(USER, raw)
        daemon = start(config, log)
        expected_requests = len(messages)
        assert wait_until(lambda: scalar(database_url, "SELECT count(*) FROM cases") >= expected_requests, 120), (
            log.read_text()[-3000:]
        )
        assert wait_until(
            lambda: scalar(database_url, "SELECT count(*) FROM cases WHERE confirmed_at IS NULL") == 0, 60
        ), log.read_text()[-3000:]
    finally:
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(15) == 0

    assert scalar(database_url, "SELECT count(*) FROM cases") == expected_requests  # nothing twice
    assert scalar(database_url, "SELECT count(DISTINCT number) FROM cases") == expected_requests
    assert scalar(database_url, "SELECT max(seq) FROM cases") == expected_requests  # gap-free
    assert scalar(database_url, "SELECT count(*) FROM messages WHERE direction = 'in'") == len(messages) + len(
        set_aside
    )
    assert scalar(database_url, "SELECT count(*) FROM messages WHERE set_aside") == len(set_aside)
    assert mailbox.folder_uids(USER, "INBOX") == []
    confirmations = [
        m
        for m in smtp_server.messages
        if "Registration confirmed" in email.message_from_bytes(m.data, policy=default)["Subject"]
    ]
    numbers = [email.message_from_bytes(m.data, policy=default)["Subject"].split("]")[0] for m in confirmations]
    assert len(set(numbers)) == expected_requests
    # At most the one confirmation in flight at the moment of kill -9 can go out twice (at-least-once sending).
    assert len(numbers) - len(set(numbers)) <= 1
    assert not any(b"auto" in m.rcpt_tos[0].encode() for m in confirmations)


def test_health_metrics_and_sigterm(database_url, mailbox, smtp_server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    upgrade(database_url)
    http_port = free_port()
    config = write_config(tmp_path, database_url, mailbox, smtp_server, http_port)
    log = tmp_path / "daemon.log"
    daemon = start(config, log)
    try:
        mailbox.append(USER, request_mail())
        assert wait_until(lambda: len(smtp_server.messages) >= 1, 30), log.read_text()

        def healthz() -> bool:
            try:
                return urllib.request.urlopen(f"http://127.0.0.1:{http_port}/healthz", timeout=2).status == 200
            except OSError:
                return False

        assert wait_until(healthz, 20), log.read_text()
        metrics = urllib.request.urlopen(f"http://127.0.0.1:{http_port}/metrics", timeout=5).read().decode()
        assert 'foimail_cases{status="open"} 1.0' in metrics
        env = {**os.environ, "FOIMAIL_CONFIG": str(config)}
        health = subprocess.run(
            [sys.executable, "-m", "foimail.cli", "health"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert health.returncode == 0, health.stdout + health.stderr
        started = time.monotonic()
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(10) == 0
        assert time.monotonic() - started < 10
    finally:
        if daemon.poll() is None:
            daemon.kill()
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    assert any("registered case=FOI-" in entry["msg"] for entry in lines)
    assert all("გთხოვთ" not in entry["msg"] for entry in lines)  # never message bodies in logs


def test_ready_is_sent_only_once_the_mailbox_is_reached(database_url, mailbox, smtp_server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    upgrade(database_url)
    good = write_config(tmp_path, database_url, mailbox, smtp_server, free_port())
    bad = tmp_path / "bad.toml"
    bad.write_text(good.read_text(encoding="utf-8").replace('password = "', 'password = "wrong'), encoding="utf-8")
    for config, expect_ready in ((bad, False), (good, True)):
        notify_path = tmp_path / f"notify-{expect_ready}.sock"
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        listener.bind(str(notify_path))
        listener.settimeout(8 if expect_ready else 4)
        env = {**os.environ, "FOIMAIL_CONFIG": str(config), "NOTIFY_SOCKET": str(notify_path)}
        daemon = subprocess.Popen(
            [sys.executable, "-m", "foimail.cli", "run"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            try:
                received = listener.recv(256).decode()
            except TimeoutError:
                received = ""
            assert ("READY=1" in received) is expect_ready, received
        finally:
            daemon.send_signal(signal.SIGTERM)
            assert daemon.wait(15) == 0
            listener.close()
