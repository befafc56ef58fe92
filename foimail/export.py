"""Tables out: CSV (UTF-8 with BOM so Excel shows Georgian; formula cells neutralised) and JSON."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from foimail.store.models import Case

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CASE_FIELDS = (
    "number",
    "status",
    "outcome",
    "requester",
    "subject",
    "received_at",
    "registered_at",
    "confirmed_at",
    "due_date",
    "answered_at",
    "assigned_officer",
    "deciding_official",
    "refusal_ground",
    "refusal_act",
    "forwarded_to",
)


def case_record(case: Case) -> dict[str, Any]:
    """A case as plain values: ISO 8601 dates, times with their UTC offset."""
    return {
        "number": case.number,
        "status": case.status,
        "outcome": case.outcome,
        "requester": case.requester_address,
        "requester_name": case.requester_name,
        "subject": case.subject,
        "received_at": _iso(case.received_at),
        "registered_at": _iso(case.registered_at),
        "confirmed_at": _iso(case.confirmed_at),
        "due_date": _iso(case.due_date),
        "answered_at": _iso(case.answered_at),
        "assigned_officer": case.assigned_officer,
        "deciding_official": case.deciding_official,
        "refusal_ground": case.refusal_ground,
        "refusal_act": case.refusal_act,
        "forwarded_to": case.forwarded_to,
    }


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def neutralise(cell: Any) -> Any:
    """Keep a spreadsheet from running a cell as a formula (CSV injection, OWASP)."""
    if isinstance(cell, str) and cell.startswith(FORMULA_PREFIXES):
        return "'" + cell
    return cell


def to_csv(rows: Iterable[Mapping[str, Any]], columns: Sequence[str], labels: Sequence[str] | None = None) -> str:
    """CSV text starting with a BOM; an optional first row of human labels before the machine names."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if labels:
        writer.writerow(labels)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([neutralise("" if row.get(c) is None else row.get(c)) for c in columns])
    return "\ufeff" + buffer.getvalue()


def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n"


def to_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """A plain text table for the terminal."""
    cells = [[("" if row.get(c) is None else str(row.get(c))).replace("\n", " ") for c in columns] for row in rows]
    widths = [min(50, max([len(c)] + [len(r[i]) for r in cells])) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    for row in cells:
        lines.append("  ".join(v[:w].ljust(w) for v, w in zip(row, widths, strict=True)))
    return "\n".join(lines) + "\n"
