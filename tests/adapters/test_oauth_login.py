"""Logging in with OAuth 2 tokens: Dovecot's oauth2 passdb (IMAP) and aiosmtpd (SMTP), both OAuth-only."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import timedelta
from pathlib import Path

import aiosmtplib
import pytest
from imapclient import IMAPClient
from imapclient.exceptions import LoginError

from foimail.adapters.imap import ImapMailbox
from foimail.adapters.mail_auth import imap_login, smtp_login
from foimail.adapters.oauth import TokenSource
from foimail.config import ImapSettings, SmtpSettings
from foimail.errors import OAuthLoginNeeded
from tests.adapters.test_oauth_tokens import USER, Clock, oauth_settings
from tests.support.dovecot import DovecotServer
from tests.support.oauth_server import TokenEndpoint
from tests.support.smtp import OAuthSmtpServer

OTHER = "other@example.org"


def imap(server: DovecotServer) -> IMAPClient:
    return IMAPClient(server.host, server.port, ssl=False, timeout=10)


def login_with(server: DovecotServer, mechanism: str, user: str, token: str) -> None:
    """imapclient's own calls, with a token the test chose."""
    with imap(server) as client:
        if mechanism == "xoauth2":
            client.oauth2_login(user, token)
        else:
            client.oauthbearer_login(user, token)
        client.select_folder("INBOX")


@pytest.mark.parametrize("mechanism", ["xoauth2", "oauthbearer"])
def test_imap_login_with_a_token_from_the_refresh_grant(
    oauth_mailbox: DovecotServer, token_endpoint: TokenEndpoint, tmp_path: Path, mechanism: str
) -> None:
    source = TokenSource(oauth_settings(token_endpoint, token_endpoint.grant(USER)), tmp_path)
    login_with(oauth_mailbox, mechanism, USER, source.access_token().value)
    introspected = [form for path, form in token_endpoint.requests if path == "/introspect"]
    assert introspected and introspected[-1]["token"] == source.access_token().value


def test_the_oauth_mailbox_offers_no_password_login(oauth_mailbox: DovecotServer) -> None:
    with imap(oauth_mailbox) as client:
        offered = {c for c in client.capabilities() if c.startswith(b"AUTH=")}
        assert offered == {b"AUTH=XOAUTH2", b"AUTH=OAUTHBEARER"}
        with pytest.raises(LoginError):
            client.login(USER, "secret")


@pytest.mark.parametrize("mechanism", ["xoauth2", "oauthbearer"])
@pytest.mark.parametrize("how", ["expired", "revoked", "another user's", "made up"])
def test_imap_refuses_a_token_that_is_not_good_for_this_mailbox(
    oauth_mailbox: DovecotServer, token_endpoint: TokenEndpoint, mechanism: str, how: str
) -> None:
    token = token_endpoint.access_token(OTHER if how == "another user's" else USER)
    if how == "expired":
        token_endpoint.expire_access_tokens()
    elif how == "revoked":
        token_endpoint.revoke(USER)
    elif how == "made up":
        token = "at-" + "x" * 32
    with pytest.raises(LoginError):
        login_with(oauth_mailbox, mechanism, USER, token)


@pytest.mark.parametrize("mechanism", ["xoauth2", "oauthbearer"])
def test_imap_retries_once_with_a_fresh_token_on_the_same_connection(
    oauth_mailbox: DovecotServer, token_endpoint: TokenEndpoint, tmp_path: Path, mechanism: str
) -> None:
    source = TokenSource(oauth_settings(token_endpoint, token_endpoint.grant(USER)), tmp_path)
    source.access_token()
    token_endpoint.expire_access_tokens()  # still cached, refused by Dovecot
    settings = ImapSettings(host=oauth_mailbox.host, username=USER, auth=mechanism)
    with imap(oauth_mailbox) as client:
        imap_login(client, settings, source)
        client.select_folder("INBOX")
    assert token_endpoint.refreshes() == 2


def test_imap_refused_twice_is_the_servers_final_word(
    oauth_mailbox: DovecotServer, token_endpoint: TokenEndpoint, tmp_path: Path
) -> None:
    source = TokenSource(oauth_settings(token_endpoint, token_endpoint.grant(OTHER)), tmp_path)
    settings = ImapSettings(host=oauth_mailbox.host, username=USER, auth="oauthbearer")
    with imap(oauth_mailbox) as client, pytest.raises(LoginError):
        imap_login(client, settings, source)
    assert token_endpoint.refreshes() == 2


def smtp_settings(server: OAuthSmtpServer, mechanism: str) -> SmtpSettings:
    return SmtpSettings(host=server.host, port=server.port, security="none", username=USER, auth=mechanism)


