"""What every command handler needs: the settings (with logging set up), the application context, output."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from foimail.config import Settings, load_settings
from foimail.context import AppContext, build_context
from foimail.logs import setup_logging
from foimail.runners import OutboxRunner


def settings_from(args: argparse.Namespace) -> Settings:
    settings = load_settings(args.config)
    setup_logging(settings.log.level, settings.log.format)
    return settings


def context_from(args: argparse.Namespace) -> AppContext:
    return build_context(settings_from(args))


def flush_outbox(ctx: AppContext) -> None:
    """Send what the command queued, when an SMTP server or pickup folder is configured."""
    if not (ctx.settings.smtp.host or ctx.settings.smtp.pickup_dir):
        return
    runner = OutboxRunner(ctx)
    try:
        while runner.run_once():
            pass
    finally:
        runner.close()


def write_output(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
