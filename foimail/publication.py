"""The proactive-publication calendar, application side: read the annex file, list what falls due.

Ring 1. The rules live in foimail/core/publication.py; this module reads config/publication.toml (through
the settings reader, so a bad file reads like any other config error) and formats the listing for
`foimail publication due [--within 30d]`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import foimail
from foimail.config import _read_toml
from foimail.core.publication import PublicationDataError, PublicationItem, parse_publication, period_label
from foimail.core.statistics import LANGUAGES
from foimail.errors import ConfigError

__all__ = ["DEFAULT_PUBLICATION_PATH", "format_due", "load_publication", "parse_within"]

DEFAULT_PUBLICATION_PATH = Path(foimail.__file__).resolve().parent.parent / "config" / "publication.toml"

_WITHIN_PATTERN = re.compile(r"([0-9]+)\s*([dw]?)", re.IGNORECASE)
_NOTHING_DUE = {
    "ka": "ამ პერიოდში გამოქვეყნების ვადა არ იწურება.",
    "en": "No publication deadline falls in this period.",
}


def load_publication(path: Path | None = None) -> tuple[PublicationItem, ...]:
    """The annex items from `path` (default: config/publication.toml beside the package).

    ConfigError on a missing or unreadable file ("(file)"), bad TOML ("(syntax)"), or a bad entry (the
    item's id, or its position "#3" when it has no usable id).
    """
    source = DEFAULT_PUBLICATION_PATH if path is None else path
    data = _read_toml(source, required=True)
    try:
        return parse_publication(data)
    except PublicationDataError as exc:
        raise ConfigError(exc.item_id, str(source), exc.problem) from None


def parse_within(text: str) -> int:
    """A window in days from "30d", "30" or "2w" (weeks of 7 days); ValueError otherwise."""
    match = _WITHIN_PATTERN.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"not a number of days like 30d, 30 or 2w: {text!r}")
    count = int(match.group(1))
    return count * 7 if match.group(2).lower() == "w" else count


def format_due(items_with_dates: Iterable[tuple[date, PublicationItem]], lang: str = "ka") -> str:
    """The listing, one entry per deadline: date, id, Georgian title, English title, period; the note below.

    `lang` ("ka" or "en") names the period and the empty-listing line; both titles are always shown.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {lang!r}")
    lines: list[str] = []
    for deadline, item in items_with_dates:
        lines.append(
            f"{deadline.isoformat()}  {item.id}  {item.title_ka} / {item.title_en}  ({period_label(item.period, lang)})"
        )
        if item.note:
            lines.append(f"    {item.note}")
    if not lines:
        lines.append(_NOTHING_DUE[lang])
    return "\n".join(lines) + "\n"
