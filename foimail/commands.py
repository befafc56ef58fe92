"""One function per CLI command: each loads what it needs and calls one use case."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import datetime

from foimail.config import Settings, load_settings
from foimail.context import AppContext, build_context
from foimail.errors import CaseNotFound, FoimailError
from foimail.logs import setup_logging

Handler = Callable[[argparse.Namespace], int]
HANDLERS: dict[str, Handler] = {}


def command(name: str) -> Callable[[Handler], Handler]:
    def register(function: Handler) -> Handler:
        HANDLERS[name] = function
        return function

    return register


def _settings(args: argparse.Namespace) -> Settings:
    settings = load_settings(args.config)
    setup_logging(settings.log.level, settings.log.format)
    return settings


def _context(args: argparse.Namespace) -> AppContext:
    return build_context(_settings(args))


@command("db upgrade")
def db_upgrade(args: argparse.Namespace) -> int:
    from pathlib import Path

    from sqlalchemy.engine import make_url

    from foimail.store.db import upgrade

    settings = _settings(args)
    parsed = make_url(settings.database.url)
    new_file = parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").exists()
    upgrade(settings.database.url)
    created = " (a new, empty database was created)" if new_file else ""
    print(f"database schema is up to date ({_safe_url(settings.database.url)}){created}")
    return 0


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@command("run")
def run(args: argparse.Namespace) -> int:
    from foimail.service import run_daemon

    return run_daemon(_settings(args))


@command("check")
def check(args: argparse.Namespace) -> int:
    from foimail.health import run_checks

    settings = _settings(args)
    failures = 0
    for name, ok, detail in run_checks(settings):
        print(f"{'ok  ' if ok else 'FAIL'} {name}: {detail}")
        failures += not ok
    return 1 if failures else 0


@command("health")
def health(args: argparse.Namespace) -> int:
    from foimail.health import daemon_health

    ctx = _context(args)
    problems = daemon_health(ctx)
    for problem in problems:
        print(f"unhealthy: {problem}")
    if not problems:
        print("healthy")
    return 1 if problems else 0


@command("ingest")
def ingest(args: argparse.Namespace) -> int:
    from foimail.runners import handle_message

    ctx = _context(args)
    status = 0
    for path in args.files:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            print(f"{path}: cannot read: {exc.strerror}", file=sys.stderr)
            status = 1
            continue
        result = handle_message(ctx, raw, f"file://{path.resolve()}", None)
        why = f" ({'; '.join(result.reasons)})" if result.reasons and result.kind != "request" else ""
        print(f"{path}: {result.kind} {result.case_number or ''} message #{result.message_row_id}{why}".rstrip())
    _flush_outbox(ctx)
    return status


def _flush_outbox(ctx: AppContext) -> None:
    """Send what the command queued, when an SMTP server or pickup folder is configured."""
    if not (ctx.settings.smtp.host or ctx.settings.smtp.pickup_dir):
        return
    from foimail.runners import OutboxRunner

    runner = OutboxRunner(ctx)
    try:
        while runner.run_once():
            pass
    finally:
        runner.loop.close()


@command("cases list")
def cases_list(args: argparse.Namespace) -> int:
    from foimail.export import CASE_FIELDS, case_record, to_csv, to_json, to_table
    from foimail.store.db import unit_of_work
    from foimail.store.queries import list_cases

    ctx = _context(args)
    with unit_of_work(ctx.sessions) as session:
        records = [case_record(case) for case in list_cases(session, args.status)]
    if args.format == "json":
        sys.stdout.write(to_json(records))
    elif args.format == "csv":
        sys.stdout.write(to_csv(records, CASE_FIELDS))
    else:
        columns = ("number", "status", "outcome", "requester", "received_at", "due_date", "subject")
        sys.stdout.write(to_table(records, columns))
    return 0


@command("cases show")
def cases_show(args: argparse.Namespace) -> int:
    from foimail.core.numbering import normalise_number
    from foimail.export import case_record, to_json
    from foimail.store.db import unit_of_work
    from foimail.store.queries import case_by_number

    ctx = _context(args)
    number = normalise_number(args.number, ctx.settings.numbering.format) or args.number
    with unit_of_work(ctx.sessions) as session:
        case = case_by_number(session, number)
        if case is None:
            raise CaseNotFound(number)
        record = case_record(case)
        record["messages"] = [
            {
                "id": m.id,
                "direction": m.direction,
                "kind": m.kind,
                "sender": m.sender,
                "subject": m.subject,
                "received_at": m.received_at.isoformat(),
                "size": m.size,
                "sha256": m.sha256,
                "attachments": [a.filename for a in m.attachments],
            }
            for m in case.messages
        ]
        record["events"] = [
            {"at": e.at.isoformat(), "actor": e.actor, "kind": e.kind, "detail": e.detail} for e in case.events
        ]
    if args.format == "json":
        sys.stdout.write(to_json(record))
        return 0
    for key, value in record.items():
        if key not in ("messages", "events"):
            print(f"{key:18} {'' if value is None else value}")
    print("\nmessages:")
    for m in record["messages"]:
        print(f"  #{m['id']} {m['direction']:3} {m['kind']:14} {m['received_at']} {m['sender']} {m['subject']}")
    print("\nhistory:")
    for e in record["events"]:
        print(f"  {e['at']} {e['kind']:22} {e['actor']} {e['detail'] or ''}")
    return 0


@command("messages list")
def messages_list(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from foimail.export import to_json, to_table
    from foimail.store.db import unit_of_work
    from foimail.store.models import Direction, StoredMessage
    from foimail.store.queries import set_aside_messages

    ctx = _context(args)
    with unit_of_work(ctx.sessions) as session:
        if args.unregistered:
            rows = set_aside_messages(session)
        else:
            query = select(StoredMessage).where(StoredMessage.direction == Direction.IN).order_by(StoredMessage.id)
            rows = list(session.execute(query).scalars())
        records = [
            {
                "id": m.id,
                "kind": m.kind,
                "received_at": m.received_at.isoformat(),
                "sender": m.sender,
                "subject": m.subject,
                "case": m.case.number if m.case else None,
                "reasons": "; ".join(m.reasons),
            }
            for m in rows
        ]
    if args.format == "json":
        sys.stdout.write(to_json(records))
    else:
        sys.stdout.write(to_table(records, ("id", "kind", "received_at", "sender", "case", "subject", "reasons")))
    return 0


@command("messages export")
def messages_export(args: argparse.Namespace) -> int:
    from foimail.store.db import unit_of_work
    from foimail.store.models import StoredMessage

    ctx = _context(args)
    with unit_of_work(ctx.sessions) as session:
        stored = session.get(StoredMessage, args.message_id)
        if stored is None:
            raise FoimailError(f"no message #{args.message_id}")
        raw = stored.raw
    if args.output:
        args.output.write_bytes(raw)
    else:
        sys.stdout.buffer.write(raw)
    return 0


@command("register")
def register(args: argparse.Namespace) -> int:
    from foimail.casework import promote_message

    ctx = _context(args)
    number = promote_message(ctx, args.message_id)
    print(f"message #{args.message_id} registered as {number}; its confirmation is queued")
    _flush_outbox(ctx)
    return 0


@command("deadline")
def deadline(args: argparse.Namespace) -> int:
    from foimail.context import build_calendar, build_deadline_rules
    from foimail.core.calendar import explain_due_date

    if args.recompute:
        from foimail.casework import recompute_due_dates

        changed = recompute_due_dates(_context(args), actor="cli")
        for number, old, new in changed:
            print(f"{number}: {old} -> {new}")
        print(f"{len(changed)} due date(s) moved")
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


@command("demo")
def demo(args: argparse.Namespace) -> int:
    from foimail.demo import run_demo

    print(run_demo(args.dir, _settings(args)))
    return 0


def _write_output(text: str, output: object) -> None:
    if output is None:
        sys.stdout.write(text)
    else:
        from pathlib import Path

        Path(str(output)).write_text(text, encoding="utf-8")


@command("stats quarterly")
def stats_quarterly(args: argparse.Namespace) -> int:
    from foimail.core.calendar import parse_quarter
    from foimail.jobs.reports import quarterly_text

    try:
        year, quarter = parse_quarter(args.quarter)
    except ValueError:
        raise FoimailError(f"not a quarter: {args.quarter!r} (e.g. 2026Q3)") from None
    ctx = _context(args)
    _write_output(quarterly_text(ctx, year, quarter, args.format, args.lang), args.output)
    return 0


@command("stats annual")
def stats_annual(args: argparse.Namespace) -> int:
    from foimail.jobs.reports import annual_text

    ctx = _context(args)
    _write_output(annual_text(ctx, args.year, args.format, args.lang), args.output)
    return 0


@command("publication due")
def publication_due(args: argparse.Namespace) -> int:
    from foimail.core.calendar import local_date
    from foimail.core.publication import upcoming
    from foimail.publication import format_due, load_publication, parse_within

    settings = _settings(args)
    try:
        within = parse_within(args.within)
    except ValueError as exc:
        raise FoimailError(str(exc)) from None
    from foimail.clock import utc_now

    today = local_date(utc_now(), settings.office.tz)
    sys.stdout.write(format_due(upcoming(load_publication(), today, within), settings.stats.lang))
    return 0
