"""Runners: each owns one loop. They share tables and one `wake` event (intake has queued mail); tests call
run_once() instead of sleeping."""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from foimail.adapters.election import ConsumerLock, consumer_lock
from foimail.adapters.imap import ImapMailbox
from foimail.adapters.maildir import MaildirSource
from foimail.adapters.oauth import tokens_for
from foimail.adapters.smtp import SmtpSender
from foimail.adapters.source import MailSource
from foimail.context import AppContext
from foimail.errors import PermanentError, TransientError
from foimail.store.db import unit_of_work
from foimail.store.queries import mailbox_state
from foimail.usecases.delivery import deliver_due
from foimail.usecases.intake import process_one, store_unprocessable
from foimail.usecases.result import IntakeResult

log = logging.getLogger("foimail.runner")

MAX_BACKOFF_SECONDS = 300.0
WAKE_CHECK_SECONDS = 0.5  # how soon the outbox notices `stop` while it waits for a wake-up
STANDBY_SECONDS = 2.0  # how often a standing-by daemon tries to take over the mailbox


def handle_message(ctx: AppContext, raw: bytes, source: str, received_at: datetime | None) -> IntakeResult:
    """Process one message; the one catch-all (STYLE.md habit 9): keep it set aside, say so, go on.

    A TransientError (database gone) propagates: the message stays where it is and is tried again.
    """
    try:
        return process_one(ctx, raw, source=source, received_at=received_at)
    except TransientError:
        raise
    except Exception as exc:  # the catch-all: any bug in one message must not stop intake
        log.exception("processing failed source=%s: %s", source, exc)
        return store_unprocessable(ctx, raw, source=source, error=f"{exc.__class__.__name__}: {exc}")


def mail_sources(ctx: AppContext) -> list[MailSource]:
    """The sources the settings name: a local Maildir first (no network), then the IMAP mailbox."""
    imap = ctx.settings.imap
    sources: list[MailSource] = []
    if ctx.settings.maildir.path:
        sources.append(MaildirSource(ctx.settings.maildir.path, imap.processed_folder, imap.quarantine_folder))
    if imap.host:
        sources.append(ImapMailbox(imap, tokens_for(ctx.settings, "imap")))
    return sources


