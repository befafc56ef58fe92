"""compose_message: what goes on the wire, and that parse_message reads back what was composed."""

from __future__ import annotations

import email
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone
from email import policy

import pytest

from foimail.core.classify import is_own_message_id
from foimail.core.message import Address, Attachment
from foimail.mail.addresses import needs_smtputf8, wire_address
from foimail.mail.compose import compose_message, make_message_id, thread_references
from foimail.mail.parse import parse_message

TBILISI = timezone(timedelta(hours=4))
WHEN = datetime(2026, 2, 3, 10, 14, 58, tzinfo=TBILISI)
OFFICE = Address("foi@batumi.ge", "ბათუმის მუნიციპალიტეტის მერია — საჯარო ინფორმაციის განყოფილება")
NINO = Address("nino.beridze@gmail.com", "ნინო ბერიძე")
OUTLOOK_ID = "<AM9PR03MB7123E4F1A2B3C4D5E6F7A8B9C0D1E2F3A4B5@AM9PR03MB7123.eurprd03.prod.outlook.com>"
GMAIL_ID = "<CAGx7kQ1pZ3vN0b9w2Yt8mR4sLfH6dE5cJ2aU1oK9iW3nV7xT0g@mail.gmail.com>"
LONG_SUBJECT = "[FOI-2026-00042] საჯარო ინფორმაციის გამოთხოვა — ბათუმის მერიის 2025 წლის ბიუჯეტის შესრულება"
TEXT_KA = "ქალბატონო ნინო,\n\nთქვენი მოთხოვნა რეგისტრირებულია ნომრით FOI-2026-00042.\n" + "ა" * 200 + "\n"
PDF_KA = Attachment("ბიუჯეტის შესრულების ანგარიში 2025 წლის მეოთხე კვარტალი.pdf", "application/pdf", bytes(range(256)))
CSV = Attachment("statistics.csv", "text/csv", "ნომერი;თარიღი\r\nFOI-2026-00042;2026-02-03\r\n".encode())


def compose(
    *,
    subject: str = LONG_SUBJECT,
    text: str = TEXT_KA,
    html: str | None = None,
    attachments: Sequence[Attachment] = (),
    to: Sequence[Address] = (NINO,),
    **options: object,
) -> bytes:
    return compose_message(
        sender=OFFICE,
        to=to,
        subject=subject,
        text=text,
        html=html,
        attachments=attachments,
        message_id="<foimail.0123456789abcdef0123456789abcdef@batumi.ge>",
        date=WHEN,
        **options,  # type: ignore[arg-type]
    )


ROUND_TRIPS = [
    pytest.param({}, "text/plain", id="text-only"),
    pytest.param({"html": "<p>ქალბატონო ნინო,</p>"}, "multipart/alternative", id="with-html"),
    pytest.param({"attachments": [PDF_KA, CSV]}, "multipart/mixed", id="attachments"),
    pytest.param({"html": "<p>x</p>", "attachments": [PDF_KA]}, "multipart/mixed", id="html-and-attachment"),
    pytest.param({"text": "ASCII only, short.\n", "subject": "Plain"}, "text/plain", id="ascii"),
    pytest.param({"text": "x" * 2000 + "\n"}, "text/plain", id="one-very-long-line"),
    pytest.param({"text": "no final newline"}, "text/plain", id="newline-added"),
    pytest.param({"text": "line one\r\nline two\r\n"}, "text/plain", id="crlf-text"),
    pytest.param({"text": ".\nFrom here\n-- \n"}, "text/plain", id="smtp-sensitive-lines"),
]


@pytest.mark.parametrize(("options", "content_type"), ROUND_TRIPS)
def test_round_trip(options: dict[str, object], content_type: str) -> None:
    raw = compose(**options)  # type: ignore[arg-type]
    message = parse_message(raw)
    text = str(options.get("text", TEXT_KA)).replace("\r\n", "\n")
    assert message.text == (text if text.endswith("\n") else text + "\n")
    assert message.subject == options.get("subject", LONG_SUBJECT)
    assert message.sender == OFFICE
    assert message.to == (NINO,)
    assert message.content_type == content_type
    html = options.get("html")
    assert message.html == (f"{html}\n" if html else None)
    sent = list(options.get("attachments", []))  # type: ignore[call-overload]
    assert [(a.filename, a.content_type, a.data) for a in message.attachments] == [
        (a.filename, a.content_type, a.data) for a in sent
    ]
    assert message.defects == ()


@pytest.mark.parametrize(("options", "content_type"), ROUND_TRIPS)
def test_wire_format(options: dict[str, object], content_type: str) -> None:
    """ASCII only, CRLF only, lines within 78 (a long msg-id alone may reach 998), RFC 5322 §2.1.1."""
    raw = compose(**options)  # type: ignore[arg-type]
    assert raw.isascii()
    assert b"\n" not in raw.replace(b"\r\n", b"") and b"\r" not in raw.replace(b"\r\n", b"")
    for line in raw.split(b"\r\n"):
        assert len(line) <= (998 if re.search(rb"<[^>]+@[^>]+>", line) else 78), line


