"""Configuration: file, environment overrides, secret files, and one clear error per mistake."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date, time
from pathlib import Path

import pytest

from foimail.config import Settings, load_settings
from foimail.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "config" / "foimail.example.toml"


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "foimail.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_example_config_loads_and_documents_every_key() -> None:
    settings = load_settings(str(EXAMPLE), environ={})
    assert settings.office.address == "foi@batumi.ge"
    assert settings.imap.processed_folder == "FOI/Processed"
    text = EXAMPLE.read_text(encoding="utf-8")
    import dataclasses

    for section in dataclasses.fields(Settings):
        if section.name == "source":
            continue
        assert f"[{section.name}]" in text, section.name
        for key in dataclasses.fields(getattr(settings, section.name)):
            assert re.search(rf"^{key.name} = ", text, re.M), f"{section.name}.{key.name} undocumented"


def test_environment_overrides_file_and_coerces_types(tmp_path: Path) -> None:
    path = write(tmp_path, '[imap]\nhost = "mail.example"\nusername = "foi@example.org"\nport = 993\n')
    env = {
        "FOIMAIL_IMAP_PORT": "143",
        "FOIMAIL_IMAP_IDLE": "false",
        "FOIMAIL_OFFICE_OFFICERS": '["*@batumi.ge", "mayor@example.org"]',
        "FOIMAIL_OFFICE_NOTIFY": "a@batumi.ge, b@batumi.ge",
        "FOIMAIL_CALENDAR_EXTRA_DAYS_OFF": "2027-01-05,2027-01-06",
        "FOIMAIL_REMINDERS_AT": "08:15",
    }
    settings = load_settings(path, environ=env)
    assert settings.imap.port == 143
    assert settings.imap.idle is False
    assert settings.office.officers == ("*@batumi.ge", "mayor@example.org")
    assert settings.office.notify == ("a@batumi.ge", "b@batumi.ge")
    assert settings.calendar.extra_days_off == (date(2027, 1, 5), date(2027, 1, 6))
    assert settings.reminders.at == time(8, 15)


def test_secret_from_file_in_config_and_in_environment(tmp_path: Path) -> None:
    secret = tmp_path / "imap-password"
    secret.write_text("s3cr3t-ქ\n", encoding="utf-8")
    path = write(tmp_path, f'[imap]\nhost = "h"\nusername = "u"\npassword_file = "{secret}"\n')
    assert load_settings(path, environ={}).imap.password == "s3cr3t-ქ"
    smtp_secret = tmp_path / "smtp"
    smtp_secret.write_text("pw2", encoding="utf-8")
    settings = load_settings(path, environ={"FOIMAIL_SMTP_PASSWORD_FILE": str(smtp_secret)})
    assert settings.smtp.password == "pw2"


def test_paused_ranges_parse_as_date_pairs(tmp_path: Path) -> None:
    path = write(tmp_path, '[deadlines]\npaused_ranges = [["2020-03-21", "2020-05-22"]]\n')
    assert load_settings(path, environ={}).deadlines.paused_ranges == ((date(2020, 3, 21), date(2020, 5, 22)),)


@pytest.mark.parametrize(
    ("text", "env", "key"),
    [
        ('[imap]\nhots = "x"\n', {}, "imap.hots"),
        ('[imap]\nport = "abc"\n', {}, "imap.port"),
        ('[imap]\nsecurity = "tls"\n', {}, "imap.security"),
        ('[office]\naddress = "nobody"\n', {}, "office.address"),
        ('[office]\ntimezone = "Mars/Olympus"\n', {}, "office.timezone"),
        ('[numbering]\nformat = "FOI-{seq}"\n', {}, "numbering.format"),
        ('[deadlines]\npaused_ranges = [["2020-05-22", "2020-03-21"]]\n', {}, "deadlines.paused_ranges"),
        ("[imap]\nport = 1\n", {"FOIMAIL_IMAP_IDLE": "maybe"}, "imap.idle"),
        ('[database]\nurl = "mysql://x"\n', {}, "database.url"),
        ('[smtp]\nhelo_name = "my host"\n', {}, "smtp.helo_name"),
        ("", {"FOIMAIL_SMTP_HELO_NAME": "ბათუმი.გე"}, "smtp.helo_name"),  # an IDN goes in A-labels
        # The Received method: a host name, and an explicit hop count (a guess could read the sender's header).
        ('[office]\ntrusted_received_by = "mail.batumi.ge"\n', {}, "office.trusted_received_hops"),
        (
            '[office]\ntrusted_received_by = "mail.batumi.ge"\ntrusted_received_hops = 11\n',
            {},
            "office.trusted_received_hops",
        ),
        ("[office]\ntrusted_received_hops = 1\n", {}, "office.trusted_received_by"),
        (
            '[office]\ntrusted_received_by = "mail batumi"\ntrusted_received_hops = 1\n',
            {},
            "office.trusted_received_by",
        ),
        (
            '[office]\ntrusted_received_by = "[192.0.2.7]"\ntrusted_received_hops = 1\n',
            {},
            "office.trusted_received_by",
        ),
        ("[imap\n", {}, "(syntax)"),
        ("bogus = 1\n", {}, "bogus"),
        ('[imap]\npassword_file = "/nonexistent/secret"\n', {}, "imap.password_file"),
    ],
)
def test_each_mistake_names_its_key_and_file(tmp_path: Path, text: str, env: dict[str, str], key: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_settings(path, environ=env)
    assert caught.value.key == key
    assert path in str(caught.value) or "FOIMAIL_" in str(caught.value)


@pytest.mark.parametrize("name", ["foimail.batumi.ge", "xn--lodbteo1c.xn--node", "[192.0.2.7]", "[IPv6:2001:db8::1]"])
def test_helo_name_takes_a_host_name_or_an_address_literal(tmp_path: Path, name: str) -> None:
    assert load_settings(write(tmp_path, f'[smtp]\nhelo_name = "{name}"\n'), environ={}).smtp.helo_name == name


def test_missing_explicit_file_is_an_error_but_default_may_be_absent(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(str(tmp_path / "absent.toml"), environ={})


def test_cli_prints_one_line_not_a_traceback(tmp_path: Path) -> None:
    path = write(tmp_path, '[imap]\nport = "abc"\n')
    result = subprocess.run(
        [sys.executable, "-m", "foimail.cli", "--config", path, "db", "upgrade"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "imap.port" in result.stderr and path in result.stderr


def test_a_mistyped_environment_variable_is_an_error_too(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, ""), environ={"FOIMAIL_IMAP_PASWORD": "x"})
    assert caught.value.key == "imap.pasword" and "FOIMAIL_IMAP_PASWORD" in str(caught.value)
    # Variables of other programs, and foimail's own non-setting ones, are left alone.
    load_settings(write(tmp_path, ""), environ={"FOIMAIL_CONFIG": "x", "FOIMAIL_TEST_POSTGRES_URL": "y"})


def test_received_method_authenticates_officers(tmp_path: Path) -> None:
    text = '[office]\nofficers = ["*@batumi.ge"]\ntrusted_received_by = "mail.batumi.ge"\ntrusted_received_hops = 2\n'
    office = load_settings(write(tmp_path, text), environ={}).office
    assert (office.trusted_received_by, office.trusted_received_hops) == ("mail.batumi.ge", 2)
    assert office.officers_unauthenticated is None  # `foimail run` starts without allow_unauthenticated_officers
