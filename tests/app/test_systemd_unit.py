"""config/foimail.service: the settings the daemon relies on, and `systemd-analyze verify` where it exists."""

from __future__ import annotations

import configparser
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "config" / "foimail.service"
INSTALLED_BINARY = "/opt/foimail/venv/bin/foimail"


def read_unit() -> configparser.RawConfigParser:
    # systemd repeats keys (After=, Environment=, LoadCredential=): strict=False keeps the last of each.
    parser = configparser.RawConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(UNIT, encoding="utf-8")
    return parser


def unit_lines(key: str) -> list[str]:
    """Every value of a key that systemd allows more than once."""
    prefix = f"{key}="
    lines = UNIT.read_text(encoding="utf-8").splitlines()
    return [line[len(prefix) :] for line in lines if line.startswith(prefix)]


def test_the_service_runs_as_the_daemon_expects() -> None:
    service = read_unit()["Service"]
    assert service["Type"] == "notify"
    assert service["NotifyAccess"] == "main"
    assert service["ExecStart"] == f"{INSTALLED_BINARY} run"
    assert service["ExecStartPre"] == f"{INSTALLED_BINARY} db upgrade"
    assert service["Restart"] == "on-failure"
    assert int(service["WatchdogSec"]) > 0
    # systemd's default 90 s would kill a long migration in ExecStartPre, and the restart would run it again
    assert service["TimeoutStartSec"] == "30min"
    assert service["User"] and service["User"] != "root"
    assert service["Group"]
    assert service["StateDirectory"] == "foimail"


def test_the_service_is_hardened() -> None:
    service = read_unit()["Service"]
    assert service["NoNewPrivileges"] == "true"
    assert service["ProtectSystem"] == "strict"
    assert service["ProtectHome"] == "true"
    assert service["PrivateTmp"] == "true"
    assert service["CapabilityBoundingSet"] == ""
    assert service["UMask"] == "0077"
    assert set(service["RestrictAddressFamilies"].split()) == {"AF_UNIX", "AF_INET", "AF_INET6"}


def test_passwords_come_as_credentials() -> None:
    credentials = dict(line.split(":", 1) for line in unit_lines("LoadCredential"))
    assert credentials == {
        "imap_password": "/etc/foimail/imap_password",
        "smtp_password": "/etc/foimail/smtp_password",
    }
    environment = unit_lines("Environment")
    assert "FOIMAIL_CONFIG=/etc/foimail/foimail.toml" in environment
    assert "FOIMAIL_IMAP_PASSWORD_FILE=%d/imap_password" in environment
    assert "FOIMAIL_SMTP_PASSWORD_FILE=%d/smtp_password" in environment


def test_systemd_analyze_verify_accepts_the_unit(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (apt install systemd); this may skip in CI too")
    stand_in = shutil.which("true")
    assert stand_in is not None
    # verify insists that ExecStart= binaries exist; the unit names the installed path.
    copy = tmp_path / "foimail.service"
    copy.write_text(UNIT.read_text(encoding="utf-8").replace(INSTALLED_BINARY, stand_in), encoding="utf-8")
    result = subprocess.run(
        [analyze, "verify", "--man=no", str(copy)], capture_output=True, text=True, timeout=60, check=False
    )
    output = result.stdout + result.stderr
    # Parse problems ("Unknown key", "Failed to parse") are printed but do not change the exit status;
    # lines about other units on the host are not ours to judge.
    ours = [line for line in output.splitlines() if "foimail" in line]
    assert result.returncode == 0, output
    assert ours == [], output
