"""Days off decreed by the Government (Labour Code Art. 30(3)) that the `holidays` package does not know.

Only the decrees docs/LAW.md names are listed, with the source as docs/LAW.md gives it; it records no
resolution numbers, so add them to `source` when known. `holidays` (country GE) already has 2024-05-17 and 2025-08-29,
so they are not repeated here. New decrees go into the office's config (`[calendar] extra_days_off`) until
they are added here with their source.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class DecreedDay:
    """One day off declared by Government resolution (Labour Code Art. 30(3))."""

    day: date
    reason: str
    source: str


_ART_30_3 = "Government resolution, Labour Code Art. 30(3)"
_NEW_YEAR = "decreed days off after the New Year holidays"


def _decreed(days: tuple[date, ...], reason: str, source: str) -> tuple[DecreedDay, ...]:
    return tuple(DecreedDay(day=day, reason=reason, source=source) for day in days)


DECREED_DAYS_OFF: tuple[DecreedDay, ...] = (
    *_decreed(tuple(date(2022, 1, day) for day in (3, 4, 5, 6)), _NEW_YEAR, _ART_30_3),
    *_decreed(tuple(date(2023, 1, day) for day in (3, 4, 5, 6)), _NEW_YEAR, _ART_30_3),
    *_decreed(tuple(date(2024, 1, day) for day in (3, 4, 5)), _NEW_YEAR, _ART_30_3),
    *_decreed(
        tuple(date(2024, 5, day) for day in (7, 8, 10)),
        "decreed days off around Easter Monday (6 May) and Victory Day (9 May)",
        _ART_30_3,
    ),
    *_decreed(
        (date(2026, 1, 5), date(2026, 1, 6)),
        _NEW_YEAR,
        f"{_ART_30_3}, published December 2025",
    ),
)
