"""OAuth 2 access tokens against our loopback authorization server: refresh, cache, rotation, revocation."""

from __future__ import annotations

import logging
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from foimail.adapters.oauth import STATE_FILE, RefreshTokenStore, TokenSource
from foimail.config import OAuthSettings
from foimail.errors import OAuthLoginNeeded, PermanentError, TransientError
from tests.support import free_ports
from tests.support.oauth_server import CLIENT_ID, CLIENT_SECRET, SCOPE, TokenEndpoint

USER = "foi@batumi.ge"


def oauth_settings(endpoint: TokenEndpoint, refresh_token: str = "", **changes: object) -> OAuthSettings:
    values: dict[str, object] = {
        "token_url": endpoint.token_url,
        "device_url": endpoint.device_url,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "refresh_token": refresh_token,
        "scope": SCOPE,
        "timeout_seconds": 5,
    }
    values.update(changes)
    return OAuthSettings(**values)  # type: ignore[arg-type]


class Clock:
    """A clock the test moves; token lifetimes are judged by it, not by sleeping."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_refresh_token_grant_gives_a_cached_token_that_the_server_accepts(
    token_endpoint: TokenEndpoint, tmp_path: Path
) -> None:
    clock = Clock()
    source = TokenSource(oauth_settings(token_endpoint, token_endpoint.grant(USER)), tmp_path, clock)
    first = source.access_token()
    assert token_endpoint.is_active(first.value) and token_endpoint.user_of(first.value) == USER
    assert first.expires_at == clock.now + timedelta(hours=1)
    assert source.access_token() == first
    assert token_endpoint.refreshes() == 1
    path, form = token_endpoint.requests[-1]
    assert (form["grant_type"], form["client_id"], form["client_secret"], form["scope"]) == (
        "refresh_token",
        CLIENT_ID,
        CLIENT_SECRET,
        SCOPE,
    )
    assert "token=" not in repr(first) and first.value not in repr(first)


@pytest.mark.parametrize(
    ("lifetime", "later", "refreshed"),
    [
        (3600, timedelta(minutes=54), False),  # 6 minutes left: still good
        (3600, timedelta(minutes=55), True),  # 5 minutes before expiry: refresh now
        (60, timedelta(seconds=53), False),  # short-lived: a tenth of the lifetime is the margin
        (60, timedelta(seconds=54), True),
    ],
)
def test_refreshes_before_expiry(
    token_endpoint: TokenEndpoint, tmp_path: Path, lifetime: int, later: timedelta, refreshed: bool
) -> None:
    token_endpoint.lifetime = lifetime
    clock = Clock()
    source = TokenSource(oauth_settings(token_endpoint, token_endpoint.grant(USER)), tmp_path, clock)
    first = source.access_token()
    clock.now += later
    assert (source.access_token() != first) is refreshed
    assert token_endpoint.refreshes() == 1 + refreshed


def test_fresh_token_on_demand_after_an_authentication_failure(token_endpoint: TokenEndpoint, tmp_path: Path) -> None:
    source = TokenSource(oauth_settings(token_endpoint, token_endpoint.grant(USER)), tmp_path, Clock())
    first = source.access_token()
    token_endpoint.expire_access_tokens()  # the server ends it early (e.g. a password change)
    assert not token_endpoint.is_active(first.value)
    second = source.access_token(fresh=True)
    assert second != first and token_endpoint.is_active(second.value)


def test_rotated_refresh_token_is_stored_private_and_used_after_a_restart(
    token_endpoint: TokenEndpoint, tmp_path: Path
) -> None:
    token_endpoint.rotate = True
    configured = token_endpoint.grant(USER)
    settings = oauth_settings(token_endpoint, configured)
    TokenSource(settings, tmp_path, Clock()).access_token()
    stored = tmp_path / STATE_FILE
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert configured not in token_endpoint.refresh_tokens  # the provider retired it
    rotated = RefreshTokenStore(tmp_path, configured).load()
    assert rotated in token_endpoint.refresh_tokens and rotated in stored.read_text()
    # A restart with the same config uses the stored one; the old one would be refused.
    restarted = TokenSource(settings, tmp_path, Clock())
    assert token_endpoint.is_active(restarted.access_token().value)
    assert RefreshTokenStore(tmp_path, configured).load() not in (configured, rotated)


def test_a_new_refresh_token_in_the_config_wins_over_an_older_rotation(
    token_endpoint: TokenEndpoint, tmp_path: Path
) -> None:
    token_endpoint.rotate = True
    TokenSource(oauth_settings(token_endpoint, token_endpoint.grant(USER)), tmp_path, Clock()).access_token()
    pasted = token_endpoint.grant(USER)
    assert RefreshTokenStore(tmp_path, pasted).load() == pasted
    assert RefreshTokenStore(tmp_path, "").load() != ""  # none configured: the stored one (after oauth login)


def test_rotation_that_cannot_be_stored_keeps_working_from_memory(
    token_endpoint: TokenEndpoint, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    token_endpoint.rotate = True
    missing = tmp_path / "no-such-dir"
    source = TokenSource(oauth_settings(token_endpoint, token_endpoint.grant(USER)), missing, Clock())
    source.access_token()
    assert token_endpoint.is_active(source.access_token(fresh=True).value)
    assert "cannot store the rotated OAuth refresh token" in caplog.text


@pytest.mark.parametrize("how", ["revoked", "none configured"])
def test_revoked_or_missing_refresh_token_is_one_line_naming_the_command(
    token_endpoint: TokenEndpoint, tmp_path: Path, how: str
) -> None:
    refresh_token = token_endpoint.grant(USER) if how == "revoked" else ""
    token_endpoint.revoke(USER)
    source = TokenSource(oauth_settings(token_endpoint, refresh_token), tmp_path, Clock())
    with pytest.raises(OAuthLoginNeeded) as raised:
        source.access_token()
    message = str(raised.value)
    assert "\n" not in message and "\r" not in message
    assert message.endswith("run `foimail oauth login`")
    assert isinstance(raised.value, PermanentError)
    if how == "revoked":
        assert "AADSTS70008" in message and "Trace ID" not in message
        assert refresh_token not in message


def test_a_wrong_client_secret_is_a_permanent_error_naming_the_server(
    token_endpoint: TokenEndpoint, tmp_path: Path
) -> None:
    source = TokenSource(oauth_settings(token_endpoint, token_endpoint.grant(USER), client_secret="wrong"), tmp_path)
    with pytest.raises(PermanentError, match=r"OAuth 127\.0\.0\.1 refused: invalid_client: AADSTS7000215") as raised:
        source.access_token()
    assert not isinstance(raised.value, OAuthLoginNeeded) and "wrong" not in str(raised.value)


def test_an_unreachable_token_endpoint_is_transient(tmp_path: Path) -> None:
    (port,) = free_ports(1)
    settings = OAuthSettings(token_url=f"http://127.0.0.1:{port}/token", client_id="c", refresh_token="rt-x")
    with pytest.raises(TransientError, match="OAuth 127.0.0.1: ConnectError"):
        TokenSource(settings, tmp_path).access_token()


def test_no_token_reaches_the_log(
    token_endpoint: TokenEndpoint, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Every logger at DEBUG (httpx, httpcore, authlib included) while tokens are issued, rotated and refused."""
    caplog.set_level(logging.DEBUG)
    token_endpoint.rotate = True
    configured = token_endpoint.grant(USER)
    source = TokenSource(oauth_settings(token_endpoint, configured), tmp_path, Clock())
    issued = [source.access_token(), source.access_token(fresh=True)]
    token_endpoint.revoke(USER)
    with pytest.raises(OAuthLoginNeeded):
        source.access_token(fresh=True)
    assert "OAuth access token obtained" in caplog.text  # the log is captured at all
    secrets = [configured, *(t.value for t in issued), *token_endpoint_history(token_endpoint)]
    leaked = [secret for secret in secrets if secret in caplog.text]
    assert leaked == []


def token_endpoint_history(endpoint: TokenEndpoint) -> list[str]:
    return [form[key] for _, form in endpoint.requests for key in ("refresh_token",) if key in form]
