"""Registration numbers: the one place that knows their format (GAC Art. 79(1); res. No. 3 Art. 4.3).

GAC Art. 79(1) gives every application a number on the day it is received, and res. No. 3 Art. 4.3 has the
confirmation quote it; officers then carry it in their subjects. The office sets the format, e.g. the default
``FOI-{year}-{seq:05d}``: exactly one ``{year}`` (four digits) and one ``{seq}`` or ``{seq:0Nd}`` (zero-padded
to N digits, 1 <= N <= 9), with literal text around them.

Reading is lenient where people are sloppy and strict where mail is noisy: any case, the sequence with or
without its zero padding, and any Unicode dash where the format has ``-`` (word processors turn ``-`` into
``–``); but the number must stand on its own, never inside a longer run of letters or digits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "DEFAULT_FORMAT",
    "MAX_SEQ",
    "find_numbers",
    "format_number",
    "normalise_number",
    "number_pattern",
    "parse_number",
    "validate_format",
]

DEFAULT_FORMAT = "FOI-{year}-{seq:05d}"
MAX_SEQ = 999_999_999  # nine digits: more than any office registers, and a bound for reading
_MIN_YEAR, _MAX_YEAR = 1000, 9999

_FIELD = re.compile(r"\{[^{}]*\}|[{}]")
_SEQ_FIELD = re.compile(r"\{seq(?::0([1-9])d)?\}")
_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2212"  # hyphen, hyphen, non-breaking hyphen, figure, en, em, minus
_FORBIDDEN = re.compile(r"[\s\[\]]")
_EDGE = "0-9A-Za-z"  # what may not touch a number: ASCII letters and digits (Georgian suffixes may)


@dataclass(frozen=True)
class _Format:
    """A validated format: literal text and the two fields, in order."""

    parts: tuple[str, ...]  # literal text, or the markers "{year}" / "{seq}"
    seq_width: int


def validate_format(fmt: str) -> None:
    """Raise ValueError, saying what is wrong, unless `fmt` is a usable registration-number format."""
    _parse_format(fmt)


@lru_cache(maxsize=32)
def _parse_format(fmt: str) -> _Format:
    if not fmt:
        raise ValueError("numbering format is empty")
    if _FORBIDDEN.search(fmt):
        raise ValueError(f"numbering format {fmt!r} must not contain spaces or square brackets")
    parts: list[str] = []
    seq_width = 0
    position = 0
    for field in _FIELD.finditer(fmt):
        if field.start() > position:
            parts.append(fmt[position : field.start()])
        position = field.end()
        text = field.group()
        if text == "{year}":
            parts.append("{year}")
        elif seq := _SEQ_FIELD.fullmatch(text):
            parts.append("{seq}")
            seq_width = int(seq.group(1) or 1)
        else:
            raise ValueError(
                f"numbering format {fmt!r}: {text!r} is not allowed;"
                " use {year}, {seq} or {seq:0Nd} (N from 1 to 9)"
            )
    if position < len(fmt):
        parts.append(fmt[position:])
    for name in ("{year}", "{seq}"):
        if parts.count(name) != 1:
            raise ValueError(f"numbering format {fmt!r} must contain {name} exactly once")
    if not any(ch.isalpha() for part in parts if part not in ("{year}", "{seq}") for ch in part):
        raise ValueError(f"numbering format {fmt!r} needs a letter outside the fields, e.g. 'FOI-'")
    _check_separated(fmt, parts)
    return _Format(parts=tuple(parts), seq_width=seq_width)


def _check_separated(fmt: str, parts: list[str]) -> None:
    """Fields must be kept apart from each other and from digits, or a number could be read two ways."""
    for index, part in enumerate(parts):
        if part not in ("{year}", "{seq}"):
            continue
        before = parts[index - 1] if index > 0 else ""
        after = parts[index + 1] if index + 1 < len(parts) else ""
        if before in ("{year}", "{seq}") or after in ("{year}", "{seq}"):
            raise ValueError(f"numbering format {fmt!r}: put literal text between {{year}} and {{seq}}")
        if before[-1:].isdigit() or after[:1].isdigit():
            raise ValueError(f"numbering format {fmt!r}: a digit must not touch {part}")


def format_number(fmt: str, year: int, seq: int) -> str:
    """The registration number for sequence `seq` of `year`, e.g. ``FOI-2026-00042``."""
    parsed = _parse_format(fmt)
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        raise ValueError(f"year {year} is not a four-digit year")
    if not 1 <= seq <= MAX_SEQ:
        raise ValueError(f"sequence {seq} is outside 1..{MAX_SEQ}")
    pieces = {"{year}": str(year), "{seq}": f"{seq:0{parsed.seq_width}d}"}
    return "".join(pieces.get(part, part) for part in parsed.parts)


@lru_cache(maxsize=32)
def _core_regex(fmt: str) -> str:
    parsed = _parse_format(fmt)
    pieces = {"{year}": "(?P<year>[0-9]{4})", "{seq}": "(?P<seq>[0-9]{1,9})"}
    out: list[str] = []
    for part in parsed.parts:
        if part in pieces:
            out.append(pieces[part])
        else:
            out.append("".join(f"[{_DASHES}]" if ch == "-" else re.escape(ch) for ch in part))
    return "".join(out)


@lru_cache(maxsize=32)
def number_pattern(fmt: str) -> re.Pattern[str]:
    """A pattern finding numbers in free text (groups ``year`` and ``seq``); any case, padding optional.

    A number glued to ASCII letters or digits (``XFOI-2026-1``, ``FOI-2026-000421234567``) is not one.
    """
    return re.compile(f"(?<![{_EDGE}]){_core_regex(fmt)}(?![{_EDGE}])", re.IGNORECASE)


@lru_cache(maxsize=32)
def _whole_pattern(fmt: str) -> re.Pattern[str]:
    return re.compile(_core_regex(fmt), re.IGNORECASE)


def _values(match: re.Match[str]) -> tuple[int, int] | None:
    year, seq = int(match.group("year")), int(match.group("seq"))
    if year < _MIN_YEAR or not 1 <= seq <= MAX_SEQ:
        return None
    return year, seq


def parse_number(text: str, fmt: str) -> tuple[int, int] | None:
    """``(year, seq)`` when the whole of `text` (surrounding spaces aside) is a number, else None."""
    match = _whole_pattern(fmt).fullmatch(text.strip())
    return _values(match) if match else None


def normalise_number(text: str, fmt: str) -> str | None:
    """The number in its canonical spelling (``foi-2026-42`` -> ``FOI-2026-00042``), or None."""
    values = parse_number(text, fmt)
    return format_number(fmt, *values) if values else None


def find_numbers(text: str, fmt: str) -> tuple[str, ...]:
    """Every number in `text`, normalised, in order of appearance, without repeats."""
    found: list[str] = []
    for match in number_pattern(fmt).finditer(text):
        values = _values(match)
        if values is not None:
            number = format_number(fmt, *values)
            if number not in found:
                found.append(number)
    return tuple(found)
