"""parse_message over real-shaped samples: one table row per sample, then the properties every parse keeps."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
import textwrap
import time
import traceback
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from foimail.core.message import Address, InboundMessage, SenderSource
from foimail.mail.parse import parse_message

SAMPLES = Path(__file__).parents[1] / "samples"
OUR_ID = "<foimail.4f9c2a7e1b3d4c5e8a6b7c8d9e0f1a2b@batumi.ge>"
CITIZEN_ID = "<CAGx7kQ1pZ3vN0b9w2Yt8mR4sLfH6dE5cJ2aU1oK9iW3nV7xT0g@mail.gmail.com>"
CASE_SUBJECT = "[FOI-2026-00042] თქვენი მოთხოვნა რეგისტრირებულია"
TBILISI = timezone(timedelta(hours=4))


@dataclass(frozen=True)
class Expected:
    sender: Address | None
    subject: str
    message_id: str | None
    text_has: tuple[str, ...] = ()
    text_lacks: tuple[str, ...] = ()
    content_type: str = "text/plain"
    return_path: str | None = None
    date: datetime | None = None
    has_html: bool = False
    attachments: tuple[tuple[str, str], ...] = ()  # (filename, content type)
    in_reply_to: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    reply_to: tuple[Address, ...] = ()
    embedded: tuple[tuple[str, str], ...] = ()  # (message-id, subject) of each embedded header block
    delivery: tuple[tuple[str, str], ...] = ()  # (action, status) per recipient
    defects: tuple[str, ...] = ()  # substrings, one per expected defect; () means a clean parse
    headers: dict[str, str] = field(default_factory=dict)  # header -> first decoded value
    sender_source: SenderSource | None = SenderSource.FROM


NINO = Address("nino.beridze@gmail.com", "ნინო ბერიძე")
DAEMON_POSTFIX = Address("mailer-daemon@mail.batumi.ge", "Mail Delivery System")
PDF = ("application/pdf",)

CASES: dict[str, Expected] = {
    "request_gmail_ka.eml": Expected(
        sender=NINO,
        subject="საჯარო ინფორმაციის გამოთხოვა — 2025 წლის ბიუჯეტის შესრულება",
        message_id=CITIZEN_ID,
        text_has=("2025 წლის ბიუჯეტის შესრულების ანგარიში;\n", "ნინო ბერიძე\n"),
        text_lacks=("<div",),
        content_type="multipart/alternative",
        return_path="nino.beridze@gmail.com",
        date=datetime(2026, 2, 3, 12, 12, 19, tzinfo=TBILISI),
        has_html=True,
        headers={"x-google-smtp-source": "AGHT+IF9mQ2kL7vN3pR8tY1wZ5xC4bD6eF0gH2jK9lM3nP7qS1uV5yA8cE2fG4hJ6kL0mN=="},
    ),
    "reply_gmail_ka_threaded.eml": Expected(
        sender=NINO,
        subject="Re: " + CASE_SUBJECT,
        message_id="<CAGx7kQ3mY8bW1cN6dE0fR2gT5hU9iV4jX7kZ1lA3nB6oC8pD0q@mail.gmail.com>",
        text_has=("მადლობა, დაველოდები პასუხს.", "> ნომრით FOI-2026-00042"),
        content_type="multipart/alternative",
        return_path="nino.beridze@gmail.com",
        has_html=True,
        in_reply_to=(OUR_ID,),
        references=(CITIZEN_ID, OUR_ID),
    ),
    "request_outlook_html_only.eml": Expected(
        sender=Address("g.tsintsadze@civic-batumi.ge", "გიორგი ცინცაძე"),
        subject="ინფორმაცია პარკირების ჯარიმებზე (2025)",
        message_id="<AM9PR03MB7123E4F1A2B3C4D5E6F7A8B9C0D1E2F3A4B5@AM9PR03MB7123.eurprd03.prod.outlook.com>",
        text_has=(
            "გამარჯობათ,\n",
            "პარკირების ჯარიმების",
            "„ბათუმის",
            "civic-batumi.ge <https://civic-batumi.ge/>",
        ),
        text_lacks=("font-family", "<span", "<p", "Cambria", "shapedefaults", "&nbsp;", "\xa0"),
        content_type="text/html",
        date=datetime(2026, 2, 3, 10, 40, 2, tzinfo=UTC),
        has_html=True,
        headers={"thread-topic": "ინფორმაცია პარკირების ჯარიმებზე (2025)", "x-ms-has-attach": ""},
    ),
    "request_thunderbird_qp_attachment.eml": Expected(
        sender=Address("tamar.kapanadze@posta.ge", "თამარ კაპანაძე"),
        subject="განცხადება — ბულვარის რეკონსტრუქცია",
        message_id="<8d0f3a6e-2c41-4b7e-9a55-13f0c8e2d7b4@posta.ge>",
        # format=flowed soft breaks joined, quote depth kept, the "-- " separator not flowed
        text_has=(
            "რეკონსტრუქციის პროექტის შესახებ: ხელშეკრულების ასლს, ხარჯთაღრიცხვას და სამუშაოების დასრულების",
            "> ციტატა წინა წერილიდან, რომელიც ძალიან გრძელია და ამიტომ რამდენიმე სტრიქონზე გადადის.\n",
            "\n-- \nთამარ კაპანაძე",
        ),
        content_type="multipart/mixed",
        return_path="tamar.kapanadze@posta.ge",
        attachments=(("request_scan.pdf", "application/pdf"),),
    ),
    "request_apple_mail_ka_2231_filename.eml": Expected(
        sender=Address("levan.japaridze@icloud.com", "ლევან ჯაფარიძე"),
        subject="განცხადება",
        message_id="<7C1E2A4B-9D3F-4E5A-8B6C-0D1E2F3A4B5C@icloud.com>",
        text_has=("თანდართულია ჩემი განცხადება.", "ლევან ჯაფარიძე\nბათუმი"),  # both inline parts
        content_type="multipart/mixed",
        return_path="levan.japaridze@icloud.com",
        attachments=(("განცხადება საჯარო ინფორმაციის გამოთხოვის შესახებ.pdf", "application/pdf"),),
    ),
    "request_iphone_ka_photo.eml": Expected(
        sender=Address("mariam.abashidze@gmail.com", "მარიამ აბაშიძე"),
        subject="დაზიანებული გზა ჭავჭავაძის ქუჩაზე",
        message_id="<5F3C2B1A-7D6E-4F8A-9B0C-1D2E3F4A5B6C@gmail.com>",
        text_has=("ფოტო თან ერთვის.", "Sent from my iPhone"),
        content_type="multipart/mixed",
        return_path="mariam.abashidze@gmail.com",
        attachments=(("IMG_0042.jpeg", "image/jpeg"),),
    ),
    "request_thebat_ru_cp1251.eml": Expected(
        sender=Address("sergey.ivanov@mail.ru", "Сергей Иванов"),
        subject="Запрос публичной информации",
        message_id="<1938471205.20260205091058@mail.ru>",
        text_has=("Прошу предоставить публичную информацию", "С уважением,\nСергей Иванов\n"),
        text_lacks=("\r",),
        return_path="sergey.ivanov@mail.ru",
        date=datetime(2026, 2, 5, 9, 10, 58, tzinfo=timezone(timedelta(hours=3))),
        reply_to=(Address("sergey.ivanov@mail.ru", "Сергей Иванов"),),
        headers={"x-priority": "3 (Normal)"},
    ),
    "request_webform_8bit_headers_ka.eml": Expected(
        sender=Address("noreply@batumi.ge", "ლაშა გოგიტიძე"),
        subject="საჯარო ინფორმაციის მოთხოვნა ვებგვერდიდან",
        message_id="<20260206124510.0B1C24E5F6@web1.batumi.ge>",
        text_has=("მუნიციპალური ტრანსპორტის",),
        return_path="www-data@web1.batumi.ge",
        reply_to=(Address("lasha.gogitidze@yahoo.com", "ლაშა გოგიტიძე"),),
    ),
    "request_thunderbird_forward_rfc822.eml": Expected(
        sender=Address("tamar.kapanadze@posta.ge", "თამარ კაპანაძე"),
        subject="Fwd: ინფორმაციის მოთხოვნა",
        message_id="<f0a1b2c3-d4e5-4f60-a7b8-c9d0e1f2a3b4@posta.ge>",
        text_has=("გადმომეგზავნა",),
        text_lacks=("ბულვარის პროექტზე",),  # the forwarded body stays in the attachment
        content_type="multipart/mixed",
        return_path="tamar.kapanadze@posta.ge",
        attachments=(("ინფორმაციის მოთხოვნა.eml", "message/rfc822"),),
        embedded=(("<b21c7e90-5d3a-4f6b-8e1c-2a9d0f4b7c63@posta.ge>", "ინფორმაციის მოთხოვნა"),),
    ),
    "bounce_postfix_dsn.eml": Expected(
        sender=DAEMON_POSTFIX,
        subject="Undelivered Mail Returned to Sender",
        message_id="<4ZxY7k0Sd2z9sWd@mail.batumi.ge>",
        text_has=("User unknown in\n    virtual mailbox table",),
        content_type="multipart/report",
        return_path="",
        date=datetime(2026, 2, 3, 10, 15, 2, tzinfo=TBILISI),
        attachments=(("attachment-1.txt", "message/delivery-status"), ("attachment-2.eml", "message/rfc822")),
        embedded=((OUR_ID, CASE_SUBJECT),),
        delivery=(("failed", "5.1.1"),),
        headers={"auto-submitted": "auto-replied"},
    ),
    "bounce_postfix_delayed_headers.eml": Expected(
        sender=DAEMON_POSTFIX,
        subject="Delayed Mail (still being retried)",
        message_id="<4ZyB2n5Lx3z9sWk@mail.batumi.ge>",
        text_has=("THIS IS A WARNING ONLY.",),
        content_type="multipart/report",
        return_path="",
        attachments=(
            ("attachment-1.txt", "message/delivery-status"),
            ("attachment-2.txt", "text/rfc822-headers"),
        ),
        embedded=((OUR_ID, CASE_SUBJECT),),
        delivery=(("delayed", "4.4.1"),),
    ),
    "bounce_exchange_ndr.eml": Expected(
        sender=Address("postmaster@mof.gov.ge"),
        subject="Undeliverable: " + CASE_SUBJECT,
        message_id="<d6f1a2b3-c4d5-4e6f-8a7b-9c0d1e2f3a4b@DB9PR03MB8456.eurprd03.prod.outlook.com>",
        text_has=("The recipient's mailbox is full",),
        content_type="multipart/report",
        has_html=True,
        attachments=(("attachment-1.txt", "message/delivery-status"), ("attachment-2.eml", "message/rfc822")),
        in_reply_to=(OUR_ID,),
        references=(CITIZEN_ID, OUR_ID),
        embedded=((OUR_ID, CASE_SUBJECT),),
        delivery=(("failed", "5.2.2"),),
        headers={"x-ms-exchange-message-is-ndr": ""},
    ),
    "bounce_gmail.eml": Expected(
        sender=Address("mailer-daemon@googlemail.com", "Mail Delivery Subsystem"),
        subject="Delivery Status Notification (Failure)",
        message_id="<67a05e7d.5d0a0220.3b2f1c.9e41.GMR@mx.google.com>",
        text_has=("** Address not found **",),
        text_lacks=("<h1",),
        content_type="multipart/report",
        return_path="",
        date=datetime(2026, 2, 3, 6, 15, 9, tzinfo=UTC),
        has_html=True,
        attachments=(
            ("icon.png", "image/png"),
            ("attachment-2.txt", "message/delivery-status"),
            ("attachment-3.eml", "message/rfc822"),
        ),
        in_reply_to=(OUR_ID,),
        references=(OUR_ID,),
        embedded=((OUR_ID, CASE_SUBJECT),),
        delivery=(("failed", "5.1.1"),),
        headers={"x-failed-recipients": "nino.beridze@example.ge"},
    ),
    "bounce_exim_plain.eml": Expected(
        sender=Address("mailer-daemon@server.hostge.net", "Mail Delivery System"),
        subject="Mail delivery failed: returning message to sender",
        message_id="<E1vXyZ2-0004Ab-7Q@server.hostge.net>",
        text_has=("------ This is a copy of the message, including all the headers. ------", OUR_ID),
        return_path="",
        references=(OUR_ID,),
    ),
    "bounce_qmail.eml": Expected(
        sender=Address("mailer-daemon@mx1.caucasus.net"),
        subject="failure notice",
        message_id=None,
        text_has=("Sorry, no mailbox here by that name. (#5.1.1)", OUR_ID),
        return_path="",
        date=datetime(2026, 2, 3, 6, 17, 12, tzinfo=UTC),  # "-0000": UTC, local zone unknown
    ),
    "autoreply_outlook_ka.eml": Expected(
        sender=Address("e.megrelidze@adjara.gov.ge", "ეკა მეგრელიძე"),
        subject="ავტომატური პასუხი: " + CASE_SUBJECT,
        message_id="<VI1PR03MB4782F0E1D2C3B4A59687A6B5C4D3E2F1@VI1PR03MB4782.eurprd03.prod.outlook.com>",
        text_has=("10 თებერვლამდე შვებულებაში ვიმყოფები",),
        text_lacks=("\r",),
        content_type="multipart/alternative",
        has_html=True,
        in_reply_to=(OUR_ID,),
        references=(OUR_ID,),
        headers={"auto-submitted": "auto-generated", "x-auto-response-suppress": "All"},
    ),
    "autoreply_gmail_vacation_en.eml": Expected(
        sender=Address("nino.beridze@gmail.com", "Nino Beridze"),
        subject="Out of office until 16 February",
        message_id="<CAGx7kQ0vacation4x2Yd9Lm7Nq1Rt3Sv5Uw8Xz0Ab2Cd4Ef6Gh8@mail.gmail.com>",
        text_has=("I am travelling until 16 February",),
        content_type="multipart/alternative",
        return_path="nino.beridze@gmail.com",
        has_html=True,
        in_reply_to=(OUR_ID,),
        references=(OUR_ID,),
        headers={"auto-submitted": "auto-replied"},
    ),
    "autoreply_ru.eml": Expected(
        sender=Address("a.smirnova@batumi-port.ge", "Анна Смирнова"),
        subject="Автоответ: " + CASE_SUBJECT,
        message_id="<autoreply.1738563319.26417@mail.batumi-port.ge>",
        text_has=("Я нахожусь в отпуске до 20 февраля 2026 г.",),
        return_path="a.smirnova@batumi-port.ge",
        in_reply_to=(OUR_ID,),
        headers={"auto-submitted": "auto-replied (vacation)", "precedence": "bulk", "x-autoreply": "yes"},
    ),
    "autoreply_precedence_bulk_ka.eml": Expected(
        sender=Address("info@sastumro-batumi.ge", "სასტუმრო ბათუმი"),
        subject="მადლობა წერილისთვის",
        message_id="<E1vXyZ9-0005Cd-1a@server.hostge.net>",
        text_has=("გიპასუხებთ 24 საათის განმავლობაში",),
        return_path="info@sastumro-batumi.ge",
        headers={"precedence": "auto_reply", "x-autorespond": "მადლობა წერილისთვის"},
    ),
    "read_receipt_outlook_mdn.eml": Expected(
        sender=Address("g.tsintsadze@civic-batumi.ge", "გიორგი ცინცაძე"),
        subject="წაკითხულია: " + CASE_SUBJECT,
        message_id="<AM9PR03MB71235F6A7B8C9D0E1F2A3B4C5D6E7F8A9B0C@AM9PR03MB7123.eurprd03.prod.outlook.com>",
        text_has=("წაკითხულია: 4 თებერვალი 2026",),
        content_type="multipart/report",
        attachments=(("attachment-1.txt", "message/disposition-notification"),),
        in_reply_to=(OUR_ID,),
        references=(OUR_ID,),
    ),
    "malformed_no_boundary.eml": Expected(
        sender=Address("noreply@tenders-georgia.ge", "Tenders Georgia"),
        subject="ინფორმაციის მოთხოვნა ტენდერზე",
        message_id="<8a3b1c9d2e4f@tenders-georgia.ge>",
        text_has=("ტენდერის SPA250001234 შესახებ.",),
        text_lacks=("--b1_", "Content-Type"),
        content_type="multipart/alternative",
        return_path="noreply@tenders-georgia.ge",
        has_html=True,
        defects=("no boundary; used 'b1_8a3b1c9d2e4f'", "no boundary parameter", "no subparts were found"),
    ),
    "malformed_truncated_multipart.eml": Expected(
        sender=Address("d.kiknadze@caucasus.net", "დავით კიკნაძე"),
        subject="სკანირებული განცხადება",
        message_id="<20260207123000.5417@caucasus.net>",
        text_has=("განცხადება თან ერთვის.",),
        content_type="multipart/mixed",
        return_path="d.kiknadze@caucasus.net",
        attachments=(("scan.jpg", "image/jpeg"),),
        defects=("base64 data truncated", "close boundary"),
    ),
    "malformed_bad_base64_and_date.eml": Expected(
        sender=None,
        subject="ნ\ufffd tail",
        message_id=None,
        sender_source=None,
        text_has=("გამარჯობაგა",),
        content_type="multipart/mixed",
        attachments=(("attachment-1.bin", "application/octet-stream"),),
        defects=(
            "Subject ends inside a UTF-8 character",
            "From header '<<<nobody>>>' holds no address",
            "'not-a-message-id' holds no msg-id",
            "unreadable Date header",
            "outside the base64 alphabet",
            "base64 padding inside the data",
        ),
    ),
    "unknown_charset.eml": Expected(
        sender=Address("z.nogaideli@mail.ge", "ზურაბ ნოღაიდელი"),
        subject="მოთხოვნა #17",
        message_id="<unknown-charset-1@mail.ge>",
        text_has=("გთხოვთ მომაწოდოთ ინფორმაცია.\n", "Привет из cp1251"),
        content_type="multipart/mixed",
        defects=(
            "unknown charset 'x-foo' in message header From: decoded as utf-8",
            "unknown charset 'x-foo' in message header Subject: decoded as utf-8",
            "unknown charset 'x-foo' in part 2 (text/plain): decoded as utf-8",
            "part 3 (text/plain) is not valid us-ascii: decoded as windows-1251",
        ),
    ),
    "hostile_filename.eml": Expected(
        sender=Address("attacker@evil.example", "Attacker"),
        subject="documents",
        message_id="<hostile-1@evil.example>",
        text_has=("see attached",),
        content_type="multipart/mixed",
        attachments=(
            ("passwd", "text/plain"),
            ("evil.exe", "application/octet-stream"),
            ("invoicefdp.exe", "application/octet-stream"),  # U+202E would show it as "invoiceexe.pdf"
            ("bashrc", "text/plain"),
            ("ა" * 83 + ".pdf", "application/pdf"),  # 255 bytes of UTF-8 at most
            ("_con.txt", "text/plain"),
            ("résumé .docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            ("attachment-8.png", "image/png"),
        ),
    ),
    "no_from.eml": Expected(
        sender=None,
        subject="request",
        message_id=None,
        text_has=("Please send me the 2025 budget.",),
        sender_source=None,
    ),
    # --- senders that need reading: the whole From encoded, brackets missing, fallbacks -----------------------
    "request_python_mime_whole_from_ka.eml": Expected(
        sender=Address("g.maisuradze@example.ge", "გიორგი მაისურაძე"),
        subject="საჯარო ინფორმაციის მოთხოვნა — სკვერების მოვლა",
        message_id="<177070456012.48213.1180451737420558734@app.civic-hub.ge>",
        text_has=("სკვერების მოვლაზე",),
        return_path="g.maisuradze@example.ge",
        defects=("From 'გიორგი მაისურაძე <g.maisuradze@example.ge>' read as g.maisuradze@example.ge",),
        sender_source=SenderSource.FROM_REPAIRED,
    ),
    "request_php_mb_encode_mimeheader_ka.eml": Expected(
        sender=Address("nino.beridze@gmail.com", "ნინო ბერიძე"),
        subject="შეკითხვა ვებგვერდიდან: ბიუჯეტი",
        message_id="<20260210102006.6F1A2C0412@forms.example-ngo.ge>",
        text_has=("სკვერების მოვლაზე",),
        return_path="www-data@forms.example-ngo.ge",
        defects=("read as nino.beridze@gmail.com",),
        sender_source=SenderSource.FROM_REPAIRED,
    ),
    "request_webform_missing_bracket_ka.eml": Expected(
        sender=Address("t.chkhaidze@hotel-adjara.ge", "თამარ ჩხაიძე"),
        subject="ინფორმაციის მოთხოვნა",
        message_id="<5f8c1e2a9b7d4@web.hotel-adjara.ge>",
        text_has=("ნებართვების სია",),
        return_path="apache@web.hotel-adjara.ge",
        defects=("read as t.chkhaidze@hotel-adjara.ge",),
        sender_source=SenderSource.FROM_REPAIRED,
    ),
    "request_from_name_only_reply_to_list.eml": Expected(
        sender=Address("k.kharaishvili@gmail.com", "ქეთევან ხარაიშვილი"),
        subject="საჯარო ინფორმაციის გამოთხოვა",
        message_id="<kampania.20260211084001.77120@mailer.kampania.ge>",
        text_has=("შესყიდვების გეგმა",),
        return_path="bounce+5a1c2e@mailer.kampania.ge",
        reply_to=(Address("k.kharaishvili@gmail.com"), Address("office@transparency-batumi.ge")),
        defects=("From 'ქეთევან ხარაიშვილი' holds no usable address: the sender was taken from Reply-To",),
        sender_source=SenderSource.REPLY_TO,
    ),
    "request_no_from_sender_header.eml": Expected(
        sender=Address("d.kiknadze@caucasus.net", "Davit Kiknadze"),
        subject="Request for public information",
        message_id="<000c01dc9b3f$4a2e1b60$de8b5220$@caucasus.net>",
        text_has=("construction permits",),
        return_path="d.kiknadze@caucasus.net",
        defects=("From 'undisclosed-recipients:;' holds no usable address: the sender was taken from Sender",),
        sender_source=SenderSource.SENDER,
    ),
    "request_from_undecodable_local_part.eml": Expected(  # after dkimpy's rfc6376.w1258.msg (docs/CORPUS.md)
        sender=Address("a.gogiberidze@example.ge"),  # never "andr\ufffd@example.ge": nobody has that address
        subject="Request: municipal parking revenue 2025",
        message_id="<20260206070000.5511.7C2B@pc07.office.example.ge>",
        text_has=("parking revenue",),
        return_path="a.gogiberidze@example.ge",
        defects=(
            "header From ends inside a UTF-8 character",
            "holds no usable address: the sender was taken from Return-Path (a.gogiberidze@example.ge)",
            "no charset declared in message",
        ),
        sender_source=SenderSource.RETURN_PATH,
    ),
    "request_no_from_return_path_only.eml": Expected(
        sender=Address("t.shonia@mail.ge"),
        subject="მოთხოვნა",
        message_id="<20260212123044.4411@smtp.mail.ge>",
        text_has=("საბავშვო ბაღების",),
        return_path="t.shonia@mail.ge",
        defects=("no From header: the sender was taken from Return-Path (t.shonia@mail.ge)",),
        sender_source=SenderSource.RETURN_PATH,
    ),
}


def _parsed(name: str) -> InboundMessage:
    return parse_message((SAMPLES / name).read_bytes())


def test_every_sample_has_a_row() -> None:
    assert sorted(p.name for p in SAMPLES.glob("*.eml")) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_sample(name: str) -> None:
    expected, message = CASES[name], _parsed(name)
    assert message.sender == expected.sender
    assert message.sender_source == expected.sender_source
    assert message.subject == expected.subject
    assert message.message_id == expected.message_id
    assert message.content_type == expected.content_type
    assert message.return_path == expected.return_path
    for fragment in expected.text_has:
        assert fragment in message.text
    for fragment in expected.text_lacks:
        assert fragment not in message.text
    assert (message.html is not None) == expected.has_html
    assert [(a.filename, a.content_type) for a in message.attachments] == list(expected.attachments)
    assert message.in_reply_to == expected.in_reply_to
    assert message.references == expected.references
    assert message.reply_to == expected.reply_to
    assert [(h["message-id"][0], h["subject"][0]) for h in message.embedded_headers] == list(expected.embedded)
    assert [(d["action"], d["status"]) for d in message.delivery_status] == list(expected.delivery)
    assert len(message.defects) == len(expected.defects), message.defects
    for fragment, defect in zip(expected.defects, message.defects, strict=True):
        assert fragment in defect
    for header, value in expected.headers.items():
        assert message.header(header) == value
    if expected.date is not None:
        assert message.date == expected.date


@pytest.mark.parametrize("name", sorted(CASES))
def test_sample_values_are_storable(name: str) -> None:
    """Every string is valid UTF-8 without NUL (PostgreSQL text), every date aware, ids canonical."""
    message = _parsed(name)
    strings = [message.subject, message.text, message.html or "", *message.defects]
    strings += [v for values in message.headers.values() for v in values]
    strings += [a.filename for a in message.attachments]
    for text in strings:
        text.encode("utf-8")
        assert "\x00" not in text
    assert message.date is None or message.date.tzinfo is not None
    for msg_id in (message.message_id, *message.in_reply_to, *message.references):
        assert msg_id is None or (msg_id.startswith("<") and msg_id.endswith(">") and " " not in msg_id)
    assert all(name == name.lower() for name in message.headers)


def test_attachment_bytes_survive_decoding() -> None:
    (pdf,) = _parsed("request_thunderbird_qp_attachment.eml").attachments
    assert pdf.data.startswith(b"%PDF-1.4\n") and pdf.data.endswith(b"%%EOF\n")
    jpeg = _parsed("request_iphone_ka_photo.eml").attachments[0].data
    assert jpeg[:2] == b"\xff\xd8" and jpeg[-2:] == b"\xff\xd9"
    bad = _parsed("malformed_bad_base64_and_date.eml").attachments[0].data
    assert bad == b"aaabc"  # "YQ==YQ==YWJj": each padded chunk decoded on its own


def test_embedded_message_is_kept_whole() -> None:
    returned = _parsed("bounce_postfix_dsn.eml").attachments[1].data
    inner = parse_message(returned)
    assert inner.message_id == OUR_ID
    assert inner.subject == CASE_SUBJECT
    assert "FOI-2026-00042" in inner.text


def test_delivery_status_fields_are_unfolded() -> None:
    (status,) = _parsed("bounce_postfix_dsn.eml").delivery_status
    assert status["final-recipient"] == "rfc822; nino.beridze@example.ge"
    assert status["diagnostic-code"] == (
        "smtp; 550 5.1.1 <nino.beridze@example.ge>: Recipient address rejected: User unknown in virtual mailbox table"
    )
    assert "reporting-mta" not in status  # per-message fields stay out


# Postfix 3.7's DSN about SMTPUTF8 mail (RFC 6533), shaped as the one it wrote for tests/e2e/test_real_mta.py,
# here a delay warning returning headers only: message/global-delivery-status and message/global-headers, 8-bit.
SMTPUTF8_DSN = """\
Return-Path: <>
From: Mail Delivery System <MAILER-DAEMON@batumi.ge>
Subject: Undelivered Mail Returned to Sender
To: foi@batumi.ge
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="1739B24040B.1796007742/mail.batumi.ge"
Content-Transfer-Encoding: 8bit
Message-Id: <20261130030222.1EDD82403C3@mail.batumi.ge>

