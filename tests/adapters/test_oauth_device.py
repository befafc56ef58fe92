"""`foimail oauth login`'s device authorization grant (RFC 8628) against our loopback authorization server."""

from __future__ import annotations

import os
import pwd
import stat
import threading
from datetime import timedelta
from pathlib import Path

import pytest

from foimail.adapters.oauth import (
    STATE_FILE,
    RefreshTokenStore,
    TokenSource,
    finish_device_login,
    start_device_login,
)
from foimail.errors import OAuthLoginNeeded, PermanentError
from tests.adapters.test_oauth_tokens import USER, Clock, oauth_settings
from tests.support.oauth_server import CLIENT_ID, SCOPE, TokenEndpoint


class Approver:
    """The admin at the browser: a sleep that approves (or denies) the code after ``polls`` polls."""

    def __init__(self, endpoint: TokenEndpoint, user_code: str, polls: int, deny: bool = False) -> None:
        self.endpoint, self.user_code, self.polls, self.deny = endpoint, user_code, polls, deny
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        if len(self.waits) == self.polls:
            if self.deny:
                self.endpoint.deny(self.user_code)
            else:
                self.endpoint.approve(self.user_code, USER)


def test_device_login_stores_a_refresh_token_the_daemon_then_uses(
    token_endpoint: TokenEndpoint, tmp_path: Path
) -> None:
    settings = oauth_settings(token_endpoint)
    login = start_device_login(settings, Clock())
    assert login.verification_uri == token_endpoint.url("/devicelogin")
    assert login.user_code and login.interval == 1 and login.user_code in login.message
    assert login.device_code not in repr(login)
    path, form = token_endpoint.requests[-1]
    assert (path, form["client_id"], form["scope"]) == ("/device", CLIENT_ID, SCOPE)
    approver = Approver(token_endpoint, login.user_code, polls=3)
    token = finish_device_login(settings, login, tmp_path, Clock(), sleep=approver)
    assert approver.waits == [1, 1, 1]  # two authorization_pending answers, then the token
    assert token_endpoint.is_active(token.value)
    assert stat.S_IMODE((tmp_path / STATE_FILE).stat().st_mode) == 0o600
    stored = RefreshTokenStore(tmp_path, "").load()
    assert token_endpoint.refresh_tokens[stored] == USER
    daemon = TokenSource(settings, tmp_path)  # no refresh_token in the config: the stored one
    assert token_endpoint.user_of(daemon.access_token().value) == USER


def test_slow_down_adds_five_seconds_to_the_interval(token_endpoint: TokenEndpoint, tmp_path: Path) -> None:
    """RFC 8628 §3.5."""
    settings = oauth_settings(token_endpoint)
    login = start_device_login(settings)
    token_endpoint.slow_down = 2
    approver = Approver(token_endpoint, login.user_code, polls=1)
    finish_device_login(settings, login, tmp_path, sleep=approver)
    assert approver.waits == [1, 6, 11]


def test_declined_login_says_so_and_stores_nothing(token_endpoint: TokenEndpoint, tmp_path: Path) -> None:
    settings = oauth_settings(token_endpoint)
    login = start_device_login(settings)
    with pytest.raises(PermanentError, match="access_denied: The user declined"):
        finish_device_login(settings, login, tmp_path, sleep=Approver(token_endpoint, login.user_code, 2, deny=True))
    assert not (tmp_path / STATE_FILE).exists()


def test_a_code_nobody_entered_expires(token_endpoint: TokenEndpoint, tmp_path: Path) -> None:
    settings = oauth_settings(token_endpoint)
    clock = Clock()
    login = start_device_login(settings, clock)

    def sleep(seconds: float) -> None:
        clock.now += timedelta(minutes=5)

    with pytest.raises(PermanentError, match=f"the code {login.user_code} expired before it was entered"):
        finish_device_login(settings, login, tmp_path, clock, sleep=sleep)


def test_device_login_without_an_endpoint_names_the_setting(token_endpoint: TokenEndpoint) -> None:
    with pytest.raises(PermanentError, match="oauth.device_url is not set"):
        start_device_login(oauth_settings(token_endpoint, device_url=""))


def test_wrong_client_is_refused_at_the_device_endpoint(token_endpoint: TokenEndpoint) -> None:
    with pytest.raises(PermanentError, match="invalid_client"):
        start_device_login(oauth_settings(token_endpoint, client_secret="nope"))


def test_concurrent_users_of_one_source_refresh_once(token_endpoint: TokenEndpoint, tmp_path: Path) -> None:
    """The IMAP thread and the outbox thread share one TokenSource."""
    source = TokenSource(oauth_settings(token_endpoint, token_endpoint.grant(USER)), tmp_path)
    values: list[str] = []
    threads = [threading.Thread(target=lambda: values.append(source.access_token().value)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(set(values)) == 1 and len(values) == 8
    assert token_endpoint.refreshes() == 1


def test_login_into_a_missing_state_directory_names_it(token_endpoint: TokenEndpoint, tmp_path: Path) -> None:
    settings = oauth_settings(token_endpoint)
    login = start_device_login(settings)
    missing = tmp_path / "absent"
    with pytest.raises(PermanentError, match=f"cannot write {missing}/{STATE_FILE}: No such file or directory"):
        finish_device_login(settings, login, missing, sleep=Approver(token_endpoint, login.user_code, 1))


def test_login_as_root_gives_the_file_to_the_state_directorys_owner(
    token_endpoint: TokenEndpoint, tmp_path: Path
) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root, as an admin's sudo foimail oauth login has")
    daemon_user = pwd.getpwnam("nobody")
    os.chown(tmp_path, daemon_user.pw_uid, daemon_user.pw_gid)
    settings = oauth_settings(token_endpoint)
    login = start_device_login(settings)
    finish_device_login(settings, login, tmp_path, sleep=Approver(token_endpoint, login.user_code, 1))
    written = (tmp_path / STATE_FILE).stat()
    assert (written.st_uid, written.st_gid, stat.S_IMODE(written.st_mode)) == (
        daemon_user.pw_uid,
        daemon_user.pw_gid,
        0o600,
    )


def test_a_running_source_recovers_after_a_new_login_without_a_restart(
    token_endpoint: TokenEndpoint, tmp_path: Path
) -> None:
    token_endpoint.rotate = True
    configured = token_endpoint.grant(USER)
    settings = oauth_settings(token_endpoint, configured)
    daemon = TokenSource(settings, tmp_path)
    daemon.access_token()
    token_endpoint.revoke(USER)
    with pytest.raises(OAuthLoginNeeded):
        daemon.access_token(fresh=True)
    login = start_device_login(settings)  # the admin, in another process
    finish_device_login(settings, login, tmp_path, sleep=Approver(token_endpoint, login.user_code, 1))
    assert token_endpoint.user_of(daemon.access_token(fresh=True).value) == USER
