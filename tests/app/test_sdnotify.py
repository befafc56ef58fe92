"""sd_notify(3) against a real AF_UNIX datagram socket, the way systemd listens for it."""

from __future__ import annotations

import os
import socket
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from foimail.adapters.sdnotify import notify, watchdog_interval


@pytest.fixture
def listener(tmp_path: Path) -> Iterator[tuple[socket.socket, str]]:
    """A datagram socket bound in tmp_path, as systemd binds $NOTIFY_SOCKET."""
    path = str(tmp_path / "notify.sock")
    if len(path.encode()) >= 108:  # sun_path is 108 bytes on Linux
        pytest.skip(f"tmp_path too long for an AF_UNIX socket path: {path}")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(path)
        sock.settimeout(2)
        yield sock, path


def test_notify_sends_one_datagram_to_the_given_path(listener: tuple[socket.socket, str]) -> None:
    sock, path = listener
    assert notify("READY=1", path) is True
    assert sock.recv(4096) == b"READY=1"


def test_notify_uses_notify_socket_from_the_environment(
    listener: tuple[socket.socket, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sock, path = listener
    monkeypatch.setenv("NOTIFY_SOCKET", path)
    assert notify("WATCHDOG=1") is True
    assert notify("STATUS=3 messages in hand\nSTOPPING=1") is True
    assert sock.recv(4096) == b"WATCHDOG=1"
    assert sock.recv(4096) == b"STATUS=3 messages in hand\nSTOPPING=1"


def test_an_explicit_path_wins_over_the_environment(
    listener: tuple[socket.socket, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sock, path = listener
    monkeypatch.setenv("NOTIFY_SOCKET", str(tmp_path / "elsewhere.sock"))
    assert notify("READY=1", path) is True
    assert sock.recv(4096) == b"READY=1"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="abstract sockets are Linux-only")
def test_notify_reaches_an_abstract_namespace_socket(monkeypatch: pytest.MonkeyPatch) -> None:
    name = f"foimail-test-{uuid.uuid4().hex}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        sock.settimeout(2)
        assert notify("READY=1", "@" + name) is True
        monkeypatch.setenv("NOTIFY_SOCKET", "@" + name)
        assert notify("WATCHDOG=1") is True
        assert sock.recv(4096) == b"READY=1"
        assert sock.recv(4096) == b"WATCHDOG=1"


def test_outside_systemd_notify_is_a_no_op(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    assert notify("READY=1") is False


def test_nobody_listening_is_reported_not_raised(tmp_path: Path) -> None:
    assert notify("READY=1", str(tmp_path / "absent.sock")) is False


@pytest.mark.parametrize(
    ("usec", "pid", "expected"),
    [
        ("60000000", None, 30.0),  # WatchdogSec=60: ping every 30 s
        ("60000000", "self", 30.0),
        ("5000000", "self", 2.5),
        ("60000000", "other", None),  # the watchdog is meant for another process
        (None, None, None),
        ("", None, None),
        ("sixty", None, None),
        ("-1", None, None),
    ],
)
def test_watchdog_interval(
    usec: str | None, pid: str | None, expected: float | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WATCHDOG_USEC", raising=False)
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    if usec is not None:
        monkeypatch.setenv("WATCHDOG_USEC", usec)
    if pid is not None:
        monkeypatch.setenv("WATCHDOG_PID", str(os.getpid() if pid == "self" else os.getpid() + 1))
    assert watchdog_interval() == expected
