"""The settings' cross-field checks: what a key's type alone cannot say, each naming its key and file."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from foimail.core.numbering import validate_format
from foimail.errors import ConfigError
from foimail.oauth_providers import OAUTH_PROVIDERS, check_oauth

if TYPE_CHECKING:
    from foimail.config import OfficeSettings, Settings

__all__ = ["check_settings"]

_CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("imap", "security"): ("ssl", "starttls", "none"),
    ("smtp", "security"): ("ssl", "starttls", "none"),
    ("imap", "auth"): ("password", "xoauth2", "oauthbearer"),
    ("smtp", "auth"): ("password", "xoauth2", "oauthbearer"),
    ("oauth", "provider"): ("", *OAUTH_PROVIDERS),
    ("log", "format"): ("keyvalue", "json"),
    ("log", "level"): ("DEBUG", "INFO", "WARNING", "ERROR"),
    ("stats", "lang"): ("ka", "en"),
}


# RFC 5321 4.1.1.1: a domain in ASCII (an IDN in its A-labels) or an address literal.
_HELO_NAME = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?|\[(?:IPv6:)?[0-9A-Fa-f:.]+\]"
)


def _check_received(office: OfficeSettings, source: str) -> None:
    """The Received method needs both keys: a guessed hop count could make a sender's header the one read."""
    by = office.trusted_received_by
    if by and (by.startswith("[") or not _HELO_NAME.fullmatch(by)):
        raise ConfigError("office.trusted_received_by", source, f"not a host name: {office.trusted_received_by!r}")
    if office.trusted_received_by and not 1 <= office.trusted_received_hops <= 10:
        raise ConfigError(
            "office.trusted_received_hops", source, "must be 1 to 10: the Received headers your servers add"
        )
    if office.trusted_received_hops and not office.trusted_received_by:
        raise ConfigError("office.trusted_received_by", source, "required when trusted_received_hops is set")


def check_settings(settings: Settings) -> None:
    """Cross-field checks that a type alone cannot express."""
    source = settings.source
    for (section, key), allowed in _CHOICES.items():
        value = getattr(getattr(settings, section), key)
        if value not in allowed:
            raise ConfigError(f"{section}.{key}", source, f"must be one of {', '.join(allowed)} (got {value!r})")
    if "@" not in settings.office.address:
        raise ConfigError("office.address", source, f"not an email address: {settings.office.address!r}")
    try:
        ZoneInfo(settings.office.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError("office.timezone", source, f"unknown time zone {settings.office.timezone!r}") from None
    if settings.imap.host and not settings.imap.username:
        raise ConfigError("imap.username", source, "required when imap.host is set")
    check_oauth(settings)
    if settings.smtp.helo_name and not _HELO_NAME.fullmatch(settings.smtp.helo_name):
        raise ConfigError(
            "smtp.helo_name", source, f"not a host name (A-labels) or [address]: {settings.smtp.helo_name!r}"
        )
    _check_received(settings.office, source)
    if settings.imap.poll_seconds < 1:
        raise ConfigError("imap.poll_seconds", source, "must be at least 1")
    if not 10 <= settings.outbox.send_lease_seconds <= 3600:
        raise ConfigError("outbox.send_lease_seconds", source, "must be between 10 and 3600")
    if not 1 <= settings.deadlines.period_days <= 365:
        raise ConfigError("deadlines.period_days", source, "must be between 1 and 365")
    for paused in settings.deadlines.paused_ranges:
        if len(paused) != 2:
            raise ConfigError("deadlines.paused_ranges", source, f"each range is [first, last], got {paused}")
        start, end = paused
        if end < start:
            raise ConfigError("deadlines.paused_ranges", source, f"range ends before it starts: {start}..{end}")
    if not settings.database.url.partition(":")[0].startswith(("sqlite", "postgresql")):
        raise ConfigError("database.url", source, "must start with sqlite:/// or postgresql+psycopg://")

    try:
        validate_format(settings.numbering.format)
    except ValueError as exc:
        raise ConfigError("numbering.format", source, str(exc)) from None
