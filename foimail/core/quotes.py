"""What an officer wrote, without the history their mail client quoted below or above it.

The quoted history can hold foimail's internal notices, so it never reaches the requester. Mail clients
mark where it starts in three ways, and the first marker found ends the officer's text:

- a separator line: Outlook's `-----Original Message-----`, Gmail's `---------- Forwarded message ---------`,
  Apple Mail's `Begin forwarded message:`, Outlook's `____` rule, each in its translations;
- a header block of the earlier message: From and one or more of Sent/To/Cc/Subject, in any order and language
  (`Von:/Gesendet:`, `От:/Отправлено:`, `გამგზავნი:/თემა:`), Outlook writing no `>` below it;
- an attribution line, possibly wrapped over three lines: "On … wrote:", "Am … schrieb …:", "… წერს:",
  "пн, 23 нояб. 2026 г. в 08:26, FOI <foi@batumi.ge>:". Apple/iOS Mail and Gmail may write the history
  below it without `>`, so everything below is history, not only the `>` lines.

A `>` line in the middle of the officer's text is the officer's own (a quoted article of law); only a quoted
block after the answer is history, and one before it (bottom-posting) too. A reply written between quoted
pieces is left whole: `history_left` then finds its attribution, and the officer is asked to rewrite it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from foimail.core.numbering import number_pattern
from foimail.core.quote_markers import (
    Field,
    attribution_strength,
    has_address,
    header_field,
    is_dashed_attribution,
    is_dated_address_line,
    is_lone_verb,
    is_separator,
    is_titled_rule,
)

_HEADER_BLOCK_REACH = 10  # lines: Outlook's block with wrapped recipients
_HEADER_BLOCK_GAP = 2  # lines that are no header field inside the block (a wrapped To: list)
_WRAP = 3  # lines an attribution may be wrapped over
_LONE_VERB_REACH = 6  # lines, blank ones included, above a lone "wrote:" its attribution may start


@dataclass(frozen=True)
class _Marker:
    start: int
    end: int  # the marker's last line
    attribution: bool


def strip_quoted(text: str) -> str:
    """The officer's own text: quoted history cut from its first marker down, quoted blocks around it removed."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return _joined(_own_lines(lines))


def history_left(answer: str, number_format: str) -> str | None:
    """Why `answer` (already cut) must not be relayed, or None: the fail-safe behind `strip_quoted`."""
    if not answer.strip():
        return (
            "nothing is left of the answer once the quoted history is removed"
            " / ციტირებული მიმოწერის მოჭრის შემდეგ პასუხისგან არაფერი რჩება"
        )
    lines = answer.split("\n")
    first = next(line for line in lines if line.strip())
    if first.rstrip() == "--":  # RFC 3676 §4.3's "-- " opens the text: a signature is all that is left
        return (
            "nothing but the signature is left of the answer once the quoted history is removed"
            " / ციტირებული მიმოწერის მოჭრის შემდეგ პასუხისგან მხოლოდ ხელმოწერა რჩება"
        )
    if _is_quoted(first):
        return (
            "the answer is written between quoted lines of the earlier message"
            " / პასუხი დაწერილია წინა წერილის ციტირებულ სტრიქონებს შორის"
        )
    number = number_pattern(number_format)
    tag = re.compile(rf"\[\s*(?:{number.pattern})\s*\]", re.IGNORECASE)
    for index, line in enumerate(lines):
        why = _history_line(line, number, tag)
        if why is not None:
            return why
        for start in range(index, max(-1, index - _WRAP), -1) if line.rstrip().endswith((":", "：")) else ():
            if _plain_span(lines, start, index) and attribution_strength(" ".join(lines[start : index + 1])):
                quoted = " ".join(lines[start : index + 1]).strip()
                return f"{_ATTRIBUTION_LEFT}: {quoted!r}"
    return None


_ATTRIBUTION_LEFT = "the answer still holds an attribution line / პასუხში დარჩა ციტირების შესავალი"
_HEADER_LEFT = "the answer still holds a header line of an earlier message / პასუხში დარჩა წინა წერილის სათაური"
_QUOTE_PREFIX = re.compile(r"^(?:\s*>)+\s?")


