"""Commands for officers and the FOI lead: cases, stored messages, registering a set-aside message, ingest."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlalchemy import select

from foimail.cli.common import context_from, flush_outbox
from foimail.core.numbering import normalise_number
from foimail.core.vocabulary import Direction
from foimail.errors import CaseNotFound, FoimailError
from foimail.runners import handle_message
from foimail.store.db import unit_of_work
from foimail.store.models import StoredMessage
from foimail.store.queries import case_by_number, list_cases, set_aside_messages
from foimail.usecases.casework import promote_message
from foimail.usecases.export import CASE_FIELDS, case_record, to_csv, to_json, to_table


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    ingest_parser = commands.add_parser("ingest", help="process .eml files as if they had arrived")
    ingest_parser.add_argument("files", nargs="+", type=Path)
    ingest_parser.set_defaults(handler=ingest)

    cases = commands.add_parser("cases", help="list and show cases").add_subparsers(dest="cases_command", required=True)
    listing = cases.add_parser("list", help="list cases")
    listing.add_argument("--status", choices=["open", "closed"])
    listing.add_argument("--format", choices=["table", "json", "csv"], default="table")
    listing.set_defaults(handler=cases_list)
    show = cases.add_parser("show", help="show one case with its messages and history")
    show.add_argument("number")
    show.add_argument("--format", choices=["table", "json"], default="table")
    show.set_defaults(handler=cases_show)

    messages = commands.add_parser("messages", help="stored messages").add_subparsers(
        dest="messages_command", required=True
    )
    stored = messages.add_parser("list", help="list stored inbound messages")
    stored.add_argument("--unregistered", action="store_true", help="only those that became no case")
    stored.add_argument("--format", choices=["table", "json"], default="table")
    stored.set_defaults(handler=messages_list)
    export = messages.add_parser("export", help="write a stored message's raw bytes to a file or stdout")
    export.add_argument("message_id", type=int)
    export.add_argument("--output", type=Path)
    export.set_defaults(handler=messages_export)

    register_parser = commands.add_parser("register", help="register a set-aside message as a case, as of its arrival")
    register_parser.add_argument("message_id", type=int, help="the message's number from `foimail messages list`")
    register_parser.set_defaults(handler=register)


def ingest(args: argparse.Namespace) -> int:
    ctx = context_from(args)
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
    flush_outbox(ctx)
    return status


def cases_list(args: argparse.Namespace) -> int:
    ctx = context_from(args)
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


def cases_show(args: argparse.Namespace) -> int:
    ctx = context_from(args)
    number = normalise_number(args.number, ctx.settings.numbering.format) or args.number
    with unit_of_work(ctx.sessions) as session:
        case = case_by_number(session, number)
        if case is None:
            raise CaseNotFound(number)
        record = case_record(case)
        record["requester_source"] = case.requester_source  # where the address was read, when not a clean From
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


def messages_list(args: argparse.Namespace) -> int:
    ctx = context_from(args)
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


def messages_export(args: argparse.Namespace) -> int:
    ctx = context_from(args)
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


def register(args: argparse.Namespace) -> int:
    ctx = context_from(args)
    number = promote_message(ctx, args.message_id)
    print(f"message #{args.message_id} registered as {number}; its confirmation is queued")
    flush_outbox(ctx)
    return 0
