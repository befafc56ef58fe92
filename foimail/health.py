"""Is foimail well? `foimail check` (can it reach everything) and `foimail health` (is the daemon working)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import aiosmtplib
from sqlalchemy import func, select

from foimail.config import Settings
from foimail.context import AppContext
from foimail.errors import FoimailError
from foimail.intake.imap import ImapMailbox
from foimail.outbound.smtp import tls_context
from foimail.store.db import make_engine, ping, unit_of_work
from foimail.store.models import MailboxState, OutboxItem, OutboxStatus

STUCK_OUTBOX = timedelta(hours=1)
FAILING_SMTP = timedelta(minutes=10)


def run_checks(settings: Settings) -> list[tuple[str, bool, str]]:
    """Try every connection the daemon needs; each result names what failed."""
    results = [("config", True, f"read from {settings.source}")]
    if not settings.office.trusted_authserv_id:
        results.append(
            (
                "officers",
                True,
                "WARNING: office.trusted_authserv_id is empty, so a forged From: matching "
                f"{', '.join(settings.office.officers)} is obeyed as an officer; set it to your MTA's "
                "Authentication-Results id",
            )
        )
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


def _check_database(settings: Settings) -> tuple[str, bool, str]:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from foimail.store.db import alembic_config

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
    mailbox = ImapMailbox(settings.imap)
    try:
        mailbox.connect()
        capabilities = mailbox._require().capabilities()  # noqa: SLF001
        idle = "IDLE" if b"IDLE" in capabilities else "no IDLE: polling"
        return (
            "imap",
            True,
            f"logged in as {settings.imap.username}, {settings.imap.folder} selected, {idle}",
        )
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
            if smtp.username:
                await client.login(smtp.username, smtp.password)
            return f"connected to {smtp.host}:{smtp.port} ({smtp.security})" + (
                f", logged in as {smtp.username}" if smtp.username else ""
            )
        finally:
            await client.quit()

    try:
        return ("smtp", True, asyncio.run(probe()))
    except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:
        return ("smtp", False, f"{smtp.host}:{smtp.port}: {exc.__class__.__name__}: {exc}")


def daemon_health(ctx: AppContext) -> list[str]:
    """Why the running daemon is unhealthy; empty when it is well."""
    problems: list[str] = []
    try:
        ping(ctx.engine)
    except FoimailError as exc:
        return [str(exc)]
    now = ctx.clock()
    with unit_of_work(ctx.sessions) as session:
        limit = timedelta(seconds=3 * ctx.settings.imap.poll_seconds)
        states = list(session.execute(select(MailboxState)).scalars())
        if (ctx.settings.imap.host or ctx.settings.maildir.path) and not states:
            problems.append("the mailbox has never been checked (is `foimail run` running?)")
        for state in states:
            if state.last_check_at is None or now - state.last_check_at > limit:
                seen = state.last_check_at.isoformat() if state.last_check_at else "never"
                error = f"; last error: {state.last_error}" if state.last_error else ""
                problems.append(f"mailbox {state.source} last checked {seen} (limit {limit}){error}")
        oldest = session.execute(
            select(func.min(OutboxItem.created_at)).where(
                OutboxItem.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING])
            )
        ).scalar_one()
        if oldest is not None and now - oldest > STUCK_OUTBOX:
            problems.append(f"outbox has mail waiting since {oldest.isoformat()} (over an hour)")
        failing = session.execute(
            select(OutboxItem.created_at, OutboxItem.last_error)
            .where(
                OutboxItem.status == OutboxStatus.PENDING, OutboxItem.attempts > 0, OutboxItem.last_error.is_not(None)
            )
            .order_by(OutboxItem.created_at)
            .limit(1)
        ).first()
        if failing is not None and now - failing.created_at > FAILING_SMTP:
            # A confirmation starts the legal clock (res. No. 3 Art. 4.3): say so well before the hour is up.
            problems.append(f"sending has been failing since {failing.created_at.isoformat()}: {failing.last_error}")
    return problems
