"""Who foimail may write to: never to a null sender, itself, or a robot (RFC 3834 §2, RFC 5321 §4.5.5)."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass

# RFC 3834 §2: an automatic response is not sent to these; RFC 2142 role addresses of mail systems.
ROBOT_LOCAL_PARTS = frozenset(
    {
        "mailer-daemon",
        "postmaster",
        "no-reply",
        "noreply",
        "do-not-reply",
        "donotreply",
        "do_not_reply",
        "no_reply",
        "bounce",
        "bounces",
        "listserv",
        "majordomo",
    }
)


def suppression_reason(address: str | None, office_address: str) -> str | None:
    """Why mail to `address` must not be sent, or None when it may be (RFC 3834 §2)."""
    if address is None or not address.strip():
        return "null sender: nothing is sent to <> (RFC 5321 §4.5.5)"
    normalised = address.strip().lower()
    if "@" not in normalised:
        return f"not an email address: {address!r}"
    if normalised == office_address.strip().lower():
        return "the office's own address: would loop"
    local = normalised.rpartition("@")[0]
    if (
        local in ROBOT_LOCAL_PARTS
        or local.startswith(("owner-", "bounce-", "bounces+"))
        or local.endswith(("-request", "-bounces", "-owner"))
    ):
        return f"a mail-system or no-reply address ({local}): RFC 3834 §2"
    return None


def matches_any(address: str, patterns: tuple[str, ...] | list[str]) -> bool:
    """Whether `address` matches one of the shell-style patterns, case-insensitively (`*@batumi.ge`)."""
    normalised = address.strip().lower()
    return any(fnmatch.fnmatchcase(normalised, pattern.strip().lower()) for pattern in patterns)


def address_domain(address: str) -> str:
    """The domain part of an address, lower-cased."""
    return address.rpartition("@")[2].strip().lower()


@dataclass(frozen=True)
class ConfirmationTarget:
    """Where the automatic confirmation goes, and why: kept on the case's `registered` event."""

    address: str
    reason: str


def confirmation_target(
    sender: str, reply_to: str | None, *, web_form: bool, authenticated: str | None
) -> ConfirmationTarget:
    """From, unless a Reply-To that differs from it can be trusted.

    Anyone can write any Reply-To: followed blindly, the confirmation would let a stranger make the office
    mail any address (backscatter, RFC 3834 §4). A Reply-To is followed only when From is a configured
    web form (the citizen is in Reply-To) or the receiving server authenticated From's domain
    (`authenticated` is its verdict, None when it did not).
    """
    sender = sender.strip().lower()
    wanted = (reply_to or "").strip().lower()
    if not wanted or wanted == sender:
        return ConfirmationTarget(sender, "from")
    if web_form:
        return ConfirmationTarget(wanted, "reply-to: From is a configured web-form sender")
    if authenticated is not None:
        return ConfirmationTarget(wanted, f"reply-to: From authenticated ({authenticated})")
    return ConfirmationTarget(
        sender, f"from: Reply-To {wanted} not followed, From is neither a web-form sender nor authenticated"
    )
