"""Is an officer's From: genuine? Read the receiving MTA's Authentication-Results (RFC 8601).

Only the topmost header carrying the trusted authserv-id counts: the MTA prepends its own, and anything
below it may have been written by the sender (RFC 8601 §5).
"""

from __future__ import annotations

from dataclasses import dataclass

import authres


@dataclass(frozen=True)
class AuthenticityVerdict:
    authentic: bool
    reason: str


def check_sender_authenticity(
    results_headers: tuple[str, ...], trusted_authserv_id: str, sender_address: str
) -> AuthenticityVerdict:
    """Authentic when the trusted server saw dkim=pass or spf=pass for the sender's own domain."""
    domain = sender_address.rpartition("@")[2].lower()
    trusted = trusted_authserv_id.strip().lower()
    for value in results_headers:
        try:
            parsed = authres.AuthenticationResultsHeader.parse_value(" ".join(value.split()))
        except Exception:  # authres raises several unrelated types on malformed input
            continue
        if str(parsed.authserv_id).lower() != trusted:
            continue
        for result in parsed.results:
            if str(result.result).lower() != "pass":
                continue
            method = str(result.method).lower()
            for prop in result.properties:
                if _vouches_for(method, str(prop.type), str(prop.name), str(prop.value), domain):
                    return AuthenticityVerdict(True, f"{trusted}: {method}=pass for {domain}")
        return AuthenticityVerdict(False, f"{trusted} reports no dkim=pass or spf=pass for {domain}")
    return AuthenticityVerdict(False, f"no Authentication-Results from {trusted}")


def _vouches_for(method: str, ptype: str, name: str, value: str, domain: str) -> bool:
    value = value.strip().lower()
    if method == "dkim" and ptype == "header" and name == "d":
        return value == domain
    if method == "dkim" and ptype == "header" and name == "i":
        return value.rpartition("@")[2] == domain
    if method == "spf" and ptype == "smtp" and name in ("mailfrom", "helo"):
        return value.rpartition("@")[2] == domain
    return False
