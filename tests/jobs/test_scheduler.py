"""The APScheduler 3 wiring: the daily jobs at reminders.at and the set-aside notice at reminders.set_aside_at,
office time, tolerating lateness and overlap.

APScheduler reads the wall clock itself, so freezegun sets it; our code reads ctx.clock (a SettableClock set
to the same moment). Real SQLite and PostgreSQL.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from apscheduler.triggers.cron import CronTrigger
from freezegun import freeze_time

from foimail.adapters.scheduler import start_scheduler
from foimail.context import AppContext
from foimail.usecases.daily import run_afternoon_jobs, run_daily_jobs
from tests.jobs.calendar_walk import TBILISI, digests, office_time, queued_mail
from tests.support.app import SettableClock

POLLS = 500  # x 20 ms: a generous bound, never a fixed sleep


def wait_until(condition: Callable[[], bool]) -> None:
    """Wait for a condition (freezegun stops time.monotonic, so the bound counts polls)."""
    pause = threading.Event()
    for _ in range(POLLS):
        if condition():
            return
        pause.wait(0.02)
    raise AssertionError("condition not met within 10 s")


def test_daily_job_runs_at_reminders_time_in_office_time_and_shuts_down_cleanly(make_app) -> None:  # type: ignore[no-untyped-def]
    before = set(threading.enumerate())
    moment = office_time(date(2027, 1, 4), 8)  # Monday 08:00 Tbilisi, before 09:30
    ctx = make_app(clock=SettableClock(moment))
    with freeze_time(moment):
        scheduler = start_scheduler(ctx)
        try:
            assert scheduler.running and scheduler.timezone is TBILISI
            assert [j.id for j in scheduler.get_jobs()] == ["daily", "set-aside"]
            job = scheduler.get_job("daily")
            assert job.func is run_daily_jobs and job.args == (ctx,)
            assert job.coalesce is True and job.max_instances == 1
            assert job.misfire_grace_time is not None and job.misfire_grace_time >= 3600  # not 3.x's 1 s
            assert isinstance(job.trigger, CronTrigger) and job.trigger.timezone is TBILISI
            fields = {field.name: str(field) for field in job.trigger.fields}
            assert (fields["hour"], fields["minute"]) == ("9", "30")
            assert job.next_run_time == datetime(2027, 1, 4, 9, 30, tzinfo=TBILISI)
            assert job.next_run_time.utcoffset().total_seconds() == 4 * 3600  # type: ignore[union-attr]
            afternoon = scheduler.get_job("set-aside")
            assert afternoon.func is run_afternoon_jobs and afternoon.args == (ctx,)
            assert afternoon.coalesce is True and afternoon.max_instances == 1
            assert afternoon.misfire_grace_time is not None and afternoon.misfire_grace_time >= 3600
            assert afternoon.next_run_time == datetime(2027, 1, 4, 16, 0, tzinfo=TBILISI)
        finally:
            scheduler.shutdown()
    assert not scheduler.running
    assert [thread for thread in threading.enumerate() if thread not in before] == []


def test_started_after_reminders_time_it_catches_up_once(make_app) -> None:  # type: ignore[no-untyped-def]
    moment = office_time(date(2026, 12, 1), 11)  # Tuesday 11:00: today's 09:30 passed while it was down
    ctx = make_app(clock=SettableClock(moment))
    for restart in range(2):  # started, stopped, started again the same morning
        start_and_stop_after_catching_up(ctx, moment)
        mail = queued_mail(ctx)
        # December: the notify digest (the decree line) and the 2026-Q3 file, once however often started.
        assert [(m.kind, m.queued_on) for m in mail] == [
            ("digest", date(2026, 12, 1)),
            ("report", date(2026, 12, 1)),
        ], restart
        assert len(digests(mail)) == 1


def start_and_stop_after_catching_up(ctx: AppContext, moment: datetime) -> None:
    with freeze_time(moment):
        scheduler = start_scheduler(ctx)
        try:
            tomorrow = datetime.combine(moment.astimezone(TBILISI).date() + timedelta(days=1), time(9, 30), TBILISI)
            assert scheduler.get_job("daily").next_run_time == tomorrow
            wait_until(lambda: scheduler.get_job("catch-up") is None)  # handed to the executor
        finally:
            scheduler.shutdown()  # waits for the running catch-up to finish


def test_a_run_that_starts_hours_late_still_runs(make_app) -> None:  # type: ignore[no-untyped-def]
    clock = SettableClock(office_time(date(2026, 12, 1), 9))  # Tuesday 09:00 Tbilisi
    ctx = make_app(clock=clock)
    with freeze_time(clock()) as frozen:
        scheduler = start_scheduler(ctx)
        try:
            assert scheduler.get_job("catch-up") is None
            clock.now = office_time(date(2026, 12, 1), 12)  # the host slept through 09:30
            frozen.move_to(clock())
            scheduler.wakeup()
            wait_until(lambda: len(digests(queued_mail(ctx))) == 1)
            assert scheduler.get_job("daily").next_run_time == datetime(2026, 12, 2, 9, 30, tzinfo=TBILISI)
        finally:
            scheduler.shutdown()
    assert [(m.kind, m.queued_on) for m in queued_mail(ctx)] == [
        ("digest", date(2026, 12, 1)),
        ("report", date(2026, 12, 1)),
    ]
