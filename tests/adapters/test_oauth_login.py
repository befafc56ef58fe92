"""Logging in with OAuth 2 tokens: Dovecot's oauth2 passdb (IMAP) and aiosmtpd (SMTP), both OAuth-only."""

from __future__ import annotations

import asyncio
import base64
from pathlib import Path

import aiosmtplib
import pytest
from imapclient import IMAPClient
from imapclient.exceptions import LoginError

from foimail.adapters import sasl
from foimail.adapters.oauth import TokenSource
from tests.adapters.test_oauth_tokens import USER, oauth_settings
from tests.support.dovecot import DovecotServer
from tests.support.oauth_server import TokenEndpoint
from tests.support.smtp import OAuthSmtpServer

OTHER = "other@example.org"


def imap(server: DovecotServer) -> IMAPClient:
    return IMAPClient(server.host, server.port, ssl=False, timeout=10)


def imap_login(server: DovecotServer, mechanism: str, user: str, token: str) -> None:
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
    imap_login(oauth_mailbox, mechanism, USER, source.access_token().value)
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
        imap_login(oauth_mailbox, mechanism, USER, token)


def test_a_refused_login_then_a_fresh_token_gets_in(
    oauth_mailbox: DovecotServer, token_endpoint: TokenEndpoint, tmp_path: Path
) -> None:
    """What the adapters do: refused with the cached token, retried once with a fresh one."""
    source = TokenSource(oauth_settings(token_endpoint, token_endpoint.grant(USER)), tmp_path)
    cached = source.access_token()
    token_endpoint.expire_access_tokens()
    with pytest.raises(LoginError):
        imap_login(oauth_mailbox, "xoauth2", USER, cached.value)
    imap_login(oauth_mailbox, "xoauth2", USER, source.access_token(fresh=True).value)


async def smtp_send(server: OAuthSmtpServer, mechanism: str, token: str) -> None:
    async with aiosmtplib.SMTP(hostname=server.host, port=server.port, start_tls=False, timeout=10) as smtp:
        await smtp.ehlo()
        assert {"xoauth2", "oauthbearer"} == set(smtp.server_auth_methods)
        if mechanism == "xoauth2":
            await smtp.auth_xoauth2(USER, token)
        else:  # aiosmtplib has no OAUTHBEARER: the AUTH command with the initial response (RFC 4954 §4)
            response = sasl.oauthbearer(USER, token, server.host, server.port)
            reply = await smtp.execute_command(b"AUTH", b"OAUTHBEARER", base64.b64encode(response))
            if reply.code == 334:  # the error challenge (RFC 7628 §3.2.2): answer ^A for the final reply
                assert sasl.error_status(base64.b64decode(reply.message)) == "invalid_token"
                reply = await smtp.execute_command(base64.b64encode(sasl.ERROR_REPLY))
            if reply.code != 235:
                raise aiosmtplib.SMTPAuthenticationError(reply.code, reply.message)
        await smtp.sendmail(USER, ["citizen@example.org"], b"Subject: test\r\n\r\nbody\r\n")


@pytest.mark.parametrize("mechanism", ["xoauth2", "oauthbearer"])
def test_smtp_login_and_send_with_a_token(
    oauth_smtp_server: OAuthSmtpServer, token_endpoint: TokenEndpoint, tmp_path: Path, mechanism: str
) -> None:
    source = TokenSource(oauth_settings(token_endpoint, token_endpoint.grant(USER)), tmp_path)
    asyncio.run(smtp_send(oauth_smtp_server, mechanism, source.access_token().value))
    assert oauth_smtp_server.logins == [(mechanism.upper(), USER)]
    assert [m.mail_from for m in oauth_smtp_server.wait_for(1)] == [USER]


@pytest.mark.parametrize("mechanism", ["xoauth2", "oauthbearer"])
def test_smtp_refuses_an_expired_token_with_535(
    oauth_smtp_server: OAuthSmtpServer, token_endpoint: TokenEndpoint, mechanism: str
) -> None:
    token = token_endpoint.access_token(USER)
    token_endpoint.expire_access_tokens()
    with pytest.raises(aiosmtplib.SMTPAuthenticationError) as raised:
        asyncio.run(smtp_send(oauth_smtp_server, mechanism, token))
    assert raised.value.code == 535
    assert oauth_smtp_server.messages == [] and oauth_smtp_server.logins == []
