"""`foimail oauth login`: get the first refresh token for a mailbox that accepts only OAuth 2."""

from __future__ import annotations

import argparse
import select
import sys

from foimail.adapters.oauth import STATE_FILE, AccessToken, finish_device_login, start_device_login
from foimail.adapters.oauth_browser import BrowserLogin, finish_browser_login, start_browser_login
from foimail.cli.common import settings_from
from foimail.config import Settings
from foimail.errors import ConfigError


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    oauth = commands.add_parser("oauth", help="OAuth 2 for Microsoft 365 and Google Workspace mailboxes")
    actions = oauth.add_subparsers(dest="oauth_command", required=True)
    login = actions.add_parser("login", help="sign in as the mailbox once; stores the refresh token (mode 0600)")
    login.add_argument(
        "--browser",
        action="store_true",
        help="authorization code with a loopback redirect instead of a device code (needed for Google)",
    )
    login.add_argument("--port", type=int, default=0, help="with --browser: the loopback port (default: any)")
    login.set_defaults(handler=oauth_login)


def oauth_login(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    oauth = settings.oauth
    if not (oauth.token_url and oauth.client_id):
        raise ConfigError("oauth.client_id", settings.source, "set [oauth] provider (or token_url) and client_id first")
    user = settings.imap.username or settings.smtp.username
    token = _browser(settings, user, args.port) if args.browser else _device(settings)
    print(f"signed in: the refresh token is stored in {settings.paths.state_dir}/{STATE_FILE} (mode 0600)")
    print(
        f"access token valid until {token.expires_at.astimezone(settings.office.tz):%Y-%m-%d %H:%M %Z}; "
        "now run `foimail check`"
    )
    return 0


def _device(settings: Settings) -> AccessToken:
    login = start_device_login(settings.oauth)
    print(f"Open {login.verification_uri} and enter the code {login.user_code}")
    if login.verification_uri_complete:
        print(f"(or open {login.verification_uri_complete})")
    print(
        f"Sign in as the FOI mailbox. Waiting until {login.expires_at.astimezone(settings.office.tz):%H:%M} ...",
        flush=True,
    )
    return finish_device_login(settings.oauth, login, settings.paths.state_dir)


def _browser(settings: Settings, user: str, port: int) -> AccessToken:
    login = start_browser_login(settings.oauth, port=port, login_hint=user)
    port_number = login.redirect_uri.rsplit(":", 1)[1].strip("/")
    print("Open this address in a browser and sign in as the FOI mailbox:\n")
    print(f"  {login.url}\n")
    print(f"foimail waits for the browser at {login.redirect_uri}. From another computer, either forward the port")
    print(f"first (ssh -L {port_number}:127.0.0.1:{port_number} this-server) or, when the browser ends on a page")
    print("that does not load, paste that page's address here and press Enter:", flush=True)
    return finish_browser_login(settings.oauth, login, _wait(login), settings.paths.state_dir)


def _wait(login: BrowserLogin) -> str:
    """The redirect that reached the listener, or an address pasted on standard input, whichever comes first."""
    while not login.listener.done.wait(0.2):
        readable, _, _ = select.select([sys.stdin], [], [], 0)
        if readable:
            line = sys.stdin.readline()
            if line.strip():
                return line
    return login.listener.response_url
