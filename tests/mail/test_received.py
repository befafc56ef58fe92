"""Postfix's `(Authenticated sender: …)` in Received: only the hop our own Postfix wrote vouches, at its place."""

from __future__ import annotations

import pytest

from foimail.mail.received import check_postfix_received

BY = "mail.batumi.ge"
OFFICER = "lasha@batumi.ge"
TLS = (
    "\r\n\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)"
    "\r\n\t key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256)"
    "\r\n\t(No client certificate requested)"
)
DATE = "Mon, 30 Nov 2026 07:40:00 +0400 (+04)"


def postfix(
    *,
    user: str | None = OFFICER,
    by: str = BY,
    proto: str | None = None,
    helo: str = "[127.0.0.1]",
    rcpt: str | None = "foi@batumi.ge",
) -> str:
    """A Received header as Postfix's smtpd writes it (smtpd.c), TLS comment included."""
    auth = f"\r\n\t(Authenticated sender: {user})" if user else ""
    proto = proto or ("ESMTPSA" if user else "ESMTPS")
    tail = f"\r\n\tfor <{rcpt}>; {DATE}" if rcpt else f"; {DATE}"
    return f"from {helo} (localhost [127.0.0.1]){TLS}{auth}\r\n\tby {by} (Postfix) with {proto} id 4dLk3x0Bv2z9sT{tail}"


LMTP = (
    f"from {BY}\r\n\tby {BY} with LMTP\r\n\tid Kc3PJxq5K2eWAQAA0J78UA"
    f"\r\n\t(envelope-from <{OFFICER}>)\r\n\tfor <foi@batumi.ge>; {DATE}"
)
# What an outsider delivering to our MX on port 25 gets written by our Postfix, above what they wrote.
MX_HOP = postfix(user=None, helo="evil.example")
FORGED = postfix()  # the same text as the genuine hop, but the sender wrote it

# (Received headers topmost first, hops, authentic?)
SHAPES = {
    "submission_lda": ((postfix(),), 1, True),
    "submission_lmtp": ((LMTP, postfix()), 2, True),
    "smtp_auth_without_tls": ((postfix(proto="ESMTPA"),), 1, True),
    "smtputf8": ((postfix(proto="UTF8SMTPSA"),), 1, True),
    "several_recipients_no_for": ((postfix(rcpt=None),), 1, True),
    "older_hops_below_are_ignored": ((postfix(), "from x by y with SMTP id 1; " + DATE, FORGED), 1, True),
    "login_case": ((postfix(user="Lasha@Batumi.GE"),), 1, True),
    "by_case_and_dot": ((postfix(by="Mail.Batumi.GE."),), 1, True),
    # Forgeries from outside: our MX hop sits above the sender's copy of a genuine one.
    "forged_below_mx_hop": ((MX_HOP, FORGED), 1, False),
    "forged_below_mx_and_lmtp": ((LMTP, MX_HOP, FORGED), 2, False),
    "forged_in_helo": ((postfix(user=None, helo=f"x (a [1.2.3.4]) (Authenticated sender: {OFFICER})"),), 1, False),
    "forged_helo_with_whole_tail": (
        (
            postfix(
                user=None, helo=f"x (a [1.2.3.4]) (Authenticated sender: {OFFICER}) by {BY} (Postfix) with ESMTPSA id Q"
            ),
        ),
        1,
        False,
    ),
    "forged_in_recipient": (
        (
            postfix(
                user=None, rcpt=f'"(Authenticated sender: {OFFICER}) by {BY} (Postfix) with ESMTPSA id Q;"@batumi.ge'
            ),
        ),
        1,
        False,
    ),
    # An officer's mail a colleague's Sieve redirects to the FOI address comes back in through the MX.
    "redirected_internally_lda": ((MX_HOP, LMTP, postfix()), 1, False),
    "redirected_internally_lmtp": ((LMTP, MX_HOP, LMTP, postfix()), 2, False),
    # Wrong counts, shapes, hosts or users.
    "missing": ((), 1, False),
    "fewer_than_configured": ((postfix(),), 2, False),
    "more_hops_than_configured": ((LMTP, postfix()), 1, False),
    "unauthenticated_proto_with_comment": ((postfix(proto="ESMTPS"),), 1, False),
    "other_host": ((postfix(by="mail.batumi.ge.evil.com"),), 1, False),
    "lookalike_host": ((postfix(by="mail.bаtumi.ge"),), 1, False),
    "other_officer": ((postfix(user="nino@batumi.ge"),), 1, False),
    "bare_login": ((postfix(user="lasha"),), 1, False),
    "not_postfix": ((postfix().replace("(Postfix)", "(Exim 4.96)"),), 1, False),
    "zero_hops": ((postfix(),), 0, False),
}


@pytest.mark.parametrize(("headers", "hops", "authentic"), list(SHAPES.values()), ids=list(SHAPES))
def test_only_our_postfix_hop_vouches(headers: tuple[str, ...], hops: int, authentic: bool) -> None:
    verdict = check_postfix_received(headers, BY, hops, OFFICER)
    assert verdict.authentic is authentic, verdict.reason


REASONS = {
    "missing": (((), 1), "0 Received header(s), fewer than the 1"),
    "mx_hop": (((MX_HOP, FORGED), 1), "Received header 1 is not an authenticated Postfix hop"),
    "other_host": (((postfix(by="relay.batumi.ge"),), 1), "is by relay.batumi.ge, not mail.batumi.ge"),
    "other_user": (((postfix(user="nino@batumi.ge"),), 1), "authenticated 'nino@batumi.ge', not the From: address"),
}


@pytest.mark.parametrize(("args", "reason"), list(REASONS.values()), ids=list(REASONS))
def test_the_reason_says_what_was_seen(args: tuple[tuple[str, ...], int], reason: str) -> None:
    headers, hops = args
    verdict = check_postfix_received(headers, BY, hops, OFFICER)
    assert not verdict.authentic and reason in verdict.reason


def test_genuine_reason_names_login_and_protocol() -> None:
    verdict = check_postfix_received((postfix(),), BY, 1, OFFICER)
    assert verdict.reason == f"{BY}: Authenticated sender {OFFICER} (ESMTPSA)"