def test_stdlib_reads_georgian_filename_and_names() -> None:
    """Another reader (the stdlib, as mail clients do) finds the RFC 2231 filename and RFC 2047 names."""
    raw = compose(attachments=[PDF_KA])
    assert b"filename*0*=utf-8''%E1%83%91" in raw
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert str(msg["Subject"]) == LONG_SUBJECT
    # CPython keeps the folding space between encoded words (RFC 2047 §6.2 says drop it); because we
    # split only after spaces, such a reader still sees whole words.
    assert " ".join(msg["From"].addresses[0].display_name.split()) == OFFICE.name
    (part,) = list(msg.iter_attachments())
    assert part.get_filename() == PDF_KA.filename
    assert part.get_param("name") == PDF_KA.filename


def _header(raw: bytes, name: str) -> str | None:
    return parse_message(raw).header(name)


AUTO_SUBMITTED = [
    pytest.param({}, "auto-replied", "All", id="default"),
    pytest.param({"auto_submitted": "auto-generated"}, "auto-generated", "All", id="auto-generated"),
    pytest.param({"auto_submitted": None}, None, None, id="a-person-writes"),
    pytest.param({"auto_submitted": "no"}, "no", None, id="explicit-no"),
]


@pytest.mark.parametrize(("options", "auto_submitted", "suppress"), AUTO_SUBMITTED)
def test_auto_submitted(options: dict[str, object], auto_submitted: str | None, suppress: str | None) -> None:
    raw = compose(**options)  # type: ignore[arg-type]
    assert _header(raw, "Auto-Submitted") == auto_submitted
    assert _header(raw, "X-Auto-Response-Suppress") == suppress
    assert _header(raw, "Precedence") is None


LOOP = [
    pytest.param({}, "foi@batumi.ge", id="default-is-sender"),
    pytest.param({"loop_header": ("X-Foimail-Loop", "office@batumi.ge")}, "office@batumi.ge", id="explicit"),
    pytest.param({"loop_header": None}, None, id="none"),
]


@pytest.mark.parametrize(("options", "value"), LOOP)
def test_loop_header(options: dict[str, object], value: str | None) -> None:
    assert _header(compose(**options), "X-Foimail-Loop") == value  # type: ignore[arg-type]


THREADS = [
    pytest.param({}, (), (), id="new-thread"),
    pytest.param({"in_reply_to": GMAIL_ID}, (GMAIL_ID,), (GMAIL_ID,), id="reply-to-first"),
    pytest.param(
        {"in_reply_to": OUTLOOK_ID, "references": [GMAIL_ID]},
        (OUTLOOK_ID,),
        (GMAIL_ID, OUTLOOK_ID),
        id="chain",
    ),
    pytest.param(
        {"in_reply_to": " a@b ", "references": ["<x@y> <a@b>"]},
        ("<a@b>",),
        ("<x@y>", "<a@b>"),
        id="normalised",
    ),
]


@pytest.mark.parametrize(("options", "in_reply_to", "references"), THREADS)
def test_threading(options: dict[str, object], in_reply_to: tuple[str, ...], references: tuple[str, ...]) -> None:
    """RFC 5322 §3.6.4: References = the parent's References + the parent's Message-ID."""
    message = parse_message(compose(**options))  # type: ignore[arg-type]
    assert message.in_reply_to == in_reply_to
    assert message.references == references
    assert message.message_id == "<foimail.0123456789abcdef0123456789abcdef@batumi.ge>"


def test_long_msg_ids_are_never_encoded_words() -> None:
    raw = compose(in_reply_to=OUTLOOK_ID, references=[GMAIL_ID] * 3 + [OUTLOOK_ID])
    assert f"In-Reply-To: {OUTLOOK_ID}\r\n".encode() in raw
    assert f"References: {GMAIL_ID}\r\n {OUTLOOK_ID}\r\n".encode() in raw


def test_thread_references() -> None:
    assert thread_references([], None) == ()
    assert thread_references(["<a@b>", "<b@c>"], "<b@c>") == ("<a@b>", "<b@c>")


def test_header_fields() -> None:
    raw = compose(
        to=[NINO, Address("archive@ბათუმი.ge", 'Archive, "Main"')],
        extra_headers=[("X-Foimail-Case", "FOI-2026-1")],
    )
    message = parse_message(raw)
    assert message.to == (NINO, Address("archive@xn--lodbteo1c.ge", 'Archive, "Main"'))
    assert message.date == WHEN
    assert message.header("Date") == "Tue, 03 Feb 2026 10:14:58 +0400"
    assert message.header("X-Foimail-Case") == "FOI-2026-1"
    assert message.header("MIME-Version") == "1.0"


