"""`foimail check`: can foimail reach everything it needs? Each check logs in for real and names what failed."""

from __future__ import annotations

import asyncio

import aiosmtplib
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from foimail.adapters.imap import ImapMailbox
from foimail.adapters.mail_auth import mechanism_name, smtp_login
from foimail.adapters.oauth import AccessToken, tokens_for
from foimail.adapters.tls import tls_context
from foimail.config import Settings
from foimail.errors import FoimailError
from foimail.store.db import alembic_config, make_engine, ping


def run_checks(settings: Settings) -> list[tuple[str, bool, str]]:
    """Try every connection the daemon needs; each result names what failed."""
    results = [("config", True, f"read from {settings.source}")]
    unauthenticated = settings.office.officers_unauthenticated
    if settings.office.officers and not unauthenticated:
        results.append(("officers", True, "authenticated by " + officer_methods(settings)))
    elif unauthenticated and settings.office.allow_unauthenticated_officers:
        results.append(
            (
                "officers",
                True,
                "WARNING: office.allow_unauthenticated_officers = true, so a forged From: matching "
                f"{', '.join(settings.office.officers)} is obeyed as an officer; set office.trusted_authserv_id "
                "to your MTA's Authentication-Results id, or office.trusted_received_by for Postfix",
            )
        )
    elif unauthenticated:
        results.append(("officers", False, f"office.trusted_authserv_id {unauthenticated}"))
    results.append(_check_database(settings))
    if settings.imap.host:
        results.append(_check_imap(settings))
    else:
        results.append(("imap", True, "not configured (imap.host is empty)"))
    if settings.smtp.pickup_dir:
        results.append(("smtp", True, f"pickup folder {settings.smtp.pickup_dir}"))
    elif settings.smtp.host:
        results.append(_check_smtp(settings))
    else:
        results.append(("smtp", False, "smtp.host is empty: confirmations cannot be sent"))
    return results


def officer_methods(settings: Settings) -> str:
    """The configured ways an officer's From: is authenticated, as the admin wrote them."""
    office = settings.office
    methods = []
    if office.trusted_authserv_id:
        methods.append(f"Authentication-Results from {office.trusted_authserv_id} (dkim, spf or auth=pass)")
    if office.trusted_received_by:
        methods.append(
            f"Postfix's (Authenticated sender: …) in Received header {office.trusted_received_hops} from the top,"
            f" by {office.trusted_received_by}"
        )
    return " or ".join(methods)


def _check_database(settings: Settings) -> tuple[str, bool, str]:
    engine = make_engine(settings.database.url)
    try:
        ping(engine)
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
        head = ScriptDirectory.from_config(alembic_config(settings.database.url)).get_current_head()
    except FoimailError as exc:
        return ("database", False, str(exc))
    finally:
        engine.dispose()
    if current != head:
        return ("database", False, f"schema at {current}, code expects {head}: run `foimail db upgrade`")
    return ("database", True, f"reachable, schema {current}")


def _check_imap(settings: Settings) -> tuple[str, bool, str]:
    mailbox = ImapMailbox(settings.imap, tokens_for(settings, "imap"))
    try:
        mailbox.connect()
        capabilities = mailbox.capabilities()
        idle = "IDLE" if b"IDLE" in capabilities else "no IDLE: polling"
        login = _how(settings, settings.imap.auth, mailbox.session_token)
        return ("imap", True, f"logged in as {settings.imap.username} {login}, {settings.imap.folder} selected, {idle}")
    except FoimailError as exc:
        return ("imap", False, str(exc))
    finally:
        mailbox.close()


def _check_smtp(settings: Settings) -> tuple[str, bool, str]:
    smtp = settings.smtp

    async def probe() -> str:
        client = aiosmtplib.SMTP(
            hostname=smtp.host,
            port=smtp.port,
            use_tls=smtp.security == "ssl",
            start_tls=smtp.security == "starttls",
            tls_context=tls_context(smtp.verify_certificate),
            timeout=smtp.timeout_seconds,
        )
        await client.connect()
        try:
            token = await smtp_login(client, smtp, tokens_for(settings, "smtp"))
            return f"connected to {smtp.host}:{smtp.port} ({smtp.security})" + (
                f", logged in as {smtp.username} {_how(settings, smtp.auth, token)}" if smtp.username else ""
            )
        finally:
            await client.quit()

    try:
        return ("smtp", True, asyncio.run(probe()))
    except FoimailError as exc:
        return ("smtp", False, str(exc))
    except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:
        return ("smtp", False, f"{smtp.host}:{smtp.port}: {exc.__class__.__name__}: {exc}")


def _how(settings: Settings, auth: str, token: AccessToken | None) -> str:
    """'with PASSWORD', or 'with XOAUTH2 (access token valid until 2026-11-30 14:05 +04)'."""
    if token is None:
        return f"with {mechanism_name(auth)}"
    until = token.expires_at.astimezone(settings.office.tz).strftime("%Y-%m-%d %H:%M %Z")
    return f"with {mechanism_name(auth)} (access token valid until {until})"
