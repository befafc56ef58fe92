"""`foimail oauth login` and `foimail check` as an admin runs them, against an OAuth-only Dovecot and SMTP."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import httpx2

from foimail.adapters.oauth import STATE_FILE
from tests.e2e.test_cli import foimail
from tests.e2e.test_daemon import write_config
from tests.support.dovecot import DovecotServer
from tests.support.oauth_server import CLIENT_ID, CLIENT_SECRET, SCOPE, TokenEndpoint
from tests.support.smtp import OAuthSmtpServer

USER = "foi@batumi.ge"


def oauth_config(
    tmp_path: Path,
    database_url: str,
    dovecot: DovecotServer,
    smtp: OAuthSmtpServer,
    endpoint: TokenEndpoint,
    http_port: int = 0,
) -> Path:
    """The daemon test's config with the passwords swapped for XOAUTH2 (IMAP) and OAUTHBEARER (SMTP)."""
    config = write_config(tmp_path, database_url, dovecot, smtp, http_port)
    state = tmp_path / "state"
    state.mkdir(exist_ok=True)
    text = config.read_text(encoding="utf-8")
    text = text.replace(f'password = "{dovecot.users[USER]}"', 'auth = "xoauth2"')
    text = text.replace("timeout_seconds = 5", f'timeout_seconds = 5\nusername = "{USER}"\nauth = "oauthbearer"')
    if not http_port:
        text = text.replace('listen = "127.0.0.1:0"', 'listen = ""')
    oauth = {
        "token_url": endpoint.token_url,
        "device_url": endpoint.device_url,
        "authorize_url": endpoint.authorize_url,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "scope": SCOPE,
    }
    text += "[oauth]\n" + "".join(f'{key} = "{value}"\n' for key, value in oauth.items())
    text += f'[paths]\nstate_dir = "{state}"\n'
    config.write_text(text, encoding="utf-8")
    return config


def start_login(config: Path, *args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOIMAIL_")} | {"FOIMAIL_CONFIG": str(config)}
    return subprocess.Popen(
        [sys.executable, "-m", "foimail.cli", "oauth", "login", *args],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def read_until(process: subprocess.Popen[str], pattern: str) -> re.Match[str]:
    assert process.stdout is not None
    seen = []
    for line in process.stdout:
        seen.append(line)
        match = re.search(pattern, line)
        if match:
            return match
    raise AssertionError(
        f"no {pattern!r} in {''.join(seen)!r}; stderr: {process.stderr.read() if process.stderr else ''}"
    )


def start_browser_login(config: Path, endpoint: TokenEndpoint) -> tuple[subprocess.Popen[str], str]:
    """`foimail oauth login --browser`, and the address it asks the admin to open."""
    endpoint.consenting_user = USER
    login = start_login(config, "--browser")
    return login, read_until(login, r"^\s+(http://\S+/authorize\?\S+)").group(1)


def finish(process: subprocess.Popen[str]) -> str:
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, out + err
    return out


def test_device_login_then_check_names_mechanisms_and_expiry(  # type: ignore[no-untyped-def]
    sqlite_url, oauth_mailbox, oauth_smtp_server, token_endpoint, tmp_path
) -> None:
    database_url = sqlite_url  # the login and the check talk to the token endpoint, not the database: one backend
    config = oauth_config(tmp_path, database_url, oauth_mailbox, oauth_smtp_server, token_endpoint)
    assert foimail("db", "upgrade", config=config).returncode == 0
    before = foimail("check", config=config)
    assert before.returncode == 1
    assert "FAIL imap: no OAuth refresh token: run `foimail oauth login`" in before.stdout
    assert "FAIL smtp: no OAuth refresh token: run `foimail oauth login`" in before.stdout
    login = start_login(config)
    code = read_until(login, r"enter the code (\w+)").group(1)
    token_endpoint.approve(code, USER)
    out = finish(login)
    stored = tmp_path / "state" / STATE_FILE
    assert f"the refresh token is stored in {stored} (mode 0600)" in out
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    after = foimail("check", config=config)
    assert after.returncode == 0, after.stdout + after.stderr
    assert re.search(
        r"ok   imap: logged in as foi@batumi.ge with XOAUTH2 \(access token valid until 20\d\d-", after.stdout
    )
    assert re.search(r"logged in as foi@batumi.ge with OAUTHBEARER \(access token valid until 20\d\d-", after.stdout)
    assert oauth_smtp_server.logins == [("OAUTHBEARER", USER)]
    tokens = [t for t in token_endpoint.access_tokens] + list(token_endpoint.refresh_tokens)
    assert not [t for t in tokens if t in out + after.stdout + after.stderr]


def test_browser_login_through_the_loopback_redirect(  # type: ignore[no-untyped-def]
    database_url, oauth_mailbox, oauth_smtp_server, token_endpoint, tmp_path
) -> None:
    login, url = start_browser_login(
        oauth_config(tmp_path, database_url, oauth_mailbox, oauth_smtp_server, token_endpoint), token_endpoint
    )
    assert "login_hint=foi%40batumi.ge" in url
    assert "signed in" in httpx2.get(url, follow_redirects=True, timeout=10).text  # the admin's browser
    finish(login)
    assert (tmp_path / "state" / STATE_FILE).exists()


def test_browser_login_with_the_address_pasted(  # type: ignore[no-untyped-def]
    database_url, oauth_mailbox, oauth_smtp_server, token_endpoint, tmp_path
) -> None:
    login, url = start_browser_login(
        oauth_config(tmp_path, database_url, oauth_mailbox, oauth_smtp_server, token_endpoint), token_endpoint
    )
    read_until(login, r"paste that page's address here")
    location = httpx2.get(url, follow_redirects=False, timeout=10).headers["Location"]  # a browser elsewhere
    assert login.stdin is not None
    login.stdin.write(location + "\n")
    login.stdin.flush()
    finish(login)
    assert (tmp_path / "state" / STATE_FILE).exists()