NAMES = [
    pytest.param(Address("a@b.ge", "Nino Beridze"), b"To: Nino Beridze <a@b.ge>", id="ascii-atoms"),
    pytest.param(Address("a@b.ge", "Beridze, Nino"), b'To: "Beridze, Nino" <a@b.ge>', id="ascii-quoted"),
    pytest.param(Address("a@b.ge"), b"To: a@b.ge", id="no-name"),
    pytest.param(
        Address("a@b.ge", "=?utf-8?b?4YOc?="),
        b"To: =?utf-8?b?PT91dGYtOD9iPzRZT2M/PQ==?= <a@b.ge>",
        id="literal-ew",
    ),
]


@pytest.mark.parametrize(("address", "wire"), NAMES)
def test_display_names(address: Address, wire: bytes) -> None:
    raw = compose(to=[address])
    assert wire + b"\r\n" in raw
    assert parse_message(raw).to == (address,)


def test_no_recipients_means_no_to_header() -> None:
    assert b"\r\nTo:" not in compose(to=[])


def test_message_id() -> None:
    first, second = make_message_id("batumi.ge"), make_message_id("batumi.ge")
    assert re.fullmatch(r"<foimail\.[0-9a-f]{32}@batumi\.ge>", first)
    assert first != second
    assert is_own_message_id(first, "batumi.ge")  # the classifier recognises what we make


REFUSED = [
    pytest.param({"date": datetime(2026, 2, 3, 10, 0)}, id="naive-date"),
    pytest.param({"message_id": "no-at-sign"}, id="bad-message-id"),
    pytest.param({"message_id": "<a@b> <c@d>"}, id="two-message-ids"),
    pytest.param({"auto_submitted": "yes please"}, id="bad-auto-submitted"),
    pytest.param({"extra_headers": [("X-Evil", "a\r\nBcc: victim@x.ge")]}, id="header-injection"),
    pytest.param({"extra_headers": [("Bad Name", "x")]}, id="bad-header-name"),
    pytest.param({"to": [Address("nino.beridze")]}, id="recipient-without-domain"),
    pytest.param({"to": [Address("nino beridze@gmail.com")]}, id="recipient-with-space"),
]


@pytest.mark.parametrize("options", REFUSED)
def test_refused(options: dict[str, object]) -> None:
    arguments: dict[str, object] = {
        "sender": OFFICE,
        "to": [NINO],
        "subject": "s",
        "text": "t",
        "message_id": "<m@batumi.ge>",
        "date": WHEN,
        **options,
    }
    with pytest.raises(ValueError):
        compose_message(**arguments)  # type: ignore[arg-type]


def test_subject_whitespace_cannot_inject_headers() -> None:
    raw = compose(subject="hello\r\nBcc: victim@x.ge")
    assert parse_message(raw).subject == "hello Bcc: victim@x.ge"
    assert parse_message(raw).header("Bcc") is None


def test_utc_date_is_written_as_utc() -> None:
    raw = compose_message(
        sender=OFFICE, to=[NINO], subject="s", text="t", message_id="<m@batumi.ge>", date=WHEN.astimezone(UTC)
    )
    assert parse_message(raw).header("Date") == "Tue, 03 Feb 2026 06:14:58 +0000"


def test_forwarded_message_attachment_is_not_base64_and_survives() -> None:
    inner = (
        b"From: nino@example.org\r\nTo: foi@batumi.ge\r\nSubject: =?UTF-8?B?4YOb4YOd4YOX4YOu4YOd4YOV4YOc4YOQ?=\r\n"
        b"Message-ID: <inner@example.org>\r\nContent-Type: text/plain; charset=utf-8\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n" + "გთხოვთ\r\n".encode()
    )
    raw = compose_message(
        sender=Address("foi@batumi.ge", "ბათუმის მერია"),
        to=[Address("giorgi@example.org")],
        subject="[FOI-2026-00001] answer",
        text="See the forwarded message.",
        attachments=[Attachment("original.eml", "message/rfc822", inner)],
        message_id="<foimail.1@batumi.ge>",
        date=datetime(2026, 11, 20, 14, 0, tzinfo=UTC),
        auto_submitted=None,
    )
    raw.decode("ascii")  # pure ASCII on the wire
    outer = email.message_from_bytes(raw, policy=email.policy.default)
    [part] = [p for p in outer.iter_attachments()]
    assert part.get_content_type() == "message/rfc822"
    assert part["Content-Transfer-Encoding"] in (None, "7bit", "8bit")
    forwarded = part.get_content()
    assert forwarded["Subject"] == "მოთხოვნა" and forwarded.get_content().strip() == "გთხოვთ"


