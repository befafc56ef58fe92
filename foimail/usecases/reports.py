"""Statistics files: built on demand (CLI) or by the scheduler once their period has ended, then mailed.

Quarterly 2.4 statistics: on the first working day after the quarter ends, due for publication one
month after it (annex note 1). Yearly GAC Art. 49 report: on its report date (the last working day on or
before 10 December), covering 1 January to 10 December. Each file is built and mailed once (the ledger);
after downtime over its day, on the first working day back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from foimail.context import AppContext
from foimail.core.calendar import (
    WorkingCalendar,
    annual_publication_due,
    art49_report_date,
    local_date,
    quarter_bounds,
    quarter_of,
    quarterly_publication_due,
)
from foimail.core.message import Attachment
from foimail.core.vocabulary import OutboxKind
from foimail.store.db import unit_of_work
from foimail.store.queries import claim_notice
from foimail.store.statistics import annual_report, quarterly_statistics
from foimail.usecases.export import render_statistics
from foimail.usecases.notices import notify

log = logging.getLogger("foimail.reports")


def quarterly_text(ctx: AppContext, year: int, quarter: int, fmt: str = "csv", lang: str | None = None) -> str:
    with unit_of_work(ctx.sessions) as session:
        stats = quarterly_statistics(session, year, quarter, ctx.clock(), ctx.tz)
    return render_statistics(stats, fmt, lang)


def annual_text(ctx: AppContext, year: int, fmt: str = "csv", lang: str | None = None) -> str:
    with unit_of_work(ctx.sessions) as session:
        report = annual_report(session, year, ctx.clock(), ctx.tz)
    return render_statistics(report, fmt, lang)


def previous_quarter(today: date) -> tuple[int, int]:
    year, quarter = quarter_of(today)
    return (year, quarter - 1) if quarter > 1 else (year - 1, 4)


def send_due_reports(ctx: AppContext) -> int:
    """Build and mail the last quarter's statistics and the latest Art. 49 report once their day has come."""
    today = local_date(ctx.clock(), ctx.tz)
    if not ctx.calendar.is_working_day(today):
        return 0
    sent = 0
    year, quarter = previous_quarter(today)
    _, quarter_end = quarter_bounds(year, quarter)
    lang = ctx.settings.stats.lang
    if today > quarter_end:
        sent += _deliver(
            ctx,
            f"stats-{year}Q{quarter}",
            lambda session, now: quarterly_statistics(session, year, quarter, now, ctx.tz),
            f"foimail-2.4-{year}Q{quarter}.csv",
            f"{year} Q{quarter}",
            quarterly_publication_due(year, quarter),
            lang,
            "quarterly",  # core/labels.py, group "report"
        )
    report_year = last_art49_year(today, ctx.calendar)
    if today <= annual_publication_due(report_year):
        sent += _deliver(
            ctx,
            f"art49-{report_year}",
            lambda session, now: annual_report(session, report_year, now, ctx.tz),
            f"foimail-art49-{report_year}.csv",
            str(report_year),
            annual_publication_due(report_year),
            lang,
            "art49",
        )
    return sent


def last_art49_year(today: date, calendar: WorkingCalendar) -> int:
    """The year of the latest Art. 49 report whose day has come: last year's until this year's report date.

    So downtime over the report date (into January) still delivers it on return, until its publication
    deadline (annex note 1: three months after the year ends).
    """
    return today.year if today >= art49_report_date(today.year, calendar) else today.year - 1


def _deliver(
    ctx: AppContext,
    key: str,
    statistics: Callable[[Session, datetime], Mapping[str, object]],
    filename: str,
    period: str,
    publish_by: date,
    lang: str | None,
    what: str,
) -> int:
    """Once per `key` (the ledger): count, write the CSV to stats.export_dir, mail it to the notify list."""
    now = ctx.clock()
    with unit_of_work(ctx.sessions) as session:
        # Claimed first: the statistics are counted only on the day the file is built, not every day after.
        if not claim_notice(session, key, "export", date(2000, 1, 1), now):
            return 0
        text = render_statistics(statistics(session, now), "csv", lang)
        folder = Path(ctx.settings.stats.export_dir)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / filename).write_text(text, encoding="utf-8")
        values = {
            "period": period,
            "what": what,
            "publish_by": publish_by,
            "filename": filename,
            "path": str(folder / filename),
        }
        attachment = Attachment(filename, "text/csv; charset=utf-8", text.encode("utf-8"))
        notify(
            ctx,
            session,
            "office/report",
            list(ctx.settings.office.notify),
            values,
            now,
            kind=OutboxKind.REPORT,
            attachments=(attachment,),
        )
    log.info("report built key=%s file=%s publish_by=%s", key, folder / filename, publish_by)
    return 1