def _history_line(line: str, number: re.Pattern[str], tag: re.Pattern[str]) -> str | None:
    """Why this one line is history, quoted or not: a ">" block the officer kept in the middle may be their
    quote of a law, but not when it holds a forwarded message's separator, header lines or attribution."""
    if tag.search(line):
        return (
            f"the answer still holds a case-tagged subject line / პასუხში დარჩა საქმის ნომრიანი თემა: {line.strip()!r}"
        )
    bare = _QUOTE_PREFIX.sub("", line)
    if is_dashed_attribution(bare):
        return f"{_ATTRIBUTION_LEFT}: {line.strip()!r}"
    field = header_field(bare)
    if field is not None and (has_address(field[1]) or field[0] == Field.SUBJECT and number.search(field[1])):
        return f"{_HEADER_LEFT}: {line.strip()!r}"
    if bare != line and is_separator(bare) and bare.strip():
        return f"the answer quotes an earlier message / პასუხში ციტირებულია წინა წერილი: {line.strip()!r}"
    if bare != line and bare.rstrip().endswith((":", "：")) and attribution_strength(bare) >= 2:
        return f"{_ATTRIBUTION_LEFT}: {line.strip()!r}"
    return None


def _own_lines(lines: list[str]) -> list[str]:
    marker = _first_marker(lines)
    if marker is None:
        return _without_quoted_ends(lines)
    if marker.attribution and not any(line.strip() for line in lines[: marker.start]):
        # Bottom-posted: the attribution and its quoted block first, the answer below.
        below = _skip_quoted(lines, marker.end + 1)
        if below == marker.end + 1:
            return []  # history without ">" runs to the end
        rest = lines[below:]
        following = _first_marker(rest)
        answer = _without_quoted_ends(rest[: following.start] if following else rest)
        return lines if any(_is_quoted(line) for line in answer) else answer
    if marker.attribution and _written_below_the_quote(lines, marker.end + 1):
        return lines  # the officer wrote on below the quoted block: left whole, `history_left` stops it
    return _without_quoted_ends(lines[: marker.start])


def _written_below_the_quote(lines: list[str], index: int) -> bool:
    """A ">" block right below an attribution, then unquoted text: the officer's own (an interleaved answer,
    a sign-off placed below the quote). Cutting it would drop it unseen; relaying it would relay the quote.

    Unquoted lines glued between quoted ones (no blank line either side) are a quoted line the client
    wrapped ("> View ticket (http://…\n_nonce=3dd518)\n>"), not the officer's; a "-- " signature is no answer.
    """
    start = _skip_quoted(lines, index)
    if not any(_is_quoted(line) for line in lines[index:start]):
        return False
    while start < len(lines):
        end = start
        while end < len(lines) and lines[end].strip() and not _is_quoted(lines[end]):
            end += 1
        if not (_is_quoted(lines[start - 1]) and end < len(lines) and _is_quoted(lines[end])):
            return lines[start].rstrip() != "--"  # Thunderbird's signature below the quote: no answer lost
        start = _skip_quoted(lines, end)
    return False


def _first_marker(lines: list[str]) -> _Marker | None:
    only_quotes_below = _only_quotes_below(lines)
    fields = [header_field(line) for line in lines]
    for index, line in enumerate(lines):
        if is_lone_verb(line) and (start := _wrapped_attribution_start(lines, index)) is not None:
            return _Marker(start, index, attribution=True)
        if _is_quoted(line):
            continue
        if is_separator(line) or is_dashed_attribution(line) or _header_block_at(fields, index):
            return _Marker(index, index, attribution=False)
        if is_titled_rule(line) and _header_block_at(fields, _next_filled(lines, index + 1)):
            return _Marker(index, index, attribution=False)
        start = _attribution_ending_at(lines, index, only_quotes_below[index + 1])
        if start is not None:
            return _Marker(start, index, attribution=True)
    return None


