"""Hand raw messages to the SMTP server (aiosmtplib), or drop them as .eml files in a pickup folder."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from pathlib import Path

import aiosmtplib

from foimail.adapters.mail_auth import smtp_login
from foimail.adapters.oauth import TokenSource
from foimail.adapters.tls import tls_context
from foimail.config import SmtpSettings
from foimail.errors import FoimailError, PermanentError, TransientError
from foimail.mail.addresses import needs_smtputf8, wire_address


def envelope(mail_from: str, recipients: Sequence[str]) -> tuple[str, list[str], list[str]]:
    """The envelope as SMTP carries it: domains in IDNA A-labels (RFC 5891), and the MAIL options. A UTF-8
    local part needs SMTPUTF8 (RFC 6531 §3.4, with 8BITMIME); an address that is none is a PermanentError."""
    try:
        sender = wire_address(mail_from)
        wire = [wire_address(recipient) for recipient in recipients]
    except ValueError as exc:
        raise PermanentError(f"cannot send: {exc}") from None
    options = ["SMTPUTF8", "BODY=8BITMIME"] if needs_smtputf8([sender, *wire]) else []
    return sender, wire, options


async def send_raw(
    settings: SmtpSettings, mail_from: str, recipients: Sequence[str], raw: bytes, tokens: TokenSource | None = None
) -> str:
    """Send one message; return the server's reply. 4xx, timeouts and drops are TransientError, 5xx Permanent.

    With OAuth (``tokens``), a token that cannot be had is transient too: the mail waits in the outbox
    while health says why (an expired refresh token names `foimail oauth login`).
    """
    if settings.pickup_dir:
        return _write_pickup(Path(settings.pickup_dir), raw)
    if not settings.host:
        raise TransientError("smtp.host is not set: mail waits in the outbox")
    sender, wire, options = envelope(mail_from, recipients)
    client = aiosmtplib.SMTP(
        hostname=settings.host,
        port=settings.port,
        use_tls=settings.security == "ssl",
        start_tls=settings.security == "starttls",
        tls_context=tls_context(settings.verify_certificate) if settings.security != "none" else None,
        timeout=settings.timeout_seconds,
    )
    try:
        async with client:
            await smtp_login(client, settings, tokens)
            errors, reply = await client.sendmail(sender, wire, raw, mail_options=options)
    except FoimailError as exc:
        raise TransientError(f"SMTP login: {exc}") from exc
    except aiosmtplib.SMTPNotSupported as exc:
        if not options:
            raise TransientError(f"SMTP {settings.host}:{settings.port}: {exc}") from exc
        unicode = ", ".join(address for address in wire if not address.isascii())
        raise PermanentError(
            f"{unicode}: an address in UTF-8 needs SMTPUTF8 (RFC 6531), which {settings.host} does not offer"
        ) from exc
    except aiosmtplib.SMTPRecipientsRefused as exc:
        codes = [r.code for r in exc.recipients]
        text = "; ".join(f"{r.recipient}: {r.code} {r.message}" for r in exc.recipients)
        if all(500 <= code < 600 for code in codes):
            raise PermanentError(f"recipients refused: {text}") from exc
        raise TransientError(f"recipients refused: {text}") from exc
    except aiosmtplib.SMTPResponseException as exc:
        detail = f"SMTP {exc.code} {exc.message}"
        if 500 <= exc.code < 600 and exc.code not in (530, 535):
            raise PermanentError(detail) from exc
        raise TransientError(detail) from exc
    except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:
        raise TransientError(f"SMTP {settings.host}:{settings.port}: {exc.__class__.__name__}: {exc}") from exc
    if errors:
        text = "; ".join(f"{address}: {response.code} {response.message}" for address, response in errors.items())
        if len(errors) == len(wire):
            raise PermanentError(f"recipients refused: {text}")
        return f"{reply} (partly refused: {text})"
    return str(reply)


def _write_pickup(folder: Path, raw: bytes) -> str:
    """Write atomically (tmp then rename), like a Maildir delivery."""
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{uuid.uuid4().hex}.eml"
    temporary = folder / f".{name}.tmp"
    temporary.write_bytes(raw)
    temporary.rename(folder / name)
    return f"written to {folder / name}"


class SmtpSender:
    """A synchronous `send(mail_from, recipients, raw) -> reply` over aiosmtplib, with its own event loop.

    The outbox runs in its own thread (STYLE.md habit 7); the loop lives as long as the sender.
    """

    def __init__(self, settings: SmtpSettings, tokens: TokenSource | None = None) -> None:
        self.settings = settings
        self.tokens = tokens
        self.loop = asyncio.new_event_loop()

    def __call__(self, mail_from: str, recipients: Sequence[str], raw: bytes) -> str:
        return self.loop.run_until_complete(send_raw(self.settings, mail_from, recipients, raw, self.tokens))

    def close(self) -> None:
        self.loop.close()
