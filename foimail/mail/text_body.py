"""Readable text from body parts: RFC 3676 format=flowed, HTML converted with the stdlib parser."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import unquote

from foimail.mail.html_quotes import AfterHistory, HistoryMark, history_mark

_BLOCK = frozenset(
    "address article aside blockquote center dd details dialog div dl dt fieldset figcaption figure "
    "footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table tbody thead "
    "tfoot tr ul".split()
)
_SKIPPED = frozenset({"head", "script", "style", "template", "title", "noscript", "xml"})
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.IGNORECASE)
# Where a plain <blockquote> opens and closes, until text() turns its lines into "> " lines.
_QUOTE_OPEN, _QUOTE_CLOSE = "\x02", "\x03"


@dataclass(frozen=True)
class HtmlAnswer:
    """An HTML reply as text, its quoted history gone; `interleaved` when answer and history alternate,
    `written_below` when text follows the history container that ended the answer (`AfterHistory`).

    `history_images` are the Content-IDs of inline images (<img src="cid:…">) shown only in the history.
    """

    text: str
    interleaved: bool
    history_images: frozenset[str] = field(default_factory=frozenset)
    written_below: bool = False


def normalise_newlines(text: str) -> str:
    """CRLF and lone CR become LF; NUL goes (PostgreSQL text cannot hold it)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")


def unflow(text: str, delsp: bool) -> str:
    """Join the soft line breaks of a format=flowed body (RFC 3676 §4.2), keeping quote depth."""
    out: list[str] = []
    pending: str | None = None
    pending_depth = 0
    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        body = line[depth:]
        if body.startswith(" "):  # §4.4 space-stuffing
            body = body[1:]
        if pending is not None and depth != pending_depth:  # §4.5: a quote-depth change ends the paragraph
            out.append(">" * pending_depth + (" " if pending_depth else "") + pending)
            pending = None
        flowed = body.endswith(" ") and body != "-- "  # §4.3: the signature separator never flows
        if flowed and delsp:
            body = body[:-1]
        pending = body if pending is None else pending + body
        pending_depth = depth
        if not flowed:
            out.append(">" * depth + (" " if depth else "") + pending)
            pending = None
    if pending is not None:
        out.append(">" * pending_depth + (" " if pending_depth else "") + pending)
    return "\n".join(out)


def sniff_html_charset(data: bytes) -> str | None:
    """The charset an HTML document declares in a <meta> tag within its first 2 KiB, if any."""
    match = _META_CHARSET.search(data[:2048])
    return match.group(1).decode("ascii") if match else None


def html_to_text(html: str) -> str:
    """Readable plain text from an HTML body: blocks become lines, links keep their targets."""
    converter = _TextConverter(cut_history=False)
    converter.feed(html)
    converter.close()
    return converter.text()


def html_answer_text(html: str) -> HtmlAnswer:
    """The text of an HTML reply without the history its client quoted (see `html_quotes`).

    A history container before any text (a bottom-posted reply) is skipped; one after text, or an Outlook
    start, ends the answer. A plain <blockquote> comes out as "> " lines for `core.quotes` to judge.
    """
    converter = _TextConverter(cut_history=True)
    converter.feed(html)
    converter.close()
    history_images = frozenset(converter.images[True] - converter.images[False])
    return HtmlAnswer(converter.text(), converter.interleaved, history_images, converter.after.written)


