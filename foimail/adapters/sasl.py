"""SASL initial client responses that carry an OAuth 2 bearer token: XOAUTH2 and OAUTHBEARER (RFC 7628).

Pure: text in, bytes out (before base64); the IMAP and SMTP adapters send them. A response holds the
access token, so it is never logged.
"""

from __future__ import annotations

import json

XOAUTH2 = "XOAUTH2"
OAUTHBEARER = "OAUTHBEARER"
MECHANISMS = {"xoauth2": XOAUTH2, "oauthbearer": OAUTHBEARER}
ERROR_REPLY = b"\x01"  # RFC 7628 §3.2.3: answers the server's error challenge so it sends its final reply


def xoauth2(user: str, token: str) -> bytes:
    """`user=<user>^Aauth=Bearer <token>^A^A` (Google's and Microsoft's XOAUTH2 protocol pages)."""
    return f"user={user}\x01auth=Bearer {token}\x01\x01".encode()


def oauthbearer(user: str, token: str, host: str, port: int) -> bytes:
    """GS2 header with the authzid, then host, port and auth key-value pairs (RFC 7628 §3.1, RFC 5801 §4)."""
    authzid = user.replace("=", "=3D").replace(",", "=2C")
    return f"n,a={authzid},\x01host={host}\x01port={port}\x01auth=Bearer {token}\x01\x01".encode()


def initial_response(mechanism: str, user: str, token: str, host: str, port: int) -> bytes:
    """The response for a configured `auth` value: xoauth2 or oauthbearer."""
    if MECHANISMS[mechanism] == XOAUTH2:
        return xoauth2(user, token)
    return oauthbearer(user, token, host, port)


def error_status(challenge: bytes) -> str:
    """The status of a server's error challenge, e.g. invalid_token (RFC 7628 §3.2.2); '' if unreadable."""
    try:
        status = json.loads(challenge.decode("utf-8")).get("status", "")
    except (UnicodeDecodeError, ValueError, AttributeError):
        return ""
    return status if isinstance(status, str) else ""
