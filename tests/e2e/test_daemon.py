"""`foimail run` as a subprocess against real Dovecot, aiosmtpd and both databases: a burst, kill -9, SIGTERM."""

from __future__ import annotations

import email
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from email.policy import default
from pathlib import Path

from foimail.store.db import upgrade
from tests.support.daemon import USER, burst, free_port, scalar, start, wait_until, write_config
from tests.support.mails import request_mail

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
SET_ASIDE_SAMPLES = sorted(p for p in SAMPLES.glob("*.eml") if p.name.startswith(("bounce_", "autoreply_")))


def test_burst_kill_9_and_restart_lose_nothing_and_duplicate_nothing(  # type: ignore[no-untyped-def]
    database_url, mailbox, smtp_server, tmp_path
) -> None:
    upgrade(database_url)
    # A confirmation cut off by the kill is sent again once its lease runs out: 10 s here, not the default 60 s.
    config = write_config(
        tmp_path, database_url, mailbox, smtp_server, free_port(), "[outbox]\nsend_lease_seconds = 10\n"
    )
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
        env = {**os.environ, "FOIMAIL_CONFIG": str(config), "NOTIFY_SOCKET": str(notify_path)}
        log_path = tmp_path / f"daemon-{expect_ready}.log"
        with log_path.open("wb") as log_file:
            daemon = subprocess.Popen(
                [sys.executable, "-m", "foimail.cli", "run"], env=env, stdout=subprocess.DEVNULL, stderr=log_file
            )
        try:
            if expect_ready:
                listener.settimeout(60)
                received = listener.recv(256).decode()
            else:
                # Not a fixed pause (a loaded machine may still be importing): wait until the daemon has tried
                # the mailbox and been refused; READY=1 must not have been sent by then.
                assert wait_until(lambda path=log_path: "intake error" in path.read_text(errors="replace"), 60)
                listener.setblocking(False)
                try:
                    received = listener.recv(256).decode()
                except BlockingIOError:
                    received = ""
            assert ("READY=1" in received) is expect_ready, received
        finally:
            daemon.send_signal(signal.SIGTERM)
            assert daemon.wait(15) == 0
            listener.close()
