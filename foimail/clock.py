"""The only place foimail reads the time: everything else is given `now` by its caller."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current moment as an aware UTC datetime (freezegun can freeze it in tests)."""
    return datetime.now(UTC)
