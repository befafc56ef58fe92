"""Logs an admin can read: one line per event on stderr, key=value or JSON; never message bodies."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime


class KeyValueFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        line = f"{when} level={record.levelname.lower()} logger={record.name} msg={record.getMessage()}"
        if record.exc_info:
            line += " exc=" + repr(self.formatException(record.exc_info))
        return line


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def setup_logging(level: str = "INFO", style: str = "keyvalue") -> None:
    """Configure the root logger once; calling again replaces the handler (SIGHUP reopens stderr)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if style == "json" else KeyValueFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("imapclient", "apscheduler", "aiosmtplib", "alembic", "httpx2", "httpcore2", "authlib"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