--1739B24040B.1796007742/mail.batumi.ge
Content-Description: Notification
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

<ლევანი@example.ge>: host 127.0.0.1[127.0.0.1] said: 450 4.2.0 try later

--1739B24040B.1796007742/mail.batumi.ge
Content-Description: Delivery report
Content-Type: message/global-delivery-status
Content-Transfer-Encoding: 8bit

Reporting-MTA: dns; mail.batumi.ge
X-Postfix-Queue-ID: 1739B24040B
Arrival-Date: Mon, 30 Nov 2026 03:02:22 +0000 (UTC)

Final-Recipient: utf-8; ლევანი@example.ge
Original-Recipient: rfc822;ლევანი@example.ge
Action: delayed
Status: 4.2.0
Diagnostic-Code: smtp; 450 4.2.0 try later

--1739B24040B.1796007742/mail.batumi.ge
Content-Description: Undelivered Message Headers
Content-Type: message/global-headers
Content-Transfer-Encoding: 8bit

From: foi@batumi.ge
To: ლევანი@example.ge
Subject: [FOI-2026-00003] Registration confirmed
Message-ID: <foimail.86834d7410ef4f65a79ce3ec3556d4fa@batumi.ge>

--1739B24040B.1796007742/mail.batumi.ge--
"""


def test_smtputf8_dsn_parts_are_read_like_their_ascii_twins() -> None:
    """RFC 6533 §3: a delay warning about SMTPUTF8 mail says "delayed" too; unread, it passed for a failure."""
    message = parse_message(SMTPUTF8_DSN.replace("\n", "\r\n").encode())
    (status,) = message.delivery_status
    assert (status["action"], status["status"]) == ("delayed", "4.2.0")
    assert status["final-recipient"] == "utf-8; ლევანი@example.ge"
    (returned,) = message.embedded_headers
    assert returned["message-id"] == ("<foimail.86834d7410ef4f65a79ce3ec3556d4fa@batumi.ge>",)
    assert [a.filename for a in message.attachments] == ["attachment-1.txt", "attachment-2.txt"]


def test_headers_keep_every_value_in_order() -> None:
    message = _parsed("request_gmail_ka.eml")
    received = message.header_values("Received")
    assert len(received) == 2 and received[0].startswith("by 2002:a05:7208")
    assert message.header("FROM") == "ნინო ბერიძე <nino.beridze@gmail.com>"


def _raw(*lines: str, body: str = "body\n") -> bytes:
    return ("\r\n".join(lines) + "\r\n\r\n" + body).encode()


EDGE_CASES = [
    pytest.param(_raw("Message-ID: <  split\r\n id@host >"), "message_id", "<splitid@host>", id="msgid-folded"),
    pytest.param(_raw("Message-ID: bare@host"), "message_id", "<bare@host>", id="msgid-no-brackets"),
    pytest.param(_raw("Return-Path: <>"), "return_path", "", id="null-sender"),
    pytest.param(_raw("Return-Path: <Bounce@X.GE>"), "return_path", "bounce@x.ge", id="return-path"),
    pytest.param(
        _raw("In-Reply-To: <a@b> (Nino's message of Tue, 3 Feb 2026)"),
        "in_reply_to",
        ("<a@b>",),
        id="irt-comment",
    ),
    pytest.param(_raw("References: <a@b>\r\n\t<c@d> <a@b>"), "references", ("<a@b>", "<c@d>"), id="refs-dedup"),
    pytest.param(
        _raw("Date: Tue, 3 Feb 2026 10:00:00"),
        "date",
        datetime(2026, 2, 3, 10, 0, tzinfo=UTC),
        id="date-without-zone",
    ),
    pytest.param(
        _raw("Subject: =?UTF-8?B?4YOS4YOQ?=\r\n =?UTF-8?B?4YOb4YOQ4YOg4YOv4YOd4YOR4YOQ?=  \t  world"),
        "subject",
        "გამარჯობა world",
        id="subject-words-joined-and-folded",
    ),
    pytest.param(
        _raw("Subject: =?utf-8?B?4YOS4YOQ4YO=?= =?utf-8?B?m+GDkA==?="),
        "subject",
        "გამა",
        id="letter-split-across-words",
    ),
    pytest.param(
        _raw("From: =?utf-8?B?4YOc4YOY4YOc4YOdIOGDkQ==?= =?utf-8?B?4YOU4YOg4YOY4YOr4YOU?= <n@x.ge>"),
        "sender",
        Address("n@x.ge", "ნინო ბერიძე"),
        id="display-name-words-joined",
    ),
    pytest.param(_raw("From: 'Nino Beridze' <N@X.GE>"), "sender", Address("n@x.ge", "Nino Beridze"), id="quoted-name"),
    pytest.param(
        _raw('From: "=?utf-8?B?4YOc4YOY4YOc4YOd?=" <n@x.ge>'),
        "sender",
        Address("n@x.ge", "ნინო"),
        id="encoded-word-in-quotes",
    ),
    pytest.param(_raw("Subject: =?windows-1251?B?z/Do4uXy?="), "subject", "Привет", id="subject-cp1251-word"),
    pytest.param("Subject: Привет\r\n\r\nx".encode("cp1251"), "subject", "Привет", id="subject-raw-cp1251"),
    pytest.param(
        _raw("Content-Type: text/plain; charset=utf-8", body="a\r\nb\rc\x00d\r\n"),
        "text",
        "a\nb\ncd\n",
        id="newlines",
    ),
    pytest.param(b"", "text", "", id="empty-input"),
    pytest.param(b"\x00\xff\xfe" * 100, "sender", None, id="binary-garbage"),
]


@pytest.mark.parametrize(("raw", "attribute", "expected"), EDGE_CASES)
def test_edge_case(raw: bytes, attribute: str, expected: object) -> None:
    assert getattr(parse_message(raw), attribute) == expected


def test_html_meta_charset_body_is_decoded() -> None:
    raw = _raw("Content-Type: text/html").replace(b"body\n", b'<meta charset="windows-1251"><p>\xcf\xf0\xe8</p>')
    assert parse_message(raw).text == "При\n"


def test_multipart_without_boundary_or_parts_is_read_as_text() -> None:
    raw = _raw("Content-Type: multipart/mixed", body="just text\n-------------\nmore\n")
    message = parse_message(raw)
    assert message.text == "just text\n-------------\nmore\n"
    assert any("body read as plain text" in d for d in message.defects)


def test_base64_message_rfc822_is_unwrapped() -> None:
    inner = b"Message-ID: <x@y>\r\nSubject: inner\r\n\r\nhello\r\n"
    raw = _raw(
        'Content-Type: multipart/mixed; boundary="b"',
        body="--b\r\nContent-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + base64.encodebytes(inner).decode()
        + "--b--\r\n",
    )
    message = parse_message(raw)
    assert message.attachments[0].data == inner
    assert message.embedded_headers[0]["subject"] == ("inner",)


def test_pathological_headers_are_bounded() -> None:
    """The stdlib header parser needs half a minute for a 1 MB Subject and recurses on "((((": both cut."""
    raw = (
        b"From: a@b.ge "
        + b"(" * 20000
        + b"\r\nSubject: "
        + b"word " * 200000
        + b"\r\n"
        + b"".join(b"X-Long-%d: %s\r\n" % (i, b"x" * 16000) for i in range(17))
        + b"X-Last: =?utf-8?q?a?=\r\n\r\nbody\r\n"
    )
    started = time.perf_counter()
    message = parse_message(raw)
    assert time.perf_counter() - started < 10
    assert message.sender == Address("a@b.ge")  # the last-resort reading of a mangled From
    assert len(message.subject) <= 16384
    assert message.header("X-Last") == "=?utf-8?q?a?="  # past the budget: kept as written
    assert message.defects == (
        "message header From longer than 16384 characters: cut",
        "message header Subject longer than 16384 characters: cut",
        "message: headers past 262144 characters kept undecoded",
    )


def _nested(depth: int) -> bytes:
    head = "".join(f'Content-Type: multipart/mixed; boundary="b{i}"\r\n\r\n--b{i}\r\n' for i in range(depth))
    return (head + "Content-Type: text/plain\r\n\r\ndeep\r\n").encode()


def test_deep_nesting_is_cut_off() -> None:
    message = parse_message(_nested(40))
    assert "nested deeper than 30 levels; ignored" in message.defects[0]


def test_parser_failure_becomes_a_defect() -> None:
    """The stdlib feed parser recurses once per MIME level, so ~1000 levels exhaust the stack.

    A lower recursion limit reaches the same RecursionError with 400 levels, in a tenth of the time.
    """
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(traceback.extract_stack()) + 200)
    try:
        message = parse_message(_nested(400))
    finally:
        sys.setrecursionlimit(limit)
    assert message.defects == (
        "message could not be parsed (RecursionError: maximum recursion depth exceeded); kept as text",
    )
    assert message.sender is None and message.text.startswith("Content-Type: multipart/mixed")


@pytest.mark.parametrize("name", sorted(CASES))
def test_damaged_samples_never_raise(name: str) -> None:
    raw = (SAMPLES / name).read_bytes()
    for cut in range(len(raw) // 7, len(raw), len(raw) // 7):
        assert isinstance(parse_message(raw[:cut]), InboundMessage)  # truncated in transfer
    for at in (len(raw) // 5, len(raw) // 2):
        assert isinstance(parse_message(raw[:at] + b"\xff\x00\r--\xfe" + raw[at + 6 :]), InboundMessage)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the peak RSS from Linux /proc")
def test_fifty_megabyte_attachment_stays_within_memory(tmp_path: Path) -> None:
    """One 50 MB base64 attachment: parsing it holds no copy of it (the attachment is hashed and sized from the
    raw bytes in chunks, large_parts.py); only asking for its bytes decodes them."""
    data = os.urandom(50 * 1024 * 1024)
    raw = (
        b"From: big@example.ge\r\nSubject: big\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nscan\r\n'
        b"--b\r\nContent-Type: application/pdf; name=scan.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + base64.encodebytes(data).replace(b"\n", b"\r\n")
        + b"--b--\r\n"
    )
    path = tmp_path / "big.eml"
    path.write_bytes(raw)
    del raw
    # A fresh interpreter whose peak RSS before parsing is the baseline. VmHWM, not getrusage's ru_maxrss:
    # Linux carries ru_maxrss over from the forking parent (this test process, a few hundred MB by now).
    script = textwrap.dedent(
        """
        import hashlib, json, re, sys
        from pathlib import Path
        from foimail.mail.parse import parse_message
        def peak_kib():
            return int(re.search(r"VmHWM:\\s+(\\d+) kB", Path("/proc/self/status").read_text()).group(1))
        raw = Path(sys.argv[1]).read_bytes()
        before = peak_kib()
        message = parse_message(raw)
        after = peak_kib()
        attachment = message.attachments[0]
        print(json.dumps({
            "growth_mib": (after - before) / 1024,
            "sha256": attachment.sha256,
            "size": attachment.size,
            "decoded_sha256": hashlib.sha256(attachment.data).hexdigest(),
            "decoded_growth_mib": (peak_kib() - before) / 1024,
            "text": message.text,
        }))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(path)],
        capture_output=True,
        check=True,
        cwd=Path(__file__).parents[2],
    )
    report = json.loads(result.stdout)
    assert report["sha256"] == report["decoded_sha256"] == hashlib.sha256(data).hexdigest()
    assert (report["size"], report["text"]) == (len(data), "scan\n")
    assert report["growth_mib"] < 16
    assert report["decoded_growth_mib"] >= 50  # the decoded attachment alone is 50 MB: the measurement works
