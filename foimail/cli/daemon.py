"""Commands for the admin: the schema, the daemon, its checks and health, the demonstration."""

from __future__ import annotations

import argparse
from pathlib import Path

from sqlalchemy.engine import make_url

from foimail.checks import run_checks
from foimail.cli.common import context_from, settings_from
from foimail.demo import run_demo
from foimail.service import run_daemon
from foimail.store.db import upgrade
from foimail.usecases.health import daemon_health


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    db = commands.add_parser("db", help="database schema").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="create or upgrade the schema").set_defaults(handler=db_upgrade)
    commands.add_parser("run", help="run the daemon (IMAP intake, outbox, scheduler)").set_defaults(handler=run)
    commands.add_parser("check", help="validate config, log in to IMAP and SMTP, open the database").set_defaults(
        handler=check
    )
    commands.add_parser("health", help="exit non-zero when the running daemon is unhealthy, saying why").set_defaults(
        handler=health
    )
    demo_parser = commands.add_parser("demo", help="a local demonstration: Maildir in, .eml files out, SQLite")
    demo_parser.add_argument("--dir", type=Path, default=Path("foimail-demo"))
    demo_parser.set_defaults(handler=demo)


def db_upgrade(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    parsed = make_url(settings.database.url)
    new_file = parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").exists()
    upgrade(settings.database.url)
    created = " (a new, empty database was created)" if new_file else ""
    print(f"database schema is up to date ({parsed.render_as_string(hide_password=True)}){created}")
    return 0


def run(args: argparse.Namespace) -> int:
    return run_daemon(settings_from(args))


def check(args: argparse.Namespace) -> int:
    failures = 0
    for name, ok, detail in run_checks(settings_from(args)):
        print(f"{'ok  ' if ok else 'FAIL'} {name}: {detail}")
        failures += not ok
    return 1 if failures else 0


def health(args: argparse.Namespace) -> int:
    problems = daemon_health(context_from(args))
    for problem in problems:
        print(f"unhealthy: {problem}")
    if not problems:
        print("healthy")
    return 1 if problems else 0


def demo(args: argparse.Namespace) -> int:
    print(run_demo(args.dir, settings_from(args)))
    return 0
