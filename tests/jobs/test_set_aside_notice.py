"""Doubtful set-aside mail reaches the notify list the same working day, with the command that registers it.

Real SQLite and PostgreSQL; the afternoon notice and the morning digest share one ledger, so each message is
told once. Also: one daily job failing never skips the others.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

from sqlalchemy import select

from foimail.config import StatsSettings
from foimail.context import AppContext
from foimail.store.db import unit_of_work
from foimail.store.models import Case, StoredMessage
from foimail.usecases.casework import promote_message
from foimail.usecases.daily import run_afternoon_jobs, run_daily_jobs
from foimail.usecases.intake import process_one
from tests.jobs.calendar_walk import digests, office_time, queued_mail
from tests.support.app import SettableClock
from tests.support.mails import request_mail

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
TUESDAY = date(2026, 12, 1)
WEDNESDAY = date(2026, 12, 2)
SATURDAY = date(2026, 12, 5)
SET_ASIDE_SUBJECT = "Set-aside messages to check"


def notices(ctx: AppContext) -> list[str]:
    return [m.body for m in queued_mail(ctx) if SET_ASIDE_SUBJECT in m.subject]


def arrive(ctx: AppContext, clock: SettableClock, day: date, hour: int, raw: bytes) -> int:
    clock.now = office_time(day, hour)
    return process_one(ctx, raw, source="t").message_row_id


def doubtful(ctx: AppContext, stored_id: int) -> bool:
    with unit_of_work(ctx.sessions) as session:
        message = session.get(StoredMessage, stored_id)
        assert message is not None
        return message.doubtful


def test_doubtful_mail_is_told_the_same_day_once_with_its_command(make_app) -> None:  # type: ignore[no-untyped-def]
    clock = SettableClock(office_time(TUESDAY, 8))
    ctx = make_app(clock=clock)
    # Headerless out-of-office (subject only): doubtful. Auto-Submitted out-of-office: certain. A citizen: a case.
    guess = arrive(ctx, clock, TUESDAY, 11, (SAMPLES / "machine" / "autoreply_turkish_otomatik_yanit.eml").read_bytes())
    certain = arrive(ctx, clock, TUESDAY, 11, (SAMPLES / "autoreply_outlook_ka.eml").read_bytes())
    arrive(ctx, clock, TUESDAY, 12, request_mail())
    assert (doubtful(ctx, guess), doubtful(ctx, certain)) == (True, False)

    clock.now = office_time(TUESDAY, 16)
    run_afternoon_jobs(ctx)
    [notice] = notices(ctx)
    assert f"№{guess} ავტომატური პასუხი / automatic reply, a.yilmaz@belediye-ornek.bel.tr" in notice
    assert f"foimail register {guess}" in notice
    assert f"№{certain} " not in notice
    run_afternoon_jobs(ctx)  # run twice (a restart): told once
    assert len(notices(ctx)) == 1

    late = arrive(ctx, clock, TUESDAY, 18, request_mail(headers={"X-Spam-Flag": "YES"}, sender="x@example.org"))
    clock.now = office_time(WEDNESDAY, 9, 30)
    run_daily_jobs(ctx)
    [digest] = digests(queued_mail(ctx))
    to_check = digest.body.partition("To check, it may be a request")[2]
    assert f"№{late} სპამი / spam x@example.org" in to_check and f"foimail register {late}" in to_check
    assert f"foimail register {guess}" not in digest.body  # told yesterday afternoon; still listed below
    assert f"№{guess} ავტომატური პასუხი / automatic reply" in digest.body
    clock.now = office_time(WEDNESDAY, 16)
    run_afternoon_jobs(ctx)
    assert len(notices(ctx)) == 1  # nothing new since the digest

    number = promote_message(ctx, guess)  # the command the notice gives does register it
    with unit_of_work(ctx.sessions) as session:
        assert session.execute(select(Case.number).where(Case.request_message_id == guess)).scalar_one() == number


def test_no_set_aside_notice_on_a_day_off(make_app) -> None:  # type: ignore[no-untyped-def]
    clock = SettableClock(office_time(SATURDAY, 8))
    ctx = make_app(clock=clock)
    arrive(ctx, clock, SATURDAY, 11, request_mail(headers={"X-Spam-Flag": "YES"}))
    clock.now = office_time(SATURDAY, 16)
    run_afternoon_jobs(ctx)
    assert notices(ctx) == []


def test_a_failing_daily_job_skips_none_of_the_others(make_app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the export folder should be")
    clock = SettableClock(office_time(TUESDAY, 9, 30))  # 1 December: the 2026-Q3 statistics file is due
    ctx = make_app(clock=clock, stats=StatsSettings(export_dir=str(blocked / "stats")))
    arrive(ctx, clock, TUESDAY, 9, request_mail(headers={"X-Spam-Flag": "YES"}))
    clock.now = office_time(TUESDAY, 9, 30)
    run_daily_jobs(ctx)
    kinds = [m.kind for m in queued_mail(ctx)]
    assert "report" not in kinds  # the statistics job failed on the unwritable folder ...
    assert len(digests(queued_mail(ctx))) == 1  # ... and the digest still went out
    fixed = dataclasses.replace(ctx.settings.stats, export_dir=str(tmp_path / "stats"))
    ctx_fixed = make_app(clock=clock, stats=fixed)
    run_daily_jobs(ctx_fixed)  # tried again at the next run, once the folder is fixed
    assert [m.kind for m in queued_mail(ctx_fixed)].count("report") == 1