class IntakeRunner:
    """Watch the mail sources (IMAP and/or a Maildir) and process everything that arrives."""

    def __init__(
        self,
        ctx: AppContext,
        sources: list[MailSource] | None = None,
        wake: threading.Event | None = None,
        election: ConsumerLock | None = None,
        arrived: threading.Event | None = None,
    ) -> None:
        self.ctx = ctx
        # Set by the mail server's push notification (PUT /wake): ends the wait for mail at once.
        self.arrived = arrived if arrived is not None else threading.Event()
        self.ready = threading.Event()  # set once every source has been reached and drained (or we stand by)
        self.sources = mail_sources(ctx) if sources is None else sources
        self.wake = wake if wake is not None else threading.Event()  # set after each commit: the outbox looks
        # One consumer per mailbox among daemons sharing a database; the name is the sources' own.
        name = " ".join(source.source_name for source in self.sources)
        self.election = consumer_lock(ctx.engine, name) if election is None else election
        self.leading: bool | None = None  # None until the first election
        self.handled = 0  # messages processed since start: progress resets the backoff

    def run_once(self) -> int:
        """Process everything waiting now; return how many messages were handled."""
        count = 0
        for source in self.sources:
            source.open()
            count += self._drain(source)
        return count

    def _drain(self, source: MailSource) -> int:
        settings = self.ctx.settings.imap
        count = 0
        for batch in source.pending():
            moves: dict[str, list[str]] = {}
            for arrived in batch:
                result = handle_message(self.ctx, arrived.raw, arrived.origin, arrived.internal_date)
                self.wake.set()  # committed: a confirmation it queued goes out now, not at the next idle look
                folder = settings.quarantine_folder if result.quarantined else settings.processed_folder
                moves.setdefault(folder, []).append(arrived.key)
                count += 1
                self.handled += 1
            # Only after the batch's commits: a crash before the move leaves messages deduplication recognises.
            for folder, keys in moves.items():
                source.move(keys, folder)
        self._record_check(source.source_name, source.uidvalidity)
        return count

    def _record_check(self, source: str, uidvalidity: int | None) -> None:
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
            state.uidvalidity = uidvalidity
            state.last_check_at = now
            state.last_error = None

    def close(self) -> None:
        for source in self.sources:
            source.close()

    def run(self, stop: threading.Event) -> None:
        """Until `stop`: drain, then wait (IDLE or poll); on errors reconnect with backoff 1 s doubling to 5 min.

        A pass that processed anything before failing starts the backoff over: dropped connections in the
        middle of a burst must not stall intake for minutes.
        """
        backoff = 1.0
        poll = float(self.ctx.settings.imap.poll_seconds)
        handled_before = self.handled
        while not stop.is_set():
            try:
                if not self._lead():
                    self.ready.set()  # the database is reached; the mailbox is another daemon's for now
                    stop.wait(STANDBY_SECONDS)
                    continue
                self.run_once()
                self.ready.set()
                backoff = 1.0
                self._wait(stop, poll)
            except (TransientError, PermanentError) as exc:
                if self.handled != handled_before:
                    backoff, handled_before = 1.0, self.handled
                log.warning("intake error: %s; retrying in %.0f s", exc, backoff)
                self._record_error(str(exc))
                self.close()
                stop.wait(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
        self.close()
        self.election.release()

    def _lead(self) -> bool:
        """Checked before every pass: a daemon that lost the mailbox stops consuming it at once."""
        leading = self.election.acquire()
        if leading != self.leading:
            if leading:
                log.info("intake: this daemon consumes the mailbox")
            else:
                log.info("intake: standing by; another daemon consumes the mailbox")
                self.close()
            self.leading = leading
        return leading

    def _wait(self, stop: threading.Event, poll: float) -> None:
        """The last source waits: IMAP's IDLE wakes at once on new mail; a Maildir alone is polled."""
        if self.sources:
            self.sources[-1].wait_for_mail(stop, poll, self.arrived)
        else:
            stop.wait(poll)

    def _record_error(self, error: str) -> None:
        try:
            with unit_of_work(self.ctx.sessions) as session:
                for source in self.sources:
                    mailbox_state(session, source.source_name).last_error = error[:2000]
        except TransientError:
            pass


class OutboxRunner:
    """Send due outbox items. Its own thread and its own event loop for aiosmtplib."""

    def __init__(self, ctx: AppContext, wake: threading.Event | None = None) -> None:
        self.ctx = ctx
        self.idle_seconds = float(ctx.settings.outbox.idle_seconds)
        self.wake = wake if wake is not None else threading.Event()
        self.sender = SmtpSender(ctx.settings.smtp, tokens_for(ctx.settings, "smtp"))

    def run_once(self) -> int:
        """One pass over what is due, then hang up: a one-off pass (tests, `send`) leaves no connection open,
        and the next one logs in afresh, so a revoked OAuth grant shows at once."""
        try:
            return self._pass()
        finally:
            self.sender.hang_up()

    def _pass(self) -> int:
        return deliver_due(self.ctx, self.sender)

    def close(self) -> None:
        self.sender.close()

    def run(self, stop: threading.Event) -> None:
        """Until `stop`: send what is due; with nothing due, wait for a wake-up from intake or the idle wait.
        An error outside any one item (each item's own is that item's failure) is logged and waited out with
        backoff; it never stops the daemon."""
        backoff = self.idle_seconds
        while not stop.is_set():
            self.wake.clear()  # before looking: a wake-up during the pass makes the next wait return at once
            try:
                sent = self._pass()  # the connection stays up while there is work, see _wait
                backoff = self.idle_seconds
            except TransientError as exc:
                log.warning("outbox error: %s", exc)
                sent = 0
            except Exception:  # the runner's catch-all: a restart would meet the same error again
                log.exception("outbox pass failed; trying again in %.0f s", backoff)
                self.sender.hang_up()
                stop.wait(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
                continue
            if not sent and not self._wait(stop):
                self.sender.hang_up()  # a quiet spell: do not hold the SMTP server's connection
        self.close()

    def _wait(self, stop: threading.Event) -> bool:
        """Wait `idle_seconds` at most; True if woken by intake. Stop is checked every WAKE_CHECK_SECONDS."""
        remaining = self.idle_seconds
        while remaining > 0 and not stop.is_set():
            step = min(WAKE_CHECK_SECONDS, remaining)
            if self.wake.wait(step):
                return True
            remaining -= step
        return False
