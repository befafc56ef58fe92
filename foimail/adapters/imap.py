"""The IMAP mailbox: fetch raw bytes without touching \\Seen, move what was stored, wait with IDLE or polling."""

from __future__ import annotations

import contextlib
import logging
import ssl
import threading
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from foimail.adapters.mail_auth import imap_login, mechanism_name
from foimail.adapters.oauth import AccessToken, TokenSource
from foimail.adapters.source import ARRIVAL_CHECK_SECONDS, ArrivedMessage, wait_for_either
from foimail.adapters.tls import tls_context
from foimail.clock import Clock, utc_now
from foimail.config import ImapSettings
from foimail.errors import FoimailError, PermanentError, TransientError

log = logging.getLogger("foimail.imap")

IDLE_RENEW_SECONDS = 25 * 60  # RFC 2177 §3: servers may drop an IDLE after 29 minutes
FETCH_ITEMS = [b"BODY.PEEK[]", b"INTERNALDATE"]  # PEEK: a message an officer opened is still a request
# One FETCH brings this many messages, or this many bytes (a large message comes alone): a backlog costs a
# round trip per batch instead of per message, and memory stays bounded by the batch.
BATCH_MESSAGES = 50
BATCH_BYTES = 4 * 1024 * 1024


class ImapMailbox:
    """One logged-in connection to the FOI mailbox (a `MailSource`)."""

    def __init__(self, settings: ImapSettings, tokens: TokenSource | None = None, clock: Clock = utc_now) -> None:
        self.settings = settings
        self.tokens = tokens  # OAuth 2 (imap.auth = xoauth2 | oauthbearer); None: the password
        self.clock = clock
        self.client: IMAPClient | None = None
        self.uidvalidity: int | None = None
        self.session_token: AccessToken | None = None  # the OAuth token this session logged in with
        self._folder_names: dict[str, str] = {}
        self._last_uid_seen = 0  # highest UID `pending` listed: IDLE need not wait if a higher one is there

    @property
    def source_name(self) -> str:
        return f"imap://{self.settings.username}@{self.settings.host}:{self.settings.port}/{self.settings.folder}"

    def open(self) -> None:
        if self.client is None:
            self.connect()
            log.info("connected to %s uidvalidity=%s", self.source_name, self.uidvalidity)

    def connect(self) -> None:
        """Connect, log in, create the folders foimail moves mail into, and select the watched folder."""
        settings = self.settings
        context = tls_context(settings.verify_certificate)
        try:
            client = IMAPClient(
                settings.host,
                port=settings.port,
                ssl=settings.security == "ssl",
                ssl_context=context,
                timeout=settings.timeout_seconds,
            )
            if settings.security == "starttls":
                client.starttls(context)
            client.normalise_times = False
            self.session_token = imap_login(client, settings, self.tokens)
        except LoginError as exc:
            how = f" with {mechanism_name(settings.auth)}" if self.tokens else ""
            raise PermanentError(f"IMAP login refused for {settings.username}{how}: {_text(exc)}") from exc
        except (TimeoutError, IMAPClientError, OSError, ssl.SSLError) as exc:
            raise TransientError(f"IMAP {settings.host}:{settings.port}: {exc.__class__.__name__}: {exc}") from exc
        except FoimailError:  # no OAuth token to be had: drop the connection that waited for one
            with contextlib.suppress(IMAPClientError, OSError):
                client.shutdown()
            raise
        self.client = client
        try:
            self._prepare_folders()
            selected = client.select_folder(settings.folder)
        except (IMAPClientError, OSError) as exc:
            self.close()
            raise TransientError(f"IMAP folder setup failed: {_text(exc)}") from exc
        self.uidvalidity = int(selected[b"UIDVALIDITY"])
        self._last_uid_seen = 0

    def _prepare_folders(self) -> None:
        assert self.client is not None
        delimiter = "/"
        folders = self.client.list_folders()
        if folders:
            raw_delimiter = folders[0][1]
            if raw_delimiter:
                delimiter = raw_delimiter.decode() if isinstance(raw_delimiter, bytes) else str(raw_delimiter)
        for configured in (self.settings.processed_folder, self.settings.quarantine_folder):
            name = configured.replace("/", delimiter)
            self._folder_names[configured] = name
            if not self.client.folder_exists(name):
                parts = name.split(delimiter)
                for depth in range(1, len(parts) + 1):  # parents first: some servers need them
                    partial = delimiter.join(parts[:depth])
                    if not self.client.folder_exists(partial):
                        self.client.create_folder(partial)
                        log.info("created IMAP folder %s", partial)

    def pending(self) -> Iterator[Sequence[ArrivedMessage]]:
        """Every message now in the watched folder, oldest first, in batches of one FETCH each."""
        client = self._require()
        try:
            uids = sorted(client.search(["ALL"]))
            if uids:
                self._last_uid_seen = max(self._last_uid_seen, uids[-1])
            for batch in self._batches(client, uids):
                fetched = client.fetch(batch, FETCH_ITEMS)
                arrived = []
                for uid in batch:
                    data = fetched.get(uid)
                    if not data or b"BODY[]" not in data:
                        continue  # expunged meanwhile by someone else
                    origin = f"{self.source_name};uidvalidity={self.uidvalidity};uid={uid}"
                    raw = data.pop(b"BODY[]")
                    arrived.append(ArrivedMessage(str(uid), bytes(raw), _aware(data.get(b"INTERNALDATE")), origin))
                del fetched
                yield arrived
        except (IMAPClientError, OSError) as exc:
            raise TransientError(f"IMAP fetch failed: {_text(exc)}") from exc

    @staticmethod
    def _batches(client: IMAPClient, uids: list[int]) -> Iterator[list[int]]:
        """UIDs grouped up to BATCH_MESSAGES and BATCH_BYTES (RFC822.SIZE, asked only when there are several)."""
        if len(uids) <= 1:
            yield from ([uids] if uids else [])
            return
        sizes = client.fetch(uids, [b"RFC822.SIZE"])
        batch: list[int] = []
        total = 0
        for uid in uids:
            size = int(sizes.get(uid, {}).get(b"RFC822.SIZE", 0))
            if batch and (len(batch) >= BATCH_MESSAGES or total + size > BATCH_BYTES):
                yield batch
                batch, total = [], 0
            batch.append(uid)
            total += size
        if batch:
            yield batch

    def move(self, keys: Sequence[str], configured_folder: str) -> None:
        """Move messages by UID set (MOVE, or COPY + \\Deleted + UID EXPUNGE). Never deletes."""
        client = self._require()
        uids = [int(key) for key in keys]
        if not uids:
            return
        target = self._folder_names.get(configured_folder, configured_folder)
        try:
            if client.has_capability("MOVE"):
                client.move(uids, target)
                return
            client.copy(uids, target)
            client.add_flags(uids, [b"\\Deleted"], silent=True)
            if client.has_capability("UIDPLUS"):
                client.uid_expunge(uids)
            else:
                client.expunge()
        except (IMAPClientError, OSError) as exc:
            raise TransientError(f"IMAP move of UIDs {_uid_set(uids)} failed: {_text(exc)}") from exc

    def wait_for_mail(self, stop: threading.Event, poll_seconds: float, arrived: threading.Event | None = None) -> None:
        """Block until new mail may be there: IDLE when offered, else a poll.

        IDLE is re-issued every `poll_seconds` (and always before 29 minutes, RFC 2177 §3), so a dead
        connection is noticed and the health heartbeat stays fresh. With OAuth the wait ends when the
        session's token is due for refresh, and the session with it: Microsoft 365 ends a session whose
        token expired (BYE ... AccessTokenExpired), so foimail reconnects with a fresh token first.
        """
        client = self._require()
        poll_seconds = min(poll_seconds, self._token_seconds_left())
        if poll_seconds <= 0:
            log.info("the OAuth token of this IMAP session is due for refresh: reconnecting")
            self.close()
            return
        if not (self.settings.idle and client.has_capability("IDLE")):
            wait_for_either(stop, arrived, poll_seconds)
            try:
                client.noop()
            except (IMAPClientError, OSError) as exc:
                raise TransientError(f"IMAP connection lost: {_text(exc)}") from exc
            return
        try:
            if self._arrived_since_listed(client):
                return  # its EXISTS came with an earlier reply and IDLE would not announce it again
            client.idle()
            try:
                # Short local checks (no traffic): a stop request, or the server's push that mail has
                # arrived, ends the wait at once; Dovecot's IDLE tells of new mail 0.5 s late.
                deadline = time.monotonic() + min(IDLE_RENEW_SECONDS, poll_seconds)
                step = 1.0 if arrived is None else ARRIVAL_CHECK_SECONDS
                while not stop.is_set() and time.monotonic() < deadline:
                    if client.idle_check(timeout=step):
                        break
                    if arrived is not None and arrived.is_set():
                        arrived.clear()
                        break
            finally:
                client.idle_done()
        except (IMAPClientError, OSError) as exc:
            raise TransientError(f"IMAP IDLE failed: {_text(exc)}") from exc

    def _token_seconds_left(self) -> float:
        if self.session_token is None:
            return float("inf")
        return (self.session_token.refresh_at - self.clock()).total_seconds()

    def _arrived_since_listed(self, client: IMAPClient) -> bool:
        return any(uid > self._last_uid_seen for uid in client.search(["UID", f"{self._last_uid_seen + 1}:*"]))

    def close(self) -> None:
        self.session_token = None
        if self.client is None:
            return
        try:
            self.client.logout()
        except (IMAPClientError, OSError):
            try:
                self.client.shutdown()
            except (IMAPClientError, OSError):
                pass
        self.client = None

    def capabilities(self) -> tuple[bytes, ...]:
        """What the server offers (IDLE, MOVE, UIDPLUS ...), for `foimail check`."""
        return tuple(self._require().capabilities())

    def _require(self) -> IMAPClient:
        if self.client is None:
            raise TransientError("IMAP not connected")
        return self.client


def _aware(value: object) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _uid_set(uids: list[int]) -> str:
    return f"{uids[0]}" if len(uids) == 1 else f"{uids[0]}..{uids[-1]} ({len(uids)})"


def _text(exc: BaseException) -> str:
    message = exc.args[0] if exc.args else exc
    if isinstance(message, bytes):
        return message.decode("utf-8", "replace")
    return str(message)
