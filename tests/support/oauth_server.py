"""Plugin: our own OAuth 2 authorization server on loopback, a stand-in for Microsoft's and Google's.

It speaks the parts foimail and Dovecot use: the token endpoint (refresh-token grant, RFC 6749 §6,
device-code grant, RFC 8628 §3.4, authorization-code grant with PKCE, RFC 7636), the device
authorization endpoint (RFC 8628 §3.1), the authorization endpoint (it consents at once as
``consenting_user``, or redirects with access_denied) and token introspection (RFC 7662) for Dovecot's
``passdb { driver = oauth2 }``. Tests issue, expire, rotate and
revoke tokens through ``TokenEndpoint``; errors look like the providers' (Microsoft's multi-line
descriptions with trace ids).

Fixtures:
    token_endpoint_session  (session)   one server for the session, shared with the OAuth Dovecot
    token_endpoint          (function)  the same server after ``reset()``: no tokens, default behaviour
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

import pytest

from tests.support import LOOPBACK

CLIENT_ID = "foimail-test-client"
CLIENT_SECRET = "test-client-secret"
SCOPE = "mail offline_access"
REVOKED_DESCRIPTION = (
    "AADSTS70008: The provided authorization code or refresh token has expired due to inactivity.\r\n"
    "Trace ID: 1f0c2c5e-0000-4000-8000-000000000000\r\nCorrelation ID: 0a1b2c3d\r\nTimestamp: 2026-11-29 19:00:00Z"
)


@dataclass
class Device:
    user_code: str
    expires_at: float
    user: str = ""  # set when approved
    denied: bool = False


@dataclass
class TokenEndpoint:
    """The server's state and the controls a test uses; the HTTP handler calls ``handle``."""

    host: str = LOOPBACK
    port: int = 0
    lifetime: int = 3600  # expires_in of new access tokens, seconds
    rotate: bool = False  # hand out a new refresh token with every refresh (Microsoft does)
    interval: int = 1  # device polling interval told to clients
    slow_down: int = 0  # answer this many device polls with slow_down
    refresh_tokens: dict[str, str] = field(default_factory=dict)  # token -> user
    access_tokens: dict[str, tuple[str, float]] = field(default_factory=dict)  # token -> (user, expires)
    devices: dict[str, Device] = field(default_factory=dict)  # device_code -> Device
    consenting_user: str = ""  # who "signs in" at /authorize; empty: the user declines
    codes: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # code -> (user, redirect_uri, challenge)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    @property
    def token_url(self) -> str:
        return self.url("/token")

    @property
    def device_url(self) -> str:
        return self.url("/device")

    @property
    def authorize_url(self) -> str:
        return self.url("/authorize")

    @property
    def introspection_url(self) -> str:
        return self.url("/introspect")

    # -- controls --------------------------------------------------------------------------------------

    def reset(self) -> None:
        with self.lock:
            self.lifetime, self.rotate, self.interval, self.slow_down = 3600, False, 1, 0
            self.consenting_user = ""
            self.codes.clear()
            self.refresh_tokens.clear()
            self.access_tokens.clear()
            self.devices.clear()
            self.requests.clear()

    def grant(self, user: str) -> str:
        """A refresh token for ``user``, as an admin's consent would produce."""
        with self.lock:
            return self._grant(user)

    def access_token(self, user: str, lifetime: int | None = None) -> str:
        """An access token minted directly (for test helpers that log in as the mailbox)."""
        with self.lock:
            return self._mint(user, self.lifetime if lifetime is None else lifetime)

    def revoke(self, user: str) -> None:
        """What an admin's 'revoke sessions' does: every refresh and access token of ``user`` stops working."""
        with self.lock:
            for token in [t for t, owner in self.refresh_tokens.items() if owner == user]:
                del self.refresh_tokens[token]
            for token in [t for t, (owner, _) in self.access_tokens.items() if owner == user]:
                del self.access_tokens[token]

    def expire_access_tokens(self) -> None:
        with self.lock:
            for token, (user, _) in list(self.access_tokens.items()):
                self.access_tokens[token] = (user, time.time() - 1)

    def approve(self, user_code: str, user: str) -> None:
        with self.lock:
            self._device(user_code).user = user

    def deny(self, user_code: str) -> None:
        with self.lock:
            self._device(user_code).denied = True

    def refreshes(self) -> int:
        with self.lock:
            return sum(
                1 for path, form in self.requests if path == "/token" and form.get("grant_type") == "refresh_token"
            )

    def is_active(self, token: str) -> bool:
        with self.lock:
            entry = self.access_tokens.get(token)
            return entry is not None and entry[1] > time.time()

    def user_of(self, token: str) -> str:
        with self.lock:
            return self.access_tokens[token][0]

    # -- the protocol, called by the HTTP handler ------------------------------------------------------

    def handle(self, path: str, form: dict[str, str], authorization: str) -> tuple[int, dict[str, object]]:
        with self.lock:
            self.requests.append((path, dict(form)))
            if path == "/introspect":
                return 200, self._introspect(form.get("token", ""))
            if not self._client_ok(form, authorization):
                return 401, {"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret."}
            if path == "/device":
                return self._authorize_device()
            if path == "/token":
                grant = form.get("grant_type", "")
                if grant == "refresh_token":
                    return self._refresh(form.get("refresh_token", ""))
                if grant == "urn:ietf:params:oauth:grant-type:device_code":
                    return self._poll_device(form.get("device_code", ""))
                if grant == "authorization_code":
                    return self._redeem(form)
                return 400, {"error": "unsupported_grant_type"}
            return 404, {"error": "not_found"}

    def _client_ok(self, form: dict[str, str], authorization: str) -> bool:
        """client_secret_post or client_secret_basic (RFC 6749 §2.3.1)."""
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        if authorization.startswith("Basic "):
            client_id, _, secret = base64.b64decode(authorization[6:]).decode().partition(":")
            client_id, secret = unquote(client_id), unquote(secret)
        return client_id == CLIENT_ID and secret == CLIENT_SECRET

    def _mint(self, user: str, lifetime: int) -> str:
        token = "at-" + secrets.token_urlsafe(24)
        self.access_tokens[token] = (user, time.time() + lifetime)
        return token

    def _issue(self, user: str, refresh_token: str) -> tuple[int, dict[str, object]]:
        answer: dict[str, object] = {
            "token_type": "Bearer",
            "access_token": self._mint(user, self.lifetime),
            "expires_in": self.lifetime,
            "scope": SCOPE,
        }
        if refresh_token:
            answer["refresh_token"] = refresh_token
        return 200, answer

    def _refresh(self, refresh_token: str) -> tuple[int, dict[str, object]]:
        user = self.refresh_tokens.get(refresh_token)
        if user is None:
            return 400, {"error": "invalid_grant", "error_description": REVOKED_DESCRIPTION}
        if not self.rotate:
            return self._issue(user, "")
        del self.refresh_tokens[refresh_token]
        return self._issue(user, self._grant(user))

    def _authorize_device(self) -> tuple[int, dict[str, object]]:
        device_code = "dc-" + secrets.token_urlsafe(24)
        user_code = secrets.token_hex(4).upper()
        self.devices[device_code] = Device(user_code=user_code, expires_at=time.time() + 900)
        return 200, {
            "device_code": device_code,
            "user_code": user_code,
            "verification_uri": self.url("/devicelogin"),
            "expires_in": 900,
            "interval": self.interval,
            "message": f"To sign in, open {self.url('/devicelogin')} and enter the code {user_code}.",
        }

    def _poll_device(self, device_code: str) -> tuple[int, dict[str, object]]:
        device = self.devices.get(device_code)
        if device is None:
            return 400, {"error": "invalid_grant"}
        if device.expires_at <= time.time():
            return 400, {"error": "expired_token"}
        if device.denied:
            return 400, {"error": "access_denied", "error_description": "The user declined."}
        if self.slow_down:
            self.slow_down -= 1
            return 400, {"error": "slow_down"}
        if not device.user:
            return 400, {"error": "authorization_pending"}
        del self.devices[device_code]
        return self._issue(device.user, self._grant(device.user))

    def _grant(self, user: str) -> str:
        token = "rt-" + secrets.token_urlsafe(24)
        self.refresh_tokens[token] = user
        return token

    def authorize(self, query: dict[str, str]) -> str:
        """The browser's visit to the authorization endpoint: where it is redirected (RFC 6749 §4.1.2)."""
        with self.lock:
            self.requests.append(("/authorize", dict(query)))
            answer = {"state": query.get("state", "")}
            if self.consenting_user and query.get("client_id") == CLIENT_ID and query.get("code_challenge"):
                code = "ac-" + secrets.token_urlsafe(16)
                self.codes[code] = (self.consenting_user, query.get("redirect_uri", ""), query["code_challenge"])
                answer["code"] = code
            else:
                answer["error"] = "access_denied"
            return f"{query.get('redirect_uri', '')}?{urlencode(answer)}"

    def _redeem(self, form: dict[str, str]) -> tuple[int, dict[str, object]]:
        """RFC 6749 §4.1.3 and RFC 7636 §4.6: one use, the same redirect_uri, the verifier matching."""
        user, redirect_uri, challenge = self.codes.pop(form.get("code", ""), ("", "", ""))
        verifier = form.get("code_verifier", "").encode()
        computed = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=").decode()
        if not user or redirect_uri != form.get("redirect_uri") or computed != challenge:
            return 400, {"error": "invalid_grant", "error_description": "code, redirect_uri or verifier wrong"}
        return self._issue(user, self._grant(user))

    def _introspect(self, token: str) -> dict[str, object]:
        """RFC 7662 §2.2: inactive tokens say only that."""
        entry = self.access_tokens.get(token)
        if entry is None or entry[1] <= time.time():
            return {"active": False}
        return {"active": True, "username": entry[0], "exp": int(entry[1]), "token_type": "Bearer"}

    def _device(self, user_code: str) -> Device:
        return next(d for d in self.devices.values() if d.user_code == user_code)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace")
        form = dict(parse_qsl(body, keep_blank_values=True))
        status, answer = self.server.endpoint.handle(
            self.path.split("?")[0], form, self.headers.get("Authorization", "")
        )
        payload = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:
        target = urlsplit(self.path)
        if target.path != "/authorize":
            self.send_error(404)
            return
        self.send_response(302)
        self.send_header("Location", self.server.endpoint.authorize(dict(parse_qsl(target.query))))
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's signature
        return  # quiet: pytest shows failures, not every request


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, endpoint: TokenEndpoint) -> None:
        super().__init__((endpoint.host, 0), _Handler)
        self.endpoint = endpoint
        endpoint.port = self.server_address[1]


@pytest.fixture(scope="session")
def token_endpoint_session() -> Iterator[TokenEndpoint]:
    endpoint = TokenEndpoint()
    server = _Server(endpoint)
    thread = threading.Thread(target=server.serve_forever, name="oauth-test-server", daemon=True)
    thread.start()
    try:
        yield endpoint
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def token_endpoint(token_endpoint_session: TokenEndpoint) -> TokenEndpoint:
    token_endpoint_session.reset()
    return token_endpoint_session
