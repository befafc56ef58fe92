"""Where mail clients put the quoted history in an HTML reply: the elements, not the words.

Two shapes. Most clients wrap the whole history in one element (a *container*): Gmail's
`div.gmail_quote`, Apple Mail's and Thunderbird's `blockquote type="cite"`, Thunderbird's
`div.moz-cite-prefix`, Yahoo's `div.yahoo_quoted`, Proton's `div.protonmail_quote`, Zoho's
`div.zmail_extra`, Mail.ru's `div.mail-quote-collapse`, Spark's `div[name=messageReplySection]`.
Outlook does not: it writes a *start* after which everything is history (`div#divRplyFwdMsg` with the
`hr` above it, `div#appendonsend`, the desktop client's `border-top` header paragraph, Outlook for Mac's
`#OLK_SRC_BODY_SECTION`, Zimbra's `hr#zwchr`). A plain `<blockquote>` (Yandex, an indent in Gmail) is
neither: it becomes `>` lines and the text rules of `core.quotes` decide.
"""

from __future__ import annotations

import re
from enum import StrEnum


class HistoryMark(StrEnum):
    CONTAINER = "container"  # the element holds the history
    START = "start"  # the history starts here and runs to the end of the document


_CONTAINER_CLASSES = frozenset(
    {
        "gmail_quote",
        "gmail_quote_container",
        "gmail_attr",
        "x_gmail_quote",
        "moz-cite-prefix",
        "moz-forward-container",
        "protonmail_quote",
        "zmail_extra",
        "zmail_extra_hr",
        "mail-quote-collapse",
        "yandex_quote",
        "apple-mail-quote",
    }
)
_START_IDS = frozenset(
    {
        "divrplyfwdmsg",
        "x_divrplyfwdmsg",
        "appendonsend",
        "x_appendonsend",
        "stopspelling",
        "zwchr",
        "olk_src_body_section",
        "mail-editor-reference-message-container",
    }
)
_START_CLASSES = frozenset({"outlookmessageheader"})  # Outlook 2003's header block
# Outlook desktop's header paragraph of the quoted message: "border:none;border-top:solid #E1E1E1 1.0pt;
# padding:3.0pt 0cm 0cm 0cm" (#B5C4DF in older versions, "in" for inches).
_OUTLOOK_RULE = re.compile(r"border-top\s*:\s*solid\s+#?\w+\s+1(?:\.0)?pt.*padding\s*:\s*3(?:\.0)?pt", re.I | re.S)


def history_mark(tag: str, attrs: list[tuple[str, str | None]]) -> HistoryMark | None:
    """Whether the element opening with `tag` and `attrs` holds or starts quoted history."""
    values = {name.lower(): (value or "") for name, value in attrs}
    classes = set(values.get("class", "").lower().split())
    element_id = values.get("id", "").lower()
    if element_id in _START_IDS or classes & _START_CLASSES or _OUTLOOK_RULE.search(values.get("style", "")):
        return HistoryMark.START
    if classes & _CONTAINER_CLASSES or "yahoo_quoted" in element_id or any("yahoo_quoted" in c for c in classes):
        return HistoryMark.CONTAINER
    if tag == "blockquote" and values.get("type", "").lower() == "cite":
        return HistoryMark.CONTAINER
    if values.get("name", "").lower() == "messagereplysection":
        return HistoryMark.CONTAINER
    return None


class AfterHistory:
    """What follows the history container that ended an answer. Text there is the officer's, written below
    the quote (an interleaved answer, Thunderbird's "reply below the quote"); dropping it would lose it
    unseen. A "-- " signature there is no answer. Later history containers are passed over, an Outlook
    start ends the watch (everything after it is history)."""

    def __init__(self, skipped: frozenset[str]) -> None:
        self._skipped = skipped  # <style>, <head>...: no text of anybody's
        self._tag: str | None = None  # the history container being passed over
        self._nesting = 0
        self._skip = 0
        self.watching = False
        self.written = False

    def begin(self, tag: str, void: bool) -> None:
        """The answer ended at the history container `tag`."""
        self.watching = True
        if not void:
            self._tag, self._nesting = tag, 1

    def start(self, tag: str, attrs: list[tuple[str, str | None]], void: bool) -> None:
        if not self.watching:
            return
        if self._tag is not None:
            self._nesting += tag == self._tag and not void
            return
        self._skip += tag in self._skipped and not void
        mark = history_mark(tag, attrs)
        if mark is HistoryMark.START:
            self.watching = False
        elif mark is HistoryMark.CONTAINER and not void:
            self._tag, self._nesting = tag, 1

    def end(self, tag: str) -> None:
        if not self.watching:
            return
        if self._tag is not None:
            self._nesting -= tag == self._tag
            if self._nesting <= 0:
                self._tag = None
        elif tag in self._skipped:
            self._skip = max(0, self._skip - 1)

    def data(self, data: str) -> None:
        if not self.watching or self._tag is not None or self._skip:
            return
        words = data.replace("\xa0", " ").strip()
        if words:
            self.written = not words.startswith("--")
            self.watching = False
