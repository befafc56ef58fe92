"""compose_message writes a text-only message itself: byte for byte what the stdlib's `email` writes."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from foimail.core.message import Address
from foimail.mail import compose

TBILISI = timezone(timedelta(hours=4))
OFFICE = Address("foi@batumi.ge", "ბათუმის მუნიციპალიტეტის მერია — საჯარო ინფორმაციის განყოფილება")
NINO = Address("nino.beridze@gmail.com", "ნინო ბერიძე")
KA = "ქალბატონო ნინო, თქვენი მოთხოვნა რეგისტრირებულია ნომრით FOI-2026-00042."
TEXTS = {
    "georgian": f"{KA}\n\n" * 12,
    "georgian-short": f"{KA}\n",
    "ascii": "Dear Nino,\n\nyour request is registered.\n",
    "ascii-long-line": "x " * 60 + "\n" + "word " * 40,
    "mostly-ascii-few-lines": "Case FOI-2026-00042 registered (ნ).\n" + "Due date: 2026-12-15.\n" * 3,
    "mostly-ascii-many-lines": "Case FOI-2026-00042 registered (ნ).\n" + "Due date: 2026-12-15.\n" * 30,
    "empty": "",
    "crlf-and-cr": "one\r\ntwo\rthree\n",
    "smtp-sensitive": ".\nFrom here\n-- \n trailing space \nტაბი\tთან\n",
    "no-final-newline": "ერთი ხაზი",
    "blank-lines": "\n\n\nა\n\n",
    "long-georgian-line": "ა" * 500,
}
SUBJECTS = [
    "[FOI-2026-00042] საჯარო ინფორმაციის გამოთხოვა — ბათუმის მერიის 2025 წლის ბიუჯეტის შესრულება",
    "Plain",
    "",
    "=?utf-8?q?looks_encoded?= but is not",
    "Re: " + "very-long-ascii-word" * 5,
]
RECIPIENTS = [
    (NINO,),
    (),
    (Address("a@example.org"), Address("b@ბათუმი.გე", 'Giorgi, "the" Citizen'), NINO),
    (Address("taro..hanako@docomo.ne.jp"),),
]
HEADERS: list[dict[str, Any]] = [
    {},
    {"auto_submitted": None, "loop_header": None},
    {"auto_submitted": "no"},
    {"auto_submitted": "auto-generated; owner-email=foi@batumi.ge"},
    {"loop_header": ("X-Loop", "foi@batumi.ge")},
    {"extra_headers": [("X-Case", "FOI-2026-00042"), ("Precedence", "bulk")]},
    {"extra_headers": [("X-Long", "word " * 30)]},  # folded by the stdlib
    {"extra_headers": [("X-Spaced", "two  spaces")]},
    {"extra_headers": [("X-Georgian", "ნინო")]},  # encoded by the stdlib
    {"in_reply_to": "<CAGx7kQ1pZ3vN0b9w2Yt8mR4sLfH6dE5cJ2aU1oK9iW3nV7xT0g@mail.gmail.com>"},
    {"in_reply_to": "<a@b> <c@d>", "references": ["<r1@x> <r2@y>", "<xxxxxx>", "<a@b>"]},
    {"in_reply_to": "<" + "x" * 120 + "@outlook.com>"},
]
DATES = [datetime(2026, 2, 3, 10, 14, 58, tzinfo=TBILISI), datetime(2026, 11, 30, 0, 0, tzinfo=UTC)]


def cases() -> Iterator[dict[str, Any]]:
    """Every text and header set with the first of the rest, then random mixtures."""
    for text in TEXTS.values():
        yield {"text": text}
    for values in (SUBJECTS, RECIPIENTS, HEADERS, DATES):
        key = {id(SUBJECTS): "subject", id(RECIPIENTS): "to", id(HEADERS): None, id(DATES): "date"}[id(values)]
        for value in values:
            yield value if key is None else {key: value}
    rng = random.Random(7)
    for _ in range(150):
        yield {
            "text": rng.choice(list(TEXTS.values())),
            "subject": rng.choice(SUBJECTS),
            "to": rng.choice(RECIPIENTS),
            "date": rng.choice(DATES),
            **rng.choice(HEADERS),
        }


def composed(options: dict[str, Any]) -> bytes:
    values: dict[str, Any] = {
        "sender": OFFICE,
        "to": (NINO,),
        "subject": SUBJECTS[0],
        "text": TEXTS["georgian"],
        "message_id": "<foimail.0123456789abcdef0123456789abcdef@batumi.ge>",
        "date": DATES[0],
        **options,
    }
    return compose.compose_message(**values)


def test_a_text_only_message_is_the_stdlibs_byte_for_byte(monkeypatch: pytest.MonkeyPatch) -> None:
    written: list[bytes] = []
    plain = compose.plain_text_message

    def spy(*args: Any) -> bytes | None:
        result = plain(*args)
        if result is not None:
            written.append(result)
        return result

    all_cases = list(cases())
    monkeypatch.setattr(compose, "plain_text_message", spy)
    ours = [composed(options) for options in all_cases]
    monkeypatch.setattr(compose, "plain_text_message", lambda *args: None)
    for options, raw in zip(all_cases, ours, strict=True):
        assert raw == composed(options), options
    assert len(written) > len(all_cases) * 2 // 3  # most of them took the direct way


def test_the_confirmations_shape_is_written_directly() -> None:
    fields: list[compose.Field] = [("From", "foi@batumi.ge", True), ("Date", DATES[0], False)]
    fields += [("Auto-Submitted", "auto-replied", False), ("X-Foimail-Loop", "foi@batumi.ge", False)]
    assert compose.plain_text_message(fields, TEXTS["georgian"]) is not None
    assert compose.plain_text_message([("X-Long", "word " * 30, False)], "x") is None