def _only_quotes_below(lines: list[str]) -> list[bool]:
    """Per index: the lines from there on are quoted or blank, and one at least is quoted."""
    below = [False] * (len(lines) + 1)
    all_quoted_or_blank, any_quoted = True, False
    for index in range(len(lines) - 1, -1, -1):
        line = lines[index]
        all_quoted_or_blank = all_quoted_or_blank and (not line.strip() or _is_quoted(line))
        any_quoted = any_quoted or _is_quoted(line)
        below[index] = all_quoted_or_blank and any_quoted
    return below


def _attribution_ending_at(lines: list[str], end: int, only_quotes_below: bool) -> int | None:
    """The first line of an attribution ending at `end`: the surest reading, the shortest of those.

    A bare "Lasha wrote:" (no date, no address) counts only when nothing but quoted lines follow it.
    """
    if not lines[end].rstrip().endswith((":", "：")):
        return end if only_quotes_below and is_dated_address_line(lines[end]) else None
    spans = [start for start in range(end, max(-1, end - _WRAP), -1) if _plain_span(lines, start, end)]
    strengths = [(attribution_strength(" ".join(lines[start : end + 1])), start) for start in spans]
    strength, start = max(strengths, key=lambda pair: (pair[0], pair[1]), default=(0, end))
    if strength >= 2 or strength == 1 and only_quotes_below:
        return start
    return None


def _wrapped_attribution_start(lines: list[str], end: int) -> int | None:
    """Where the attribution ending in the lone verb at `end` starts: the nearest line from which the text
    (blank lines and a stray "<" skipped, as Polymail wraps "On … John Smith\n\n<\nmailto:…>\n> wrote:") is a
    dated attribution."""
    verb = lines[end].strip().lstrip(">").strip()
    for start in range(end - 1, max(-1, end - 1 - _LONE_VERB_REACH), -1):
        if _is_quoted(lines[start]):
            return None
        text = " ".join(line.strip() for line in lines[start:end] if line.strip())
        if text and attribution_strength(f"{text} {verb}") >= 3:
            return start
    return None


def _header_block_at(fields: list[tuple[Field, str] | None], index: int) -> bool:
    """Two or more header fields of an earlier message from `index` on, one of them From.

    Every client writes From; a formal letter's own "თემა:/თარიღი:" (Subject/Date) lines do not make a block.
    """
    if index >= len(fields) or (first := fields[index]) is None:
        return False
    kinds = {first[0]}
    gap = 0
    for field in fields[index + 1 : index + _HEADER_BLOCK_REACH]:
        if field is not None:
            kinds.add(field[0])
            gap = 0
            continue
        gap += 1
        if gap > _HEADER_BLOCK_GAP:
            break
    return len(kinds) >= 2 and Field.FROM in kinds


def _without_quoted_ends(lines: list[str]) -> list[str]:
    """Drop a quoted block after the answer, and one before it when no other quoted line follows."""
    end = len(lines)
    while end and (not lines[end - 1].strip() or _is_quoted(lines[end - 1])):
        end -= 1
    lines = lines[:end]
    start = _skip_quoted(lines, 0)
    if any(_is_quoted(line) for line in lines[:start]) and not any(_is_quoted(line) for line in lines[start:]):
        return lines[start:]
    return lines


def _skip_quoted(lines: list[str], index: int) -> int:
    """The index of the first line from `index` on that is neither blank nor quoted."""
    while index < len(lines) and (not lines[index].strip() or _is_quoted(lines[index])):
        index += 1
    return index


def _next_filled(lines: list[str], index: int) -> int:
    while index < len(lines) and not lines[index].strip():
        index += 1
    return index


def _plain_span(lines: list[str], start: int, end: int) -> bool:
    return all(lines[i].strip() and not _is_quoted(lines[i]) for i in range(start, end + 1))


def _is_quoted(line: str) -> bool:
    return line.lstrip().startswith(">")


def _joined(lines: list[str]) -> str:
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    while lines and not lines[0].strip():
        lines = lines[1:]
    return "\n".join(lines) + ("\n" if lines else "")
