"""`foimail oauth login --browser`: authorization code + PKCE with a loopback redirect, against our server."""

from __future__ import annotations

import stat
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import httpx2
import pytest

from foimail.adapters.oauth import STATE_FILE, TokenSource
from foimail.adapters.oauth_browser import finish_browser_login, start_browser_login
from foimail.errors import PermanentError
from tests.adapters.test_oauth_tokens import USER, oauth_settings
from tests.support.oauth_server import CLIENT_ID, TokenEndpoint


def browser(url: str) -> httpx2.Response:
    """The admin's browser: follows the provider's redirect to foimail's loopback listener."""
    return httpx2.get(url, follow_redirects=True, timeout=5)


def test_browser_login_through_the_loopback_listener(token_endpoint: TokenEndpoint, tmp_path: Path) -> None:
    settings = oauth_settings(token_endpoint, authorize_url=token_endpoint.authorize_url)
    token_endpoint.consenting_user = USER
    login = start_browser_login(settings, login_hint=USER)
    query = dict(parse_qsl(urlsplit(login.url).query))
    assert (query["client_id"], query["redirect_uri"], query["code_challenge_method"]) == (
        CLIENT_ID,
        login.redirect_uri,
        "S256",
    )
    assert (query["access_type"], query["prompt"], query["login_hint"]) == ("offline", "consent", USER)
    assert login.code_verifier not in login.url and login.state == query["state"]
    page = browser(login.url)
    assert page.status_code == 200 and "signed in" in page.text
    assert login.listener.done.wait(5)
    token = finish_browser_login(settings, login, login.listener.response_url, tmp_path)
    assert token_endpoint.user_of(token.value) == USER
    assert stat.S_IMODE((tmp_path / STATE_FILE).stat().st_mode) == 0o600
    assert token_endpoint.user_of(TokenSource(settings, tmp_path).access_token().value) == USER


def test_a_pasted_address_works_when_the_browser_is_elsewhere(token_endpoint: TokenEndpoint, tmp_path: Path) -> None:
    settings = oauth_settings(token_endpoint, authorize_url=token_endpoint.authorize_url)
    token_endpoint.consenting_user = USER
    login = start_browser_login(settings)
    visit = httpx2.get(login.url, follow_redirects=False, timeout=5)  # the page at 127.0.0.1 never loads there
    pasted = "  " + visit.headers["Location"] + "\n"
    token = finish_browser_login(settings, login, pasted, tmp_path)
    assert token_endpoint.is_active(token.value)


def without(url: str, name: str) -> str:
    base, _, query = url.partition("?")
    return base + "?" + "&".join(part for part in query.split("&") if not part.startswith(f"{name}="))


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        ("other state", "its state differs"),
        ("no state", "its state differs"),
        ("no code", "holds no authorization code"),
    ],
)
def test_a_wrong_address_is_refused(token_endpoint: TokenEndpoint, tmp_path: Path, tamper: str, message: str) -> None:
    settings = oauth_settings(token_endpoint, authorize_url=token_endpoint.authorize_url)
    token_endpoint.consenting_user = USER
    login = start_browser_login(settings)
    location = httpx2.get(login.url, follow_redirects=False, timeout=5).headers["Location"]
    pasted = {
        "other state": location.replace("state=", "state=x"),
        "no state": without(location, "state"),
        "no code": without(location, "code"),
    }[tamper]
    with pytest.raises(PermanentError, match=message):
        finish_browser_login(settings, login, pasted, tmp_path)
    assert not (tmp_path / STATE_FILE).exists()


def test_declined_consent_says_so(token_endpoint: TokenEndpoint, tmp_path: Path) -> None:
    settings = oauth_settings(token_endpoint, authorize_url=token_endpoint.authorize_url)
    login = start_browser_login(settings)
    page = browser(login.url)
    assert "not completed" in page.text and login.listener.done.wait(5)
    with pytest.raises(PermanentError, match="sign-in refused: access_denied"):
        finish_browser_login(settings, login, login.listener.response_url, tmp_path)


def test_a_code_redeemed_with_another_verifier_is_refused(token_endpoint: TokenEndpoint, tmp_path: Path) -> None:
    """PKCE: someone who caught the redirect but not the verifier gets nothing (RFC 7636 §1)."""
    settings = oauth_settings(token_endpoint, authorize_url=token_endpoint.authorize_url)
    token_endpoint.consenting_user = USER
    login = start_browser_login(settings)
    location = httpx2.get(login.url, follow_redirects=False, timeout=5).headers["Location"]
    login.code_verifier = "x" * 64
    with pytest.raises(PermanentError, match="invalid_grant"):
        finish_browser_login(settings, login, location, tmp_path)


def test_without_an_authorization_endpoint_the_setting_is_named(token_endpoint: TokenEndpoint) -> None:
    with pytest.raises(PermanentError, match="oauth.authorize_url is not set"):
        start_browser_login(oauth_settings(token_endpoint))