async def smtp_send(server: OAuthSmtpServer, mechanism: str, tokens: TokenSource) -> None:
    async with aiosmtplib.SMTP(hostname=server.host, port=server.port, start_tls=False, timeout=10) as smtp:
        await smtp.ehlo()
        assert {"xoauth2", "oauthbearer"} == set(smtp.server_auth_methods)
        await smtp_login(smtp, smtp_settings(server, mechanism), tokens)
        await smtp.sendmail(USER, ["citizen@example.org"], b"Subject: test\r\n\r\nbody\r\n")


@pytest.mark.parametrize("mechanism", ["xoauth2", "oauthbearer"])
def test_smtp_login_and_send_with_a_token(
    oauth_smtp_server: OAuthSmtpServer, token_endpoint: TokenEndpoint, tmp_path: Path, mechanism: str
) -> None:
    source = TokenSource(oauth_settings(token_endpoint, token_endpoint.grant(USER)), tmp_path)
    asyncio.run(smtp_send(oauth_smtp_server, mechanism, source))
    assert oauth_smtp_server.logins == [(mechanism.upper(), USER)]
    assert [m.mail_from for m in oauth_smtp_server.wait_for(1)] == [USER]


@pytest.mark.parametrize("mechanism", ["xoauth2", "oauthbearer"])
def test_smtp_retries_once_with_a_fresh_token_on_the_same_connection(
    oauth_smtp_server: OAuthSmtpServer, token_endpoint: TokenEndpoint, tmp_path: Path, mechanism: str
) -> None:
    source = TokenSource(oauth_settings(token_endpoint, token_endpoint.grant(USER)), tmp_path)
    source.access_token()
    token_endpoint.expire_access_tokens()  # the cache still holds it: the server refuses it
    asyncio.run(smtp_send(oauth_smtp_server, mechanism, source))
    assert token_endpoint.refreshes() == 2
    assert len(oauth_smtp_server.wait_for(1)) == 1


@pytest.mark.parametrize("mechanism", ["xoauth2", "oauthbearer"])
def test_smtp_refuses_a_token_for_another_mailbox_with_535(
    oauth_smtp_server: OAuthSmtpServer, token_endpoint: TokenEndpoint, tmp_path: Path, mechanism: str
) -> None:
    source = TokenSource(oauth_settings(token_endpoint, token_endpoint.grant(OTHER)), tmp_path)
    with pytest.raises(aiosmtplib.SMTPAuthenticationError) as raised:
        asyncio.run(smtp_send(oauth_smtp_server, mechanism, source))
    assert raised.value.code == 535
    assert token_endpoint.refreshes() == 2  # the cached token, then one fresh one
    assert oauth_smtp_server.messages == [] and oauth_smtp_server.logins == []


def test_smtp_with_a_revoked_refresh_token_names_the_login_command(
    oauth_smtp_server: OAuthSmtpServer, token_endpoint: TokenEndpoint, tmp_path: Path
) -> None:
    source = TokenSource(oauth_settings(token_endpoint, token_endpoint.grant(USER)), tmp_path)
    source.access_token()
    token_endpoint.revoke(USER)
    with pytest.raises(OAuthLoginNeeded, match="run `foimail oauth login`"):
        asyncio.run(smtp_send(oauth_smtp_server, "xoauth2", source))
    assert oauth_smtp_server.messages == []


def test_the_imap_session_is_renewed_when_its_token_is_due_for_refresh(
    oauth_mailbox: DovecotServer, token_endpoint: TokenEndpoint, tmp_path: Path
) -> None:
    """Microsoft 365 ends a session whose token expired: foimail renews it first, with a fresh token."""
    clock = Clock()
    tokens = TokenSource(oauth_settings(token_endpoint, token_endpoint.grant(USER)), tmp_path, clock)
    settings = ImapSettings(
        host=oauth_mailbox.host,
        port=oauth_mailbox.port,
        security="none",
        username=USER,
        auth="xoauth2",
        timeout_seconds=10,
    )
    mailbox = ImapMailbox(settings, tokens, clock)
    mailbox.open()
    first = mailbox.session_token
    assert first is not None and first.expires_at == clock.now + timedelta(hours=1)
    clock.now += timedelta(minutes=30)
    started = time.monotonic()
    mailbox.wait_for_mail(threading.Event(), poll_seconds=1)
    assert mailbox.client is not None and time.monotonic() - started < 5  # an ordinary wait, still logged in
    clock.now = first.refresh_at
    mailbox.wait_for_mail(threading.Event(), poll_seconds=60)
    assert mailbox.client is None  # closed at once, not after a minute of IDLE
    mailbox.open()
    assert mailbox.session_token is not None and mailbox.session_token.value != first.value
    assert token_endpoint.refreshes() == 2
    mailbox.close()
