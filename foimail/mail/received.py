"""Is an officer's From: genuine? Read the `(Authenticated sender: …)` our own Postfix writes into Received.

Postfix with `smtpd_sasl_authenticated_header = yes` names the SASL login of a client that authenticated
(submission) in the Received header it prepends. A sender can write the same text, so position decides:
every server on the way into the FOI mailbox prepends its Received header above what the sender wrote,
and the admin says how many of the topmost ones our own servers add (`office.trusted_received_hops`: 1
for Postfix handing to dovecot-lda, 2 when Dovecot's LMTP adds its own). Only the lowest of those, the one
our Postfix smtpd wrote when the message came in, is read; nothing below it ever is.

That header must be Postfix's own shape, anchored at its end (`(Authenticated sender: U) by HOST (Postfix)
with …SMTP…A id QID [for <rcpt>]; date`), so text the client chose (its HELO name, which Postfix copies in
before that part, or a recipient, which may hold no bracket or semicolon) cannot fake it. The protocol must
say AUTH (RFC 3848: ESMTPA, ESMTPSA), `by` must be the configured host, and the login must be the From:
address itself. Fewer Received headers than configured, another shape, another host: not authenticated.
"""

from __future__ import annotations

import re

from foimail.mail.authenticity import AuthenticityVerdict, address_key, domain_key

# Postfix smtpd.c writes "(Authenticated sender: %s)\n\tby %s (%s) with %s id %s[\n\tfor <%s>]; %s".
_POSTFIX_AUTHENTICATED = re.compile(
    r"\(Authenticated sender: (?P<user>[^\s()]+)\) by (?P<by>[^\s()]+) \(Postfix\)"
    r" with (?P<proto>[A-Z0-9]*SMTPS?A) id [A-Za-z0-9]+"
    r"(?: for <[^<>()\";\\\s]*>)? ?; [^;()<>\"\\]*(?:\([A-Za-z0-9 +:-]*\))?$"
)


def check_postfix_received(
    received_headers: tuple[str, ...], trusted_by: str, hops: int, sender_address: str
) -> AuthenticityVerdict:
    """Authentic when our Postfix's own Received header (the `hops`-th from the top) names From as its login."""
    if hops < 1 or len(received_headers) < hops:
        return AuthenticityVerdict(
            False, f"{len(received_headers)} Received header(s), fewer than the {hops} our servers add"
        )
    ours = " ".join(received_headers[hops - 1].split())
    match = _POSTFIX_AUTHENTICATED.search(ours)
    if match is None:
        return AuthenticityVerdict(False, f"Received header {hops} is not an authenticated Postfix hop: {ours[:160]!r}")
    if domain_key(match["by"]) != domain_key(trusted_by):
        return AuthenticityVerdict(False, f"Received header {hops} is by {match['by']}, not {trusted_by}")
    if address_key(match["user"]) != address_key(sender_address):
        return AuthenticityVerdict(
            False, f"{trusted_by} authenticated {match['user']!r}, not the From: address {sender_address}"
        )
    return AuthenticityVerdict(True, f"{trusted_by}: Authenticated sender {match['user']} ({match['proto']})")
