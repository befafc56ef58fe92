"""What became of one inbound message."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class IntakeResult:
    """What became of one message."""

    kind: str  # request | follow_up | officer | set_aside | duplicate
    message_row_id: int
    case_number: str | None = None
    reasons: tuple[str, ...] = ()
    quarantined: bool = False  # unparseable or failed: the mailbox copy goes to the quarantine folder
