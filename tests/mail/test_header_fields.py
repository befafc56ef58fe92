"""Header field readers shared by parse and compose."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from foimail.core.message import Address
from foimail.mail.headers import parse_addresses, parse_date, parse_msg_ids, parse_return_path, prepare_source

MSG_IDS = [
    pytest.param("<a@b>", ("<a@b>",), id="one"),
    pytest.param("  <a@b>\t<c@d>  ", ("<a@b>", "<c@d>"), id="two"),
    pytest.param("<a\r\n @b>", ("<a@b>",), id="folded-inside"),
    pytest.param("<a@b> <a@b>", ("<a@b>",), id="duplicate"),
    pytest.param("a@b", ("<a@b>",), id="no-brackets"),
    pytest.param("a@b, c@d", ("<a@b>", "<c@d>"), id="no-brackets-commas"),
    pytest.param("<a@b> (Nino's message of 3 Feb)", ("<a@b>",), id="comment"),
    pytest.param("", (), id="empty"),
    pytest.param("<>", (), id="empty-brackets"),
    pytest.param("garbage", (), id="garbage"),
    pytest.param("<" + "x" * 990 + "@b.ge>", ("<" + "x" * 990 + "@b.ge>",), id="longest-that-fits-a-line"),
    pytest.param("<" + "x" * 20000 + "@b.ge>", (), id="longer-than-a-line-is-no-id"),
]


@pytest.mark.parametrize(("value", "expected"), MSG_IDS)
def test_parse_msg_ids(value: str, expected: tuple[str, ...]) -> None:
    assert parse_msg_ids(value) == expected


DATES = [
    pytest.param(
        "Tue, 3 Feb 2026 10:15:02 +0400",
        datetime(2026, 2, 3, 10, 15, 2, tzinfo=timezone(timedelta(hours=4))),
        None,
        id="rfc5322",
    ),
    pytest.param(
        "Tue,  3 Feb 2026 10:15:02 +0400 (+04)",
        datetime(2026, 2, 3, 6, 15, 2, tzinfo=UTC),
        None,
        id="postfix-comment",
    ),
    pytest.param("3 Feb 2026 06:17:12 -0000", datetime(2026, 2, 3, 6, 17, 12, tzinfo=UTC), None, id="minus-zero"),
    pytest.param("Mon, 02 Feb 2026 22:15:09 -0800 (PST)", datetime(2026, 2, 3, 6, 15, 9, tzinfo=UTC), None, id="gmail"),
    pytest.param(
        "Tue, 3 Feb 2026 10:15:02",
        datetime(2026, 2, 3, 10, 15, 2, tzinfo=UTC),
        "Date header 'Tue, 3 Feb 2026 10:15:02' has no time zone: read as UTC",
        id="no-zone",
    ),
    pytest.param("03.02.2026 10:15", None, "unreadable Date header '03.02.2026 10:15'", id="local-format"),
    pytest.param("", None, "unreadable Date header ''", id="empty"),
]


@pytest.mark.parametrize(("value", "expected", "defect"), DATES)
def test_parse_date(value: str, expected: datetime | None, defect: str | None) -> None:
    parsed, found = parse_date(value)
    assert parsed == expected and found == defect
    assert parsed is None or parsed.tzinfo is not None


ADDRESSES = [
    pytest.param("Nino <Nino@Gmail.COM>", (Address("nino@gmail.com", "Nino"),), id="lower-cased"),
    pytest.param(
        'a@b.ge, "Beridze, Nino" <c@d.ge>', (Address("a@b.ge"), Address("c@d.ge", "Beridze, Nino")), id="list"
    ),
    pytest.param(
        "MAILER-DAEMON@host.ge (Mail Delivery System)",
        (Address("mailer-daemon@host.ge", "Mail Delivery System"),),
        id="comment-name",
    ),
    pytest.param("undisclosed-recipients:;", (), id="empty-group"),
    pytest.param("team: a@b.ge, c@d.ge;", (Address("a@b.ge"), Address("c@d.ge")), id="group"),
    pytest.param("", (), id="empty"),
    pytest.param("a" * 64 + "@" + "b" * 186 + ".ge", (Address("a" * 64 + "@" + "b" * 186 + ".ge"),), id="254-fits"),
    pytest.param("a" * 400 + "@example.org, c@d.ge", (Address("c@d.ge"),), id="over-254-is-no-address"),
]


@pytest.mark.parametrize(("source", "expected"), ADDRESSES)
def test_parse_addresses(source: str, expected: tuple[Address, ...]) -> None:
    assert parse_addresses(source) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("<>", ""),
        ("< >", ""),
        ("<Bounce@X.ge>", "bounce@x.ge"),
        ("bounce@x.ge", "bounce@x.ge"),
        ("<@relay.ge:user@x.ge>", "user@x.ge"),
    ],
)
def test_parse_return_path(value: str, expected: str) -> None:
    assert parse_return_path(value) == expected


def test_prepare_source_joins_split_words_and_keeps_good_ones() -> None:
    assert prepare_source("=?utf-8?q?abc?=", "h") == ("=?utf-8?q?abc?=", [])
    joined, defects = prepare_source("=?utf-8?B?4YOS4YOQ4YO=?=\r\n =?utf-8?B?m+GDkA==?=", "h")
    assert joined == "=?utf-8?b?4YOS4YOQ4YOb4YOQ?=" and defects == []