class _TextConverter(HTMLParser):
    """Block elements ask for line breaks that merge (</div><div> is one break); <br> always breaks."""

    def __init__(self, cut_history: bool) -> None:
        super().__init__(convert_charrefs=True)
        self._chunks: list[str] = []
        self._pending_breaks = 0
        self._skip_depth = 0
        self._pre_depth = 0
        self._links: list[str | None] = []
        self._paragraph_breaks: list[int] = []
        self._cut_history = cut_history
        self._history_tag: str | None = None  # the history container being skipped, and its nesting
        self._history_nesting = 0
        self._history_skipped = False
        self._stopped = False
        self._wrote = False
        self.interleaved = False
        self.after = AfterHistory(_SKIPPED)
        self.images: dict[bool, set[str]] = {True: set(), False: set()}  # Content-IDs by "in the history"

    def _in_history(self, tag: str, attrs: list[tuple[str, str | None]], void: bool) -> bool:
        """Follow the history containers and starts; True while the element is part of the history."""
        if self._stopped:
            self.after.start(tag, attrs, void)
            return True
        if self._history_tag is not None:
            self._history_nesting += tag == self._history_tag and not void
            return True
        mark = history_mark(tag, attrs)
        if mark is None:
            return False
        if self._wrote or mark == HistoryMark.START:
            self._stopped = True
            self.interleaved = self._history_skipped and self._wrote
            if mark is HistoryMark.CONTAINER:
                self.after.begin(tag, void)
        elif not void:
            self._history_tag, self._history_nesting, self._history_skipped = tag, 1, True
        return True

    def _note_image(self, tag: str, attrs: list[tuple[str, str | None]], in_history: bool) -> None:
        source = (dict(attrs).get("src") or "").strip() if tag == "img" else ""
        if source[:4].lower() == "cid:":
            self.images[in_history].add(unquote(source[4:]).strip("<>"))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        in_history = self._cut_history and self._in_history(tag, attrs, void=tag in ("br", "hr", "img", "wbr"))
        self._note_image(tag, attrs, in_history)
        if in_history:
            return
        if self._cut_history and tag == "blockquote":
            self._emit_mark(_QUOTE_OPEN)
        if tag in _SKIPPED:
            self._skip_depth += 1
        elif tag == "br":
            self._emit("\n")
        elif tag == "a":
            self._links.append(dict(attrs).get("href"))
        elif tag in ("td", "th"):
            self._emit(" ")
        elif tag == "p":  # Outlook's MsoNormal paragraphs are its lines (margin 0): one break, not two
            self._paragraph_breaks.append(1 if "msonormal" in (dict(attrs).get("class") or "").lower() else 2)
            self._pending_breaks = max(self._pending_breaks, self._paragraph_breaks[-1])
        elif tag in _BLOCK:
            self._pending_breaks = max(self._pending_breaks, 1)
        if tag == "pre":
            self._pre_depth += 1
        elif tag == "li":
            self._emit("- ")

    def handle_endtag(self, tag: str) -> None:
        if self._stopped:
            self.after.end(tag)
            return
        if self._history_tag is not None:
            self._history_nesting -= tag == self._history_tag
            if self._history_nesting <= 0:
                self._history_tag = None
            return
        if self._cut_history and tag == "blockquote":
            self._emit_mark(_QUOTE_CLOSE)
        if tag in _SKIPPED:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag == "a" and self._links:
            href = self._links.pop()
            shown = self._chunks[-1].strip() if self._chunks else ""
            if href and href.startswith(("http://", "https://")) and href != shown:
                self._emit(f" <{href}>")
        elif tag == "p":
            breaks = self._paragraph_breaks.pop() if self._paragraph_breaks else 2
            self._pending_breaks = max(self._pending_breaks, breaks)
        elif tag in _BLOCK:
            self._pending_breaks = max(self._pending_breaks, 1)
        if tag == "pre":
            self._pre_depth = max(0, self._pre_depth - 1)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        in_history = self._cut_history and self._in_history(tag, attrs, void=True)
        self._note_image(tag, attrs, in_history)
        if in_history:
            return
        if tag == "br":
            self._emit("\n")
        elif tag in _BLOCK:
            self._pending_breaks = max(self._pending_breaks, 1)

    def parse_marked_section(self, i: int, report: bool = True) -> int:
        try:
            return super().parse_marked_section(i, report)
        except AssertionError:  # Python < 3.13 asserts on an unknown keyword such as "<![foo["
            end = self.rawdata.find(">", i)
            return end + 1 if end >= 0 else -1

    def handle_data(self, data: str) -> None:
        if self._stopped:
            self.after.data(data)
            return
        if self._skip_depth or self._history_tag is not None:
            return
        data = data.replace(_QUOTE_OPEN, "").replace(_QUOTE_CLOSE, "")
        self._wrote = self._wrote or bool(data.replace("\xa0", " ").strip())
        if not self._pre_depth:
            data = re.sub(r"[ \t\r\n\f]+", " ", data)
            if data == " " and (self._pending_breaks or not self._chunks):
                return  # the whitespace between two blocks
        self._emit(data)

    def _emit(self, text: str) -> None:
        if self._pending_breaks and self._chunks:
            written = "".join(self._chunks[-3:])
            have = len(written) - len(written.rstrip("\n"))
            self._chunks.append("\n" * max(0, self._pending_breaks - have))
        self._pending_breaks = 0
        self._chunks.append(text)

    def _emit_mark(self, mark: str) -> None:
        """A blockquote edge: a line break of its own, so that every line is wholly in or out of it."""
        self._pending_breaks = max(self._pending_breaks, 1)
        self._emit(mark)
        self._pending_breaks = 1

    def text(self) -> str:
        rows: list[tuple[int, str]] = []  # (quote depth, words) per line
        depth = 0
        for line in "".join(self._chunks).split("\n"):
            edge = _QUOTE_OPEN in line or _QUOTE_CLOSE in line
            depth = max(0, depth + line.count(_QUOTE_OPEN) - line.count(_QUOTE_CLOSE))
            words = " ".join(line.replace(_QUOTE_OPEN, "").replace(_QUOTE_CLOSE, "").replace("\xa0", " ").split())
            if words or not edge:
                rows.append((depth, words))
        keep = _quote_breaks_kept(rows)
        lines = [("> " * depth + words).rstrip() for (depth, words), kept in zip(rows, keep, strict=True) if kept]
        text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
        return text + "\n" if text else ""


def _quote_breaks_kept(rows: list[tuple[int, str]]) -> list[bool]:
    """Which rows stay: a blank quoted row only between two quoted rows of its depth, not at a quote's edge."""
    before: list[int] = []
    depth_seen = 0
    for depth, words in rows:
        before.append(depth_seen)
        if words:
            depth_seen = depth
    kept = [False] * len(rows)
    depth_seen = 0
    for index in range(len(rows) - 1, -1, -1):
        depth, words = rows[index]
        kept[index] = bool(words) or not depth or before[index] == depth == depth_seen
        if words:
            depth_seen = depth
    return kept
