"""Reading the sender: the From shapes real senders write, and the fallbacks when From has no address."""

from __future__ import annotations

from email.message import Message

import pytest

from foimail.core.message import Address, SenderSource
from foimail.mail.headers import HeaderField, read_fields
from foimail.mail.sender import find_sender, read_mailboxes


def mailboxes(raw: str) -> tuple[tuple[Address, ...], bool]:
    msg = Message()
    msg["From"] = raw
    (field,), _ = read_fields(msg, "test")
    return read_mailboxes(field.source, field.text)


NINO = Address("nino@example.ge", "Nino")
NINO_KA = Address("nino@example.ge", "ნინო")

# (From as written, what is read, whether it needed repair)
SHAPES: dict[str, tuple[str, tuple[Address, ...], bool]] = {
    "clean": ("Nino <nino@example.ge>", (NINO,), False),
    "clean_utf8_name": ("ნინო <nino@example.ge>", (NINO_KA,), False),
    "old_comment_form": ("nino@example.ge (Nino)", (NINO,), False),
    "trailing_comment": ("Nino <nino@example.ge> (via web form)", (NINO,), False),
    "trailing_semicolon": ("Nino <nino@example.ge>;", (NINO,), False),
    "idn_domain": ("=?utf-8?b?4YOc4YOY4YOc4YOd?= <nino@ბათუმი.გე>", (Address("nino@ბათუმი.გე", "ნინო"),), False),
    "utf8_local_part": ("ნინო@example.ge", (Address("ნინო@example.ge"),), False),
    "missing_close_bracket": ("Nino <nino@example.ge", (NINO,), False),  # the stdlib repairs it itself
    "missing_open_bracket": ("Nino nino@example.ge>", (NINO,), True),
    "quoted_name_no_brackets": ('"Nino" nino@example.ge', (NINO,), True),
    "name_then_bare_address": ("Nino nino@example.ge", (NINO,), True),
    "whole_value_quoted": ('"Nino <nino@example.ge>"', (NINO,), True),
    "stray_quote_in_name": ('"Nino "Beridze" <nino@example.ge>', (Address("nino@example.ge", "Nino Beridze"),), True),
    "single_quoted_address": ("'nino@example.ge'", (Address("nino@example.ge"),), True),
    "double_brackets": ("Nino <<nino@example.ge>>", (NINO,), True),
    "mailto_in_brackets": ("Nino <mailto:nino@example.ge>", (NINO,), True),
    "square_brackets": ("Nino[nino@example.ge]", (NINO,), True),
    "address_as_name_empty_brackets": ('"nino@example.ge" <>', (Address("nino@example.ge"),), True),
    # Exchange 2003's escaped "@" (flufl.bounce simple_35): the tail after it is no address of the sender's.
    "exchange_escaped_at_in_local_part": ("<Postmaster\\@hotelexample.ge@mx10.hotelexample.ge>", (), False),
    # Python's legacy email.header.Header("name <addr>", "utf-8"), folded by the stdlib.
    "python_header_whole_value_b": (
        "=?utf-8?b?4YOc4YOY4YOc4YOdIDxuaW5vQGV4YW1wbGUuZ2U+?=",
        (NINO_KA,),
        True,
    ),
    # PHP mb_encode_mimeheader("ნინო <nino@example.ge>"): upper-case charset, split over two folded words.
    "php_mb_encode_mimeheader_folded": (
        "=?UTF-8?B?4YOc4YOY4YOc4YOdIDxuaW5v?=\r\n =?UTF-8?B?QGV4YW1wbGUuZ2U+?=",
        (NINO_KA,),
        True,
    ),
    # JavaMail's MimeUtility.encodeText over the whole value: Q encoding, "_" for spaces.
    "javamail_whole_value_q": ("=?UTF-8?Q?=E1=83=9C=E1=83=98=E1=83=9C=E1=83=9D_<nino@example.ge>?=", (NINO_KA,), True),
    # Base64 split in the middle of a 4-character group, as some scripts cut a long encoded value.
    "base64_split_mid_group": (
        "=?utf-8?b?PGNpdGl6ZW?=\r\n =?utf-8?b?bjE3QGV4YW1wbGUzLmdlPg==?=",
        (Address("citizen17@example3.ge"),),
        True,
    ),
    "windows_1251_whole_value": (
        "=?windows-1251?B?yOLg7SA8aXZhbkBtYWlsLnJ1Pg==?=",
        (Address("ivan@mail.ru", "Иван"),),
        True,
    ),
    "two_mailboxes": (
        "nino@example.ge, giorgi@example.ge",
        (Address("nino@example.ge"), Address("giorgi@example.ge")),
        False,
    ),
    "name_only": ("Nino Beridze", (), False),
    "obfuscated_at": ("Nino <nino at example.ge>", (), False),
    "empty_group": ("undisclosed-recipients:;", (), False),
    "no_domain_dot": ("nobody@localhost", (), False),
}


@pytest.mark.parametrize("shape", SHAPES.values(), ids=SHAPES.keys())
def test_read_mailboxes(shape: tuple[str, tuple[Address, ...], bool]) -> None:
    raw, expected, repaired = shape
    assert mailboxes(raw) == (expected, repaired)


def fields(*headers: tuple[str, str]) -> list[HeaderField]:
    msg = Message()
    for name, value in headers:
        msg[name] = value
    return read_fields(msg, "test")[0]


FALLBACKS: dict[str, tuple[tuple[tuple[str, str], ...], Address | None, SenderSource | None]] = {
    "clean_from_wins_over_reply_to": (
        (("From", "noreply@forms.ge"), ("Reply-To", "nino@example.ge")),
        Address("noreply@forms.ge"),
        SenderSource.FROM,
    ),
    "reply_to_first_address_only": (
        (("From", "Nino"), ("Reply-To", "a@example.ge, b@example.ge"), ("Sender", "s@example.ge")),
        Address("a@example.ge", "Nino"),
        SenderSource.REPLY_TO,
    ),
    "reply_to_before_sender": (
        (("From", "<>"), ("Sender", "s@example.ge"), ("Reply-To", "r@example.ge")),
        Address("r@example.ge"),
        SenderSource.REPLY_TO,
    ),
    "sender_before_return_path": (
        (("Return-Path", "<e@example.ge>"), ("From", "x"), ("Sender", "s@example.ge")),
        Address("s@example.ge", "x"),
        SenderSource.SENDER,
    ),
    "encoded_reply_to_is_read_too": (
        (("From", "x"), ("Reply-To", "=?utf-8?b?4YOc4YOY4YOc4YOdIDxuaW5vQGV4YW1wbGUuZ2U+?=")),
        NINO_KA,
        SenderSource.REPLY_TO,
    ),
    "return_path_last": ((("Return-Path", "<E@Example.ge>"),), Address("e@example.ge"), SenderSource.RETURN_PATH),
    "null_return_path_is_nobody": ((("Return-Path", "<>"), ("From", "Nino")), None, None),
    "nothing_at_all": ((("Subject", "hi"),), None, None),
}


@pytest.mark.parametrize("case", FALLBACKS.values(), ids=FALLBACKS.keys())
def test_find_sender(case: tuple[tuple[tuple[str, str], ...], Address | None, SenderSource | None]) -> None:
    headers, expected, source = case
    sender, found_source, defects = find_sender(fields(*headers))
    assert (sender, found_source) == (expected, source)
    assert bool(defects) == (source not in (SenderSource.FROM, None))
