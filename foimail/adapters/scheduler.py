"""APScheduler 3 wiring only: an alarm clock. What is due is worked out from the database by each job."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import time

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from foimail.context import AppContext
from foimail.usecases.daily import run_afternoon_jobs, run_daily_jobs

log = logging.getLogger("foimail.scheduler")

MISFIRE_GRACE_SECONDS = 6 * 3600  # a job that starts late (host asleep, busy) still runs within 6 h


def start_scheduler(ctx: AppContext) -> BackgroundScheduler:
    """Start the daily jobs at reminders.at and the set-aside notice at reminders.set_aside_at, office time;
    catch up on the daily jobs at once if started after their time today."""
    at = ctx.settings.reminders.at
    scheduler = BackgroundScheduler(timezone=ctx.tz)
    _every_day_at(scheduler, ctx, "daily", run_daily_jobs, at)
    _every_day_at(scheduler, ctx, "set-aside", run_afternoon_jobs, ctx.settings.reminders.set_aside_at)
    local_now = ctx.clock().astimezone(ctx.tz)
    if local_now.time() >= at:
        # After downtime over the due time: the ledger in the database keeps this from sending twice.
        scheduler.add_job(
            run_daily_jobs, args=[ctx], id="catch-up", next_run_time=local_now, misfire_grace_time=MISFIRE_GRACE_SECONDS
        )
    scheduler.start()
    log.info("scheduler started: daily jobs at %s %s", at.strftime("%H:%M"), ctx.settings.office.timezone)
    return scheduler


def _every_day_at(
    scheduler: BackgroundScheduler, ctx: AppContext, job_id: str, job: Callable[[AppContext], None], at: time
) -> None:
    """One run a day at `at`, office time: late runs coalesce, never two at once, a late start still runs."""
    scheduler.add_job(
        job,
        CronTrigger(hour=at.hour, minute=at.minute, timezone=ctx.tz),
        args=[ctx],
        id=job_id,
        coalesce=True,
        max_instances=1,
        misfire_grace_time=MISFIRE_GRACE_SECONDS,
    )
