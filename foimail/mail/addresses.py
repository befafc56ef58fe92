"""Addresses on the wire: IDNA domains (RFC 5890, RFC 5891) and when SMTPUTF8 is needed (RFC 6531).

A Georgian-script domain (``nino@ბათუმი.გე``) is sent as A-labels (``xn--...``), which every server
accepts. A non-ASCII local part (``ნინო@example.ge``) cannot be written in ASCII at all: such mail needs a
server that offers SMTPUTF8 and UTF-8 headers (RFC 6532); `needs_smtputf8` tells the sender so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["ascii_domain", "needs_smtputf8", "wire_address"]

# RFC 5322 §3.2.3 specials and whitespace never belong in an unquoted local part or a domain.
_FORBIDDEN = re.compile(r"[\s<>()\[\]\\,;:\"@\x00-\x1f\x7f]")


def ascii_domain(domain: str) -> str:
    """The domain in A-labels (``ბათუმი.გე`` -> ``xn--lodbteo1c.xn--node``); ValueError when IDNA cannot say it."""
    domain = domain.strip().rstrip(".")
    if domain.isascii():
        return domain
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError as exc:  # an empty or overlong label, or characters IDNA does not allow
        raise ValueError(f"domain {domain!r} cannot be written in IDNA: {exc}") from None


def wire_address(address: str) -> str:
    """`address` as SMTP and the headers carry it: its domain in A-labels. ValueError for a non-address."""
    local, at, domain = address.strip().rpartition("@")
    if not at or not local or not domain or _FORBIDDEN.search(local) or _FORBIDDEN.search(domain):
        raise ValueError(f"not an email address: {address!r}")
    return f"{local}@{ascii_domain(domain)}"


def needs_smtputf8(addresses: Iterable[str]) -> bool:
    """True when one of `addresses` stays non-ASCII on the wire (RFC 6531 §3.2); never raises."""
    for address in addresses:
        try:
            if not wire_address(address).isascii():
                return True
        except ValueError:
            continue
    return False
