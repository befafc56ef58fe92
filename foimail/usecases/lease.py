"""The send lease kept alive while the mail server holds a message: one keeper thread for a run of sends.

A thread started and joined for each message cost a few milliseconds in a backlog (the new thread must win
the interpreter lock from the intake thread before `start` returns); one keeper waits beside the whole run
and renews the claim of whichever item is being sent once a third of the lease has passed on it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from foimail.context import AppContext
from foimail.errors import TransientError
from foimail.store.db import unit_of_work
from foimail.store.queries import renew_send_lease

log = logging.getLogger("foimail.outbox")


def send_lease(ctx: AppContext) -> timedelta:
    return timedelta(seconds=ctx.settings.outbox.send_lease_seconds)


class LeaseKeeper:
    """Renews the lease of the item inside `kept(...)` every third of the lease; `close` ends the thread."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.lease = send_lease(ctx)
        self._changed = threading.Condition()
        self._item: tuple[int, int] | None = None  # (item id, the claim's attempt number)
        self._renew_at = 0.0  # time.monotonic() of the next renewal of `_item`
        self._closed = False
        self._thread: threading.Thread | None = None

    @contextmanager
    def kept(self, item_id: int, attempt: int) -> Iterator[None]:
        """The lease of (item_id, attempt) is renewed while the block runs (a slow server, a large answer)."""
        with self._changed:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="outbox-lease", daemon=True)
                self._thread.start()
            # No notify: the keeper wakes at the latest a third of the lease from now (its idle wait, or the
            # previous item's renewal time) and then waits for this one's; waking it for each send cost more.
            self._item = (item_id, attempt)
            self._renew_at = time.monotonic() + self.lease.total_seconds() / 3
        try:
            yield
        finally:
            with self._changed:
                self._item = None

    def close(self) -> None:
        with self._changed:
            self._closed = True
            self._changed.notify()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _run(self) -> None:
        third = self.lease.total_seconds() / 3
        while True:
            with self._changed:
                while not self._closed and (self._item is None or time.monotonic() < self._renew_at):
                    self._changed.wait(third if self._item is None else self._renew_at - time.monotonic())
                if self._closed:
                    return
                assert self._item is not None
                item_id, attempt = self._item
                self._renew_at = time.monotonic() + third
            self._renew(item_id, attempt)

    def _renew(self, item_id: int, attempt: int) -> None:
        # Outside the condition: the send may end meanwhile; a renewal of an item since recorded as sent
        # changes nothing (renew_send_lease asks for status "sending" and this claim's attempt).
        try:
            with unit_of_work(self.ctx.sessions) as session:
                renew_send_lease(session, item_id, attempt, self.ctx.clock() + self.lease)
        except TransientError as exc:
            log.warning("send lease of outbox item %d not renewed: %s", item_id, exc)
