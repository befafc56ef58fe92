"""Build test messages the way mail clients do (stdlib email), Georgian included."""

from __future__ import annotations

import email.utils
from email.message import EmailMessage
from email.policy import SMTP, SMTPUTF8


def request_mail(
    sender: str = "nino@example.org",
    subject: str = "საჯარო ინფორმაციის მოთხოვნა",
    body: str = "გთხოვთ მომაწოდოთ 2025 წლის ბიუჯეტის შესრულების ანგარიში.",
    *,
    name: str = "ნინო ბერიძე",
    to: str = "foi@batumi.ge",
    cc: str | None = None,
    message_id: str | None = None,
    headers: dict[str, str] | None = None,
    attachments: list[tuple[str, str, bytes]] = (),  # type: ignore[assignment]
    in_reply_to: str | None = None,
) -> bytes:
    message = EmailMessage()
    utf8 = not sender.isascii()  # an internationalised address: sent with SMTPUTF8, headers in UTF-8 (RFC 6532)
    message["From"] = f"{name} <{sender}>" if utf8 else email.utils.formataddr((name, sender))
    message["To"] = to
    if cc:
        message["Cc"] = cc
    message["Subject"] = subject
    message["Date"] = email.utils.format_datetime(email.utils.localtime())
    message["Message-ID"] = message_id or email.utils.make_msgid(domain=sender.rpartition("@")[2])
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    for key, value in (headers or {}).items():
        message[key] = value
    message.set_content(body)
    for filename, mimetype, data in attachments:
        maintype, _, subtype = mimetype.partition("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes(policy=SMTPUTF8 if utf8 else SMTP)
