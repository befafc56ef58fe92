"""The words foimail's tables, rules and mail share: each fact in one place.

Statuses, outcomes and kinds are `StrEnum`s, so they are stored as plain text and compare equal to it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

# Our own mail carries this header (value: the office address) and a Message-ID of this form, so that it is
# recognised when it comes back (RFC 3834 §2: never answer automatic mail with automatic mail).
LOOP_HEADER: Final = "X-Foimail-Loop"
MESSAGE_ID_PREFIX: Final = "foimail."


class CaseStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Outcome(StrEnum):
    """How a case ended; the outcome columns of the 2.4 statistics (docs/LAW.md, Statistics)."""

    ANSWERED_FULL = "answered_full"
    ANSWERED_PARTIAL = "answered_partial"
    REFUSED = "refused"
    NOT_HELD = "not_held"  # GAC Art. 80(4)
    FORWARDED = "forwarded"  # GAC Art. 80(1)
    WITHDRAWN = "withdrawn"


class Direction(StrEnum):
    IN = "in"
    OUT = "out"


class MessageKind(StrEnum):
    """What an inbound message is, and so where it goes next."""

    REQUEST = "request"
    TAGGED = "tagged"
    BOUNCE = "bounce"
    AUTO_REPLY = "auto_reply"
    OWN_MAIL = "own_mail"
    SPAM = "spam"
    UNPARSEABLE = "unparseable"


class StoredKind(StrEnum):
    """What a stored incoming message became once handled, besides the classifier's `MessageKind`s.

    A stored message's `kind` is one of these, a `MessageKind`, or (for what foimail sent) an `OutboxKind`;
    each has a label (core/labels.py), so a digest or an export never shows a machine name.
    """

    PENDING = "pending"  # stored, not yet classified (a crash between the two leaves it so)
    FOLLOW_UP = "follow_up"
    DUPLICATE = "duplicate"  # a copy of a stored message under other headers
    OFFICER = "officer"  # an officer's answer or command
    OFFICER_ERROR = "officer_error"
    OFFICER_RETURNED = "officer_returned"  # an officer's mail that could not be acted on, returned
    OFFICER_NOTE = "officer_note"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"  # given up: 5xx or retried too long
    SUPPRESSED = "suppressed"  # never sent on purpose (null sender, loop, rate limit)


class OutboxKind(StrEnum):
    """What an outgoing message is: to a requester (confirmation, relay) or a notice to the office."""

    CONFIRMATION = "confirmation"
    RELAY = "relay"
    NOTIFY = "notify"
    DIGEST = "digest"
    REPORT = "report"
    FOLLOWUP_NOTICE = "followup_notice"
    DELIVERY_FAILED = "delivery_failed"
    OFFICER_RECEIPT = "officer_receipt"
    OFFICER_ERROR = "officer_error"


# Mail about mail: a failure or bounce of one of these tells nobody (it would only loop).
NOTICE_KINDS: Final = frozenset(OutboxKind) - {OutboxKind.CONFIRMATION, OutboxKind.RELAY}
