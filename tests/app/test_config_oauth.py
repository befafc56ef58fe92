"""[oauth] and `auth = ...`: provider presets, explicit values winning, and one clear line per mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from foimail.config import load_settings
from foimail.errors import ConfigError


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "foimail.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_password_stays_the_default_and_oauth_is_unused() -> None:
    defaults = load_settings(str(Path(__file__).resolve().parents[2] / "config" / "foimail.example.toml"), environ={})
    assert (defaults.imap.auth, defaults.smtp.auth, defaults.oauth.token_url) == ("password", "password", "")


@pytest.mark.parametrize(
    ("provider", "tenant", "token_url", "scope", "imap", "smtp"),
    [
        (
            "microsoft",
            "batumi.ge",
            "https://login.microsoftonline.com/batumi.ge/oauth2/v2.0/token",
            "https://outlook.office365.com/IMAP.AccessAsUser.All"
            " https://outlook.office365.com/SMTP.Send offline_access",
            ("outlook.office365.com", 993, "ssl"),
            ("smtp.office365.com", 587, "starttls"),
        ),
        (
            "google",
            "organizations",
            "https://oauth2.googleapis.com/token",
            "https://mail.google.com/",
            ("imap.gmail.com", 993, "ssl"),
            ("smtp.gmail.com", 587, "starttls"),
        ),
    ],
)
def test_provider_fills_endpoints_scope_and_empty_hosts(
    tmp_path: Path,
    provider: str,
    tenant: str,
    token_url: str,
    scope: str,
    imap: tuple[str, int, str],
    smtp: tuple[str, int, str],
) -> None:
    text = f"""
[imap]
host = ""
username = "foi@batumi.ge"
auth = "xoauth2"
[smtp]
host = ""
username = "foi@batumi.ge"
auth = "oauthbearer"
[oauth]
provider = "{provider}"
tenant = "{tenant}"
client_id = "app-id"
"""
    settings = load_settings(write(tmp_path, text), environ={})
    assert (settings.oauth.token_url, settings.oauth.scope) == (token_url, scope)
    assert settings.oauth.device_url.startswith("https://") and settings.oauth.authorize_url.startswith("https://")
    assert (settings.imap.host, settings.imap.port, settings.imap.security) == imap
    assert (settings.smtp.host, settings.smtp.port, settings.smtp.security) == smtp


def test_explicit_values_win_over_the_preset(tmp_path: Path) -> None:
    text = """
[imap]
host = "imap.example.org"
port = 143
security = "starttls"
username = "foi@batumi.ge"
auth = "xoauth2"
[smtp]
host = ""
[oauth]
provider = "microsoft"
client_id = "app-id"
scope = "https://outlook.office365.com/IMAP.AccessAsUser.All offline_access"
token_url = "https://login.example/token"
"""
    settings = load_settings(write(tmp_path, text), environ={"FOIMAIL_OAUTH_CLIENT_SECRET": "s"})
    assert (settings.imap.host, settings.imap.port, settings.imap.security) == ("imap.example.org", 143, "starttls")
    assert settings.smtp.host == ""  # smtp.auth is password: the preset leaves SMTP alone
    assert settings.oauth.token_url == "https://login.example/token"
    assert settings.oauth.scope.endswith("offline_access") and "SMTP.Send" not in settings.oauth.scope
    assert settings.oauth.client_secret == "s"


def test_secrets_from_files(tmp_path: Path) -> None:
    (tmp_path / "secret").write_text("client-secret\n")
    (tmp_path / "refresh").write_text("rt-from-file\n")
    text = f"""
[imap]
host = "h"
username = "u"
auth = "oauthbearer"
[oauth]
provider = "google"
client_id = "id"
client_secret_file = "{tmp_path / "secret"}"
refresh_token_file = "{tmp_path / "refresh"}"
"""
    settings = load_settings(write(tmp_path, text), environ={})
    assert (settings.oauth.client_secret, settings.oauth.refresh_token) == ("client-secret", "rt-from-file")


@pytest.mark.parametrize(
    ("text", "key", "problem"),
    [
        ('[imap]\nauth = "oauth"\n', "imap.auth", "must be one of password, xoauth2, oauthbearer"),
        ('[oauth]\nprovider = "yahoo"\n', "oauth.provider", "must be one of , microsoft, google"),
        (
            '[imap]\nhost = "h"\nusername = "u"\nauth = "xoauth2"\n',
            "oauth.token_url",
            "required when imap.auth = 'xoauth2' (or set oauth.provider)",
        ),
        (
            '[smtp]\nauth = "xoauth2"\n[oauth]\nprovider = "google"\n',
            "oauth.client_id",
            "required when smtp.auth = 'xoauth2'",
        ),
        (
            '[smtp]\nauth = "xoauth2"\n[oauth]\nprovider = "google"\nclient_id = "x"\n',
            "smtp.username",
            "required with OAuth",
        ),
        ('[oauth]\nrefresh = "x"\n', "oauth.refresh", "unknown key"),
    ],
)
def test_mistakes_are_one_line_naming_the_key(tmp_path: Path, text: str, key: str, problem: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(write(tmp_path, text), environ={})
    assert raised.value.key == key
    assert problem in raised.value.problem
    assert "\n" not in str(raised.value)
