"""Tables out: CSV (UTF-8 with BOM so Excel shows Georgian; formula cells neutralised) and JSON.

Cases, and the statistics of ``foimail.store.statistics``.

Annual CSV layout (one table, ``ANNUAL_CSV_COLUMNS``, one measure per row):
``section, official, refusal_ground, refusal_act, measure, value, label``

- ``totals`` — the 2.4 row for the Art. 49 period, one row per column (``measure`` = column name);
- ``by_official`` — per deciding official: ``answered_full``, ``answered_partial``, ``refused``,
  ``not_held``, ``forwarded``, ``decisions`` (``official`` empty: no official recorded);
- ``by_act`` — per (ground, act relied on): ``answered_partial``, ``refused``, ``refusals``
  (``refusal_act`` empty: no act recorded, or only blanks; acts are grouped as written, trimmed);
- ``appeals`` — ``refusals_open_to_appeal`` counted; ``appeals_lodged``, ``appeals_upheld`` empty;
- ``office`` — ``personal_data_note``, ``breaches_and_penalties``, ``costs_gel``, always empty.

``label`` is the measure's human label in the chosen language, empty without one; with a language the file
also starts with a row of human labels for the header.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from foimail.core import statistics as rules
from foimail.store.models import Case

ANNUAL_CSV_COLUMNS = tuple(column.name for column in rules.ANNUAL_CSV_COLUMNS)
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
    "forward_by",
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
        "forward_by": _iso(case.forward_by),  # GAC Art. 80(1), when marked #toforward
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


def render_statistics(stats: Mapping[str, object], fmt: str, lang: str | None = None) -> str:
    """CSV or JSON text of `quarterly_statistics` or `annual_report` output (see the module docstring).

    Machine names always; with `lang` ("ka" or "en") a CSV starts with a row of human labels and a JSON
    document gains a ``labels`` object mapping each name used to its label.
    """
    if fmt not in ("csv", "json"):
        raise ValueError(f"format must be csv or json, not {fmt!r}")
    if lang is not None and lang not in rules.LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(rules.LANGUAGES)}, not {lang!r}")
    annual = "totals" in stats
    if fmt == "json":
        document = dict(stats)
        if lang is not None:
            names = rules.ALL_NAMES if annual else rules.COLUMN_NAMES
            document["labels"] = {name: rules.label_for(name, lang) for name in names}
        return to_json(document)
    names = ANNUAL_CSV_COLUMNS if annual else rules.COLUMN_NAMES
    rows = _annual_rows(stats, lang) if annual else [stats]
    return to_csv(rows, names, rules.labels(names, lang) if lang else None)


def _annual_rows(stats: Mapping[str, object], lang: str | None) -> list[dict[str, object]]:
    """The annual report as (section, official, ground, act, measure, value, label) rows."""

    def line(section: str, measure: str, value: object, **keys: object) -> dict[str, object]:
        label = rules.label_for(measure, lang) if lang else None
        return {"section": section, **keys, "measure": measure, "value": value, "label": label}

    totals = _mapping(stats["totals"])
    lines = [line("totals", name, totals[name]) for name in rules.COLUMN_NAMES]
    for entry in _sequence(stats["by_official"]):
        official = _mapping(entry)
        for label in rules.BY_OFFICIAL_MEASURES[1:]:
            lines.append(line("by_official", label.name, official[label.name], official=official["deciding_official"]))
    for entry in _sequence(stats["by_act"]):
        act = _mapping(entry)
        for label in rules.BY_ACT_MEASURES[2:]:
            lines.append(
                line(
                    "by_act",
                    label.name,
                    act[label.name],
                    refusal_ground=act["refusal_ground"],
                    refusal_act=act["refusal_act"],
                )
            )
    for section in ("appeals", "office"):
        lines.extend(line(section, name, value) for name, value in _mapping(stats[section]).items())
    return lines


def _mapping(value: object) -> Mapping[str, object]:
    assert isinstance(value, Mapping)
    return value


def _sequence(value: object) -> Sequence[object]:
    assert isinstance(value, Sequence)
    return value
