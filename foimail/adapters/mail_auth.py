"""Log in to IMAP and SMTP the configured way: a password, or an OAuth 2 token by XOAUTH2 or OAUTHBEARER.

With OAuth the cached token is tried first; when the server refuses it (revoked, or expired earlier than it
said) one fresh token is fetched and tried once more on the same connection (RFC 4954 §4 and RFC 3501
§6.2.2 allow another AUTHENTICATE after a failed one). A second refusal is the server's final word.
"""

from __future__ import annotations

import asyncio
import base64
import logging

import aiosmtplib
from imapclient import IMAPClient
from imapclient.exceptions import LoginError

from foimail.adapters import sasl
from foimail.adapters.oauth import AccessToken, TokenSource
from foimail.config import ImapSettings, SmtpSettings

log = logging.getLogger("foimail.oauth")

AUTH_CONTINUE = 334
AUTH_SUCCESSFUL = 235


def mechanism_name(auth: str) -> str:
    """How `foimail check` names it: PASSWORD, XOAUTH2 or OAUTHBEARER."""
    return sasl.MECHANISMS.get(auth, "PASSWORD")


def imap_login(client: IMAPClient, settings: ImapSettings, tokens: TokenSource | None) -> AccessToken | None:
    """LOGIN with the password, or AUTHENTICATE with a token (returned: the session lasts as long as it may).

    Raises imapclient's LoginError when refused.
    """
    if settings.auth == "password" or tokens is None:
        client.login(settings.username, settings.password)
        return None
    token = tokens.access_token()
    try:
        _imap_authenticate(client, settings, token.value)
        return token
    except LoginError:
        log.info("IMAP refused the cached OAuth token; trying once with a fresh one")
    token = tokens.access_token(fresh=True)
    _imap_authenticate(client, settings, token.value)
    return token


def _imap_authenticate(client: IMAPClient, settings: ImapSettings, token: str) -> None:
    if sasl.MECHANISMS[settings.auth] == sasl.XOAUTH2:
        client.oauth2_login(settings.username, token)
    else:
        client.oauthbearer_login(settings.username, token)


async def smtp_login(smtp: aiosmtplib.SMTP, settings: SmtpSettings, tokens: TokenSource | None) -> AccessToken | None:
    """AUTH with the password (when a username is set), or with a token; SMTPAuthenticationError when refused."""
    if settings.auth == "password" or tokens is None:
        if settings.username:
            await smtp.login(settings.username, settings.password)
        return None
    token = await asyncio.to_thread(tokens.access_token)  # HTTP when it refreshes: off the event loop
    try:
        await _smtp_authenticate(smtp, settings, token.value)
        return token
    except aiosmtplib.SMTPAuthenticationError:
        log.info("SMTP refused the cached OAuth token; trying once with a fresh one")
    token = await asyncio.to_thread(tokens.access_token, fresh=True)
    await _smtp_authenticate(smtp, settings, token.value)
    return token


async def _smtp_authenticate(smtp: aiosmtplib.SMTP, settings: SmtpSettings, token: str) -> None:
    if sasl.MECHANISMS[settings.auth] == sasl.XOAUTH2:
        await smtp.auth_xoauth2(settings.username, token)
    else:
        await _oauthbearer(smtp, settings, token)


async def _oauthbearer(smtp: aiosmtplib.SMTP, settings: SmtpSettings, token: str) -> None:
    """aiosmtplib has no OAUTHBEARER: AUTH with the initial response (RFC 4954 §4, RFC 7628 §3.1)."""
    if smtp.is_ehlo_or_helo_needed:
        await smtp.ehlo()
    response = sasl.oauthbearer(settings.username, token, settings.host, settings.port)
    reply = await smtp.execute_command(b"AUTH", b"OAUTHBEARER", base64.b64encode(response))
    if reply.code == AUTH_CONTINUE:  # the error challenge, RFC 7628 §3.2.2: answer it to get the final reply
        reply = await smtp.execute_command(base64.b64encode(sasl.ERROR_REPLY))
    if reply.code != AUTH_SUCCESSFUL:
        raise aiosmtplib.SMTPAuthenticationError(reply.code, reply.message)
