"""`foimail demo`: the production code path on local sources and sinks, for a first look in a minute.

A Maildir stands in for the IMAP mailbox, a pickup folder of .eml files for the SMTP server, and a
SQLite file for the database. The requests are delivered to the Maildir, then the same runners that
`foimail run` uses process them.
"""

from __future__ import annotations

import dataclasses
import email.utils
import mailbox
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

from foimail.config import Settings
from foimail.context import build_context
from foimail.runners import IntakeRunner, OutboxRunner
from foimail.store.db import unit_of_work, upgrade
from foimail.store.queries import list_cases, set_aside_messages
from foimail.usecases.export import case_record, to_table

SAMPLE_REQUESTS = (
    (
        "ნინო ბერიძე",
        "nino.beridze@example.ge",
        "საჯარო ინფორმაციის მოთხოვნა — ბიუჯეტი",
        "გამარჯობა,\n\nგთხოვთ მომაწოდოთ ბათუმის 2025 წლის ბიუჯეტის შესრულების ანგარიში.\n\nპატივისცემით,\nნინო",
    ),
    (
        "Giorgi Tsiklauri",
        "giorgi@example.org",
        "Public information request: road repair contracts",
        "Hello,\n\nPlease send me the 2026 contracts for road repairs in Batumi.\n\nGiorgi",
    ),
    (
        "ლევან კაპანაძე",
        "levan@example.ge",
        "მოთხოვნა: მერიის თანამშრომელთა რაოდენობა",
        "გთხოვთ მაცნობოთ მერიის საშტატო ერთეულების რაოდენობა 2026 წლის 1 ოქტომბრის მდგომარეობით.",
    ),
)
SAMPLE_AUTOREPLY = ("Automatic reply: your message", "I am out of the office until Monday.")


def _message(name: str, address: str, subject: str, body: str, extra: dict[str, str] | None = None) -> bytes:
    message = EmailMessage()
    message["From"] = email.utils.formataddr((name, address))
    message["To"] = "foi@batumi.ge"
    message["Subject"] = subject
    message["Date"] = email.utils.formatdate(localtime=True)
    message["Message-ID"] = email.utils.make_msgid(domain=address.rpartition("@")[2])
    for key, value in (extra or {}).items():
        message[key] = value
    message.set_content(body)
    return message.as_bytes(policy=SMTP)


def run_demo(directory: Path, base: Settings) -> str:
    """Set up the demo folder, deliver the samples, run intake and outbox once; return a report."""
    directory = directory.resolve()
    maildir_path = directory / "Maildir"
    outbox_path = directory / "sent"
    database = directory / "foimail.db"
    settings = dataclasses.replace(
        base,
        database=dataclasses.replace(base.database, url=f"sqlite:///{database}"),
        imap=dataclasses.replace(base.imap, host=""),
        maildir=dataclasses.replace(base.maildir, path=str(maildir_path)),
        smtp=dataclasses.replace(base.smtp, pickup_dir=str(outbox_path)),
        stats=dataclasses.replace(base.stats, export_dir=str(directory / "stats")),
    )
    directory.mkdir(parents=True, exist_ok=True)
    upgrade(settings.database.url)
    inbox = mailbox.Maildir(maildir_path, create=True)
    for name, address, subject, body in SAMPLE_REQUESTS:
        inbox.add(_message(name, address, subject, body))
    inbox.add(_message("Out of office", "someone@example.org", *SAMPLE_AUTOREPLY, {"Auto-Submitted": "auto-replied"}))
    ctx = build_context(settings)
    processed = IntakeRunner(ctx).run_once()
    outbox = OutboxRunner(ctx)
    sent = 0
    while True:
        batch = outbox.run_once()
        if not batch:
            break
        sent += batch
    outbox.close()
    with unit_of_work(ctx.sessions) as session:
        records = [case_record(case) for case in list_cases(session)]
        aside = [(m.id, m.kind, m.sender, "; ".join(m.reasons)) for m in set_aside_messages(session)]
    ctx.engine.dispose()
    lines = [
        f"foimail demo in {directory}",
        f"  processed {processed} message(s) from {maildir_path}; {sent} mail(s) written to {outbox_path}",
        "",
        to_table(records, ("number", "requester", "confirmed_at", "due_date", "subject")),
        "set aside (not registered):",
        *[f"  #{mid} {kind} {sender}: {why}" for mid, kind, sender, why in aside],
        "",
        f"confirmations: {outbox_path}/*.eml",
        f"try: foimail --config {directory / 'foimail.toml'} cases list",
    ]
    (directory / "foimail.toml").write_text(
        f'[database]\nurl = "sqlite:///{database}"\n\n[maildir]\npath = "{maildir_path}"\n\n'
        f'[imap]\nhost = ""\n\n'
        "[office]\nallow_unauthenticated_officers = true  # a demo has no mail server to vouch for officers\n\n"
        f'[smtp]\npickup_dir = "{outbox_path}"\n\n[stats]\nexport_dir = "{directory / "stats"}"\n',
        encoding="utf-8",
    )
    return "\n".join(lines)
