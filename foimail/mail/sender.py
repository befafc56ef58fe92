"""Who wrote a message: the one address to answer, recovered from whatever the sender's software wrote.

Mail clients show these senders correctly, so foimail must read them too:
- Python's legacy ``email.mime`` + ``Header("Name <addr>", "utf-8")`` and PHP's ``mb_encode_mimeheader`` put
  the whole From value, address included, into RFC 2047 encoded words (RFC 2047 §5(3) forbids it: an
  addr-spec is never encoded). The words are decoded and the value read again.
- Web-form scripts write ``Name <addr`` or ``addr>``, ``"Name <addr>"``, ``'addr'``, ``<mailto:addr>``,
  ``Name addr``: the address-shaped token is taken and the rest becomes the name.
- A From with no address at all falls back to Reply-To, then Sender, then Return-Path (the envelope,
  RFC 5321 §4.4), the first address of each, never a list: a case has one requester.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from foimail.core.classify import is_usable_address
from foimail.core.message import Address, SenderSource
from foimail.mail.headers import HeaderField, parse_addresses, parse_return_path

__all__ = ["find_sender", "read_mailboxes"]

_ADDRESS_TOKEN = re.compile(r"[^\s<>()\[\]\\,;:\"@]+@[^\s<>()\[\]\\,;:\"@]+")
_TRIM = "'\"`.<>"
# Exchange's "<Postmaster\@example.com@relay.com>": the token after an escaped "@" is part of an address we
# cannot answer, and taking it would answer a stranger.
_FRAGMENT_AFTER = ("@", "\\")
_NAME_JUNK = re.compile(r"[<>\"\[\]]|mailto:", re.IGNORECASE)
_COMMENT = re.compile(r"\(([^()]*)\)")
_FALLBACKS = (("reply-to", SenderSource.REPLY_TO), ("sender", SenderSource.SENDER))


def read_mailboxes(source: str, text: str) -> tuple[tuple[Address, ...], bool]:
    """The usable mailboxes of an address field, and whether reading them needed repair.

    `source` is the field as written (encoded words intact), `text` the same field decoded.
    """
    parsed = parse_addresses(source)
    usable = [address for address in parsed if is_usable_address(address.address)]
    if usable and len(usable) == len(parsed):
        return tuple(usable), False
    repaired = [address for address in parse_addresses(text) if is_usable_address(address.address)]
    if not repaired:
        repaired = _address_tokens(text)
    known = {address.address for address in usable}
    added = [address for address in repaired if address.address not in known]
    return tuple(usable + added), bool(added)


def _address_tokens(text: str) -> list[Address]:
    """Address-shaped tokens of `text`, stray quotes and brackets trimmed; the words before one name it."""
    found: list[Address] = []
    start = 0
    for match in _ADDRESS_TOKEN.finditer(text):
        if text[max(0, match.start() - 1) : match.start()] in _FRAGMENT_AFTER:
            continue  # the tail of a longer address: "Postmaster\@example.com@relay.com" is no example.com@relay.com
        address = match.group().strip(_TRIM).lower()
        if address.startswith("mailto:"):
            address = address.removeprefix("mailto:")
        if is_usable_address(address):
            found.append(Address(address, _name_near(text[start : match.start()], text[match.end() :])))
        start = match.end()
    return found


def _name_near(before: str, after: str) -> str:
    """`Name <addr` -> Name; `addr (Name)` -> Name: brackets, quotes and separators dropped."""
    name = " ".join(_NAME_JUNK.sub(" ", _COMMENT.sub(" ", before)).split()).strip(" ,;'")
    if not name:
        comment = _COMMENT.search(after.partition(",")[0])
        name = " ".join(comment.group(1).split()) if comment else ""
    return name


def find_sender(fields: Sequence[HeaderField]) -> tuple[Address | None, SenderSource | None, list[str]]:
    """The requester's one address, where it came from, and defects describing any repair or fallback."""
    from_fields = [field for field in fields if field.name.lower() == "from"]
    shown = ", ".join(field.text for field in from_fields)
    if from_fields:
        senders, repaired = _read(from_fields)
        if senders:
            if not repaired:
                return senders[0], SenderSource.FROM, []
            return senders[0], SenderSource.FROM_REPAIRED, [f"From {shown!r} read as {senders[0].address}"]
    # "From: Nino Beridze" with no address still names the author.
    from_name = "" if set(shown) & set("@:<>") else " ".join(shown.replace('"', " ").split())
    for name, source in _FALLBACKS:
        found, _ = _read([field for field in fields if field.name.lower() == name])
        if found:
            sender = Address(found[0].address, found[0].name or from_name)
            return sender, source, [_fallback_defect(shown, from_fields, sender, name)]
    return_path = next((field.source for field in fields if field.name.lower() == "return-path"), None)
    envelope = parse_return_path(return_path) if return_path is not None else ""
    if is_usable_address(envelope):
        sender = Address(envelope, from_name)
        return sender, SenderSource.RETURN_PATH, [_fallback_defect(shown, from_fields, sender, "return-path")]
    return None, None, []


def _read(fields: Sequence[HeaderField]) -> tuple[tuple[Address, ...], bool]:
    if not fields:
        return (), False
    return read_mailboxes(", ".join(f.source for f in fields), ", ".join(f.text for f in fields))


def _fallback_defect(shown: str, from_fields: Sequence[HeaderField], found: Address, name: str) -> str:
    where = f"From {shown!r} holds no usable address" if from_fields else "no From header"
    return f"{where}: the sender was taken from {name.title()} ({found.address})"
