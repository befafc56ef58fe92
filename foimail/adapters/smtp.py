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


def _client(settings: SmtpSettings) -> aiosmtplib.SMTP:
    """Not yet connected; AUTH (password or OAuth token) is `mail_auth.smtp_login`'s, after connecting."""
    return aiosmtplib.SMTP(
        hostname=settings.host,
        port=settings.port,
        use_tls=settings.security == "ssl",
        start_tls=settings.security == "starttls",
        tls_context=tls_context(settings.verify_certificate) if settings.security != "none" else None,
        timeout=settings.timeout_seconds,
        # Empty: aiosmtplib's socket.getfqdn(). In a container that is its id, which servers that insist on
        # a fully qualified EHLO name (Postfix's reject_non_fqdn_helo_hostname) refuse: smtp.helo_name.
        local_hostname=settings.helo_name or None,
    )


def _reply(errors: dict[str, aiosmtplib.SMTPResponse], reply: str, wire: Sequence[str]) -> str:
    """The server's reply; all recipients refused is PermanentError, some refused is said in the reply."""
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

    One connection carries a run of sends (no TCP, TLS and AUTH handshake per message); it is dropped on a
    connection error and when the outbox goes idle (`hang_up`), and opened again on the next send. A connection
    found closed when reused (servers drop idle clients) is retried once on a fresh one. The outbox runs in
    its own thread (STYLE.md habit 7); the loop lives as long as the sender.
    """

    def __init__(self, settings: SmtpSettings, tokens: TokenSource | None = None) -> None:
        self.settings = settings
        self.tokens = tokens
        self.loop = asyncio.new_event_loop()
        self.client: aiosmtplib.SMTP | None = None

    def __call__(self, mail_from: str, recipients: Sequence[str], raw: bytes) -> str:
        """Send one message. 4xx, timeouts and drops are TransientError, 5xx PermanentError.

        With OAuth (``tokens``), a token that cannot be had is transient too: the mail waits in the outbox
        while health says why (an expired refresh token names `foimail oauth login`).
        """
        if self.settings.pickup_dir:
            return _write_pickup(Path(self.settings.pickup_dir), raw)
        if not self.settings.host:
            raise TransientError("smtp.host is not set: mail waits in the outbox")
        reused = self.client is not None and self.client.is_connected
        try:
            return self.loop.run_until_complete(self._send(mail_from, recipients, raw))
        except _Dropped as exc:
            if not reused:
                raise TransientError(str(exc)) from exc.__cause__
        try:
            return self.loop.run_until_complete(self._send(mail_from, recipients, raw))
        except _Dropped as exc:
            raise TransientError(str(exc)) from exc.__cause__

    async def _send(self, mail_from: str, recipients: Sequence[str], raw: bytes) -> str:
        settings = self.settings
        sender, wire, options = envelope(mail_from, recipients)
        try:
            if self.client is None or not self.client.is_connected:
                self.client = await self._connect()
            errors, reply = await self.client.sendmail(sender, wire, raw, mail_options=options)
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
            if exc.code == 421:  # RFC 5321 §3.8: the server is closing the connection
                self._drop()
            if 500 <= exc.code < 600 and exc.code not in (530, 535):
                raise PermanentError(detail) from exc
            raise TransientError(detail) from exc
        except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:
            self._drop()
            detail = f"SMTP {settings.host}:{settings.port}: {exc.__class__.__name__}: {exc}"
            if isinstance(exc, aiosmtplib.SMTPServerDisconnected | ConnectionError):
                raise _Dropped(detail) from exc
            raise TransientError(detail) from exc
        return _reply(errors, reply, wire)

    async def _connect(self) -> aiosmtplib.SMTP:
        """A connected and logged-in client; a failed login closes it, so no send reuses it unauthenticated."""
        client = _client(self.settings)
        await client.connect()
        try:
            await smtp_login(client, self.settings, self.tokens)
        except BaseException:
            client.close()
            raise
        return client

    def _drop(self) -> None:
        if self.client is not None:
            self.client.close()
        self.client = None

    def hang_up(self) -> None:
        """QUIT the connection if one is open (the outbox has nothing more to send for now)."""
        client, self.client = self.client, None
        if client is not None and client.is_connected:
            try:
                self.loop.run_until_complete(client.quit())
            except (TimeoutError, aiosmtplib.SMTPException, OSError):
                client.close()

    def close(self) -> None:
        self.hang_up()
        self.loop.close()


class _Dropped(Exception):
    """The server closed the connection before it answered: on a reused connection, try once on a fresh one."""
