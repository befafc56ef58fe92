"""OAuth 2 presets for hosted mail (Microsoft 365, Google Workspace) and the checks an [oauth] section needs.

Kept beside config.py, which calls both while it builds the one frozen Settings.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

from foimail.errors import ConfigError

if TYPE_CHECKING:
    from foimail.config import Settings


@dataclass(frozen=True)
class MailServer:
    host: str
    port: int
    security: str


@dataclass(frozen=True)
class OAuthProvider:
    """Endpoints and mail servers of a hosted mail provider, so a config names only the provider."""

    token_url: str
    device_url: str
    authorize_url: str
    scope: str
    imap: MailServer
    smtp: MailServer


OAUTH_PROVIDERS = {
    "microsoft": OAuthProvider(
        token_url="https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token",
        device_url="https://login.microsoftonline.com/{tenant}/oauth2/v2.0/devicecode",
        authorize_url="https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize",
        scope="https://outlook.office365.com/IMAP.AccessAsUser.All https://outlook.office365.com/SMTP.Send"
        " offline_access",
        imap=MailServer("outlook.office365.com", 993, "ssl"),
        smtp=MailServer("smtp.office365.com", 587, "starttls"),
    ),
    "google": OAuthProvider(
        token_url="https://oauth2.googleapis.com/token",
        device_url="https://oauth2.googleapis.com/device/code",  # refuses the mail scope: use --browser
        authorize_url="https://accounts.google.com/o/oauth2/v2/auth",
        scope="https://mail.google.com/",
        imap=MailServer("imap.gmail.com", 993, "ssl"),
        smtp=MailServer("smtp.gmail.com", 587, "starttls"),
    ),
}


def with_oauth_provider(settings: Settings) -> Settings:
    """Fill what the provider preset knows and the file left empty; explicit values always win."""
    preset = OAUTH_PROVIDERS.get(settings.oauth.provider)
    if preset is None:
        return settings
    oauth = settings.oauth
    filled = dataclasses.replace(
        oauth,
        token_url=oauth.token_url or preset.token_url.format(tenant=oauth.tenant),
        device_url=oauth.device_url or preset.device_url.format(tenant=oauth.tenant),
        authorize_url=oauth.authorize_url or preset.authorize_url.format(tenant=oauth.tenant),
        scope=oauth.scope or preset.scope,
    )
    imap, smtp = settings.imap, settings.smtp
    if imap.auth != "password" and not imap.host:
        imap = dataclasses.replace(imap, host=preset.imap.host, port=preset.imap.port, security=preset.imap.security)
    if smtp.auth != "password" and not smtp.host:
        smtp = dataclasses.replace(smtp, host=preset.smtp.host, port=preset.smtp.port, security=preset.smtp.security)
    return dataclasses.replace(settings, oauth=filled, imap=imap, smtp=smtp)


def check_oauth(settings: Settings) -> None:
    """OAuth needs a token endpoint and a client; the refresh token may come later from `foimail oauth login`."""
    users = [name for name in ("imap", "smtp") if getattr(settings, name).auth != "password"]
    if not users:
        return
    for key in ("token_url", "client_id"):
        if not getattr(settings.oauth, key):
            needed = f"required when {users[0]}.auth = {getattr(settings, users[0]).auth!r} (or set oauth.provider)"
            raise ConfigError(f"oauth.{key}", settings.source, needed)
    if "smtp" in users and not settings.smtp.username:
        raise ConfigError("smtp.username", settings.source, "required with OAuth: the mailbox the token is for")
