"""Plugin: a real aiosmtpd server on loopback that records what it accepts and misbehaves on request.

Fixtures (function scope, a fresh server per test):
    smtp_server      plain SMTP; AUTH PLAIN/LOGIN offered without TLS, required only after ``require_auth()``.
    smtp_server_ascii  the same, without SMTPUTF8 (RFC 6531).
    smtp_server_tls  STARTTLS required before MAIL and AUTH; the certificate is at ``cert_path``.
    oauth_smtp_server  plain SMTP that offers only AUTH XOAUTH2 and OAUTHBEARER and requires it before MAIL;
                     tokens are checked at the loopback authorization server (``token_endpoint``).

Both yield an ``SmtpServer``: host, port, cert_path, user, password, ``messages`` (RecordedMail, in the order
accepted) and the controls ``refuse``, ``refuse_recipient``, ``accept``, ``hang``, ``require_auth`` and ``wait_for``.
"""

from __future__ import annotations

import asyncio
import base64
import json
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from tests.support import LOOPBACK, TlsFiles, free_ports, self_signed_cert
from tests.support.oauth_server import TokenEndpoint

Stage = Literal["RCPT", "DATA"]
START_ATTEMPTS = 3  # a free port can be taken between choosing it and aiosmtpd binding it


@dataclass(frozen=True)
class RecordedMail:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    # MAIL FROM parameters (SMTPUTF8, BODY=8BITMIME, SIZE=...): read by tests that ask, not compared.
    mail_options: tuple[str, ...] = field(default=(), compare=False)
    helo_name: str | None = field(default=None, compare=False)  # what the client said in EHLO/HELO


@dataclass(frozen=True)
class _Refusal:
    reply: str
    at: Stage
    times: int | None  # None: until accept()


