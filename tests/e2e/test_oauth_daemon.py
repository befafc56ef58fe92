"""A mailbox that accepts only XOAUTH2 / OAUTHBEARER, watched and answered by `foimail run`, on both databases.

The daemon runs as a subprocess against the OAuth-only Dovecot and aiosmtpd and our authorization server,
which hands out short-lived tokens and rotates the refresh token at every refresh. Along the way: the
session is renewed before its token expires, a session the server ends (as Microsoft 365 does when a token
expires) is reopened with a fresh token, and a revoked refresh token turns health red with one line
naming `foimail oauth login`; mail that arrives meanwhile waits in the mailbox, and is registered and
answered once the admin has logged in again.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from foimail.adapters.oauth import STATE_FILE
from foimail.store.db import upgrade
from tests.e2e.test_daemon import USER, free_port, scalar, start, wait_until
from tests.e2e.test_oauth_cli import finish, oauth_config, read_until, start_login
from tests.support.dovecot import DovecotServer
from tests.support.mails import request_mail
from tests.support.oauth_server import TokenEndpoint
from tests.support.smtp import OAuthSmtpServer

LIFETIME = 8  # seconds: the daemon renews its IMAP session about every 7 s


def health(config: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOIMAIL_")} | {"FOIMAIL_CONFIG": str(config)}
    return subprocess.run(
        [sys.executable, "-m", "foimail.cli", "health"], env=env, capture_output=True, text=True, timeout=60
    )


def test_oauth_only_mailbox_is_watched_and_answered(  # type: ignore[no-untyped-def]
    sqlite_url,
    oauth_mailbox: DovecotServer,
    oauth_smtp_server: OAuthSmtpServer,
    token_endpoint: TokenEndpoint,
    tmp_path: Path,
) -> None:
    # OAuth is between foimail and the mail servers; the database plays no part, so one backend (34 s a run).
    # The daemon's PostgreSQL paths run in tests/e2e/test_daemon.py and tests/reliability/.
    database_url = sqlite_url
    upgrade(database_url)
    token_endpoint.rotate = True
    token_endpoint.lifetime = LIFETIME
    configured = token_endpoint.grant(USER)
    config = oauth_config(tmp_path, database_url, oauth_mailbox, oauth_smtp_server, token_endpoint, free_port())
    config.write_text(config.read_text().replace('client_id = "', f'refresh_token = "{configured}"\nclient_id = "'))
    log = tmp_path / "daemon.log"
    daemon = start(config, log)
    cases = "SELECT count(*) FROM cases"
    try:
        # 1. Watched and answered: the confirmation goes out through OAUTHBEARER.
        oauth_mailbox.append(USER, request_mail(sender="first@example.org"))
        assert wait_until(lambda: len(oauth_smtp_server.messages) >= 1, 30), log.read_text()
        assert oauth_smtp_server.messages[0].rcpt_tos == ["first@example.org"]
        assert ("OAUTHBEARER", USER) in oauth_smtp_server.logins

        # 2. The session is renewed before its token expires, each time with a fresh, rotated token.
        refreshed = token_endpoint.refreshes()
        assert wait_until(lambda: token_endpoint.refreshes() >= refreshed + 2, 4 * LIFETIME), log.read_text()
        assert wait_until(lambda: "due for refresh: reconnecting" in log.read_text(), 2 * LIFETIME)
        assert configured not in token_endpoint.refresh_tokens  # rotated away: the stored one is in use
        assert (tmp_path / "state" / STATE_FILE).stat().st_mode & 0o077 == 0

        # 3. The server ends the session early (BYE, as for an expired token): reopened with a fresh token.
        token_endpoint.expire_access_tokens()
        assert wait_until(lambda: oauth_mailbox.kick(USER), 10)
        oauth_mailbox.append(USER, request_mail(sender="second@example.org"))
        assert wait_until(lambda: len(oauth_smtp_server.messages) >= 2, 30), log.read_text()
        assert health(config).returncode == 0

        # 4. Revoked: health turns red with one line naming the command; new mail waits, nothing is lost.
        token_endpoint.revoke(USER)
        oauth_mailbox.kick(USER)  # or, if it is between sessions, its next login fails
        oauth_mailbox.append(USER, request_mail(sender="third@example.org"))
        red = None
        for _ in range(60):
            result = health(config)
            if result.returncode == 1 and "foimail oauth login" in result.stdout:
                red = result.stdout
                break
        assert red is not None, log.read_text()
        assert "OAuth refresh token expired or revoked (AADSTS70008" in red and "Trace ID" not in red
        assert scalar(database_url, cases) == 2
        assert len(oauth_mailbox.folder_uids(USER, "INBOX")) == 1

        # 5. The admin logs in again; the running daemon picks the new refresh token up, no restart.
        login = start_login(config)
        token_endpoint.approve(read_until(login, r"enter the code (\w+)").group(1), USER)
        finish(login)
        assert wait_until(lambda: len(oauth_smtp_server.messages) >= 3, 90), log.read_text()
        assert [m.rcpt_tos for m in oauth_smtp_server.messages] == [
            ["first@example.org"],
            ["second@example.org"],
            ["third@example.org"],
        ]
        assert wait_until(lambda: health(config).returncode == 0, 30)
    finally:
        daemon.terminate()
        daemon.wait(10)
    assert scalar(database_url, cases) == 3
    assert oauth_mailbox.folder_uids(USER, "INBOX") == []
    text = log.read_text()
    secrets = [configured, *token_endpoint.refresh_tokens, *token_endpoint.access_tokens]
    assert [s for s in secrets if s in text] == []
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    assert any("OAuth access token obtained" in entry["msg"] for entry in lines)
