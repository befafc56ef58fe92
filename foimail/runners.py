"""Runners: each owns one loop. They share nothing but tables; tests call run_once() instead of sleeping."""

from __future__ import annotations

import asyncio
import logging
import threading
from datetime import datetime

from foimail.context import AppContext
from foimail.errors import PermanentError, TransientError
from foimail.intake.imap import ImapMailbox
from foimail.intake.maildir import MaildirSource
from foimail.intake.pipeline import process_one, store_unprocessable
from foimail.intake.result import IntakeResult
from foimail.outbound.delivery import deliver_due
from foimail.store.db import unit_of_work
from foimail.store.queries import mailbox_state

log = logging.getLogger("foimail.runner")

MAX_BACKOFF_SECONDS = 300.0


def handle_message(ctx: AppContext, raw: bytes, source: str, received_at: datetime | None) -> IntakeResult:
    """Process one message; the one catch-all (STYLE.md habit 9): keep it set aside, say so, go on.

    A TransientError (database gone) propagates: the message stays where it is and is tried again.
    """
    try:
        return process_one(ctx, raw, source=source, received_at=received_at)
    except TransientError:
        raise
    except Exception as exc:  # noqa: BLE001 - the catch-all: any bug in one message must not stop intake
        log.exception("processing failed source=%s: %s", source, exc)
        return store_unprocessable(ctx, raw, source=source, error=f"{exc.__class__.__name__}: {exc}")


class IntakeRunner:
    """Watch the IMAP mailbox (and/or a Maildir) and process everything that arrives."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.ready = threading.Event()  # set once the mailbox has been reached and drained
        imap = ctx.settings.imap
        self.mailbox = ImapMailbox(imap) if imap.host else None
        self.maildir = (
            MaildirSource(ctx.settings.maildir.path, imap.processed_folder, imap.quarantine_folder)
            if ctx.settings.maildir.path
            else None
        )

    def run_once(self) -> int:
        """Process everything waiting now; return how many messages were handled."""
        count = 0
        if self.maildir is not None:
            count += self._drain_maildir(self.maildir)
        if self.mailbox is not None:
            if self.mailbox.client is None:
                self.mailbox.connect()
                log.info("connected to %s uidvalidity=%s", self.mailbox.source_name, self.mailbox.uidvalidity)
            count += self._drain_imap(self.mailbox)
        return count

    def _drain_imap(self, box: ImapMailbox) -> int:
        settings = self.ctx.settings.imap
        count = 0
        last_uid = 0
        for fetched in box.pending():
            source = f"{box.source_name};uidvalidity={box.uidvalidity};uid={fetched.uid}"
            result = handle_message(self.ctx, fetched.raw, source, fetched.internal_date)
            box.move(fetched.uid, settings.quarantine_folder if result.quarantined else settings.processed_folder)
            count += 1
            last_uid = max(last_uid, fetched.uid)
        self._record_check(box.source_name, box.uidvalidity, last_uid)
        return count

    def _drain_maildir(self, maildir: MaildirSource) -> int:
        settings = self.ctx.settings.imap
        count = 0
        for fetched in maildir.pending():
            source = f"{maildir.source_name};key={fetched.key}"
            result = handle_message(self.ctx, fetched.raw, source, fetched.internal_date)
            target = settings.quarantine_folder if result.quarantined else settings.processed_folder
            maildir.move(fetched.key, target)
            count += 1
        self._record_check(maildir.source_name, None, 0)
        return count

    def _record_check(self, source: str, uidvalidity: int | None, last_uid: int) -> None:
        now = self.ctx.clock()
        with unit_of_work(self.ctx.sessions) as session:
            state = mailbox_state(session, source)
            if uidvalidity is not None and state.uidvalidity not in (None, uidvalidity):
                log.warning(
                    "UIDVALIDITY of %s changed %s -> %s: duplicates are caught by content",
                    source,
                    state.uidvalidity,
                    uidvalidity,
                )
                state.last_uid = 0
            state.uidvalidity = uidvalidity
            state.last_uid = max(state.last_uid or 0, last_uid)
            state.last_check_at = now
            state.last_error = None

    def run(self, stop: threading.Event) -> None:
        """Until `stop`: drain, then wait (IDLE or poll); on errors reconnect with backoff 1 s doubling to 5 min."""
        backoff = 1.0
        poll = float(self.ctx.settings.imap.poll_seconds)
        while not stop.is_set():
            try:
                self.run_once()
                self.ready.set()
                backoff = 1.0
                if self.mailbox is not None and self.mailbox.client is not None:
                    self.mailbox.wait_for_mail(stop, poll)
                else:
                    stop.wait(poll)
            except (TransientError, PermanentError) as exc:
                log.warning("intake error: %s; retrying in %.0f s", exc, backoff)
                self._record_error(str(exc))
                if self.mailbox is not None:
                    self.mailbox.close()
                stop.wait(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
        if self.mailbox is not None:
            self.mailbox.close()

    def _record_error(self, error: str) -> None:
        source = self.mailbox.source_name if self.mailbox else (self.maildir.source_name if self.maildir else "")
        try:
            with unit_of_work(self.ctx.sessions) as session:
                mailbox_state(session, source).last_error = error[:2000]
        except TransientError:
            pass


class OutboxRunner:
    """Send due outbox items. Its own thread and its own event loop for aiosmtplib."""

    def __init__(self, ctx: AppContext, idle_seconds: float = 5.0) -> None:
        self.ctx = ctx
        self.idle_seconds = idle_seconds
        self.loop = asyncio.new_event_loop()

    def run_once(self) -> int:
        return deliver_due(self.ctx, self.loop)

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                sent = self.run_once()
            except TransientError as exc:
                log.warning("outbox error: %s", exc)
                sent = 0
            if not sent:
                stop.wait(self.idle_seconds)
        self.loop.close()
