"""The officer workflow: answers and commands from the city hall's own mail clients (issue 5, in progress)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from foimail.context import AppContext
from foimail.core.classify import Verdict
from foimail.core.message import InboundMessage
from foimail.store.models import Case, StoredMessage


def handle_officer_message(
    ctx: AppContext,
    session: Session,
    stored: StoredMessage,
    message: InboundMessage,
    verdict: Verdict,
    case: Case | None,
    now: datetime,
) -> object | None:
    """Not yet: officers' messages are handled as citizens' (follow-up or new request) until issue 5 lands."""
    return None
