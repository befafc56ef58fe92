"""The `foimail` command: parse arguments, load Settings, call one function, map errors to one line.

Each command module adds its parsers and registers its handler beside them (`set_defaults(handler=...)`):
``daemon`` (schema, run, check, health, demo), ``cases`` (cases, messages, register, ingest),
``calendar`` (deadline, stats, publication) and ``oauth`` (login).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from foimail.cli import calendar, cases, daemon, oauth
from foimail.errors import ConfigError, FoimailError

EXIT_ERROR = 1
EXIT_CONFIG = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="foimail", description="The freedom-of-information mailbox daemon.")
    parser.add_argument("--config", help="TOML config file (default: $FOIMAIL_CONFIG, else ./config/foimail.toml)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (daemon, cases, calendar, oauth):
        module.add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
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
