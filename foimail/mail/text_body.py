"""Readable text from body parts: RFC 3676 format=flowed, HTML converted with the stdlib parser."""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCK = frozenset(
    "address article aside blockquote center dd details dialog div dl dt fieldset figcaption figure "
    "footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table tbody thead "
    "tfoot tr ul".split()
)
_SKIPPED = frozenset({"head", "script", "style", "template", "title", "noscript", "xml"})
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.IGNORECASE)


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
    converter = _TextConverter()
    converter.feed(html)
    converter.close()
    return converter.text()


class _TextConverter(HTMLParser):
    """Block elements ask for line breaks that merge (</div><div> is one break); <br> always breaks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._chunks: list[str] = []
        self._pending_breaks = 0
        self._skip_depth = 0
        self._pre_depth = 0
        self._links: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self._skip_depth += 1
        elif tag == "br":
            self._emit("\n")
        elif tag == "a":
            self._links.append(dict(attrs).get("href"))
        elif tag in ("td", "th"):
            self._emit(" ")
        elif tag in _BLOCK:
            self._pending_breaks = max(self._pending_breaks, 2 if tag == "p" else 1)
        if tag == "pre":
            self._pre_depth += 1
        elif tag == "li":
            self._emit("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag == "a" and self._links:
            href = self._links.pop()
            shown = self._chunks[-1].strip() if self._chunks else ""
            if href and href.startswith(("http://", "https://")) and href != shown:
                self._emit(f" <{href}>")
        elif tag in _BLOCK:
            self._pending_breaks = max(self._pending_breaks, 2 if tag == "p" else 1)
        if tag == "pre":
            self._pre_depth = max(0, self._pre_depth - 1)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
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
        if self._skip_depth:
            return
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

    def text(self) -> str:
        lines = (" ".join(line.replace("\xa0", " ").split()) for line in "".join(self._chunks).split("\n"))
        text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
        return text + "\n" if text else ""
