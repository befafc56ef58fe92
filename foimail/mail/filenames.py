"""Attachment filenames made safe to store, serve and show: one path component, printable, bounded."""

from __future__ import annotations

import re
import unicodedata

MAX_CHARS = 150
MAX_BYTES = 255  # a single path component on ext4, XFS and NTFS-as-UTF-8
# Our own table, not mimetypes: that module reads /etc/mime.types (I/O) and answers differently per host.
_EXTENSIONS = {
    "application/msword": ".doc",
    "application/octet-stream": ".bin",
    "application/pdf": ".pdf",
    "application/pgp-signature": ".asc",
    "application/pkcs7-signature": ".p7s",
    "application/x-pkcs7-signature": ".p7s",
    "application/rtf": ".rtf",
    "application/vnd.ms-excel": ".xls",
    "application/vnd.ms-tnef": ".dat",
    "application/vnd.oasis.opendocument.spreadsheet": ".ods",
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/zip": ".zip",
    "application/x-zip-compressed": ".zip",
    "audio/mpeg": ".mp3",
    "image/gif": ".gif",
    "image/heic": ".heic",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/tiff": ".tif",
    "image/webp": ".webp",
    "message/delivery-status": ".txt",
    "message/disposition-notification": ".txt",
    "message/global": ".eml",
    "message/global-delivery-status": ".txt",
    "message/global-headers": ".txt",
    "message/rfc822": ".eml",
    "text/calendar": ".ics",
    "text/csv": ".csv",
    "text/html": ".html",
    "text/plain": ".txt",
    "text/rfc822-headers": ".txt",
    "video/mp4": ".mp4",
}
# Characters Windows refuses in names; replaced so a download saves everywhere.
_RESERVED_CHARS = re.compile(r'[<>:"|?*]')
_WINDOWS_DEVICES = re.compile(r"(?i)^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$")
_EXTENSION = re.compile(r"\.[0-9A-Za-z]{1,10}$")


def extension_for(content_type: str) -> str:
    """A file extension (with the dot) for a MIME type; `.bin` when unknown."""
    content_type = content_type.lower()
    if content_type in _EXTENSIONS:
        return _EXTENSIONS[content_type]
    return ".txt" if content_type.startswith("text/") else ".bin"


def safe_filename(name: str | None, index: int, content_type: str) -> str:
    """`name` reduced to a harmless file name, or `attachment-<index><ext>` when nothing usable is left.

    Keeps the last path component (`../../etc/passwd` -> `passwd`, `C:\\x\\a.pdf` -> `a.pdf`), drops
    control and bidi-format characters (U+202E can disguise `.exe`), leading dots and trailing dots and
    spaces, NFC-normalises, and bounds the length while keeping the extension. Georgian stays Georgian.
    """
    cleaned = _clean(name or "")
    if not cleaned:
        return f"attachment-{index}{extension_for(content_type)}"
    if _WINDOWS_DEVICES.match(cleaned):
        cleaned = "_" + cleaned
    return _bounded(cleaned)


def _clean(name: str) -> str:
    name = unicodedata.normalize("NFC", name)
    name = re.split(r"[/\\]", name)[-1]
    kept = []
    for char in name:
        category = unicodedata.category(char)
        if category in ("Zl", "Zp") or char in "\t\r\n":
            kept.append(" ")
        elif category[0] == "C":  # Cc control, Cf format (bidi overrides, zero-width), Co, Cs, Cn
            continue
        else:
            kept.append(char)
    name = _RESERVED_CHARS.sub("_", "".join(kept))
    name = " ".join(name.split())
    return name.lstrip(". ").rstrip(". ")


def _bounded(name: str) -> str:
    if len(name) <= MAX_CHARS and len(name.encode("utf-8")) <= MAX_BYTES:
        return name
    match = _EXTENSION.search(name)
    extension = match.group() if match else ""
    stem = name[: len(name) - len(extension)]
    stem = stem[: MAX_CHARS - len(extension)]
    while len((stem + extension).encode("utf-8")) > MAX_BYTES:
        stem = stem[:-1]
    return stem.rstrip(". ") + extension
