"""SASL initial responses carrying OAuth 2 bearer tokens, checked against the published examples."""

from __future__ import annotations

import base64

import pytest

from foimail.adapters import sasl

RFC7628_TOKEN = "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg=="


@pytest.mark.parametrize(
    ("mechanism", "user", "host", "port", "expected"),
    [
        # RFC 7628 §4.1, the example's client response (decoded).
        (
            "oauthbearer",
            "user@example.com",
            "server.example.com",
            143,
            b"n,a=user@example.com,\x01host=server.example.com\x01port=143\x01auth=Bearer "
            + RFC7628_TOKEN.encode()
            + b"\x01\x01",
        ),
        # RFC 5801 §4: ',' and '=' in the authzid are escaped as =2C and =3D.
        (
            "oauthbearer",
            "odd,name=x@example.com",
            "h",
            993,
            b"n,a=odd=2Cname=3Dx@example.com,\x01host=h\x01port=993\x01auth=Bearer "
            + RFC7628_TOKEN.encode()
            + b"\x01\x01",
        ),
        # Google's XOAUTH2 protocol page: user=...^Aauth=Bearer ...^A^A, no host or port.
        (
            "xoauth2",
            "someuser@example.com",
            "imap.gmail.com",
            993,
            b"user=someuser@example.com\x01auth=Bearer " + RFC7628_TOKEN.encode() + b"\x01\x01",
        ),
    ],
)
def test_initial_response(mechanism: str, user: str, host: str, port: int, expected: bytes) -> None:
    assert sasl.initial_response(mechanism, user, RFC7628_TOKEN, host, port) == expected


def test_google_xoauth2_example_encodes_to_the_published_base64() -> None:
    """developers.google.com/gmail/imap/xoauth2-protocol: the example's base64 string."""
    encoded = base64.b64encode(sasl.xoauth2("someuser@example.com", "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg"))
    assert encoded == (
        b"dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52"
        b"YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ=="
    )


@pytest.mark.parametrize(
    ("challenge", "status"),
    [
        (b'{"status":"invalid_token","scope":"example_scope","openid-configuration":"https://x"}', "invalid_token"),
        (b'{"status":"401","schemes":"bearer mac","scope":"https://mail.google.com/"}', "401"),  # Google
        (b"not json", ""),
        (b"\xff\xfe", ""),
        (b"[1, 2]", ""),
        (b'{"status": 400}', ""),
    ],
)
def test_error_status(challenge: bytes, status: str) -> None:
    assert sasl.error_status(challenge) == status
