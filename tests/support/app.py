"""Build a real AppContext for a test: a migrated database, the shipped templates, a settable clock."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from foimail.config import (
    ImapSettings,
    MaildirSettings,
    OfficeSettings,
    Settings,
    SmtpSettings,
    StatsSettings,
)
from foimail.context import AppContext, build_context
from tests.support.databases import migrated


class SettableClock:
    """The time as the test says: `now` is given to the code, never patched into libraries."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now = self.now + timedelta(**delta)
        return self.now


def smtp_settings_for(server: Any) -> SmtpSettings:
    return SmtpSettings(host=server.host, port=server.port, security="none", timeout_seconds=5)


def imap_settings_for(dovecot: Any, **overrides: Any) -> ImapSettings:
    values: dict[str, Any] = {
        "host": dovecot.host,
        "port": dovecot.port,
        "security": "none",
        "username": "foi@batumi.ge",
        "password": dovecot.users["foi@batumi.ge"],
        "poll_seconds": 1,
        "timeout_seconds": 10,
        "verify_certificate": False,
    }
    values.update(overrides)
    return ImapSettings(**values)


def make_settings(database_url: str, tmp_path: Path, **sections: Any) -> Settings:
    base = Settings(
        # Tests of other things take officers at their From:; the authentication tests set trusted_authserv_id.
        office=OfficeSettings(notify=("foi-officer@batumi.ge",), allow_unauthenticated_officers=True),
        stats=StatsSettings(export_dir=str(tmp_path / "stats")),
        source="(test)",
    )
    base = dataclasses.replace(base, database=dataclasses.replace(base.database, url=database_url))
    return dataclasses.replace(base, **sections)


@pytest.fixture
def make_app(database_url: str, tmp_path: Path) -> Iterator[Callable[..., AppContext]]:
    """make_app(smtp=SmtpSettings(...), imap=..., clock=SettableClock(...)) -> AppContext on a migrated DB."""
    migrated(database_url)
    built: list[AppContext] = []

    def make(clock: Callable[[], datetime] | None = None, **sections: Any) -> AppContext:
        settings = make_settings(database_url, tmp_path, **sections)
        ctx = build_context(settings, clock=clock or SettableClock(datetime(2026, 11, 20, 13, 30, tzinfo=UTC)))
        built.append(ctx)
        return ctx

    yield make
    for ctx in built:
        ctx.engine.dispose()


__all__ = ["SettableClock", "make_app", "imap_settings_for", "smtp_settings_for", "MaildirSettings"]
