"""OAuth 2 access tokens for IMAP and SMTP: refresh-token grant, cache, rotation, and the device login.

The protocol is Authlib's OAuth2Client (request bodies, client authentication, RFC 6749 §5.2 error
parsing) over httpx2; this module adds what a mail daemon needs on top:

- one TokenSource per process, shared by the IMAP thread and the outbox thread (a lock around refresh);
- refresh before expiry, and on demand after the server refused a token (``access_token(fresh=True)``);
- a refresh token the provider rotates is kept in ``<state_dir>/oauth-refresh-token.json``, mode 0600;
- the device authorization grant (RFC 8628) for ``foimail oauth login``.

Errors (foimail.errors):
    OAuthLoginNeeded(PermanentError)  no refresh token, or it expired or was revoked (invalid_grant):
                                      one line naming ``foimail oauth login``
    TransientError                    the token endpoint is unreachable, slow, or answers 5xx / 429
    PermanentError                    any other refusal (invalid_client, invalid_scope, access_denied)

No token, refresh token or device code is ever logged or put in an error message.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import httpx2
from authlib.integrations.httpx_client import OAuth2Client, OAuthError

from foimail.clock import Clock, utc_now
from foimail.config import OAuthSettings, Settings
from foimail.errors import OAUTH_LOGIN_COMMAND, OAuthLoginNeeded, PermanentError, TransientError

log = logging.getLogger("foimail.oauth")

STATE_FILE = "oauth-refresh-token.json"
REFRESH_MARGIN = timedelta(minutes=5)  # refresh this long before expiry (a tenth of the lifetime if shorter)
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"  # RFC 8628 §3.4
TRANSIENT_ERRORS = frozenset({"temporarily_unavailable", "server_error"})  # RFC 6749 §4.1.2.1


@dataclass(frozen=True)
class AccessToken:
    value: str = field(repr=False)
    expires_at: datetime
    refresh_at: datetime


@dataclass(frozen=True)
class DeviceLogin:
    """What the admin opens and types (RFC 8628 §3.2); the device code stays with foimail."""

    user_code: str
    verification_uri: str
    verification_uri_complete: str
    expires_at: datetime
    interval: int
    message: str
    device_code: str = field(repr=False)


class RefreshTokenStore:
    """The rotated refresh token in the state directory, as long as the configured one is unchanged.

    The file names the configured token it descends from (a hash), so an admin who puts a new
    refresh_token in the config is obeyed rather than overruled by an older rotation.
    """

    def __init__(self, state_dir: Path, configured: str) -> None:
        self.path = Path(state_dir) / STATE_FILE
        self.configured = configured

    def load(self) -> str:
        try:
            stored = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return self.configured
        except PermissionError:
            raise PermanentError(
                f"cannot read {self.path}: permission denied (give it to the user foimail runs as)"
            ) from None
        except (OSError, ValueError) as exc:
            log.warning("ignoring unreadable %s: %s", self.path, exc.__class__.__name__)
            return self.configured
        token = stored.get("refresh_token", "") if isinstance(stored, dict) else ""
        if not token or (self.configured and stored.get("origin") != _fingerprint(self.configured)):
            return self.configured
        return str(token)

    def save(self, refresh_token: str, now: datetime) -> None:
        """Write atomically with mode 0600: a temporary file created private, then renamed over the old one.

        Run as root (an admin's `sudo foimail oauth login`), the file is given to the state directory's
        owner, the user the daemon runs as, who could not read it otherwise.
        """
        entry = {"refresh_token": refresh_token, "origin": _fingerprint(self.configured), "saved_at": now.isoformat()}
        temporary = self.path.with_name(f".{self.path.name}.tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.fchmod(descriptor, 0o600)
            if os.geteuid() == 0:
                owner = self.path.parent.stat()
                os.fchown(descriptor, owner.st_uid, owner.st_gid)
            os.write(descriptor, json.dumps(entry).encode())
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        os.replace(temporary, self.path)


class TokenSource:
    """Access tokens for one mailbox, cached until shortly before they expire."""

    def __init__(self, settings: OAuthSettings, state_dir: Path | str, clock: Clock = utc_now) -> None:
        self.settings = settings
        self.store = RefreshTokenStore(Path(state_dir), settings.refresh_token)
        self._clock = clock
        self._lock = threading.Lock()
        self._cached: AccessToken | None = None
        self._refresh_token = ""

    def access_token(self, *, fresh: bool = False) -> AccessToken:
        """A usable token; ``fresh`` after a server refused the cached one (revoked or expired early)."""
        with self._lock:
            cached = self._cached
            if fresh or cached is None or self._clock() >= cached.refresh_at:
                self._cached = cached = self._refresh()
            return cached

    def _refresh(self) -> AccessToken:
        """RFC 6749 §6; a new refresh token in the answer replaces the old one (rotation, §10.4)."""
        refresh_token = self._refresh_token or self.store.load()
        if not refresh_token:
            raise OAuthLoginNeeded(f"no OAuth refresh token: run `{OAUTH_LOGIN_COMMAND}`")
        settings = self.settings
        try:
            with client_for(settings) as client:
                token = ask(
                    settings,
                    lambda: client.refresh_token(settings.token_url, refresh_token=refresh_token),
                    refreshing=True,
                )
        except OAuthLoginNeeded:
            self._refresh_token = ""  # read the store again next time: `foimail oauth login` may have run
            raise
        now = self._clock()
        rotated = str(token.get("refresh_token") or refresh_token)
        if rotated != refresh_token:
            self._keep(rotated, now)
        self._refresh_token = rotated
        access = _access_token(token, now)
        log.info("OAuth access token obtained, expires %s", access.expires_at.isoformat(timespec="seconds"))
        return access

    def _keep(self, refresh_token: str, now: datetime) -> None:
        try:
            self.store.save(refresh_token, now)
        except OSError as exc:  # still usable from memory; the next start falls back to the configured one
            log.error("cannot store the rotated OAuth refresh token in %s: %s", self.store.path, exc.strerror or exc)
            return
        log.info("stored the OAuth refresh token the provider rotated in %s", self.store.path)


_SHARED: dict[tuple[OAuthSettings, str], TokenSource] = {}
_SHARED_LOCK = threading.Lock()


def tokens_for(settings: Settings, protocol: Literal["imap", "smtp"]) -> TokenSource | None:
    """The process's one TokenSource for this mailbox when ``protocol`` logs in with OAuth, else None.

    The IMAP thread and the outbox thread share it: one cache, one refresh, and a rotated refresh token
    that the other thread sees at once (a second source would still hold the retired one).
    """
    if getattr(settings, protocol).auth == "password":
        return None
    key = (settings.oauth, settings.paths.state_dir)
    with _SHARED_LOCK:
        if key not in _SHARED:
            _SHARED[key] = TokenSource(settings.oauth, settings.paths.state_dir)
        return _SHARED[key]


def start_device_login(settings: OAuthSettings, clock: Clock = utc_now) -> DeviceLogin:
    """Ask for a user code the admin types at the provider's page (RFC 8628 §3.1, §3.2)."""
    if not settings.device_url:
        raise PermanentError("oauth.device_url is not set (or set oauth.provider): it is needed for the login")
    form = {"client_id": settings.client_id, "scope": settings.scope}
    if settings.client_secret:
        form["client_secret"] = settings.client_secret
    with client_for(settings) as client:
        answer = ask(settings, lambda: _device_authorization(client, settings.device_url, form))
    try:
        return DeviceLogin(
            user_code=str(answer["user_code"]),
            verification_uri=str(answer.get("verification_uri") or answer["verification_url"]),  # Google: _url
            verification_uri_complete=str(answer.get("verification_uri_complete", "")),
            expires_at=clock() + timedelta(seconds=int(answer["expires_in"])),
            interval=int(answer.get("interval", 5)),  # RFC 8628 §3.2: 5 when absent
            message=str(answer.get("message", "")),
            device_code=str(answer["device_code"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise PermanentError(f"the device authorization answer lacks {exc}") from None


def finish_device_login(
    settings: OAuthSettings,
    login: DeviceLogin,
    state_dir: Path | str,
    clock: Clock = utc_now,
    sleep: Callable[[float], None] = time.sleep,
) -> AccessToken:
    """Poll until the admin approved (RFC 8628 §3.4, §3.5), then store the refresh token (mode 0600)."""
    interval = login.interval
    with client_for(settings) as client:
        while True:
            if clock() >= login.expires_at:
                raise PermanentError(f"the code {login.user_code} expired before it was entered: run it again")
            sleep(interval)
            try:
                token = ask(
                    settings,
                    lambda: client.fetch_token(
                        settings.token_url, grant_type=DEVICE_GRANT, device_code=login.device_code
                    ),
                )
                break
            except _Pending as pending:
                interval += 5 if pending.slow_down else 0  # RFC 8628 §3.5
    return keep_login(settings, token, state_dir, clock)


def keep_login(settings: OAuthSettings, token: dict[str, Any], state_dir: Path | str, clock: Clock) -> AccessToken:
    """Store the refresh token a login produced (mode 0600) and return its access token."""
    refresh_token = str(token.get("refresh_token") or "")
    if not refresh_token:
        raise PermanentError("the provider gave no refresh token: add offline_access to oauth.scope")
    now = clock()
    store = RefreshTokenStore(Path(state_dir), settings.refresh_token)
    try:
        store.save(refresh_token, now)
    except OSError as exc:
        raise PermanentError(f"cannot write {store.path}: {exc.strerror or exc} (check paths.state_dir)") from None
    return _access_token(token, now)


class _Pending(Exception):
    def __init__(self, slow_down: bool) -> None:
        self.slow_down = slow_down


def client_for(settings: OAuthSettings, **extra: Any) -> OAuth2Client:
    """client_secret_post: the one client authentication Microsoft and Google both document (RFC 6749 §2.3.1)."""
    return OAuth2Client(
        client_id=settings.client_id,
        client_secret=settings.client_secret or None,
        token_endpoint_auth_method="client_secret_post" if settings.client_secret else "none",
        scope=settings.scope or None,
        timeout=settings.timeout_seconds,
        **extra,
    )


def _device_authorization(client: OAuth2Client, url: str, form: dict[str, str]) -> dict[str, Any]:
    response = client.request("POST", url, data=form, withhold_token=True)
    try:
        answer = response.json()
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        response.raise_for_status()
        raise PermanentError(f"the device authorization endpoint answered HTTP {response.status_code}, not JSON")
    if "error" in answer:
        raise OAuthError(error=answer["error"], description=answer.get("error_description"))
    return answer


def ask(settings: OAuthSettings, request: Callable[[], Any], *, refreshing: bool = False) -> Any:
    """Run one request at the provider and turn every failure into a FoimailError an admin can act on.

    invalid_grant while ``refreshing`` means the refresh token is dead (RFC 6749 §5.2): log in again.
    """
    host = httpx2.URL(settings.token_url).host
    try:
        return request()
    except OAuthError as exc:
        error = exc.error or "error"
        if error in ("authorization_pending", "slow_down"):
            raise _Pending(slow_down=error == "slow_down") from None
        reason = _one_line(exc.description)
        if error == "invalid_grant" and refreshing:
            raise OAuthLoginNeeded(
                f"OAuth refresh token expired or revoked ({reason or error}): run `{OAUTH_LOGIN_COMMAND}`"
            ) from None
        detail = f"OAuth {host} refused: {error}" + (f": {reason}" if reason else "")
        if error in TRANSIENT_ERRORS:
            raise TransientError(detail) from None
        raise PermanentError(detail) from None
    except httpx2.HTTPStatusError as exc:
        status = exc.response.status_code
        detail = f"OAuth {host} answered HTTP {status}"
        if status >= 500 or status == 429:
            raise TransientError(detail) from None
        raise PermanentError(detail) from None
    except httpx2.HTTPError as exc:
        raise TransientError(f"OAuth {host}: {exc.__class__.__name__}") from None


def _access_token(token: dict[str, Any], now: datetime) -> AccessToken:
    try:
        value = str(token["access_token"])
        lifetime = timedelta(seconds=int(token.get("expires_in", 3600)))
    except (KeyError, TypeError, ValueError):
        raise PermanentError("the token endpoint's answer has no usable access_token or expires_in") from None
    margin = min(REFRESH_MARGIN, lifetime / 10)
    return AccessToken(value=value, expires_at=now + lifetime, refresh_at=now + lifetime - margin)


def _one_line(text: str | None, limit: int = 160) -> str:
    """Providers answer with paragraphs (Microsoft adds trace ids): keep the first line, shortened."""
    first = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    return first if len(first) <= limit else first[: limit - 1] + "…"


def _fingerprint(refresh_token: str) -> str:
    return hashlib.sha256(refresh_token.encode()).hexdigest()[:16]
