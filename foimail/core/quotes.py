"""What an officer wrote, without the history their mail client quoted below or above it.

Mail clients quote the message being answered: Outlook under a `-----Original Message-----` or a
`From:/Sent:` block (everything below is history), Thunderbird, Gmail and Apple Mail with an attribution
line ("On ... wrote:") and `>`-prefixed lines, above or below the answer. The quoted history can hold
foimail's internal notices, so it never reaches the requester.
"""

from __future__ import annotations

import re

# Outlook and webmail: a separator after which everything is the quoted message.
_HISTORY_STARTS = (
    re.compile(
        r"^\s*-{2,}\s*(Original Message|Forwarded message|Исходное сообщение|Пересылаемое сообщение"
        r"|თავდაპირველი წერილი|გადაგზავნილი წერილი)\s*-{2,}\s*$",
        re.I,
    ),
    re.compile(r"^\s*_{20,}\s*$"),  # Outlook's rule line above "From: ... Sent: ..."
)
# Outlook's header block of the quoted message: "From:" (or Georgian/Russian) then "Sent:"/"Date:" soon after.
_FROM_LINE = re.compile(r"^\s*\*?(From|От|ვისგან|გამგზავნი)\s*:\*?\s+\S", re.I)
_SENT_LINE = re.compile(r"^\s*\*?(Sent|Date|Отправлено|Дата|გაიგზავნა|თარიღი)\s*:\*?\s+\S", re.I)
# Attribution lines: "On <date>, <name> wrote:" and its translations, possibly wrapped over two lines.
_ATTRIBUTION_END = re.compile(r"(wrote|writes|schrieb|a écrit|написал\(?а?\)?|пишет|წერს|დაწერა)\s*:\s*$", re.I)
_ATTRIBUTION_START = re.compile(
    r"^\s*(On |Am |Le |El |\d{1,2}[./]\d{1,2}[./]\d{2,4}|\d{4}-\d{2}-\d{2}|"
    r"[А-Яа-я]{2,3},? \d|\d{1,2} [^\W\d]+ \d{4})",
    re.I,
)


def strip_quoted(text: str) -> str:
    """The text without quoted history: Outlook's block and everything after it, `>` lines, attributions."""
    lines = text.replace("\r\n", "\n").split("\n")
    lines = lines[: _history_start(lines)]
    kept: list[str] = []
    for index, line in enumerate(lines):
        if line.lstrip().startswith(">"):
            continue
        if _is_attribution(lines, index):
            continue
        kept.append(line)
    while kept and not kept[-1].strip():
        kept.pop()
    while kept and not kept[0].strip():
        kept.pop(0)
    return "\n".join(kept) + ("\n" if kept else "")


def _history_start(lines: list[str]) -> int:
    for index, line in enumerate(lines):
        if any(pattern.match(line) for pattern in _HISTORY_STARTS):
            return index
        if _FROM_LINE.match(line) and any(_SENT_LINE.match(later) for later in lines[index + 1 : index + 4]):
            return index
    return len(lines)


def _is_attribution(lines: list[str], index: int) -> bool:
    """An attribution line, or the first half of one wrapped onto the next line, next to quoted text."""
    line = lines[index]
    following = lines[index + 1] if index + 1 < len(lines) else ""
    if _ATTRIBUTION_END.search(line) and (_ATTRIBUTION_START.match(line) or _quote_follows(lines, index)):
        return True
    if _ATTRIBUTION_START.match(line) and _ATTRIBUTION_END.search(following):
        return True
    previous = lines[index - 1] if index > 0 else ""
    return bool(_ATTRIBUTION_END.search(line) and _ATTRIBUTION_START.match(previous))


def _quote_follows(lines: list[str], index: int) -> bool:
    """The next non-blank line after `index` is quoted with `>`."""
    for later in lines[index + 1 :]:
        if later.strip():
            return later.lstrip().startswith(">")
    return False
