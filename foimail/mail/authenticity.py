"""Is an officer's From: genuine? Read the receiving MTA's Authentication-Results (RFC 8601).

Headers are prepended in transit, so the receiving server's own header sits above everything the sender
wrote (RFC 8601 §5). Reading top-down:

- a header from another authserv-id (a filter hop above ours) is passed over;
- the first header from the trusted authserv-id decides, and nothing below it is read;
- a header whose authserv-id cannot be read at all stops the reading: it may be ours, made unreadable by
  what the sender put into it (a HELO of `[1.2.3.4]`, a null sender, a non-ASCII domain), and looking
  further down would trust the sender's own forgery. The same holds for our header when its results cannot
  be parsed.

Our header vouches when it says `dkim=pass` with `header.d` equal to the sender's domain, or `spf=pass`
with `smtp.mailfrom` in that domain: the domain of the From: address itself (DMARC alignment, RFC 7489 §3.1,
in its strict form). HELO names vouch for nothing. It also vouches when it says `auth=pass` with
`smtp.auth` equal to the From: address itself (RFC 8601 §2.7.4: the client logged in on our server, as Exim,
Stalwart or an authentication milter report it); a login that is another officer's, or a bare user name,
vouches for nothing, since the officer's address is what the case records as the actor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import authres

# RFC 8601 §2.2: authserv-id is a value (token or quoted-string) after optional comments (CFWS).
_AUTHSERV_ID = re.compile(r'^\s*(?:\([^()]*\)\s*)*("(?:[^"\\]|\\.)*"|[^\s;()"]+)')
# Property values authres cannot read but our MTA writes for hostile senders; quoted or IDNA-encoded first.
_LITERAL_VALUE = re.compile(r"(?<==)(<>|\[[0-9A-Fa-f.:IPv]*\])(?=[\s;()]|$)")
_NON_ASCII_VALUE = re.compile(r"(?<==)([^\s;()\"\\]*[^\x00-\x7f][^\s;()\"\\]*)")


@dataclass(frozen=True)
class AuthenticityVerdict:
    authentic: bool
    reason: str


def check_sender_authenticity(
    results_headers: tuple[str, ...], trusted_authserv_id: str, sender_address: str
) -> AuthenticityVerdict:
    """Authentic when the trusted server's own header says dkim or spf passed for the sender's domain, or
    auth passed for the sender's own address."""
    domain = domain_key(sender_address.rpartition("@")[2])
    address = address_key(sender_address)
    trusted = trusted_authserv_id.strip().lower()
    for index, value in enumerate(results_headers):
        unfolded = " ".join(value.split())
        authserv_id = _authserv_id(unfolded)
        if authserv_id is None:
            return AuthenticityVerdict(False, f"topmost Authentication-Results unreadable: {unfolded[:120]!r}")
        if authserv_id != trusted:
            continue
        try:
            parsed = authres.AuthenticationResultsHeader.parse_value(_readable(unfolded))
        except Exception:  # authres raises several unrelated types on malformed input
            return AuthenticityVerdict(False, f"{trusted}'s Authentication-Results unparseable: {unfolded[:120]!r}")
        for result in parsed.results:
            method = str(result.method).lower()
            if str(result.result).lower() == "pass" and any(
                _vouches_for(method, str(p.type).lower(), str(p.name).lower(), str(p.value), domain, address)
                for p in result.properties
            ):
                return AuthenticityVerdict(
                    True, f"{trusted}: {method}=pass for {address if method == 'auth' else domain}"
                )
        reason = f"{trusted} reports no dkim=pass or spf=pass for {domain}, nor auth=pass for {address}"
        if any(_authserv_id(" ".join(v.split())) == trusted for v in results_headers[index + 1 :]):
            # Two milters (say OpenDKIM and an SPF policy) each writing a header: only the topmost is
            # ours for certain, so the admin is told how to make the other result count.
            reason += (
                f"; a lower Authentication-Results from {trusted} is not read (a sender can write one):"
                " have the MTA put dkim and spf results into its topmost header"
            )
        return AuthenticityVerdict(False, reason)
    return AuthenticityVerdict(False, f"no Authentication-Results from {trusted}")


def domain_key(domain: str) -> str:
    """A domain as compared: lower case, no trailing dot, IDNA A-labels (a Cyrillic 'а' stays different)."""
    domain = domain.strip().rstrip(".").lower()
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return domain


def address_key(address: str) -> str:
    """An address as compared: its domain as in `domain_key`, the local part in lower case."""
    local, _, domain = address.strip().rpartition("@")
    return f"{local.lower()}@{domain_key(domain)}" if local else domain_key(domain)


def _authserv_id(value: str) -> str | None:
    """The authserv-id, read without authres: it must be known even when the rest cannot be parsed."""
    match = _AUTHSERV_ID.match(value)
    if match is None:
        return None
    rest = value[match.end() :].lstrip()
    if rest and not re.match(r"(?:\d+\s*)?[;(]", rest):
        return None  # RFC 8601 §2.2: only a version number may follow the authserv-id
    return match.group(1).strip('"').lower()


def _readable(value: str) -> str:
    """Quote `[1.2.3.4]` and `<>`, IDNA-encode non-ASCII domains: nothing in them can add a result."""
    value = _LITERAL_VALUE.sub(lambda m: '""' if m.group(1) == "<>" else f'"{m.group(1)}"', value)
    return _NON_ASCII_VALUE.sub(_ascii_value, value)


def _ascii_value(match: re.Match[str]) -> str:
    local, at, domain = match.group(1).rpartition("@")
    try:
        encoded = domain.encode("idna").decode("ascii")
    except UnicodeError:
        return match.group(1)  # left unreadable: the header then counts as unparseable
    return f"{local}{at}{encoded}" if local.isascii() else match.group(1)


def _vouches_for(method: str, ptype: str, name: str, value: str, domain: str, address: str) -> bool:
    if method == "dkim" and ptype == "header" and name == "d":
        return domain_key(value) == domain
    if method == "spf" and ptype == "smtp" and name == "mailfrom":
        return domain_key(value.rpartition("@")[2]) == domain
    if method == "auth" and ptype == "smtp" and name == "auth":
        return "@" in value and address_key(value) == address
    return False
