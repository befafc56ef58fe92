"""The `foimail` command: parse arguments, load Settings, call one function, map errors to one line."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from foimail.errors import ConfigError, FoimailError

EXIT_ERROR = 1
EXIT_CONFIG = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="foimail", description="The freedom-of-information mailbox daemon.")
    parser.add_argument("--config", help="TOML config file (default: $FOIMAIL_CONFIG, else ./config/foimail.toml)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    db = commands.add_parser("db", help="database schema").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="create or upgrade the schema")

    commands.add_parser("run", help="run the daemon (IMAP intake, outbox, scheduler)")
    commands.add_parser("check", help="validate config, log in to IMAP and SMTP, open the database")
    commands.add_parser("health", help="exit non-zero when the running daemon is unhealthy, saying why")

    ingest = commands.add_parser("ingest", help="process .eml files as if they had arrived")
    ingest.add_argument("files", nargs="+", type=Path)

    cases = commands.add_parser("cases", help="list and show cases").add_subparsers(dest="cases_command", required=True)
    listing = cases.add_parser("list", help="list cases")
    listing.add_argument("--status", choices=["open", "closed"])
    listing.add_argument("--format", choices=["table", "json", "csv"], default="table")
    show = cases.add_parser("show", help="show one case with its messages and history")
    show.add_argument("number")
    show.add_argument("--format", choices=["table", "json"], default="table")

    messages = commands.add_parser("messages", help="stored messages").add_subparsers(
        dest="messages_command", required=True
    )
    unregistered = messages.add_parser("list", help="list stored inbound messages")
    unregistered.add_argument("--unregistered", action="store_true", help="only those that became no case")
    unregistered.add_argument("--format", choices=["table", "json"], default="table")
    export = messages.add_parser("export", help="write a stored message's raw bytes to a file or stdout")
    export.add_argument("message_id", type=int)
    export.add_argument("--output", type=Path)

    register = commands.add_parser("register", help="register a set-aside message as a case, as of its arrival")
    register.add_argument("message_id", type=int, help="the message's number from `foimail messages list`")

    deadline = commands.add_parser("deadline", help="the due date a confirmation at DATETIME gets")
    deadline.add_argument("moment", nargs="?", help="ISO datetime; without an offset it is the office's time")
    deadline.add_argument("--recompute", action="store_true", help="recompute the due dates of all open cases")

    stats = commands.add_parser("stats", help="statistics").add_subparsers(dest="stats_command", required=True)
    quarterly = stats.add_parser("quarterly", help="annex item 2.4 statistics for one quarter")
    quarterly.add_argument("--quarter", required=True, help="e.g. 2026Q3")
    annual = stats.add_parser("annual", help="the yearly GAC Art. 49 report")
    annual.add_argument("--year", required=True, type=int)
    for sub in (quarterly, annual):
        sub.add_argument("--output", type=Path, help="write here instead of stdout")
        sub.add_argument("--format", choices=["csv", "json"], default="csv")
        sub.add_argument("--lang", choices=["ka", "en"], help="add a header row of human labels")

    publication = commands.add_parser("publication", help="the proactive-publication calendar")
    publication.add_subparsers(dest="publication_command", required=True).add_parser(
        "due", help="what is due"
    ).add_argument("--within", default="30d", help="e.g. 30d")

    demo = commands.add_parser("demo", help="a local demonstration: Maildir in, .eml files out, SQLite")
    demo.add_argument("--dir", type=Path, default=Path("foimail-demo"))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from foimail import commands

    handler: Callable[[argparse.Namespace], int] = commands.HANDLERS[_command_key(args)]
    try:
        return handler(args)
    except ConfigError as exc:
        print(f"foimail: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except FoimailError as exc:
        print(f"foimail: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `foimail cases list | head`: the reader left; say nothing more
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _command_key(args: argparse.Namespace) -> str:
    sub = getattr(args, f"{args.command}_command", None)
    return f"{args.command} {sub}" if sub else args.command


if __name__ == "__main__":
    sys.exit(main())
