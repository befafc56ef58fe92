"""`foimail oauth login --browser`: the authorization code grant with PKCE and a loopback redirect.

RFC 6749 §4.1, RFC 7636 (S256), RFC 8252 §7.3. Google's device flow refuses the mail scope and Google
tells command-line tools to use this grant instead. foimail listens on 127.0.0.1 for the browser's
redirect; when the browser runs on another computer, the admin forwards the port (``ssh -L``) or
pastes the address the browser ends on (its page fails to load, the address holds the code).
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from foimail.adapters.oauth import AccessToken, ask, client_for, keep_login
from foimail.clock import Clock, utc_now
from foimail.config import OAuthSettings
from foimail.errors import PermanentError

LOOPBACK = "127.0.0.1"
DONE_PAGE = b"foimail: signed in; the refresh token is stored. You can close this tab.\n"


@dataclass
class BrowserLogin:
    """What the admin opens, and what foimail needs to finish: the state and verifier stay secret."""

    url: str
    redirect_uri: str
    state: str = field(repr=False)
    code_verifier: str = field(repr=False)
    listener: LoopbackListener = field(repr=False)


class _Redirected(BaseHTTPRequestHandler):
    server: LoopbackListener

    def do_GET(self) -> None:
        query = dict(parse_qsl(urlsplit(self.path).query))
        if "code" not in query and "error" not in query:  # favicon and the like
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.end_headers()
        self.wfile.write(DONE_PAGE if "code" in query else b"foimail: the sign-in was not completed.\n")
        self.server.arrived(f"{self.server.redirect_uri.rstrip('/')}{self.path}")

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's signature
        return  # the request line holds the authorization code


class LoopbackListener(HTTPServer):
    """Serves the one redirect on 127.0.0.1, in a thread, until it arrives or ``close()``."""

    def __init__(self, port: int) -> None:
        super().__init__((LOOPBACK, port), _Redirected)
        self.redirect_uri = f"http://{LOOPBACK}:{self.server_address[1]}/"
        self.response_url = ""
        self.done = threading.Event()
        self._thread = threading.Thread(target=self.serve_forever, name="oauth-redirect", daemon=True)
        self._thread.start()

    def arrived(self, url: str) -> None:
        self.response_url = url
        self.done.set()

    def close(self) -> None:
        self.shutdown()
        self.server_close()


def start_browser_login(settings: OAuthSettings, port: int = 0, login_hint: str = "") -> BrowserLogin:
    """Listen for the redirect and build the URL the admin opens (offline access, consent asked again)."""
    if not settings.authorize_url:
        raise PermanentError("oauth.authorize_url is not set (or set oauth.provider): it is needed for --browser")
    try:
        listener = LoopbackListener(port)
    except OSError as exc:
        raise PermanentError(f"cannot listen on {LOOPBACK}:{port}: {exc.strerror or exc}") from None
    verifier = secrets.token_urlsafe(64)  # RFC 7636 §4.1: 43 to 128 characters
    extra = {"login_hint": login_hint} if login_hint else {}
    with client_for(settings, redirect_uri=listener.redirect_uri, code_challenge_method="S256") as client:
        # access_type and prompt: Google hands out a refresh token only when asked for offline access.
        url, state = client.create_authorization_url(
            settings.authorize_url, code_verifier=verifier, access_type="offline", prompt="consent", **extra
        )
    return BrowserLogin(str(url), listener.redirect_uri, str(state), verifier, listener)


def finish_browser_login(
    settings: OAuthSettings,
    login: BrowserLogin,
    response_url: str,
    state_dir: Path | str,
    clock: Clock = utc_now,
) -> AccessToken:
    """Trade the code in the redirect for tokens (checking the state, RFC 6749 §10.12) and store the refresh token."""
    login.listener.close()
    query = dict(parse_qsl(urlsplit(response_url.strip()).query))
    if query.get("state") != login.state:
        raise PermanentError("that address is not the answer to this sign-in (its state differs): start again")
    if "error" in query:
        detail = query.get("error_description", "")
        raise PermanentError(f"sign-in refused: {query['error']}" + (f": {detail}" if detail else ""))
    if "code" not in query:
        raise PermanentError("that address holds no authorization code: paste the whole address")
    with client_for(settings, redirect_uri=login.redirect_uri) as client:
        token = ask(
            settings,
            lambda: client.fetch_token(
                settings.token_url,
                grant_type="authorization_code",
                code=query["code"],
                code_verifier=login.code_verifier,
            ),
        )
    return keep_login(settings, token, state_dir, clock)
