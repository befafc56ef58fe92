"""Where the confirmation goes: From, unless a differing Reply-To can be trusted (a web form, an authenticated From)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from foimail.core.recipients import confirmation_target


@dataclass(frozen=True)
class Row:
    sender: str
    reply_to: str | None
    web_form: bool
    authenticated: str | None
    address: str
    reason_starts: str


ROWS = {
    "no_reply_to": Row("nino@example.org", None, False, None, "nino@example.org", "from"),
    "reply_to_same_as_from_other_case": Row(
        "Nino@Example.org", "nino@example.ORG", False, None, "nino@example.org", "from"
    ),
    "stranger_reply_to_ignored": Row(
        "attacker@evil.example",
        "victim@example.org",
        False,
        None,
        "attacker@evil.example",
        "from: Reply-To victim@example.org not followed",
    ),
    "web_form_reply_to_followed": Row(
        "noreply@batumi.ge",
        "lasha@example.com",
        True,
        None,
        "lasha@example.com",
        "reply-to: From is a configured web-form",
    ),
    "authenticated_from_reply_to_followed": Row(
        "nino@work.example.org",
        "nino.home@example.org",
        False,
        "mx.batumi.ge: dkim=pass for work.example.org",
        "nino.home@example.org",
        "reply-to: From authenticated (mx.batumi.ge: dkim=pass",
    ),
    "no_from_reply_to_not_trusted": Row(
        "", "someone@example.org", False, None, "", "from: Reply-To someone@example.org not followed"
    ),
    "empty_reply_to_is_none": Row("nino@example.org", "  ", True, None, "nino@example.org", "from"),
}


@pytest.mark.parametrize("row", ROWS.values(), ids=ROWS.keys())
def test_confirmation_target(row: Row) -> None:
    target = confirmation_target(row.sender, row.reply_to, web_form=row.web_form, authenticated=row.authenticated)
    assert target.address == row.address
    assert target.reason.startswith(row.reason_starts)
