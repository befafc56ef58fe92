"""Real servers for the integration tiers, as pytest plugins: Dovecot, aiosmtpd, SQLite and PostgreSQL.

What more than one plugin needs lives here: the rule that a missing server skips a test on a developer's
machine but fails it in CI, free loopback ports, and a self-signed certificate made by the openssl CLI.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

LOOPBACK = "127.0.0.1"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def unavailable(message: str) -> NoReturn:
    """Skip locally, fail in CI: a CI run must never go green by skipping the servers it was meant to test."""
    if in_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def free_ports(count: int) -> list[int]:
    """Distinct loopback ports free right now; all are held open together so none is handed out twice."""
    sockets = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind((LOOPBACK, 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


@dataclass(frozen=True)
class TlsFiles:
    cert_path: Path
    key_path: Path


def self_signed_cert(directory: Path) -> TlsFiles:
    """A P-256 certificate for localhost and 127.0.0.1; clients may trust it with ``cafile=cert_path``."""
    openssl = shutil.which("openssl")
    if openssl is None:
        unavailable("openssl CLI not installed: apt-get install -y openssl")
    files = TlsFiles(cert_path=directory / "cert.pem", key_path=directory / "key.pem")
    command = [
        openssl, "req", "-x509", "-nodes", "-days", "7",
        "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
        "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        "-keyout", str(files.key_path), "-out", str(files.cert_path),
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        unavailable(f"openssl could not make a test certificate: {result.stderr.strip()}")
    return files
