"""Commands on dates and the statutory reports: deadlines, quarterly and yearly statistics, publication."""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import date, datetime
from pathlib import Path

from foimail.cli.common import context_from, settings_from, write_output
from foimail.clock import utc_now
from foimail.config import load_settings
from foimail.context import build_calendar, build_context, build_deadline_rules
from foimail.core.calendar import explain_due_date, local_date, parse_quarter
from foimail.core.publication import PublicationDataError
from foimail.errors import FoimailError
from foimail.usecases.casework import recompute_due_dates, refresh_statistics_values
from foimail.usecases.publication import due_listing, format_due, parse_within, record_act
from foimail.usecases.reports import annual_text, quarterly_text


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    deadline_parser = commands.add_parser("deadline", help="the due date a confirmation at DATETIME gets")
    deadline_parser.add_argument("moment", nargs="?", help="ISO datetime; without an offset it is the office's time")
    deadline_parser.add_argument(
        "--recompute", action="store_true", help="recompute the due dates of all open cases and the statistics values"
    )
    deadline_parser.set_defaults(handler=deadline)

    stats = commands.add_parser("stats", help="statistics").add_subparsers(dest="stats_command", required=True)
    quarterly = stats.add_parser("quarterly", help="annex item 2.4 statistics for one quarter")
    quarterly.add_argument("--quarter", required=True, help="e.g. 2026Q3")
    quarterly.set_defaults(handler=stats_quarterly)
    annual = stats.add_parser("annual", help="the yearly GAC Art. 49 report")
    annual.add_argument("--year", required=True, type=int)
    annual.set_defaults(handler=stats_annual)
    for sub in (quarterly, annual):
        sub.add_argument("--output", type=Path, help="write here instead of stdout")
        sub.add_argument("--format", choices=["csv", "json"], default="csv")
        sub.add_argument("--lang", choices=["ka", "en"], help="add a header row of human labels")

    publication = commands.add_parser("publication", help="the proactive-publication calendar")
    publication_commands = publication.add_subparsers(dest="publication_command", required=True)
    due = publication_commands.add_parser("due", help="what is due: periodic items and recorded acts")
    due.add_argument("--within", default="30d", help="e.g. 30d")
    due.set_defaults(handler=publication_due)
    record = publication_commands.add_parser(
        "record", help="an act entered into force: publish it within 10 days (annex note 2)"
    )
    record.add_argument("item", help="the annex item, e.g. 6.1 (also 5.13, 6.2, or an on_change item)")
    record.add_argument("title", help="the act's title, e.g. 'ბათუმის მერის ბრძანება №12'")
    record.add_argument("--in-force", required=True, help="the day it entered into force, e.g. 2026-12-01")
    record.set_defaults(handler=publication_record)


def deadline(args: argparse.Namespace) -> int:
    if args.recompute:
        ctx = context_from(args)
        changed = recompute_due_dates(ctx, actor="cli")
        for number, old, new in changed:
            print(f"{number}: {old} -> {new}")
        print(f"{len(changed)} due date(s) moved")
        print(f"{refresh_statistics_values(ctx)} case(s) given new statistics values")
        return 0
    if not args.moment:
        raise FoimailError("give a DATETIME (e.g. 2026-11-20T17:30) or --recompute")
    settings = load_settings(args.config)
    try:
        moment = datetime.fromisoformat(args.moment)
    except ValueError:
        raise FoimailError(f"not an ISO date-time: {args.moment!r} (e.g. 2026-11-20T17:30)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=settings.office.tz)
    why = explain_due_date(moment, build_calendar(settings), build_deadline_rules(settings), settings.office.tz)
    print(why.due_date.isoformat())
    local = moment.astimezone(settings.office.tz)
    print(f"confirmation: {local.isoformat()} ({settings.office.timezone}), date {why.confirmation_date}")
    print(f"start day:    {why.start_day} (day 1; Batumi res. No. 3 Art. 4.3)")
    print(f"last day:     {why.last_day} ({settings.deadlines.period_days}-day period, GAC Art. 40(1))")
    print(f"due date:     {why.due_date} (until 24:00; CPC Art. 61(2)-(3))")
    if why.paused_days:
        print(f"paused days:  {why.paused_days} (deadlines.paused_ranges)")
    for day, reason in why.skipped:
        print(f"skipped:      {day} {day.strftime('%a')}: {reason}")
    return 0


def stats_quarterly(args: argparse.Namespace) -> int:
    try:
        year, quarter = parse_quarter(args.quarter)
    except ValueError:
        raise FoimailError(f"not a quarter: {args.quarter!r} (e.g. 2026Q3)") from None
    ctx = context_from(args)
    write_output(quarterly_text(ctx, year, quarter, args.format, args.lang), args.output)
    return 0


def stats_annual(args: argparse.Namespace) -> int:
    ctx = context_from(args)
    write_output(annual_text(ctx, args.year, args.format, args.lang), args.output)
    return 0


def publication_due(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    try:
        within = parse_within(args.within)
    except ValueError as exc:
        raise FoimailError(str(exc)) from None
    ctx = build_context(settings)
    today = local_date(utc_now(), settings.office.tz)
    sys.stdout.write(format_due(due_listing(ctx, today, within), settings.stats.lang))
    return 0


def publication_record(args: argparse.Namespace) -> int:
    try:
        in_force = date.fromisoformat(args.in_force)
    except ValueError:
        raise FoimailError(f"not a date: {args.in_force!r} (e.g. 2026-12-01)") from None
    ctx = context_from(args)
    try:
        act = record_act(ctx, args.item, args.title, in_force, actor=f"cli:{getpass.getuser()}")
    except PublicationDataError as exc:
        raise FoimailError(str(exc)) from None
    print(f"{act.item_id}  {act.title}: in force {act.in_force}, publish by {act.due} (annex note 2)")
    if act.due < local_date(utc_now(), ctx.tz):
        print(f"the deadline {act.due} has passed: publish it now")
    return 0
