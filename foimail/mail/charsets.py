"""Bytes to text when the declared charset is wrong, unknown or missing.

The fallback order is the declared charset, then UTF-8, then windows-1251 (what Russian-language
clients in Georgia still send unlabelled), then latin-1, which decodes anything.
"""

from __future__ import annotations

import codecs
import re

FALLBACK_CHARSETS = ("utf-8", "windows-1251", "latin-1")

# Labels real clients send that Python's codec registry does not know (WHATWG Encoding Standard aliases).
_ALIASES = {
    "unicode-1-1-utf-7": "utf-7",
    "iso-8859-8-i": "iso-8859-8",
    "iso-8859-6-i": "iso-8859-6",
    "x-mac-cyrillic": "mac-cyrillic",
    "x-user-defined": "windows-1252",
    "ks_c_5601-1987": "cp949",
}
# Raw bytes that BytesParser smuggled into a str as lone surrogates (errors="surrogateescape").
_ESCAPED_BYTES = re.compile("[\udc80-\udcff]+")


def codec_name(label: str | None) -> str | None:
    """The Python codec for a MIME charset label, or None when there is no such text encoding."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _ALIASES.get(label, label)
    if not label or len(label) > 40:
        return None
    try:
        info = codecs.lookup(label)
    except (LookupError, ValueError):
        return None
    # base64, zlib, rot13 ... are registered codecs but not text encodings.
    if not getattr(info, "_is_text_encoding", True):
        return None
    return info.name


def decode_bytes(data: bytes, declared: str | None, where: str) -> tuple[str, str | None]:
    """Decode `data`, trying `declared` then the fallbacks; return (text, defect or None).

    `where` names the part or header for the defect message.
    """
    codec = codec_name(declared)
    candidates = ([codec] if codec else []) + [c for c in FALLBACK_CHARSETS if c != codec]
    for candidate in candidates:
        try:
            text = data.decode(candidate)
        except UnicodeDecodeError as exc:
            # Cut off inside the last character (truncated message, encoded word split mid-letter):
            # still UTF-8, so replace the stub rather than fall through to windows-1251 mojibake.
            if candidate == "utf-8" and exc.reason == "unexpected end of data":
                return data.decode(candidate, "replace"), f"{where} ends inside a UTF-8 character"
            continue
        except (UnicodeError, LookupError, ValueError):
            continue
        return text, _defect(data, declared, codec, candidate, where)
    raise AssertionError("latin-1 decodes every byte string")  # pragma: no cover


def _defect(data: bytes, declared: str | None, codec: str | None, used: str, where: str) -> str | None:
    if codec == used:
        return None
    if declared and codec is None:
        return f"unknown charset {declared.strip()!r} in {where}: decoded as {used}"
    if declared:
        return f"{where} is not valid {declared.strip()}: decoded as {used}"
    if data.isascii() or used == "utf-8":
        return None  # unlabelled UTF-8 is what every modern client means
    return f"no charset declared in {where}: decoded as {used}"


def has_escaped_bytes(text: str) -> bool:
    """True when `text` carries raw bytes as surrogates (8-bit data the email package could not decode)."""
    return _ESCAPED_BYTES.search(text) is not None


def repair_escaped_bytes(text: str, where: str) -> tuple[str, list[str]]:
    """Decode each run of surrogate-escaped raw bytes in `text` (UTF-8 first); return (text, defects)."""
    defects: list[str] = []

    def decode_run(match: re.Match[str]) -> str:
        decoded, defect = decode_bytes(match.group().encode("ascii", "surrogateescape"), None, where)
        if defect:
            defects.append(defect)
        return decoded

    return _ESCAPED_BYTES.sub(decode_run, text), defects
