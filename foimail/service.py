"""The daemon: wire the runners, the scheduler and the HTTP endpoint; signals; readiness; watchdog."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from types import FrameType

from apscheduler.schedulers.background import BackgroundScheduler

from foimail.adapters import sdnotify
from foimail.adapters.election import hold_sqlite_daemon_lock
from foimail.adapters.http import serve
from foimail.adapters.scheduler import start_scheduler
from foimail.config import Settings
from foimail.context import AppContext, build_context
from foimail.errors import ConfigError, FoimailError
from foimail.logs import setup_logging
from foimail.runners import IntakeRunner, OutboxRunner
from foimail.store.db import ping
from foimail.usecases.casework import recompute_due_dates, refresh_statistics_values

log = logging.getLogger("foimail.service")

STOP_TIMEOUT_SECONDS = 8.0


class Daemon:
    """Owns the threads; `stop` is the one event every loop watches."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []
        wake = threading.Event()  # intake -> outbox: a confirmation was queued, send it now
        # mail server -> intake: its push notification (PUT /wake on http.listen) says mail has arrived
        self.arrived = threading.Event()
        self.intake = IntakeRunner(ctx, wake=wake, arrived=self.arrived)
        self.outbox = OutboxRunner(ctx, wake=wake)
        self.scheduler: BackgroundScheduler | None = None

    def start(self) -> None:
        ping(self.ctx.engine)
        if self.ctx.settings.office.officers_unauthenticated:
            log.warning(
                "office.allow_unauthenticated_officers = true: officer commands are accepted on the From: header "
                "alone, which is easy to forge; set office.trusted_authserv_id to your MTA's Authentication-Results id "
                "or office.trusted_received_by for Postfix's Authenticated sender"
            )
        moved = recompute_due_dates(self.ctx)
        if moved:
            log.info("due dates moved after a calendar change: %d", len(moved))
        refresh_statistics_values(self.ctx)
        self._spawn("intake", self.intake.run)
        self._spawn("outbox", self.outbox.run)
        self.scheduler = start_scheduler(self.ctx)
        _start_http(self.ctx, self.stop, self.arrived)

    def _spawn(self, name: str, target: Callable[[threading.Event], None]) -> None:
        thread = threading.Thread(target=self._guard(name, target), name=name, daemon=True)
        thread.start()
        self.threads.append(thread)

    def _guard(self, name: str, target: Callable[[threading.Event], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                target(self.stop)
            except Exception:  # a dead runner must stop the daemon so systemd restarts it
                log.exception("runner %s died; stopping", name)
                self.failed = True
                self.stop.set()

        return run

    failed = False

    def wait(self) -> None:
        interval = sdnotify.watchdog_interval()
        # READY=1 only once the database (checked in start) and the mailbox have been reached.
        while not self.intake.ready.wait(1.0):
            if self.stop.is_set():
                return
        sdnotify.notify("READY=1")
        log.info("foimail running: office=%s", self.ctx.settings.office.address)
        while not self.stop.wait(interval or 5.0):
            if interval and all(t.is_alive() for t in self.threads):
                sdnotify.notify("WATCHDOG=1")

    def shutdown(self) -> None:
        sdnotify.notify("STOPPING=1")
        self.stop.set()
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
        for thread in self.threads:
            thread.join(STOP_TIMEOUT_SECONDS)
        log.info("foimail stopped")


def _start_http(ctx: AppContext, stop: threading.Event, arrived: threading.Event) -> None:
    if ctx.settings.http.listen:
        serve(ctx, stop, arrived)


def run_daemon(settings: Settings) -> int:
    """`foimail run`: until SIGTERM/SIGINT; exit 0 after a clean stop."""
    if not settings.imap.host and not settings.maildir.path:
        raise ConfigError("imap.host", settings.source, "no mail source: set imap.host (or maildir.path)")
    unauthenticated = settings.office.officers_unauthenticated
    if unauthenticated and not settings.office.allow_unauthenticated_officers:
        raise ConfigError("office.trusted_authserv_id", settings.source, unauthenticated)
    hold_sqlite_daemon_lock(settings.database.url)  # held until the process ends, however it ends
    ctx = build_context(settings)
    daemon = Daemon(ctx)

    def on_stop(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %s: finishing the message in hand and stopping", signal.Signals(signum).name)
        daemon.stop.set()

    def on_hup(_signum: int, _frame: FrameType | None) -> None:
        setup_logging(settings.log.level, settings.log.format)
        log.info("SIGHUP: logs reopened")

    signal.signal(signal.SIGTERM, on_stop)
    signal.signal(signal.SIGINT, on_stop)
    signal.signal(signal.SIGHUP, on_hup)
    try:
        daemon.start()
    except FoimailError:
        daemon.shutdown()
        raise
    daemon.wait()
    daemon.shutdown()
    return 1 if daemon.failed else 0
