"""The day's work, run by the scheduler: digests, statistics files, publication reminders, set-aside notices.

Each job works out from the database what is due and records what it sent, so running twice is harmless.
One job failing never skips the others: it is logged with its reason and tried again at the next run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from foimail.context import AppContext
from foimail.errors import TransientError
from foimail.usecases.publication import send_publication_reminders
from foimail.usecases.reminders import send_daily_digests
from foimail.usecases.reports import send_due_reports
from foimail.usecases.set_aside import send_set_aside_notice

log = logging.getLogger("foimail.scheduler")

DAILY_JOBS: tuple[Callable[[AppContext], int], ...] = (
    send_daily_digests,
    send_due_reports,
    send_publication_reminders,
)


AFTERNOON_JOBS: tuple[Callable[[AppContext], int], ...] = (send_set_aside_notice,)


def run_daily_jobs(ctx: AppContext) -> None:
    """Every daily job, each on its own: a bad publication.toml or an unwritable export folder stops only itself."""
    run_jobs(ctx, DAILY_JOBS)


def run_afternoon_jobs(ctx: AppContext) -> None:
    """The set-aside notice: doubtful mail that arrived since the morning digest, told the same working day."""
    run_jobs(ctx, AFTERNOON_JOBS)


def run_jobs(ctx: AppContext, jobs: tuple[Callable[[AppContext], int], ...]) -> None:
    """Run `jobs` in order, each on its own."""
    for job in jobs:
        try:
            job(ctx)
        except TransientError as exc:
            log.warning("%s postponed: %s", job.__name__, exc)
        except Exception:  # the scheduler's catch-all: one broken job must not skip the others
            log.exception("%s failed; the other daily jobs go on", job.__name__)