class SmtpServer:
    """The control surface for a test, and the aiosmtpd handler (``handle_*``) the server thread calls."""

    def __init__(self, *, cert_path: Path | None, user: str = "foimail", password: str = "secret") -> None:
        self.host = LOOPBACK
        self.port = 0
        self.cert_path = cert_path
        self.user = user
        self.password = password
        self.messages: list[RecordedMail] = []
        self._changed = threading.Condition()
        self._refusal: _Refusal | None = None
        self._hang_seconds = 0.0
        self._auth_required = False
        self._refused_recipients: dict[str, str] = {}

    # -- controls, called from the test ------------------------------------------------------------------

    def refuse(
        self, code: int = 451, text: str = "4.3.0 try later", times: int | None = None, at: Stage = "DATA"
    ) -> None:
        """Answer ``code text`` at RCPT or DATA, ``times`` times or (None) until ``accept()``."""
        with self._changed:
            self._refusal = _Refusal(reply=f"{code} {text}", at=at, times=times)

    def refuse_recipient(self, address: str, code: int = 550, text: str = "5.1.1 user unknown") -> None:
        """Answer RCPT TO ``address`` with ``code text`` every time (a mailbox that does not exist)."""
        with self._changed:
            self._refused_recipients[address.lower()] = f"{code} {text}"

    def hang(self, seconds: float) -> None:
        """Hold every DATA reply back ``seconds``; a message is recorded only if the client waits for it."""
        with self._changed:
            self._hang_seconds = seconds

    def accept(self) -> None:
        """Back to normal: no refusals, no hang."""
        with self._changed:
            self._refusal = None
            self._hang_seconds = 0.0

    def require_auth(self, required: bool = True) -> None:
        """Refuse MAIL with 530 until the client has authenticated as ``user``/``password``."""
        with self._changed:
            self._auth_required = required

    def wait_for(self, n: int, timeout: float = 10) -> list[RecordedMail]:
        """The recorded messages once there are at least ``n``; AssertionError after ``timeout`` seconds."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.messages) >= n, timeout):
                raise AssertionError(f"expected {n} message(s) within {timeout} s, got {len(self.messages)}")
            return list(self.messages)

    # -- aiosmtpd handler hooks, called on the server's event loop ----------------------------------------

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, mail_options: list[str]
    ) -> str:
        with self._changed:
            if self._auth_required and not session.authenticated:
                return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        refusal = self._take_refusal("RCPT")
        if refusal is not None:
            return refusal
        with self._changed:
            refused = self._refused_recipients.get(address.lower())
        if refused is not None:
            return refused
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        with self._changed:
            hang_seconds = self._hang_seconds
        if hang_seconds:
            await asyncio.sleep(hang_seconds)  # aiosmtpd cancels this if the client disconnects
        refusal = self._take_refusal("DATA")
        if refusal is not None:
            return refusal
        assert envelope.mail_from is not None and envelope.original_content is not None
        mail = RecordedMail(
            envelope.mail_from,
            list(envelope.rcpt_tos),
            envelope.original_content,
            tuple(envelope.mail_options),
            session.host_name,
        )
        with self._changed:
            self.messages.append(mail)
            self._changed.notify_all()
        return "250 Message accepted for delivery"

    def _take_refusal(self, stage: Stage) -> str | None:
        with self._changed:
            refusal = self._refusal
            if refusal is None or refusal.at != stage:
                return None
            if refusal.times is not None:
                remaining = refusal.times - 1
                self._refusal = _Refusal(refusal.reply, refusal.at, remaining) if remaining > 0 else None
            return refusal.reply

    def authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: object
    ) -> AuthResult:
        """aiosmtpd authenticator for AUTH PLAIN and LOGIN."""
        accepted = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == self.user.encode()
            and auth_data.password == self.password.encode()
        )
        return AuthResult(success=accepted)


class OAuthSmtpServer(SmtpServer):
    """Accepts a bearer token that the authorization server says is active and belongs to the user named.

    A refused token gets the error challenge of RFC 7628 §3.2.2 (Google sends the same for XOAUTH2);
    after the client's reply the server answers 535.
    """

    def __init__(self, endpoint: TokenEndpoint) -> None:
        super().__init__(cert_path=None, user="foi@batumi.ge")
        self.endpoint = endpoint
        self.logins: list[tuple[str, str]] = []  # (mechanism, user) of each accepted login
        self._auth_required = True

    async def auth_XOAUTH2(self, server: SMTP, args: list[str]) -> AuthResult:
        fields = await self._initial_response(server, args)
        if fields is None:
            return AuthResult(success=False, handled=True)
        user = fields.get("user", "")
        return await self._judge(server, "XOAUTH2", user, fields.get("auth", ""))

    async def auth_OAUTHBEARER(self, server: SMTP, args: list[str]) -> AuthResult:
        fields = await self._initial_response(server, args)
        if fields is None:
            return AuthResult(success=False, handled=True)
        gs2 = fields.get("", "")  # "n,a=<authzid>," before the first ^A (RFC 7628 §3.1)
        authzid = gs2.split(",")[1].removeprefix("a=").replace("=2C", ",").replace("=3D", "=")
        return await self._judge(server, "OAUTHBEARER", authzid, fields.get("auth", ""))

    async def _initial_response(self, server: SMTP, args: list[str]) -> dict[str, str] | None:
        raw = await server.challenge_auth("") if len(args) == 1 else base64.b64decode(args[1])
        if not isinstance(raw, bytes):
            return None
        first, *pairs = raw.decode("utf-8", "replace").split("\x01")
        fields = {"": first}
        if first.startswith("user="):  # XOAUTH2 has no GS2 header: its first field is user=
            fields["user"] = first.removeprefix("user=")
        fields.update(pair.partition("=")[::2] for pair in pairs if "=" in pair)
        return fields

    async def _judge(self, server: SMTP, mechanism: str, user: str, auth: str) -> AuthResult:
        token = auth.removeprefix("Bearer ")
        if self.endpoint.is_active(token) and self.endpoint.user_of(token) == user:
            self.logins.append((mechanism, user))
            return AuthResult(success=True, auth_data=user)
        await server.challenge_auth(json.dumps({"status": "invalid_token", "scope": "mail"}))
        return AuthResult(success=False, handled=False, message="535 5.7.8 Username and Password not accepted")


def _start(server: SmtpServer, tls: TlsFiles | None, smtputf8: bool = True, **smtp_parameters: object) -> Controller:
    """Start aiosmtpd on a free loopback port; `smtp_parameters` go to aiosmtpd's SMTP (e.g. timeout=1)."""
    tls_context = None
    if tls is not None:
        tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls_context.load_cert_chain(tls.cert_path, tls.key_path)
    error: OSError | None = None
    for _ in range(START_ATTEMPTS):
        (server.port,) = free_ports(1)
        controller = Controller(
            server,
            hostname=server.host,
            port=server.port,
            server_hostname="localhost",  # else aiosmtpd asks DNS for the FQDN
            enable_SMTPUTF8=smtputf8,
            authenticator=server.authenticate,
            auth_exclude_mechanism=["PLAIN", "LOGIN"] if isinstance(server, OAuthSmtpServer) else None,
            auth_require_tls=tls is not None,
            tls_context=tls_context,
            require_starttls=tls is not None,
            **smtp_parameters,
        )
        try:
            controller.start()
            return controller
        except OSError as exc:
            error = exc
    raise RuntimeError(f"aiosmtpd could not bind a loopback port in {START_ATTEMPTS} attempts") from error


@pytest.fixture(scope="session")
def _smtp_tls_files(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return self_signed_cert(tmp_path_factory.mktemp("smtp-tls"))


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer(cert_path=None)
    controller = _start(server, tls=None)
    yield server
    controller.stop()


@pytest.fixture
def smtp_server_ascii() -> Iterator[SmtpServer]:
    """A server that does not offer SMTPUTF8 (RFC 6531), as many still do not."""
    server = SmtpServer(cert_path=None)
    controller = _start(server, tls=None, smtputf8=False)
    yield server
    controller.stop()


@pytest.fixture
def smtp_server_tls(_smtp_tls_files: TlsFiles) -> Iterator[SmtpServer]:
    server = SmtpServer(cert_path=_smtp_tls_files.cert_path)
    controller = _start(server, tls=_smtp_tls_files)
    yield server
    controller.stop()


@pytest.fixture
def oauth_smtp_server(token_endpoint: TokenEndpoint) -> Iterator[OAuthSmtpServer]:
    server = OAuthSmtpServer(token_endpoint)
    controller = _start(server, tls=None)
    yield server
    controller.stop()