def test_attachment_parameters_such_as_charset_are_kept() -> None:
    raw = compose_message(
        sender=Address("foi@batumi.ge"),
        to=[Address("officer@batumi.ge")],
        subject="stats",
        text="attached",
        attachments=[Attachment("2.4.csv", "text/csv; charset=utf-8", "\ufeffმიღებული\r\n5\r\n".encode())],
        message_id="<foimail.2@batumi.ge>",
        date=datetime(2026, 11, 20, 14, 0, tzinfo=UTC),
    )
    [part] = email.message_from_bytes(raw, policy=email.policy.default).iter_attachments()
    assert part.get_content_type() == "text/csv" and part.get_content_charset() == "utf-8"
    assert part.get_filename() == "2.4.csv"
    assert part.get_content().lstrip("\ufeff").startswith("მიღებული")


# (recipient, how To: is written, whether the message needs SMTPUTF8)
INTERNATIONAL = [
    pytest.param(Address("nino@ბათუმი.გე"), "To: nino@xn--lodbteo1c.xn--node", False, id="georgian-domain"),
    pytest.param(Address("NINO@ბათუმი.ge"), "To: NINO@xn--lodbteo1c.ge", False, id="georgian-label-ascii-tld"),
    pytest.param(Address("ნინო@example.ge"), "To: ნინო@example.ge", True, id="georgian-local-part"),
    pytest.param(Address("ნინო@ბათუმი.გე", "Nino"), "To: Nino <ნინო@xn--lodbteo1c.xn--node>", True, id="both"),
    pytest.param(
        Address("ნინო@example.ge", "ნინო"), "To: =?utf-8?b?4YOc4YOY4YOc4YOd?= <ნინო@example.ge>", True, id="named"
    ),
]

# Japanese carriers' dotted local parts (taro..hanako@, taro.@): quoted in the header, never refused.
DOTTED = [
    pytest.param(Address("taro..hanako@docomo.ne.jp"), b'To: "taro..hanako"@docomo.ne.jp', id="double-dot"),
    pytest.param(Address("taro.@ezweb.ne.jp", "Taro"), b'To: Taro <"taro."@ezweb.ne.jp>', id="trailing-dot"),
    pytest.param(Address(".taro@ezweb.ne.jp"), b'To: ".taro"@ezweb.ne.jp', id="leading-dot"),
]


@pytest.mark.parametrize(("recipient", "wire"), DOTTED)
def test_dotted_local_parts_are_quoted(recipient: Address, wire: bytes) -> None:
    assert wire + b"\r\n" in compose(to=[recipient])


@pytest.mark.parametrize(("recipient", "wire", "smtputf8"), INTERNATIONAL)
def test_internationalised_recipients_compose(recipient: Address, wire: str, smtputf8: bool) -> None:
    """RFC 5891 A-labels for domains; a UTF-8 local part is written in UTF-8 (RFC 6532), for SMTPUTF8."""
    raw = compose(to=[recipient])
    assert (wire + "\r\n").encode() in raw
    assert raw.isascii() is not smtputf8
    assert needs_smtputf8([recipient.address]) is smtputf8
    (read_back,) = parse_message(raw).to
    assert read_back.address == wire_address(recipient.address).lower()


def test_needs_smtputf8_never_raises() -> None:
    assert needs_smtputf8([]) is False
    assert needs_smtputf8(["nobody", "a@b.ge", "x@ბ..გე"]) is False
    assert needs_smtputf8(["nobody", "ნ@b.ge"]) is True


BAD_IDS = [
    pytest.param({"in_reply_to": "<xxxxxx>"}, (), (), id="no-at-sign"),
    pytest.param({"in_reply_to": "nothing"}, (), (), id="no-brackets-no-at"),
    pytest.param({"in_reply_to": "<ნინო@gmail.com>"}, (), (), id="non-ascii"),
    pytest.param({"in_reply_to": "<a@b@c>"}, (), (), id="two-at-signs"),
    pytest.param({"in_reply_to": "<" + "x" * 1000 + "@y>"}, (), (), id="longer-than-a-line"),
    pytest.param(
        {"in_reply_to": "<xxxxxx> " + GMAIL_ID, "references": ["<xxxxxx>", OUTLOOK_ID, "<>"]},
        (GMAIL_ID,),
        (OUTLOOK_ID, GMAIL_ID),
        id="bad-ones-among-good",
    ),
]


@pytest.mark.parametrize(("options", "in_reply_to", "references"), BAD_IDS)
def test_invalid_msg_ids_are_left_out(
    options: dict[str, object], in_reply_to: tuple[str, ...], references: tuple[str, ...]
) -> None:
    raw = compose(**options)  # type: ignore[arg-type]
    message = parse_message(raw)
    assert (message.in_reply_to, message.references) == (in_reply_to, references)
    assert (b"In-Reply-To:" in raw) is bool(in_reply_to)
